#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guided tour of nvmev in the VM.  Exit status 0 only if every step worked.
. /etc/nvmev-vm.conf
. /vm/lib.sh

rc=0
step_fail() { echo "!! DEMO STEP FAILED: $*"; rc=1; }

if [ "$NVMEV_MODE" = nvmev ]; then
	vm_section "Load nvmev"
	echo "# insmod /nvmev.ko $NVMEV_MODPARAMS"
	if ! nvmev_load; then
		step_fail "insmod nvmev.ko"
		dmesg | grep -i nvmev | tail -20
		exit 1
	fi
	echo "# lsmod | grep nvmev"
	lsmod | grep nvmev
else
	vm_section "Control mode: QEMU's emulated NVMe (no nvmev loaded)"
fi

echo "waiting for $NVMEV_DEV ..."
t0=$(date +%s)
if ! wait_for_dev 20; then
	step_fail "$NVMEV_DEV did not appear within 20 s"
	dmesg | tail -30
	exit 1
fi
echo "$NVMEV_DEV is up after $(( $(date +%s) - t0 )) s"

vm_section "nvme list"
vm_show nvme list || step_fail "nvme list"

vm_section "nvme id-ctrl $NVMEV_CTRL"
vm_show nvme id-ctrl "$NVMEV_CTRL" >/tmp/idctrl.txt 2>&1 || step_fail "nvme id-ctrl"
# The interesting part first, then the rest to the detail log.
grep -E '^(vid|ssvid|sn|mn|fr|mdts|ver|oacs|oncs|vwc|sqes|cqes|nn|subnqn) ' /tmp/idctrl.txt
echo "(full output: $(wc -l </tmp/idctrl.txt) lines, in the detail log)"
cat /tmp/idctrl.txt >"$NVMEV_DETAIL"

vm_section "nvme id-ns $NVMEV_DEV"
vm_show nvme id-ns "$NVMEV_DEV" >/tmp/idns.txt 2>&1 || step_fail "nvme id-ns"
grep -E '^(nsze|ncap|nuse|nsfeat|nlbaf|flbas|lbaf )' /tmp/idns.txt
nsze=$(sed -n 's/^nsze *: *//p' /tmp/idns.txt)
echo "capacity: $((nsze)) LBAs x 512 B = $(( nsze * 512 / 1048576 )) MiB"
cat /tmp/idns.txt >"$NVMEV_DETAIL"

vm_section "Write / read round trip (64 KiB at LBA 2048)"
head -c 65536 /dev/urandom >/tmp/wr.bin
vm_show nvme write "$NVMEV_DEV" --start-block=2048 --block-count=127 \
	--data-size=65536 --data=/tmp/wr.bin || step_fail "nvme write"
vm_show nvme read "$NVMEV_DEV" --start-block=2048 --block-count=127 \
	--data-size=65536 --data=/tmp/rd.bin || step_fail "nvme read"
if cmp /tmp/wr.bin /tmp/rd.bin; then
	echo "cmp: data read back is identical ($(md5sum </tmp/rd.bin | cut -c1-32))"
else
	step_fail "read data differs from written data"
fi

vm_section "fio: 4 KiB random read, QD16, 10 s"
vm_show fio --name=demo --filename="$NVMEV_DEV" --direct=1 --ioengine=libaio \
	--rw=randread --bs=4k --iodepth=16 --size=256M --time_based --runtime=10 \
	--group_reporting --eta=never --output=/tmp/fio.txt || step_fail "fio"
grep -E 'read: IOPS|lat \(usec\)|lat \(nsec\)|lat \(msec\)|clat percentiles|99.00th|99.90th|err=' /tmp/fio.txt |
	grep -v -E '^\s*(s|c)lat \((usec|nsec|msec)\): min=.*' | head -12
cat /tmp/fio.txt >"$NVMEV_DETAIL"

vm_section "dmesg | grep nvmev"
dmesg | grep -i nvmev | grep -v "ommand line:" | tail -30
if [ "$NVMEV_MODE" = control ]; then
	echo "(control mode: nvmev is not loaded; nvme driver lines instead)"
	dmesg | grep -E 'nvme ' | tail -10
fi

# The controller in configfs, and a second namespace made by the host:
# shrink namespace 1 (disable: its data goes), then nvme create-ns
C=/sys/kernel/config/nvmev/nvmev0
if [ -d "$C" ]; then
	vm_section "configfs: $C"
	for a in enable memmap_start memmap_size cpus profile mdts serial pci capacity; do
		printf '%-13s %s\n' "$a" "$(cat "$C/$a")"
	done
	printf '%-13s %s\n' "namespaces/1" "$(cat "$C/namespaces/1/state")"
	vm_section "Namespaces: namespace 1 to 512 MiB, then nvme create-ns of 256 MiB in 4 KiB LBAs"
	vm_show sh -c "echo 0 > $C/namespaces/1/enable"
	vm_show sh -c "echo 512M > $C/namespaces/1/size"
	vm_show sh -c "echo 1 > $C/namespaces/1/enable"
	sleep 2
	vm_show nvme create-ns "$NVMEV_CTRL" --nsze=65536 --ncap=65536 --flbas=1
	vm_show nvme attach-ns "$NVMEV_CTRL" --namespace-id=2 --controllers=1
	sleep 2
	vm_show nvme list
	vm_show cat "$NVMEV_CDBG/namespaces"
fi

D=$NVMEV_DBG
if [ -d "$D" ]; then
	vm_section "Tracing and statistics: $D"
	vm_show ls "$D"
	# Plain status files (never the blocking trace_pipe or write-only ones).
	for n in nvmev0/ctrl nvmev0/model nvmev0/ftl stats; do
		[ -r "$D/$n" ] || continue
		echo "--- $D/$n"
		timeout 5 head -n 25 "$D/$n"
	done
	if [ -w "$D/enable" ] && [ -f "$D/trace" ]; then
		echo
		echo "# function trace of one 4 KiB write + read:"
		[ -w "$D/clear" ] && echo 1 >"$D/clear"
		echo 1 >"$D/enable"
		nvme write "$NVMEV_DEV" -s 4096 -c 7 -z 4096 -d /tmp/wr.bin >/dev/null 2>&1
		nvme read "$NVMEV_DEV" -s 4096 -c 7 -z 4096 -d /tmp/rd4k.bin >/dev/null 2>&1
		echo 0 >"$D/enable"
		echo "# grep -v ftl_idle $D/trace | head -40"
		timeout 5 cat "$D/trace" | grep -v ftl_idle | head -40
		cat "$D/trace" >"$NVMEV_DETAIL" 2>/dev/null
	fi
else
	vm_section "Tracing"
	echo "$D not present (tracing files not in this build)"
fi
if [ -d /sys/kernel/tracing/events/nvmev ]; then
	echo
	echo "kernel tracepoints (/sys/kernel/tracing/events/nvmev):"
	ls /sys/kernel/tracing/events/nvmev | grep -v -E '^(enable|filter)$' | tr '\n' ' '
	echo
fi

vm_section "Done"
if [ "$rc" = 0 ]; then echo "demo: all steps OK"; else echo "demo: some steps FAILED"; fi
exit $rc
