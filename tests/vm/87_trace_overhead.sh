#!/bin/sh
# timeout: 400
# Cost of function tracing: 4 KiB random read at QD32, IOPS with tracing
# off, with the debugfs ring on (all functions), and with the fn
# tracepoints on; ring-on must keep at least half of the IOPS.  The numbers
# are logged (TCG: only the ratios mean something).
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
skip_on_debug_kernel
trace_reset
n0=$(kmsg_lines)
iops() { # NAME [SECONDS]: 4 KiB randread QD32 (10 s), print IOPS as an integer
	run_fio "$1" --rw=randread --bs=4k --iodepth=32 --size=256M --time_based --runtime="${2:-10}" \
		--norandommap --randrepeat=0 >/dev/null
	_v=$(fio_iops "$1" read)
	case $_v in
	*k) echo "$_v" | awk '{ printf "%d\n", substr($0, 1, length($0) - 1) * 1000 }';;
	*) echo "$_v";;
	esac
}
# The cost of one NVMEV_FN() site, measured in the kernel (debugfs bench):
# a plain noinline function vs the same with NVMEV_FN(), off and on.
cat "$TD/bench" >"$W/bench_off.txt"
cat "$W/bench_off.txt"
echo 8192 >"$TD/buffer_size_kb"
echo 1 >"$TD/clear"
trace_on
cat "$TD/bench" >"$W/bench_on.txt"
trace_off
cat "$W/bench_on.txt"
echo 1024 >"$TD/buffer_size_kb"
plain=$(awk '/^plain function/ { print $3 }' "$W/bench_off.txt")
c_off=$(awk '/^NVMEV_FN\(\) cost/ { print $3 }' "$W/bench_off.txt")
c_on=$(awk '/^NVMEV_FN\(\) cost/ { print $3 }' "$W/bench_on.txt")
echo "@@TRACE-BENCH plain=$plain off=$c_off on=$c_on" >"$NVMEV_DETAIL"
log "NVMEV_FN() cost per call: off $c_off ns, recording $c_on ns (plain call $plain ns)"
check_true "NVMEV_FN() off costs less than a plain function call ($c_off < $plain ns)" \
	awk -v c="$c_off" -v p="$plain" 'BEGIN { exit !(c < p) }'
off1=$(iops off1)
# A ring big enough for the whole run: every event recorded, none dropped
# (dropping is cheaper than recording and would flatter the number).
echo 131072 >"$TD/buffer_size_kb" || fail "128 MiB buffer refused"
# ...and without ftl_idle: the dispatcher's idle loop calls it hundreds of
# thousands of times a second between commands (no command work).
echo '!ftl_idle' >"$TD/filter"
# 4 s: at this load the dispatcher does all the I/O itself, so one CPU's
# ring (4 Mi records) takes every event of the run
trace_on
on=$(iops ring_on 4)
trace_off
cat "$TD/stats"
rec=$(trace_stat_all 2) drop=$(trace_stat_all 3)
# traced calls per I/O, from the events of the ring-on run (2 per call)
echo >"$TD/filter"
per_io=$(awk -v r="$rec" -v i="$on" 'BEGIN { printf "%.1f", r / 2 / (i * 4) }')
check_true "ring on: events recorded ($rec)" test "$rec" -gt 0
check_true "ring on: at most 1% dropped ($drop)" test $((drop * 100)) -le "$rec"
echo 1024 >"$TD/buffer_size_kb"
echo 1 >"$TD/clear"
echo 1 >"$EV/nvmev_fn_enter/enable"; echo 1 >"$EV/nvmev_fn_exit/enable"
tp=$(iops tp_on)
echo 0 >"$EV/nvmev_fn_enter/enable"; echo 0 >"$EV/nvmev_fn_exit/enable"
echo >/sys/kernel/tracing/trace
off2=$(iops off2)
log "IOPS: off $off1, ring on $on, tracepoints on $tp, off again $off2"
echo "@@TRACE-OVERHEAD off=$off1 ring=$on tp=$tp off2=$off2" >"$NVMEV_DETAIL"
base=$(( (off1 + off2) / 2 ))
check_true "tracing off IOPS measured ($base)" test "$base" -gt 0
check_true "ring on keeps >= 50% IOPS ($on vs $base)" test $((on * 2)) -ge "$base"
# Tracing off costs (calls per I/O) x (off cost per call) per I/O; at the
# measured rate that must stay under 1% of the time of one I/O.
pct=$(awk -v n="$per_io" -v c="$c_off" -v i="$base" 'BEGIN { printf "%.4f", n * c * i / 1e9 * 100 }')
log "tracing off: $per_io traced calls/I/O x $c_off ns = $pct% of the I/O time at $base IOPS"
echo "@@TRACE-OFFCOST calls_per_io=$per_io off_ns=$c_off iops=$base pct=$pct" >"$NVMEV_DETAIL"
check_true "tracing off costs < 1% of the I/O time ($pct%)" awk -v p="$pct" 'BEGIN { exit !(p < 1) }'
trouble=$(kmsg_trouble_since "$n0")
[ -z "$trouble" ] || fail "kernel trouble with tracing on: $trouble"
ok "no kernel warning, soft lockup or RCU stall"
trace_reset
