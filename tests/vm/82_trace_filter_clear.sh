#!/bin/sh
# timeout: 180
# nvmev/filter restricts the trace (names, globs, !exclusions, >> appends,
# "echo > filter" clears); nvmev/clear and "> trace" empty it; stats agree.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset

# traced: one admin command and one 4 KiB write + read
traffic() {
	nvme id-ns "$DEV" >/dev/null || fail "nvme id-ns failed"
	dd if=/dev/urandom of="$DEV" bs=4096 count=1 seek=100 oflag=direct 2>/dev/null || fail "dd write failed"
	dd if="$DEV" of=/dev/null bs=4096 count=1 skip=100 iflag=direct 2>/dev/null || fail "dd read failed"
}
# traced_with FILTER...: clear, set the filter, trace traffic, save to $W/f.trace
traced_with() {
	echo 1 >"$TD/clear"
	echo "$1" >"$TD/filter" || fail "echo '$1' > filter failed"
	trace_on
	traffic
	trace_off
	cat "$TD/trace" >"$W/f.trace"
	trace_enter_fns "$W/f.trace" | sort | uniq -c
}

traced_with "nvmev_post_cqe nvmev_signal_irq"
check_eq "$(cat "$TD/filter" | tr '\n' ' ')" "nvmev_post_cqe nvmev_signal_irq " "filter reads back"
check_true "filtered trace not empty" test "$(trace_enter_fns "$W/f.trace" | wc -l)" -gt 0
others=$(trace_enter_fns "$W/f.trace" | grep -v -E '^(nvmev_post_cqe|nvmev_signal_irq)$' | sort -u | tr '\n' ' ')
check_eq "$others" "" "only nvmev_post_cqe/nvmev_signal_irq recorded"
run trace_pairs "$W/f.trace" || fail "filtered trace: $(last_line)"
ok "filtered trace: enters matched ($(last_line))"

traced_with "nvmev_io_*"
check_true "glob trace not empty" test "$(trace_enter_fns "$W/f.trace" | wc -l)" -gt 0
others=$(trace_enter_fns "$W/f.trace" | grep -v '^nvmev_io_' | sort -u | tr '\n' ' ')
check_eq "$others" "" "glob nvmev_io_* keeps only nvmev_io_* functions"

traced_with "!nvmev_signal_irq"
check_true "exclusion trace has other functions" test "$(trace_enter_fns "$W/f.trace" | wc -l)" -gt 0
check_eq "$(trace_enter_fns "$W/f.trace" | grep -c '^nvmev_signal_irq$')" 0 "!nvmev_signal_irq excludes it"

echo 1 >"$TD/clear"
echo identify >"$TD/filter"
echo fill_id_ns >>"$TD/filter"
check_eq "$(cat "$TD/filter" | tr '\n' ' ')" "identify fill_id_ns " ">> appends a pattern"
trace_on; traffic; trace_off
cat "$TD/trace" >"$W/f.trace"
check_eq "$(trace_enter_fns "$W/f.trace" | sort -u | tr '\n' ' ')" "fill_id_ns identify " "appended filter: identify and fill_id_ns only"

echo >"$TD/filter"
check_match "$(cat "$TD/filter")" "all functions" "echo > filter clears it"
traced_with "" >/dev/null
n_all=$(trace_enter_fns "$W/f.trace" | sort -u | wc -l)
check_true "unfiltered trace has many functions ($n_all)" test "$n_all" -ge 6

# clear
check_true "trace has events before clear" test "$(trace_events "$TD/trace" | wc -l)" -gt 0
echo 1 >"$TD/clear"
check_eq "$(trace_events "$TD/trace" | wc -l | tr -d ' ')" 0 "clear empties the trace"
check_eq "$(trace_stat_all 4)" 0 "stats: 0 entries after clear"
check_eq "$(trace_stat_all 2)" 0 "stats: 0 recorded after clear"
trace_on; traffic; trace_off
n=$(trace_events "$TD/trace" | wc -l)
check_true "recording again after clear ($n events)" test "$n" -gt 0
check_eq "$(trace_stat_all 2)" "$n" "stats: recorded = events in trace"
check_eq "$(trace_stat_all 4)" "$n" "stats: entries = events in trace"
: >"$TD/trace"
check_eq "$(trace_events "$TD/trace" | wc -l | tr -d ' ')" 0 "'> trace' (O_TRUNC) empties it too"
cat "$TD/stats"
trace_reset
