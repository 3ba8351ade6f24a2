#!/bin/sh
# timeout: 900
# Enable/disable tracing 100 times under verified fio load (debugfs ring,
# filter changes, clears, reads, and every 10th time the tracepoints too):
# no error, no kernel warning/lockup/stall, data verified, call depth
# back to 0 on every CPU.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
# Toggling rewrites kernel text (jump labels) in the loops the polling
# threads run; nvmev parks them while its own key flips.  Under QEMU's
# multi-threaded TCG a 6.12 guest can still execute a stale int3 in kernel
# code when the tracepoints flip, so the VM bed runs single-threaded TCG.
trace_reset
n0=$(kmsg_lines)
rm -f "$W/stop" "$W/fio.rc"
(
	i=0
	while [ ! -f "$W/stop" ]; do
		i=$((i + 1))
		fio --name=tog$i --filename="$DEV" --ioengine=libaio --direct=1 --rw=randwrite \
			--bs=4k --iodepth=16 --offset=256M --size=32M --verify=crc32c --do_verify=1 \
			--verify_fatal=1 --eta=never --output="$W/fio$i.txt" >/dev/null 2>&1
		echo "$i $?" >>"$W/fio.rc"
	done
) &
load=$!
sleep 2
i=0
while [ $i -lt 100 ]; do
	i=$((i + 1))
	echo 1 >"$TD/enable" || fail "enable #$i failed"
	case $((i % 10)) in
	0) echo 1 >"$EV/enable" || fail "tracepoints on #$i failed";;
	3) echo 'nvmev_* process_*' >"$TD/filter";;
	5) echo 1 >"$TD/clear";;
	7) head -c 65536 "$TD/trace" >/dev/null || fail "trace read #$i failed";;
	esac
	usleep 50000
	echo 0 >"$TD/enable" || fail "disable #$i failed"
	[ $((i % 10)) = 0 ] && echo 0 >"$EV/enable"
	[ $((i % 10)) = 3 ] && echo >"$TD/filter"
	usleep 20000
done
ok "100 enable/disable cycles under load"
touch "$W/stop"
wait "$load"
cat "$W/fio.rc"
runs=$(wc -l <"$W/fio.rc")
check_true "fio ran under the toggling ($runs runs)" test "$runs" -ge 1
bad=$(awk '$2 != 0' "$W/fio.rc" | head -n 1)
[ -z "$bad" ] || { cat "$W/fio${bad%% *}.txt"; fail "fio run ${bad%% *} failed (exit ${bad#* })"; }
grep -Eiq 'verify: bad|verify failed|err= *[1-9]' "$W"/fio*.txt && fail "fio reported verify/I-O errors"
ok "every fio run exited 0 with data verified"
usleep 300000
cat "$TD/stats"
depth=$(awk '$1 ~ /^[0-9]+$/ && $5 != 0' "$TD/stats")
check_eq "$depth" "" "call depth back to 0 on every CPU (enters and exits balanced)"
trouble=$(kmsg_trouble_since "$n0")
[ -z "$trouble" ] || fail "kernel trouble during the toggling: $trouble"
ok "no kernel warning, soft lockup or RCU stall"
trace_reset
