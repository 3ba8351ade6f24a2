#!/bin/sh
# nvme write / nvme read round trips of 512 B, 4 KiB, 64 KiB and 256 KiB
# (= MDTS) of random data, incl. LBA 0; cross-checked through the block
# device (O_DIRECT dd) to tie the passthrough and block paths together.
. "$T_DIR/lib.sh"
need_dev
for spec in 0:512 8:4096 4096:65536 20000:262144 77777:512; do
	slba=${spec%%:*} sz=${spec#*:}
	rand_file "$W/d$slba.bin" "$sz"
	write_read_cmp "$slba" "$W/d$slba.bin"
done
# block path read of what passthrough wrote
dd if="$DEV" of="$W/blk.bin" bs=65536 skip=$((4096 * 512 / 65536)) count=1 iflag=direct 2>/dev/null ||
	fail "O_DIRECT read of $DEV failed"
cmp "$W/blk.bin" "$W/d4096.bin" || fail "block-device read differs from nvme write at LBA 4096"
ok "block-device read matches passthrough write"
# and passthrough read of what the block path wrote
rand_file "$W/blkw.bin" 65536
dd if="$W/blkw.bin" of="$DEV" bs=65536 seek=$((8192 * 512 / 65536)) count=1 oflag=direct conv=notrunc 2>/dev/null ||
	fail "O_DIRECT write to $DEV failed"
expect_ok "nvme read of block-path data" nvme read "$DEV" --start-block=8192 --block-count=127 \
	--data-size=65536 --data="$W/blkr.bin"
cmp "$W/blkw.bin" "$W/blkr.bin" || fail "nvme read differs from block-device write at LBA 8192"
ok "passthrough read matches block-device write"
