#!/bin/sh
# timeout: 240
# fio sequential 128 KiB writes, QD8, crc32c-verified.
. "$T_DIR/lib.sh"
need_dev
run_fio seq128k --rw=write --bs=128k --iodepth=8 --offset=256M --size=512M \
	--verify=crc32c --do_verify=1 --verify_fatal=1
