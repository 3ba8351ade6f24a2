#!/bin/sh
# nvme flush succeeds (and the block-layer flush too); data survives it.
. "$T_DIR/lib.sh"
need_dev
rand_file "$W/f.bin" 4096
write_read_cmp 40000 "$W/f.bin"
expect_ok "nvme flush" nvme flush "$CTRL" --namespace-id=1
check_match "$(cat "$W/last.out")" '[Ss]uccess' "flush reports success"
expect_ok "flush via block device (blockdev --flushbufs)" blockdev --flushbufs "$DEV"
expect_ok "fsync via dd conv=fsync" dd if="$W/f.bin" of="$DEV" bs=4096 seek=$((41000 / 8)) conv=fsync,notrunc
rm -f "$W/r.bin"
expect_ok "read after flush" nvme read "$DEV" --start-block=40000 --block-count=7 --data-size=4096 --data="$W/r.bin"
cmp -s "$W/f.bin" "$W/r.bin" || fail "data changed across flush"
ok "data intact after flush"
