#!/bin/sh
# timeout: 300
# Fidelity: a QD1 4 KiB read's device-side latency (SQ fetch to CQ post,
# measured in the module) is within 5% of the model's target, and the
# target is what the model predicts for an idle device.
#
# The module keeps a log2 histogram of lateness (post - target) per
# command; the typical (median) read must be late by at most 5% of the
# target.  The mean is reported too: under QEMU TCG on a loaded host a few
# commands are delayed by host scheduling of the vCPU threads, which moves
# the mean but not the median.
. "$T_DIR/lib.sh"
. "$T_DIR/ftl_lib.sh"
need_nvmev
skip_on_debug_kernel
# 4 MiB of mapped data, flushed, then let the device go idle
run_fio prep --rw=write --bs=128k --iodepth=4 --offset=64M --size=4M
expect_ok "flush" nvme flush "$DEV" -n 1
sleep 1
rd() { sed -n 's/^read //p' "$DBG/latency"; }
hist() { sed -n 's/^read_late_hist //p' "$DBG/latency"; }
set -- $(rd); c0=$1 t0=$2 a0=$3
h0=$(hist)
run_fio qd1 --rw=randread --bs=4k --iodepth=1 --offset=64M --size=4M --io_size=8M
set -- $(rd); c1=$1 t1=$2 a1=$3
h1=$(hist)
cat "$DBG/latency"
n=$((c1 - c0))
check_true "reads measured: $n" test "$n" -ge 2000
tgt=$(( (t1 - t0) / n )) act=$(( (a1 - a0) / n ))
exp=$(ftl_stat expected_read_ns model)
log "model target $tgt ns (expected idle read $exp ns), measured mean $act ns"
check_true "mean target $tgt ns = idle expectation $exp ns (+-1%)" \
	awk "BEGIN{d=$tgt-$exp; if (d<0) d=-d; exit !(d <= $exp*0.01)}"
# median lateness: upper bound of the bucket holding the middle command
med=$(echo "$h0|$h1" | awk -F'|' '{
	n0 = split($1, a, " "); split($2, b, " ")
	for (i = 1; i <= n0; i++) { d[i] = b[i] - a[i]; tot += d[i] }
	for (i = 1; i <= n0; i++) {
		cum += d[i]
		if (cum * 2 >= tot) { ub = 0; if (i > 1) { ub = 1; for (j = 1; j < i; j++) ub *= 2 } print ub; exit }
	}
}')
log "median lateness < $med ns; mean lateness $((act - tgt)) ns"
check_true "median read completes within 5% of its target (late < $med ns, 5% = $((tgt / 20)) ns)" \
	test "$med" -le $((tgt / 20))
