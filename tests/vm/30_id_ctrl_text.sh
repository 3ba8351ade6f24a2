#!/bin/sh
# nvme id-ctrl (text): model, serial, firmware, ver, sqes, cqes, nn, mdts;
# serial/firmware/model agree with sysfs; MDTS agrees with the block layer.
. "$T_DIR/lib.sh"
need_dev
expect_ok "nvme id-ctrl" nvme id-ctrl "$CTRL"
cp "$W/last.out" "$W/idctrl.txt"
f() { sed -n "s/^$1 *: //p" "$W/idctrl.txt" | sed 's/ *$//' | head -n 1; }
check_eq "$(f mn)" "$EXP_MN" "mn"
sn=$(f sn); fr=$(f fr)
check_match "$sn" '^[[:graph:]]' "sn non-empty"
check_match "$fr" '^[[:graph:]]' "fr non-empty"
check_eq "$sn" "$(sed 's/ *$//' /sys/class/nvme/nvme0/serial)" "sn matches sysfs serial"
check_eq "$fr" "$(sed 's/ *$//' /sys/class/nvme/nvme0/firmware_rev)" "fr matches sysfs firmware_rev"
check_num "$(f ver)" "$EXP_VER" "ver"
check_num "$(f sqes)" "$EXP_SQES" "sqes"
check_num "$(f cqes)" "$EXP_CQES" "cqes"
check_num "$(f nn)" "$EXP_NN" "nn"
check_num "$(f mdts)" "$EXP_MDTS" "mdts"
# MDTS 6 with 4 KiB pages = 256 KiB: the nvme driver caps max_hw_sectors.
check_num "$(cat /sys/block/nvme0n1/queue/max_hw_sectors_kb)" 256 "max_hw_sectors_kb (from MDTS)"
