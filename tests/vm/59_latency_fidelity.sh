#!/bin/sh
# timeout: 300
# Fidelity: a QD1 4 KiB read's device-side latency (SQ fetch to CQ post,
# measured in the module) is within 5% of the model's target, and the
# target is what the model predicts for an idle device.
. "$T_DIR/lib.sh"
. "$T_DIR/ftl_lib.sh"
need_nvmev
# 4 MiB of mapped data, flushed, then let the device go idle
run_fio prep --rw=write --bs=128k --iodepth=4 --offset=64M --size=4M
expect_ok "flush" nvme flush "$DEV" -n 1
sleep 1
rd() { sed -n 's/^read //p' "$DBG/latency"; }
set -- $(rd); c0=$1 t0=$2 a0=$3
run_fio qd1 --rw=randread --bs=4k --iodepth=1 --offset=64M --size=4M --io_size=8M
set -- $(rd); c1=$1 t1=$2 a1=$3
n=$((c1 - c0))
check_true "reads measured: $n" test "$n" -ge 2000
cat "$DBG/latency"
tgt=$(( (t1 - t0) / n )) act=$(( (a1 - a0) / n ))
exp=$(ftl_stat expected_read_ns model)
log "model target $tgt ns (expected idle read $exp ns), measured $act ns"
check_true "mean target $tgt ns = idle expectation $exp ns (+-1%)" \
	awk "BEGIN{d=$tgt-$exp; if (d<0) d=-d; exit !(d <= $exp*0.01)}"
check_true "measured $act ns within 5% of target $tgt ns" \
	awk "BEGIN{d=$act-$tgt; if (d<0) d=-d; exit !(d <= $tgt*0.05)}"
