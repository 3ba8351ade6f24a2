#!/bin/sh
# timeout: 300
# tools/trace/nvmev-latency.bt: per-opcode latency histograms, host view and
# device view side by side, over a short fio run.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
BT=
for d in /tools/trace "$T_DIR/../../tools/trace"; do
	[ -f "$d/nvmev-latency.bt" ] && BT=$d && break
done
[ -n "$BT" ] || skip "tools/trace/*.bt not in the image (tools/vm must copy tools/trace)"
command -v bpftrace >/dev/null || fail "bpftrace not in the image"
cat >"$W/job.sh" <<EOF2
fio --name=lat --filename=$DEV --ioengine=libaio --direct=1 --rw=randrw --bs=4k --iodepth=4 --size=16M --number_ios=2000 --eta=never >/dev/null
EOF2
run timeout 240 bpftrace "$BT/nvmev-latency.bt" -c "/bin/sh $W/job.sh" || fail "nvmev-latency.bt failed: $(last_line)"
for k in 'read, 1 host: driver ' 'read, 2 device: nvmev' 'read, 3 model: target' 'write, 1 host: driver ' 'write, 2 device: nvmev'; do
	grep -q "@usecs\[$k\]:" "$W/last.out" || fail "no @usecs[$k] histogram"
done
grep -Eq '^\[[0-9KM]+, [0-9KM]+\) +[0-9]+ \|@+' "$W/last.out" || fail "no histogram bars"
ok "nvmev-latency.bt: read/write histograms, host, device and model views"
run timeout 120 bpftrace "$BT/nvmev-qdepth.bt" -c "/bin/sh $W/job.sh" || fail "nvmev-qdepth.bt failed: $(last_line)"
grep -q '@qd\[[0-9]*, device *\]' "$W/last.out" || fail "nvmev-qdepth.bt: no device queue-depth histogram"
grep -q '@qd\[[0-9]*, host *\]' "$W/last.out" || fail "nvmev-qdepth.bt: no host queue-depth histogram"
ok "nvmev-qdepth.bt: host and device queue-depth histograms"
run timeout 120 bpftrace "$BT/nvmev-gc.bt" -c "/bin/sh $W/job.sh" || fail "nvmev-gc.bt failed: $(last_line)"
grep -q 'FTL_WR' "$W/last.out" || fail "nvmev-gc.bt printed no header"
ok "nvmev-gc.bt runs"
