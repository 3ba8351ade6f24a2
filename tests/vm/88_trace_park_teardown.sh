#!/bin/sh
# timeout: 300
# Parking vs queue teardown (issue 7, defect 6): flipping the tracing key
# parks the polling threads; a controller reset in the same moment bumps
# the teardown epoch.  A parked worker used to miss the new epoch, so the
# dispatcher spun in its handshake and the parker gave up after 2 s and
# patched code with the threads running.  Now neither waits.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset
n0=$(kmsg_lines)
rm -f "$W/stop"
(
	i=0
	while [ ! -f "$W/stop" ]; do
		echo 1 >"$TD/enable"; echo 0 >"$TD/enable"
		i=$((i + 1))
	done
	echo "$i" >"$W/toggles"
) &
tog=$!
r=0
while [ $r -lt 30 ]; do
	r=$((r + 1))
	nvme reset "$CTRL" >/dev/null 2>&1 || { touch "$W/stop"; wait $tog; fail "nvme reset #$r failed"; }
	wait_for_dev 30 || { touch "$W/stop"; wait $tog; fail "controller not live after reset #$r"; }
done
touch "$W/stop"
wait $tog
ok "30 resets with $(cat "$W/toggles") tracing toggles beside them"
trace_reset
msgs=$(kmsg_all | tail -n +$((n0 + 1)))
echo "$msgs" | grep -E 'did not park|waiting for I/O workers' >"$W/park.txt"
[ ! -s "$W/park.txt" ] || fail "handshake stalled: $(head -n 1 "$W/park.txt")"
ok "no 'did not park' / 'waiting for I/O workers' in the kernel log"
bad=$(echo "$msgs" | grep -E "$BAD_KMSG_RE" | head -n 1)
[ -z "$bad" ] || fail "kernel log: $bad"
ok "kernel log clean"
rand_file "$W/d.bin" 65536
write_read_cmp 1000 "$W/d.bin"
