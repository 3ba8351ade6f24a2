#!/bin/sh
# timeout: 180
# A host that writes nonsense into the registers: an SQ tail doorbell
# beyond the queue sets CSTS.CFS (controller fatal status) instead of
# crashing or hanging; a controller reset clears it and the device works
# again.  Needs /dev/mem access to BAR0 (guest booted with iomem=relaxed).
. "$T_DIR/lib.sh"
need_nvmev
need_dev
bar=$(printf '0x%x' "$NVMEV_MEMMAP_START_BYTES")
reg() { devmem $(printf '0x%x' $((bar + $1))) 32; }
csts=$(reg 0x1c 2>/dev/null) || skip "devmem cannot read BAR0 (kernel without iomem=relaxed)"
check_num "$(( csts & 3 ))" 1 "CSTS.RDY set, CFS clear before ($csts)"
# SQ 1 tail doorbell: 0x1000 + 2 * 1 * 4
expect_ok "write 0xffff to the SQ1 tail doorbell" devmem $(printf '0x%x' $((bar + 0x1008))) 32 0xffff
i=0
while [ $(( $(reg 0x1c) & 2 )) = 0 ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
check_num "$(( $(reg 0x1c) & 2 ))" 2 "CSTS.CFS set after an invalid doorbell ($(reg 0x1c))"
dmesg | grep 'controller fatal status' | tail -n 1
check_true "the module says why" sh -c "dmesg | grep -q 'nvmev: controller fatal status: I/O SQ tail doorbell beyond queue'"
expect_ok "nvme reset recovers the controller" nvme reset "$CTRL"
wait_for_dev 30 || fail "controller not live after reset"
check_num "$(( $(reg 0x1c) & 3 ))" 1 "CSTS.RDY set, CFS clear after reset"
rand_file "$W/d.bin" 65536
write_read_cmp 8192 "$W/d.bin"
