#!/bin/sh
# timeout: 300
# fio mixed sizes (512 B .. 1 MiB, bssplit) random writes from 4 jobs at
# once, each on its own 64 MiB range, QD8, crc32c-verified.  1 MiB I/Os
# are split by the driver at MDTS (256 KiB).
. "$T_DIR/lib.sh"
need_dev
run_fio mixed --rw=randwrite --numjobs=4 --iodepth=8 --size=64M \
	--offset=0 --offset_increment=128M \
	--bssplit=512/5:4k/40:16k/15:64k/15:128k/10:256k/10:1m/5 \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --group_reporting
check_num "$(grep -c 'err= 0' "$W/mixed.fio")" 1 "fio group report present with err= 0"
