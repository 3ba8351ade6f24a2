#!/bin/sh
# timeout: 300
# Idle cost and wake-up (issue 11).  One second after the last command the
# dispatcher stops polling and a timer watches the doorbells every 0.7 ms;
# the workers sleep until kicked.  Then:
#  - each polling CPU spends little of its time on nvmev (thread run time
#    plus the watch callback, over 20 s);
#  - the first command after a long idle period waits little in the
#    device: one watch period plus the wake-up, measured in the module
#    from the tick that saw the doorbell to the fetch.
# The host-side latency of reads after 1.5 s of idleness is shown beside
# warm QD1 reads.
. "$T_DIR/lib.sh"
need_nvmev
skip_on_debug_kernel
need_dev
CPU=$NVMEV_CDBG/cpu
[ -f "$CPU" ] || fail "$CPU missing"
val() { sed -n "s/^$1 //p" "$CPU"; }
# fresh counters: only this test's idle periods count
expect_ok "rmmod" nvmev_unload
wait_for_no_dev 30 || fail "device still present after rmmod"
expect_ok "insmod" nvmev_load
wait_for_dev 30 || fail "device did not come back"
run_fio warm --rw=randread --bs=4k --iodepth=1 --size=64M --number_ios=2000
run_fio cold --rw=randread --bs=4k --iodepth=1 --size=64M --number_ios=8 \
	--thinktime=1500000 --thinktime_blocks=1
clat_us() { # FIO-OUTPUT: mean completion latency in us
	awk '/^ *clat \([nu]sec\):/ { u = ($2 ~ /nsec/) ? 1000 : 1; v = $0;
		sub(/.*avg= */, "", v); sub(/,.*/, "", v); printf "%d", v / u; exit }' "$1"
}
w_us=$(clat_us "$W/warm.fio") c_us=$(clat_us "$W/cold.fio")
log "host view, QD1 4 KiB read: warm ${w_us} us, after 1.5 s idle ${c_us} us"
cat "$CPU"
wcnt=$(val idle_wake_count) wmax=$(val idle_wake_max_ns) wavg=$(val idle_wake_avg_ns)
period=$(val idle_watch_period_ns) first=$(val idle_first_cmd_max_delay_ns)
log "device view: $wcnt wake-ups by the watch, avg $wavg ns, max $wmax ns; period $period ns; worst first-command delay $first ns"
# idle cost per polling CPU over 20 s: the threads' run time from the
# scheduler, plus the watch callback's own time (timer interrupt context,
# charged to no thread).  Not /proc/stat: under TCG a guest's idle CPUs
# show 5-15 % "busy" with nvmev not even loaded.
sleep 2
d0=$(val idle_deep_entries)
up() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }	# ms
r0=$(val dispatcher_runtime_ns) x0=$(val idle_watch_ns) q0=$(val worker0_runtime_ns)
k0=$(val idle_watch_ticks) u0=$(up)
sleep 20
r1=$(val dispatcher_runtime_ns) x1=$(val idle_watch_ns) q1=$(val worker0_runtime_ns)
k1=$(val idle_watch_ticks) u1=$(up)
dms=$((u1 - u0))
bd=$(( (r1 - r0 + x1 - x0) / 10 / dms ))	# ns / (ms * 10^6) * 10^5: 0.001 %
bw=$(( (q1 - q0) / 10 / dms ))
pct() { echo "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000))) %"; }
log "idle, $dms ms: dispatcher $((r1 - r0)) ns + watch $((x1 - x0)) ns = $(pct $bd); worker0 $((q1 - q0)) ns = $(pct $bw); watch ticks $((k1 - k0))"
check_true "dispatcher entered deep idle ($d0 times)" test "${d0:-0}" -ge 1
check_true "the watch ticked about every 0.7 ms ($((k1 - k0)) in $dms ms)" test $((k1 - k0)) -ge $((dms * 3 / 4))
# The goals (issue 11) are 0.2 % per polling CPU and 1 ms; make bench
# reports them on a quiet machine.  Under TCG a tick costs 1-4 us of guest
# time (more when the host is busy: a vCPU descheduled inside the callback
# is charged too) and a wake-up 0.1-0.3 ms, so the test guards with
# margins against regressions: the dispatcher thread itself must not run,
# and the whole (thread + estimated watch) stays under the 1.2 % that the
# 500 us sleep-polling it replaced cost.
check_true "dispatcher thread idle run time $(( (r1 - r0) / 1000 )) us in $dms ms (asleep)" \
	test $(( (r1 - r0) / 10 / dms )) -le 20
check_true "dispatcher CPU idle cost, thread + watch, $(pct $bd) < 1.2 %" test "$bd" -lt 1200
check_true "worker CPU idle cost $(pct $bw) <= 0.2 %" test "$bw" -le 200
check_true "the watch woke the dispatcher for the idle reads ($wcnt)" test "${wcnt:-0}" -ge 4
# the wake-up itself, single-threaded TCG: 0.15-0.17 ms average, 0.4-0.5
# ms worst on 6.1 and 6.12 alone, but once 0.8 ms / 3.5 ms on 6.12 inside
# the full suite: guard only against a watch that stops waking
check_true "first command after idle waits at most 10 ms in the device (period + max wake = $first ns)" \
	test "$first" -le 10000000
rand_file "$W/d.bin" 65536
write_read_cmp 4096 "$W/d.bin"
