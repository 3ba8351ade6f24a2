#!/bin/sh
# timeout: 300
# After GC-heavy writing the model's counters are plausible: write
# amplification above 1 and bounded, erase counts consistent, metadata
# within 16 bytes per 4 KiB unit, SMART percentage used from erase counts.
. "$T_DIR/lib.sh"
. "$T_DIR/ftl_lib.sh"
need_nvmev
small_device 65M
cap=$(blockdev --getsize64 "$DEV")
run_fio wa --rw=randwrite --bs=4k --iodepth=32 --size=100% --io_size=$((2 * cap)) \
	--randseed=11 --norandommap
cat "$DBG/ftl"
wa=$(ftl_stat write_amplification)
op=$(ftl_stat op_permille model)
check_true "write amplification $wa > 1 (GC moved data)" awk "BEGIN{exit !($wa > 1.0)}"
# greedy GC under uniform random writes: analytic WA at 7% OP is ~11
check_true "write amplification $wa plausible (< 20 at op_permille $op)" awk "BEGIN{exit !($wa < 20)}"
hw=$(ftl_stat host_write_units) nw=$(ftl_stat nand_write_units) gw=$(ftl_stat gc_write_units)
check_true "NAND writes ($nw) >= host writes ($hw) + GC moves ($gw)" test "$nw" -ge $((hw + gw))
check_true "erases counted ($(ftl_stat erase_blocks))" test "$(ftl_stat erase_blocks)" -gt 0
check_true "erase min <= max" test "$(ftl_stat erase_min)" -le "$(ftl_stat erase_max)"
mb=$(ftl_stat metadata_bytes) lu=$(ftl_stat logical_units)
check_true "metadata $mb B for $lu units <= 16 B/unit" test "$mb" -le $((16 * lu))
nvme smart-log "$DEV" >"$W/smart.txt" 2>&1 || fail "smart-log failed"
cat "$W/smart.txt"
pu=$(sed -n 's/^percentage_used[[:space:]]*:[[:space:]]*\([0-9]*\)%.*/\1/p' "$W/smart.txt")
check_num "$pu" "$(ftl_stat percentage_used)" "SMART percentage_used = model's"
restore_device
