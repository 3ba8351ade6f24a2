#!/bin/sh
# timeout: 300
# The nvmev tracepoints: listed under /sys/kernel/tracing/events/nvmev,
# recorded by ftrace, trace-cmd (-e nvmev), bpftrace ('tracepoint:nvmev:*')
# and perf trace when perf is in the image; nvmev_fn_enter/exit fire
# without the debugfs ring.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset
T=/sys/kernel/tracing
for e in nvmev_cmd_fetch nvmev_cmd_complete nvmev_irq nvmev_ctrl_state \
	nvmev_ftl_write nvmev_ftl_read nvmev_ftl_buffer_full nvmev_ftl_line_state \
	nvmev_gc_start nvmev_gc_end nvmev_erase nvmev_fn_enter nvmev_fn_exit; do
	[ -f "$EV/$e/format" ] || fail "tracepoint $e missing from $EV"
done
ok "all nvmev tracepoints listed in $EV"

# plain ftrace
echo >"$T/trace"
echo 1 >"$EV/enable"
rand_file "$W/d.bin" 4096
nvme write "$DEV" --start-block=64 --block-count=7 --data-size=4096 --data="$W/d.bin" >/dev/null || fail "nvme write failed"
echo 0 >"$EV/enable"
grep nvmev_ "$T/trace" >"$W/ftrace.txt"
grep -v ' nvmev_fn_' "$W/ftrace.txt" | head -n 20
grep ' nvmev_fn_' "$W/ftrace.txt" | grep -v 'fn=ftl_idle ' | head -n 40
for e in nvmev_cmd_fetch nvmev_cmd_complete nvmev_irq nvmev_fn_enter nvmev_fn_exit; do
	grep -q " $e: " "$W/ftrace.txt" || fail "ftrace: no $e event"
done
ok "ftrace recorded cmd_fetch, cmd_complete, irq, fn_enter, fn_exit"
check_match "$(grep -m1 ' nvmev_cmd_fetch: qid=[1-9]' "$W/ftrace.txt")" 'opcode=0x01 nsid=1 slba=64 len=4096' "cmd_fetch fields of the write"
check_match "$(grep -m1 ' nvmev_cmd_complete: qid=[1-9]' "$W/ftrace.txt")" 'status=0x0 target_ns=[0-9]+ actual_ns=[0-9]+' "cmd_complete fields"
check_match "$(grep -m1 ' nvmev_fn_exit: ' "$W/ftrace.txt")" 'fn=[a-z_]+ qid=-?[0-9]+ cid=-?[0-9]+ duration_ns=[0-9]+' "fn_exit fields"
check_eq "$(cat "$TD/enable")" 0 "debugfs ring stayed off"
echo >"$T/trace"

# trace-cmd
command -v trace-cmd >/dev/null || fail "trace-cmd not in the image"
run trace-cmd record -e nvmev -o "$W/tc.dat" nvme id-ns "$DEV" || fail "trace-cmd record failed: $(last_line)"
trace-cmd report -i "$W/tc.dat" >"$W/tc.txt" 2>&1 || fail "trace-cmd report failed"
grep -v 'nvmev_fn_' "$W/tc.txt" | head -n 20
grep 'nvmev_fn_' "$W/tc.txt" | grep -v 'fn=ftl_idle ' | head -n 30
for e in nvmev_cmd_fetch nvmev_cmd_complete nvmev_irq nvmev_fn_enter nvmev_fn_exit; do
	grep -q "$e:" "$W/tc.txt" || fail "trace-cmd report: no $e"
done
ok "trace-cmd record -e nvmev: cmd_fetch, cmd_complete, irq, fn_enter, fn_exit"
check_match "$(grep -m1 'nvmev_fn_enter:' "$W/tc.txt")" 'fn=[a-z_]+' "trace-cmd shows function names"

# a controller reset shows the state events
run trace-cmd record -e nvmev:nvmev_ctrl_state -o "$W/tc2.dat" nvme reset "$CTRL" || fail "trace-cmd record (reset) failed"
wait_for_dev 20 || fail "device not live after reset"
trace-cmd report -i "$W/tc2.dat" >"$W/tc2.txt" 2>&1
cat "$W/tc2.txt" | grep nvmev_ctrl_state
check_true "ctrl_state disable recorded" grep -Eq 'nvmev_ctrl_state: +state=disable' "$W/tc2.txt"
check_true "ctrl_state enable recorded" grep -Eq 'nvmev_ctrl_state: +state=enable' "$W/tc2.txt"
check_true "ctrl_state ready recorded" grep -Eq 'nvmev_ctrl_state: +state=ready' "$W/tc2.txt"

# bpftrace
command -v bpftrace >/dev/null || fail "bpftrace not in the image"
run timeout 120 bpftrace -e 'tracepoint:nvmev:* { @[probe] = count(); }' -c "$(command -v nvme) id-ns $DEV" ||
	fail "bpftrace tracepoint:nvmev:* failed: $(last_line)"
for e in nvmev_cmd_fetch nvmev_cmd_complete nvmev_irq nvmev_fn_enter nvmev_fn_exit; do
	grep -q "tracepoint:nvmev:$e\]" "$W/last.out" || fail "bpftrace: no $e"
done
ok "bpftrace 'tracepoint:nvmev:*' counted cmd_fetch, cmd_complete, irq, fn_enter, fn_exit"
run timeout 120 bpftrace -e 'tracepoint:nvmev:nvmev_fn_exit { @us[args->fn] = sum(args->duration_ns / 1000); }' -c "$(command -v nvme) id-ns $DEV" ||
	fail "bpftrace fn_exit failed"
check_true "bpftrace reads fn names (identify)" grep -q '@us\[identify\]' "$W/last.out"

# perf trace, when the image has perf
if command -v perf >/dev/null && perf version >/dev/null 2>&1; then
	run timeout 120 perf trace -e 'nvmev:*' -- nvme id-ns "$DEV" || fail "perf trace failed: $(last_line)"
	check_true "perf trace shows nvmev:nvmev_cmd_fetch" grep -q 'nvmev:nvmev_cmd_fetch' "$W/last.out"
else
	log "note: perf not in the image; perf trace not checked"
fi
check_match "$(cat "$TD/stats")" 'tracepoints: off' "fn tracepoints off again (static key released)"
trace_reset
