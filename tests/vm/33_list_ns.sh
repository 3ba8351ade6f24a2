#!/bin/sh
# nvme list-ns lists exactly namespace 1; nvme list shows the device.
. "$T_DIR/lib.sh"
need_dev
expect_ok "nvme list-ns" nvme list-ns "$CTRL"
ids=$(sed -n 's/^\[ *[0-9]*\]: *\(0x[0-9a-fA-F]*\).*/\1/p' "$W/last.out")
check_eq "$(echo $ids)" "0x1" "active namespace list"
expect_ok "nvme list" nvme list
check_match "$(cat "$W/last.out")" "^$DEV .*$EXP_MN" "nvme list shows $DEV with the model"
check_true "/sys/class/nvme/nvme0/nvme0n1/nsid is 1" test "$(cat /sys/block/nvme0n1/nsid 2>/dev/null || cat /sys/class/nvme/nvme0/nvme0n1/nsid)" = 1
