#!/bin/sh
# The last LBA (and the last 4 KiB) are writable and read back.
. "$T_DIR/lib.sh"
need_dev
n=$(nsze)
check_true "nsze known ($n)" test "$n" -gt 8
rand_file "$W/l1.bin" 512
write_read_cmp $((n - 1)) "$W/l1.bin"
rand_file "$W/l8.bin" 4096
write_read_cmp $((n - 8)) "$W/l8.bin"
# block path: last sector through the block device
dd if="$DEV" of="$W/b.bin" bs=512 skip=$((n - 1)) count=1 iflag=direct 2>/dev/null || fail "O_DIRECT read of last sector failed"
dd if="$W/l8.bin" of="$W/tail.bin" bs=512 skip=7 count=1 2>/dev/null
cmp -s "$W/b.bin" "$W/tail.bin" || fail "block-device read of the last sector differs"
ok "last sector via block device matches"
