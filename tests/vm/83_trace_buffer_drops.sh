#!/bin/sh
# timeout: 240
# A small buffer drops and counts (never blocks); stats per CPU;
# buffer_size_kb reads back; trace_pipe consumes what it returns.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset

echo 4 >"$TD/buffer_size_kb" || fail "echo 4 > buffer_size_kb failed"
check_eq "$(cat "$TD/buffer_size_kb")" 4 "buffer_size_kb reads back 4"
check_match "$(cat "$TD/stats")" 'buffer_size_kb: 4 \(128 records/cpu' "stats: 128 records per CPU"
# offload_pct=0: the worker takes commands too, so that two CPUs record
# (at this load the dispatcher would do all the I/O itself)
P=/sys/module/nvmev/parameters
o0=$(cat $P/offload_pct)
echo 0 >$P/offload_pct
trace_on
run_fio drops --rw=randread --bs=4k --iodepth=8 --size=16M --number_ios=2000
trace_off
echo "$o0" >$P/offload_pct
cat "$TD/stats"
drop=$(trace_stat_all 3)
rec=$(trace_stat_all 2)
check_true "drops counted with a 4 KiB buffer (recorded $rec, dropped $drop)" test "$drop" -gt 0
n=$(trace_events "$TD/trace" | wc -l)
check_true "full buffer keeps at most 128 records per CPU ($n)" test "$n" -le $((128 * $(nproc)))
check_match "$(head -n 3 "$TD/trace")" "dropped: $drop" "trace header shows the drop count"
# per-CPU rows: the dispatcher and worker CPUs recorded
cpus_with=$(awk '$1 ~ /^[0-9]+$/ && $2 > 0' "$TD/stats" | wc -l)
check_true "stats: $cpus_with CPUs recorded events" test "$cpus_with" -ge 2

echo 1024 >"$TD/buffer_size_kb"
check_eq "$(cat "$TD/buffer_size_kb")" 1024 "buffer_size_kb back to 1024"
check_eq "$(trace_stat_all 3)" 0 "resize restarts the drop count"

# bad sizes are refused
if echo 0 >"$TD/buffer_size_kb" 2>/dev/null; then fail "buffer_size_kb 0 accepted"; fi
ok "buffer_size_kb 0 refused"

# trace_pipe: consuming reader
echo 1 >"$TD/clear"
trace_on
nvme id-ns "$DEV" >/dev/null || fail "nvme id-ns failed"
trace_off
n=$(trace_events "$TD/trace" | wc -l)
check_true "events to consume ($n)" test "$n" -gt 0
timeout 20 cat "$TD/trace_pipe" >"$W/pipe.out"
check_num "$(trace_events "$W/pipe.out" | wc -l)" "$n" "trace_pipe returned all $n events"
check_eq "$(trace_events "$TD/trace" | wc -l | tr -d ' ')" 0 "trace_pipe consumed them"
run trace_pairs "$W/pipe.out" || fail "trace_pipe output: $(last_line)"
ok "trace_pipe output pairs up"
# while on, trace_pipe waits for data and gets it
echo 1 >"$TD/clear"
trace_on
(timeout 15 cat "$TD/trace_pipe" >"$W/pipe2.out") &
pp=$!
sleep 1
nvme id-ns "$DEV" >/dev/null || fail "nvme id-ns failed"
sleep 1
trace_off
wait "$pp"
check_true "live trace_pipe got the id-ns events" grep -q '+enter{func: identify}' "$W/pipe2.out"
trace_reset
