#!/bin/sh
# timeout: 120
# BAR0 registers seen from user space: nvme show-regs (nvme-cli maps sysfs
# resource0 read-only) and nvmev-raw regs (maps it read-write) must both
# work while the nvme driver owns the function, agree with each other and
# show what the device holds: CAP, VS, CC as the nvme driver set it, CSTS
# ready, AQA of the driver's 32-entry admin queues, ASQ/ACQ page aligned.
#
# Why this can fail: with CONFIG_IO_STRICT_DEVMEM=y (Debian's kernels)
# and without iomem=relaxed, mmap of resource0 is refused (EINVAL) while a
# driver holds the BAR busy (pci_request_mem_regions), and nvme-cli falls
# back to Fabrics Property Get and prints garbage.  The guest boots with
# iomem=relaxed; the raw driver unbinds the function first and needs no
# relaxation.  No PAT conflict is involved: the kernel maps BAR0
# write-through and the sysfs mapping inherits that type.
. "$T_DIR/lib.sh"
need_nvmev
need_dev
grep -qw 'iomem=relaxed' /proc/cmdline ||
	skip "guest booted without iomem=relaxed: resource0 cannot be mapped while nvme owns the BAR"
grep -i 'PAT: \[mem 0x0*4000' /sys/kernel/debug/x86/pat_memtype_list 2>/dev/null
expect_ok "nvme show-regs" nvme show-regs "$CTRL"
cp "$W/last.out" "$W/show.txt"
grep -q 'get-property' "$W/show.txt" && fail "show-regs fell back to Property Get (mmap of resource0 failed)"
sr() { sed -n "s/^$1[[:space:]]*: *\([0-9a-fA-F]*\).*/\1/p" "$W/show.txt" | head -n 1; }
check_num "0x$(sr cap)" 0x20140103ff "show-regs CAP (MQES 1023, CQR, TO 20, CSS NVM, DSTRD 0, MPSMIN/MAX 4 KiB)"
check_num "0x$(sr version)" 0x10400 "show-regs VS (1.4)"
check_num "0x$(sr cc)" 0x460001 "show-regs CC (EN, IOSQES 6, IOCQES 4, MPS 0, CSS NVM)"
check_num "0x$(sr csts)" 0x1 "show-regs CSTS (RDY, no CFS, no shutdown)"
check_num "0x$(sr aqa)" 0x1f001f "show-regs AQA (nvme driver: 32-entry admin queues)"
asq=$(sr asq) acq=$(sr acq)
check_true "show-regs ASQ 0x$asq / ACQ 0x$acq nonzero, page aligned, different" \
	test "$asq" != "" -a "$acq" != "" -a $((0x$asq & 0xfff)) = 0 -a $((0x$acq & 0xfff)) = 0 -a \
	$((0x$asq)) != 0 -a $((0x$acq)) != 0 -a "$asq" != "$acq"
expect_ok "nvmev-raw regs (read-write mmap of resource0)" /tests/raw/nvmev-raw regs
rr() { sed -n "s/^$1=//p" "$W/last.out" | head -n 1; }
for r in cap:CAP version:VS cc:CC csts:CSTS aqa:AQA asq:ASQ acq:ACQ; do
	check_num "$(rr "${r#*:}")" "0x$(sr "${r%:*}")" "nvmev-raw ${r#*:} = show-regs ${r%:*}"
done
check_num "$(rr INTMS)" 0 "INTMS (MSI-X: unused)"
# sysfs config space: Memory Space and Bus Master on while nvme owns it
cmd=$(od -An -tx2 -j 4 -N 2 "/sys/bus/pci/devices/1000:00:00.0/config" | tr -d ' ')
check_num "$(( 0x$cmd & 6 ))" 6 "PCI command 0x$cmd: Memory Space and Bus Master enabled"
