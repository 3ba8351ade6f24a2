#!/bin/sh
# Interactive shell with nvmev loaded (or QEMU's NVMe in control mode).
. /etc/nvmev-vm.conf
. /vm/lib.sh
if [ "$NVMEV_MODE" = nvmev ]; then
	echo "# insmod /nvmev.ko $NVMEV_MODPARAMS"
	nvmev_load || echo "insmod failed (rc $?); see dmesg"
fi
wait_for_dev 20 && nvme list || echo "no /dev/nvme0n1 (yet)"
echo
echo "nvmev VM shell.  Tools: nvme, fio, bpftrace, trace-cmd, busybox."
echo "Tracing: /sys/kernel/tracing, debugfs: /sys/kernel/debug.  'poweroff' (or exit) to leave."
setsid cttyhack sh -l
exit 0
