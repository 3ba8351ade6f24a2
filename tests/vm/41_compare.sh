#!/bin/sh
# nvme compare: matching data succeeds, a one-byte mismatch fails with
# Compare Failure.
. "$T_DIR/lib.sh"
need_dev
oncs=$(id_ctrl_field oncs)
check_true "ONCS bit 0 (Compare supported) set (oncs=$oncs)" test $((oncs & 1)) = 1
rand_file "$W/c.bin" 8192
write_read_cmp 30000 "$W/c.bin"
expect_ok "compare with identical data" nvme compare "$DEV" --start-block=30000 \
	--block-count=15 --data-size=8192 --data="$W/c.bin"
# flip one byte in the second LBA
cp "$W/c.bin" "$W/c2.bin"
b=$(byte "$W/c2.bin" 700)
printf "\\$(printf %03o $(( (b ^ 0xff) & 0xff )))" | dd of="$W/c2.bin" bs=1 seek=700 conv=notrunc 2>/dev/null
cmp -s "$W/c.bin" "$W/c2.bin" && fail "test bug: mismatch buffer equals original"
expect_fail "compare with one byte changed" nvme compare "$DEV" --start-block=30000 \
	--block-count=15 --data-size=8192 --data="$W/c2.bin"
check_match "$(cat "$W/last.out")" 'Compare Failure|COMPARE_FAILED|0x285|0x85' "status is Compare Failure"
# The data on the device is untouched by compare.
expect_ok "compare again with identical data" nvme compare "$DEV" --start-block=30000 \
	--block-count=15 --data-size=8192 --data="$W/c.bin"
