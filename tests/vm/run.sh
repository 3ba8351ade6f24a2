#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/vm harness (runs inside the VM, busybox ash).
#
# Runs every tests/vm/[0-9][0-9]_*.sh in name order, each in its own
# session with a timeout ("# timeout: N" in the file header, default 60 s),
# and prints exactly one line per test on the console:
#   PASS: <name>
#   FAIL: <name>: <reason>
#   SKIP: <name>: <reason>
# A test's full output goes to the detail channel (ttyS1, saved on the host
# as .build/<rel>/check.detail.log); a failing test's last lines are also
# shown on the console, indented with "  | ".
#
# Exit status: 0 if no test failed.
. /etc/nvmev-vm.conf
. /vm/lib.sh

TDIR=$(cd "$(dirname "$0")" && pwd)
STATE=/tmp/vmtest
mkdir -p "$STATE"
npass=0 nfail=0 nskip=0
DEFAULT_TIMEOUT=60
# The debug kernel (tools/vm/debug-kernel: KASAN, lockdep...) runs everything
# several times slower under TCG: scale every test's limit.
TSCALE=1
case $NVMEV_KREL in *-nvmev-debug*) TSCALE=3;; esac

for t in "$TDIR"/[0-9][0-9]_*.sh; do
	[ -f "$t" ] || continue
	base=$(basename "$t" .sh)
	name=${base#[0-9][0-9]_}
	if [ -n "$NVMEV_TESTS_FILTER" ] && ! echo "$base" | grep -Eq "$NVMEV_TESTS_FILTER"; then
		continue
	fi
	tmo=$(sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$t" | head -1)
	tmo=$(( ${tmo:-$DEFAULT_TIMEOUT} * TSCALE ))
	tst=$STATE/$name
	rm -rf "$tst"
	mkdir -p "$tst"
	echo "nvmev-test: start $name" >/dev/kmsg 2>/dev/null
	t0=$(date +%s)
	# setsid: own session/process group, so a timeout kills the whole test
	# (fio and all) and nothing leaks into the next test.
	T_NAME=$name T_STATE=$tst T_DIR=$TDIR setsid sh "$t" >"$tst/out" 2>&1 </dev/null &
	pid=$!
	timed_out=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ $(( $(date +%s) - t0 )) -ge "$tmo" ]; then
			timed_out=1
			kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
			break
		fi
		usleep 100000
	done
	wait "$pid" 2>/dev/null
	rc=$?
	dt=$(( $(date +%s) - t0 ))
	reason=$(tail -n 1 "$tst/reason" 2>/dev/null)
	nassert=0; [ -f "$tst/asserts" ] && nassert=$(wc -l <"$tst/asserts")
	nassert=$((nassert + 0))
	if [ "$timed_out" = 1 ]; then
		res=FAIL reason="timed out after ${tmo}s${reason:+ (last: $reason)}"
	elif [ "$rc" = 77 ]; then
		res=SKIP reason=${reason:-no reason given}
	elif [ "$rc" = 0 ] && [ "$nassert" -gt 0 ]; then
		res=PASS
	elif [ "$rc" = 0 ]; then
		res=FAIL reason="test made no assertion"
	else
		res=FAIL reason=${reason:-exit status $rc}
	fi
	{
		echo "===== $res $name (${dt}s, $nassert checks) ====="
		cat "$tst/out"
	} >"$NVMEV_DETAIL"
	echo "nvmev-test: end $name $res" >/dev/kmsg 2>/dev/null
	case $res in
	PASS) npass=$((npass + 1)); echo "PASS: $name";;
	SKIP) nskip=$((nskip + 1)); echo "SKIP: $name: $reason";;
	FAIL) nfail=$((nfail + 1)); echo "FAIL: $name: $reason"
	      tail -n 15 "$tst/out" | sed 's/^/  | /';;
	esac
	echo "@@TEST $name $res ${dt}s"
done
echo "@@SUMMARY pass=$npass fail=$nfail skip=$nskip"
[ "$nfail" = 0 ]
