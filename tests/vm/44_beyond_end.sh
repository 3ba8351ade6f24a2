#!/bin/sh
# I/O beyond the end fails fast with LBA Out of Range, and the device
# stays usable.
. "$T_DIR/lib.sh"
need_dev
n=$(nsze)
rand_file "$W/x.bin" 1024
t0=$(date +%s)
expect_fail "write at slba=nsze" timeout 20 nvme write "$DEV" --start-block="$n" --block-count=0 --data-size=512 --data="$W/x.bin"
dt=$(( $(date +%s) - t0 ))
[ "$RC" = 143 ] && fail "write at slba=nsze hung (killed after 20 s)"
check_true "write at slba=nsze failed within 5 s (${dt}s)" test "$dt" -le 5
check_match "$(cat "$W/last.out")" 'LBA Out of Range|LBA_RANGE|0x80' "write at slba=nsze: LBA Out of Range"
t0=$(date +%s)
expect_fail "write straddling the end" timeout 20 nvme write "$DEV" --start-block=$((n - 1)) --block-count=1 --data-size=1024 --data="$W/x.bin"
check_true "straddling write failed within 5 s" test $(( $(date +%s) - t0 )) -le 5
check_match "$(cat "$W/last.out")" 'LBA Out of Range|LBA_RANGE|0x80' "straddling write: LBA Out of Range"
t0=$(date +%s)
expect_fail "read at slba=nsze" timeout 20 nvme read "$DEV" --start-block="$n" --block-count=0 --data-size=512 --data="$W/y.bin"
check_true "read beyond end failed within 5 s" test $(( $(date +%s) - t0 )) -le 5
check_match "$(cat "$W/last.out")" 'LBA Out of Range|LBA_RANGE|0x80' "read at slba=nsze: LBA Out of Range"
t0=$(date +%s)
expect_fail "write at slba=2^40" timeout 20 nvme write "$DEV" --start-block=1099511627776 --block-count=0 --data-size=512 --data="$W/x.bin"
check_true "far write failed within 5 s" test $(( $(date +%s) - t0 )) -le 5
# still alive
check_eq "$(cat /sys/class/nvme/nvme0/state)" live "controller state"
rand_file "$W/ok.bin" 4096
write_read_cmp 50000 "$W/ok.bin"
