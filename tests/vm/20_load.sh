#!/bin/sh
# The real insmod: /dev/nvme0n1 appears (within 20 s) and is live.
. "$T_DIR/lib.sh"
if [ "$MODE" = nvmev ]; then
	[ -d /sys/module/nvmev ] && fail "nvmev already loaded"
	t0=$(date +%s)
	expect_ok "insmod nvmev.ko $NVMEV_MODPARAMS" nvmev_load
	check_true "/sys/module/nvmev exists" test -d /sys/module/nvmev
else
	t0=$(date +%s)
	check_true "nvme driver loaded (control)" test -d /sys/module/nvme
fi
wait_for_dev 20 || fail "$DEV did not appear (live) within 20 s; state=$(cat /sys/class/nvme/nvme0/state 2>/dev/null)"
ok "$DEV present and live after $(( $(date +%s) - t0 )) s"
check_eq "$(sed 's/ *$//' /sys/class/nvme/nvme0/model)" "$EXP_MN" "sysfs model"
check_num "$(ls -d /sys/class/nvme/nvme* | wc -l)" 1 "exactly one nvme controller"
