#!/bin/sh
# timeout: 900
# GC under verification: on a 128 MiB device, three passes of random 4 KiB
# writes over the whole namespace (3x its capacity in all, so GC runs many
# times), each pass crc32c-verified against its own seed: data never lost,
# never stale.  No 1 s interval without completions.
. "$T_DIR/lib.sh"
. "$T_DIR/ftl_lib.sh"
need_nvmev
small_device 129M
cap=$(blockdev --getsize64 "$DEV")
gc0=$(ftl_stat gc_runs)
for pass in 1 2 3; do
	run_fio gc$pass --rw=randwrite --bs=4k --iodepth=32 --size=100% \
		--randseed=$pass --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--write_iops_log="$W/gc$pass" --log_avg_msec=1000
	check_no_stall "$W/gc$pass"
done
hw=$(ftl_stat host_write_units)
check_true "host wrote >= 3x capacity ($hw units of 4 KiB, capacity $cap B)" \
	test "$hw" -ge $((3 * cap / 4096))
gc=$(ftl_stat gc_runs)
check_true "GC ran (gc_runs $gc0 -> $gc)" test "$gc" -gt "$gc0"
check_true "free lines left: $(ftl_stat lines_free)" test "$(ftl_stat lines_free)" -gt 0
cat "$DBG/ftl"
restore_device
