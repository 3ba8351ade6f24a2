#!/bin/sh
# timeout: 900
# Control for 86: toggle only a plain tracepoint (nvmev_irq, the kernel's own
# tracepoint static key, not NVMEV_FN's) 100 times under verified fio load:
# no error, no kernel warning/lockup/stall, data verified, call depth
# back to 0 on every CPU.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset
n0=$(kmsg_lines)
rm -f "$W/stop" "$W/fio.rc"
(
	i=0
	while [ ! -f "$W/stop" ]; do
		i=$((i + 1))
		fio --name=tog$i --filename="$DEV" --ioengine=libaio --direct=1 --rw=randwrite \
			--bs=4k --iodepth=16 --offset=320M --size=32M --verify=crc32c --do_verify=1 \
			--verify_fatal=1 --eta=never --output="$W/fio$i.txt" >/dev/null 2>&1
		echo "$i $?" >>"$W/fio.rc"
	done
) &
load=$!
sleep 2
i=0
while [ $i -lt 100 ]; do
	i=$((i + 1))
	echo 1 >"$EV/nvmev_irq/enable" || fail "tracepoint on #$i failed"
	usleep 50000
	echo 0 >"$EV/nvmev_irq/enable" || fail "tracepoint off #$i failed"
	usleep 20000
done
ok "100 nvmev_irq tracepoint on/off cycles under load"
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
