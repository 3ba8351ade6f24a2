#!/bin/sh
# timeout: 120
# debugfs nvmev/trace_bench: the function-trace ring's record path, events
# per second, one producer and then one on every online CPU at once, on
# the bench's own rings (the debugfs buffers are left alone).
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset
[ -r "$TD/trace_bench" ] || fail "$TD/trace_bench missing"
ncpu=$(grep -c '^processor' /proc/cpuinfo)
cat "$TD/trace_bench" >"$W/rb.txt" || fail "reading trace_bench failed"
cat "$W/rb.txt"
check_match "$(head -1 "$W/rb.txt")" '^ring record path: 32-byte records' "header"
line=$(grep '^single ' "$W/rb.txt")
check_match "$line" '^single +cpu +[0-9]+ +[1-9][0-9]* events +[1-9][0-9]* us +[0-9]+\.[0-9]+ M events/s' "single-producer row"
us=$(echo "$line" | awk '{ print $6 }')
{ [ "$us" -ge 190000 ] && [ "$us" -le 1000000 ]; } || fail "single producer ran $us us, not about 200 ms"
ok "single producer ran $us us"
check_eq "$(grep -Ec '^all +cpu ' "$W/rb.txt")" "$ncpu" "one 'all' row per online CPU"
check_eq "$(grep -E '^all +cpu ' "$W/rb.txt" | awk '$4 > 0' | wc -l)" "$ncpu" "every CPU's producer recorded events"
check_match "$(cat "$W/rb.txt")" "all +$ncpu producers: [0-9]+\.[0-9]+ M events/s together" "summary of all producers"
check_match "$(cat "$W/rb.txt")" 'target +10 M events/s per CPU: single (met|not met), all (met|not met)' "target line"
# the debugfs buffers were not touched, recording stayed off
check_eq "$(cat "$TD/enable")" 0 "recording still off"
check_eq "$(awk '$1 == "all" { print $2 }' "$TD/stats")" 0 "nothing recorded in the debugfs buffers"
# and while recording is on, the live buffers keep their own counts
echo '!ftl_idle' >"$TD/filter"
trace_on
dd if="$DEV" of=/dev/null bs=4k count=8 iflag=direct 2>/dev/null
cat "$TD/trace_bench" >"$W/rb2.txt" || fail "trace_bench with recording on failed"
trace_off
grep -q '^single ' "$W/rb2.txt" || fail "no single row with recording on"
check_true "function trace pairs still balanced" trace_pairs "$TD/trace"
trace_reset
log "VM figures (TCG; timings mean little while other VMs run): $(grep -E '^(single|target)' "$W/rb.txt" | tr '\n' ' ')"
