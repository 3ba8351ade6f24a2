#!/bin/sh
# timeout: 600
# A full sequential fill of the device, then random overwrite of all of it,
# both verified: the FTL neither runs out of free lines (a peer emulator
# locks up here) nor loses data.
. "$T_DIR/lib.sh"
. "$T_DIR/ftl_lib.sh"
need_nvmev
small_device 129M
run_fio fill --rw=write --bs=128k --iodepth=16 --size=100% \
	--verify=crc32c --do_verify=1 --verify_fatal=1 \
	--write_iops_log="$W/fill" --log_avg_msec=1000
check_no_stall "$W/fill"
check_num "$(ftl_stat mapped_units)" "$(ftl_stat logical_units)" "every LPN mapped after the fill"
run_fio overwrite --rw=randwrite --bs=4k --iodepth=32 --size=100% --randseed=7 \
	--verify=crc32c --do_verify=1 --verify_fatal=1 \
	--write_iops_log="$W/ow" --log_avg_msec=1000
check_no_stall "$W/ow"
check_true "GC ran during overwrite" test "$(ftl_stat gc_runs)" -gt 0
cat "$DBG/ftl"
restore_device
