#!/bin/sh
# timeout: 240
# fio random 4 KiB writes, direct, QD16, crc32c-verified (write then read
# back and verify every block).
. "$T_DIR/lib.sh"
need_dev
run_fio rand4k --rw=randwrite --bs=4k --iodepth=16 --offset=0 --size=128M \
	--verify=crc32c --do_verify=1 --verify_fatal=1
log "write IOPS: $(fio_iops rand4k write)"
