#!/bin/sh
# timeout: 400
# Who does a command's I/O (issue 11): the dispatcher itself (the inline
# worker) while it has time, the I/O workers when it would be busier than
# offload_pct.  Data must be right on every path, including a dispatcher
# alone (cpus= with one CPU) and a switch of policy under I/O; the PAUSE
# policy knob and the new bounds refuse bad values.
. "$T_DIR/lib.sh"
need_nvmev
CPU=$NVMEV_CDBG/cpu
P=/sys/module/nvmev/parameters
val() { sed -n "s/^$1 //p" "$CPU"; }
reload() {
	nvmev_loaded && { nvmev_unload; wait_for_no_dev 30; }
	expect_ok "insmod $*" nvmev_load "$@"
	wait_for_dev 30 || fail "device did not come up with $*"
}
verify_rw() { # NAME QD
	run_fio "$1" --rw=randwrite --bs=4k --iodepth="$2" --size=32M --offset=$3 \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0
}

# one CPU: the dispatcher does everything
reload cpus=2
check_eq "$(cat $P/cpus)" 2 "cpus parameter"
check_eq "$(grep -c '^worker[0-9]*_cmds ' $CPU)" 0 "no I/O worker threads"
check_true "no nvmev_io thread" sh -c "! ps | grep -q '[n]vmev_io'"
verify_rw one_cpu_qd1 1 0
verify_rw one_cpu_qd32 32 64M
i=$(val inline_cmds)
check_true "inline worker did the I/O ($i commands)" test "${i:-0}" -gt 8000

# default policy, light load: the dispatcher keeps the commands
reload
i0=$(val inline_cmds) w0=$(val worker0_cmds)
verify_rw light_qd1 1 128M
i1=$(val inline_cmds) w1=$(val worker0_cmds)
log "QD1: inline $((i1 - i0)), worker0 $((w1 - w0)); offload $(val offload) util $(val offload_util_pct) %"
check_true "QD1 served inline ($((i1 - i0)) of $((i1 - i0 + w1 - w0)))" \
	test $((i1 - i0)) -gt $(( (w1 - w0) * 9 ))

# offload_pct=0: everything beyond inline_depth goes to the workers
expect_ok "offload_pct=0 at run time" sh -c "echo 0 > $P/offload_pct"
w0=$(val worker0_cmds)
verify_rw offload_qd32 32 192M
w1=$(val worker0_cmds)
check_true "QD32 with offload_pct=0 reached worker0 ($((w1 - w0)) commands)" test $((w1 - w0)) -gt 4000
check_eq "$(val offload)" 1 "offloading"

# policy flipped while I/O runs: nothing lost, nothing corrupted
run_fio flip --rw=randrw --bs=4k --iodepth=16 --size=64M --offset=256M \
	--verify=crc32c --verify_fatal=1 --do_verify=1 --time_based --runtime=12 &
fp=$!
for v in 100 0 80 100 0 50 80 0 100 80; do
	echo "$v" >$P/offload_pct; echo $((v % 7)) >$P/inline_depth; sleep 1
done
wait $fp || fail "fio with policy flips failed"
ok "fio verify across 10 offload_pct/inline_depth flips"

# bounds and the PAUSE policy
expect_fail "offload_pct=101 refused" sh -c "echo 101 > $P/offload_pct"
expect_fail "inline_depth=5000 refused" sh -c "echo 5000 > $P/inline_depth"
expect_fail "spin_pause_every=-2 refused" sh -c "echo -2 > $P/spin_pause_every"
expect_fail "spin_pause_every=abc refused" sh -c "echo abc > $P/spin_pause_every"
expect_ok "spin_pause_every=8" sh -c "echo 8 > $P/spin_pause_every"
check_eq "$(val spin_pause_every)" 8 "debugfs spin_pause_every"
expect_ok "spin_pause_every=auto" sh -c "echo auto > $P/spin_pause_every"
check_match "$(cat $P/spin_pause_every)" '^auto \([01]\)$' "spin_pause_every reads auto (N)"
par=$(val cpus_parallel)
check_match "$par" '^[01]$' "the parallel probe ran ($par)"
check_true "probe result in the kernel log" sh -c "dmesg | grep -Eq 'nvmev: CPUs [0-9]+ and [0-9]+ (run at once|take turns)'"
reload cpus=2 spin_pause_every=auto
expect_fail "insmod cpus= (empty) refused" sh -c "rmmod nvmev; insmod /nvmev.ko $NVMEV_MODPARAMS cpus="
# the next tests start from an unloaded module, as after 16
check_true "module unloaded at the end" sh -c "! grep -q '^nvmev ' /proc/modules"
