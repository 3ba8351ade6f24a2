#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark scenario (make bench; Documentation/bench.rst).
#
# fio rows on the default device (768 MiB preconditioned): 4 KiB random
# read/write at QD1 and QD32, 128 KiB sequential read/write at QD32, the
# 4 KiB QD32 random read again, shorter, with tracing off, then 3 rounds
# of nvmev tracepoints on, function tracing on, off; then a sustained 4 KiB
# random write on a small device (memmap_size=129M) that drives GC, with
# per-second samples of the FTL counters.
#
# Per row: the host view (fio: IOPS, MiB/s, mean and p99 latency) and the
# device view (debugfs nvmev/latency read before and after the row: device
# latency, SQ fetch to CQ post, against the model's target).  Under TCG the
# host view is dominated by emulation overhead; the device view is not.
#
# The console shows a progress table.  All data goes out on the console as
# blocks of lines starting with "@@" (the launcher logs them but does not
# echo them), which tools/bench/extract-and-plot turns into CSV, a table
# with the model's expectations (tools/bench/model-sim) and a plot:
#   @@BENCH-CSV-BEGIN <name>
#   @@|<line>          (one per line of the file)
#   @@BENCH-CSV-END <name> lines=<n>
. /etc/nvmev-vm.conf
. /vm/lib.sh

# Knobs (the launcher writes /etc/nvmev-vm.conf; NVMEV_BENCH_* may be set
# there).  Keep the whole run under ~25 min under TCG on a 2-core host.
RT=${NVMEV_BENCH_RUNTIME:-10}		# seconds per row, after the ramp
RAMP=${NVMEV_BENCH_RAMP:-2}
TRT=${NVMEV_BENCH_TRACE_RUNTIME:-5}	# tracing rows: short, so the
TRAMP=${NVMEV_BENCH_TRACE_RAMP:-1}	# function trace fits its buffers,
TROUNDS=${NVMEV_BENCH_TRACE_ROUNDS:-3}	# and interleaved
GC_RT=${NVMEV_BENCH_GC_RUNTIME:-150}	# sustained random write, seconds
GC_MEMMAP=${NVMEV_BENCH_GC_MEMMAP:-129M}
REGION=$((768 << 20))			# preconditioned, used by every row

DBG=/sys/kernel/debug/nvmev
EV=/sys/kernel/tracing/events/nvmev
W=/tmp/bench
mkdir -p "$W"
FAILED=0
DEVVIEW=0

# ---- output ---------------------------------------------------------------

# emit NAME FILE: the file as a marked block on the console
emit() {
	[ -f "$2" ] || { echo "@@BENCH-MISSING $1"; return; }
	echo "@@BENCH-CSV-BEGIN $1"
	sed 's/^/@@|/' "$2"
	echo "@@BENCH-CSV-END $1 lines=$(wc -l <"$2")"
}

# progress table on the console (the final table comes from the host)
HDR_FMT="%-24s %9s %9s %10s %10s | %9s %9s %7s\n"
hdr() {
	printf "$HDR_FMT" row IOPS "MiB/s" "lat_us" "p99_us" "dev_us" "model_us" "dev/mdl"
	printf "$HDR_FMT" ------------------------ --------- --------- ---------- ---------- --------- --------- -------
}

# ---- readings ---------------------------------------------------------------

# devlat CLASS -> "count target_sum_ns actual_sum_ns late_sum_ns" (0s without debugfs)
devlat() {
	if [ "$DEVVIEW" = 1 ]; then
		_l=$(sed -n "s/^$1 //p" "$DBG/latency")
		set -- $_l
		echo "${1:-0} ${2:-0} ${3:-0} ${4:-0}"
	else
		echo "0 0 0 0"
	fi
}

# fiojson FILE DIR -> "iops bw_bytes lat_mean_ns lat_p99_ns total_ios"
# (fio's JSON is pretty-printed with fixed indentation: read it by shape)
fiojson() {
	awk -v dir="$2" '
	$0 ~ "^      \"" dir "\" : \\{" { sec = 1; next }
	sec && /^      }/ { sec = 0 }
	!sec { next }
	/^        "iops" : / { iops = $3; sub(/,$/, "", iops) }
	/^        "bw_bytes" : / { bw = $3; sub(/,$/, "", bw) }
	/^        "total_ios" : / { n = $3; sub(/,$/, "", n) }
	/^        "lat_ns" : \{/ { blk = "lat"; next }
	/^        "[a-z_]+" : \{/ { blk = ""; next }
	blk == "lat" && /^          "mean" : / { mean = $3; sub(/,$/, "", mean) }
	blk == "lat" && /"99\.000000" : / { p99 = $3; sub(/,$/, "", p99) }
	END { printf "%s %s %s %s %s\n", iops + 0, bw + 0, mean + 0, p99 + 0, n + 0 }' "$1"
}

ROWS=$W/rows.csv
echo "id,label,rw,bs,qd,tracing,runtime_s,ramp_s,region_bytes,host_iops,host_mib_s,host_lat_mean_us,host_lat_p99_us,host_ios,dev_class,dev_count,dev_mean_us,dev_target_mean_us,dev_ratio,dev_late_mean_us,extra" >"$ROWS"

# row ID LABEL RW BS QD TRACING [fio args...]: one fio run, one CSV line
row() {
	_id=$1 _label=$2 _rw=$3 _bs=$4 _qd=$5 _tr=$6
	shift 6
	case $_rw in *read) _dir=read _cls=read;; *) _dir=write _cls=write;; esac
	_before=$(devlat "$_cls")
	fio --name="$_id" --filename="$NVMEV_DEV" --ioengine=libaio --direct=1 \
		--rw="$_rw" --bs="$_bs" --iodepth="$_qd" --size="$REGION" \
		--norandommap --randrepeat=0 --group_reporting --lat_percentiles=1 \
		--eta=never --output-format=json --output="$W/$_id.json" "$@" \
		>"$W/$_id.err" 2>&1
	_rc=$?
	_after=$(devlat "$_cls")
	cat "$W/$_id.json" "$W/$_id.err" >"$NVMEV_DETAIL" 2>/dev/null
	if [ "$_rc" != 0 ]; then
		echo "fio failed ($_rc) for row $_id: $(tail -3 "$W/$_id.err" | tr '\n' ' ')"
		FAILED=1
		return 1
	fi
	set -- $(fiojson "$W/$_id.json" "$_dir") $_before $_after
	# $1 iops $2 bw_bytes $3 lat_mean_ns $4 p99_ns $5 ios | $6-9 before | $10-13 after
	_line=$(awk -v id="$_id" -v label="$_label" -v rw="$_rw" -v bs="$_bs" -v qd="$_qd" \
		-v tr="$_tr" -v rt="$ROW_RT" -v ramp="$ROW_RAMP" -v region="$ROW_REGION" \
		-v cls="$_cls" -v extra="$ROW_EXTRA" \
		-v iops="$1" -v bw="$2" -v mean="$3" -v p99="$4" -v ios="$5" \
		-v c0="$6" -v t0="$7" -v a0="$8" -v l0="$9" \
		-v c1="${10}" -v t1="${11}" -v a1="${12}" -v l1="${13}" 'BEGIN {
		n = c1 - c0
		if (n > 0) {
			dm = (a1 - a0) / n / 1000; tm = (t1 - t0) / n / 1000; lm = (l1 - l0) / n / 1000
			ratio = tm > 0 ? sprintf("%.3f", dm / tm) : ""
			dm = sprintf("%.2f", dm); tm = sprintf("%.2f", tm); lm = sprintf("%.2f", lm)
		} else { n = ""; dm = ""; tm = ""; lm = ""; ratio = "" }
		printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%.0f,%.2f,%.1f,%.1f,%d,%s,%s,%s,%s,%s,%s,%s\n",
			id, label, rw, bs, qd, tr, rt, ramp, region, iops, bw / 1048576,
			mean / 1000, p99 / 1000, ios, cls, n, dm, tm, ratio, lm, extra
	}')
	echo "$_line" >>"$ROWS"
	echo "$_line" | awk -F, -v fmt="$HDR_FMT" '{
		printf fmt, $2, $10, $11, $12, $13, ($17 == "" ? "-" : $17), ($18 == "" ? "-" : $18), ($19 == "" ? "-" : $19) }'
}

# std ID LABEL RW BS QD TRACING: a standard time-based row ($RT s)
std() {
	ROW_RT=${STD_RT:-$RT} ROW_RAMP=${STD_RAMP:-$RAMP} ROW_REGION=$REGION
	row "$@" --time_based --runtime="$ROW_RT" --ramp_time="$ROW_RAMP"
	_std_rc=$?
	ROW_EXTRA=
	return $_std_rc
}

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# ---- start ------------------------------------------------------------------

T_START=$(uptime_s)
if [ "$NVMEV_MODE" = nvmev ]; then
	echo "# insmod /nvmev.ko $NVMEV_MODPARAMS"
	nvmev_load || { echo "insmod failed"; dmesg | grep -i nvmev | tail; exit 1; }
fi
wait_for_dev 30 || { echo "$NVMEV_DEV did not appear"; exit 1; }
[ "$NVMEV_MODE" = nvmev ] && [ -r "$DBG/latency" ] && [ -r "$DBG/model" ] && DEVVIEW=1
[ "$DEVVIEW" = 1 ] || echo "# no $DBG/latency: host view only"

cat >"$W/meta.csv" <<EOF
key,value
kernel,$(uname -r)
vcpus,$(nproc)
mode,$NVMEV_MODE
accel,${NVMEV_ACCEL:-tcg}
tcg_thread,${NVMEV_TCG_THREAD:-}
modparams,$NVMEV_MODPARAMS
fio,$(fio --version)
runtime_s,$RT
trace_runtime_s,$TRT
trace_ramp_s,$TRAMP
trace_rounds,$TROUNDS
ramp_s,$RAMP
gc_runtime_s,$GC_RT
gc_memmap_size,$GC_MEMMAP
region_bytes,$REGION
device_bytes,$(blockdev --getsize64 "$NVMEV_DEV")
EOF
emit meta "$W/meta.csv"
if [ "$DEVVIEW" = 1 ]; then
	cat "$DBG/model" >"$W/model.txt"
	emit model "$W/model.txt"
	echo "# model: profile $(sed -n 's/^profile //p' "$W/model.txt"), idle QD1 4K read $(sed -n 's/^expected_read_ns //p' "$W/model.txt") ns, write $(sed -n 's/^expected_write_ns //p' "$W/model.txt") ns"
fi

vm_section "bench: precondition (sequential 128 KiB write of 768 MiB, QD16)"
ROW_RT='' ROW_RAMP=0 ROW_REGION=$REGION
hdr
row precond "precondition 128k seq wr" write 128k 16 off --offset=0 || exit 1

vm_section "bench: fio rows, ${RT}s + ${RAMP}s ramp each, $(nproc) vCPUs, $NVMEV_MODE"
echo "(host view: fio; device view: nvmev/latency, SQ fetch to CQ post, vs the model's target)"
hdr
std rr1 "4k randread QD1" randread 4k 1 off
std rr32 "4k randread QD32" randread 4k 32 off
HAVE_TRACE=0
[ "$DEVVIEW" = 1 ] && [ -f "$DBG/enable" ] && [ -f "$EV/enable" ] && HAVE_TRACE=1
# Toggling tracing patches kernel text; nvmev parks its polling threads
# while its own key flips, so this is safe under multi-threaded TCG too
# (Documentation/tracing.rst; should an "Oops: int3" come back, run with
# --tcg-thread single).
if [ "$HAVE_TRACE" = 1 ] && [ -r "$DBG/bench" ]; then
	# the cost of one NVMEV_FN() call site with tracing off (in-kernel loop)
	cat "$DBG/bench" >"$W/fn_bench.txt"
	emit fn_bench "$W/fn_bench.txt"
	sed -n 's/^NVMEV_FN() cost: */  (NVMEV_FN() call site with tracing off: /p' "$W/fn_bench.txt" | sed 's/$/)/'
fi
if [ "$HAVE_TRACE" = 1 ]; then
	# off, then $TROUNDS rounds of (tracepoints on, function tracing on,
	# off), short rows: each traced row is compared with the off rows
	# right before and after it (other VMs on the host make runs minutes
	# apart differ by tens of percent).  Function tracing records into
	# nvmev's own per-CPU buffers, made as big as allowed so that nothing
	# is dropped: dropping is cheaper than recording and would flatter it.
	STD_RT=$TRT STD_RAMP=$TRAMP
	echo 0 >"$DBG/enable"
	echo >"$DBG/filter"
	FN_KB=262144
	echo "$FN_KB" >"$DBG/buffer_size_kb" 2>/dev/null || { FN_KB=131072; echo "$FN_KB" >"$DBG/buffer_size_kb"; }
	std rr32_off1 "4k rr QD32 tracing off" randread 4k 32 off
	_round=1
	while [ "$_round" -le "$TROUNDS" ]; do
		# nvmev tracepoints into the ftrace ring (default size, overwriting)
		echo >/sys/kernel/tracing/trace
		echo 1 >"$EV/enable"
		std "rr32_tp$_round" "4k rr QD32 tracepoints" randread 4k 32 tracepoints
		echo 0 >"$EV/enable"
		_tpn=$(grep -vc '^#' /sys/kernel/tracing/trace 2>/dev/null)
		echo >/sys/kernel/tracing/trace
		echo "  (tracepoints: $_tpn events left in the ftrace ring)"
		echo 1 >"$DBG/clear"
		echo 1 >"$DBG/enable"
		std "rr32_fn$_round" "4k rr QD32 fn tracing" randread 4k 32 function
		echo 0 >"$DBG/enable"
		usleep 200000
		set -- $(awk '$1 == "all" { print $2, $3 }' "$DBG/stats")
		echo "  (function tracing: $1 events recorded, $2 dropped; buffer $FN_KB KiB per CPU)"
		sed -i "\$s/,\$/,fn_recorded=$1 fn_dropped=$2 fn_buffer_kb=$FN_KB/" "$ROWS"
		awk '{ print "    " $0 }' "$DBG/stats" >"$NVMEV_DETAIL"
		echo 1 >"$DBG/clear"
		std "rr32_off$((_round + 1))" "4k rr QD32 tracing off" randread 4k 32 off
		_round=$((_round + 1))
	done
	echo 1024 >"$DBG/buffer_size_kb"
	echo 1 >"$DBG/clear"
	STD_RT='' STD_RAMP=''
else
	echo "  (tracing rows skipped: no $DBG/enable or $EV/enable)"
fi
std sr "128k seq read QD32" read 128k 32 off
std rw1 "4k randwrite QD1" randwrite 4k 1 off
std rw32 "4k randwrite QD32" randwrite 4k 32 off
std sw "128k seq write QD32" write 128k 32 off
emit rows "$ROWS"
if [ "$DEVVIEW" = 1 ]; then
	cat "$DBG/ftl" >"$W/ftl.txt"
	emit ftl "$W/ftl.txt"
	cat "$DBG/latency" >"$W/latency.txt"
	emit latency "$W/latency.txt"
fi

# ---- sustained random write through GC -----------------------------------------

# sample_loop T0: one line per second of FTL counters and device-side write
# latency sums, until $W/gc.stop exists
sample_loop() {
	echo "t_s,gc_runs,gc_fg_runs,gc_bg_runs,lines_free,lines_full,write_amplification,host_write_units,nand_write_units,gc_write_units,wb_full_events,dev_wr_count,dev_wr_target_ns,dev_wr_actual_ns" >"$W/gc_samples.csv"
	while [ ! -e "$W/gc.stop" ]; do
		awk -v up="$(uptime_s)" -v t0="$1" '
		FILENAME ~ /ftl$/ { v[$1] = $2; next }
		$1 == "write" { c = $2; tg = $3; ac = $4 }
		END { printf "%.2f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", up - t0,
			v["gc_runs"], v["gc_fg_runs"], v["gc_bg_runs"], v["lines_free"], v["lines_full"],
			v["write_amplification"], v["host_write_units"], v["nand_write_units"],
			v["gc_write_units"], v["wb_full_events"], c, tg, ac }' \
			"$DBG/ftl" "$DBG/latency" >>"$W/gc_samples.csv"
		sleep 1
	done
}

if [ "$DEVVIEW" = 1 ] && [ "$GC_RT" -gt 0 ]; then
	vm_section "bench: sustained 4k random write QD32 for ${GC_RT}s on a small device (memmap_size=$GC_MEMMAP)"
	nvmev_unload && wait_for_no_dev 30 || { echo "rmmod nvmev failed"; exit 1; }
	echo "# insmod /nvmev.ko $NVMEV_MODPARAMS memmap_size=$GC_MEMMAP"
	nvmev_load "memmap_size=$GC_MEMMAP" || { echo "insmod memmap_size=$GC_MEMMAP failed"; exit 1; }
	wait_for_dev 30 || { echo "$NVMEV_DEV not live after insmod memmap_size=$GC_MEMMAP"; exit 1; }
	gcdev=$(blockdev --getsize64 "$NVMEV_DEV")
	cat "$DBG/model" >"$W/model_gc.txt"
	emit model_gc "$W/model_gc.txt"
	echo "# device: $gcdev bytes exported, $(sed -n 's/^lines_total //p' "$DBG/ftl") lines; fresh (unwritten)"
	rm -f "$W/gc.stop"
	T0=$(uptime_s)
	sample_loop "$T0" &
	SAMPLER=$!
	sleep 2
	echo "gc_fio_start_s,$(awk -v a="$(uptime_s)" -v b="$T0" 'BEGIN { printf "%.2f", a - b }')" >>"$W/meta.csv"
	hdr
	ROW_RT=$GC_RT ROW_RAMP=0 ROW_REGION=$gcdev
	row gc "4k rw QD32 sustained GC" randwrite 4k 32 off --size=100% --time_based --runtime="$GC_RT" \
		--write_lat_log="$W/gc" --write_iops_log="$W/gc" --log_avg_msec=1000
	_gcrc=$?
	sleep 2
	touch "$W/gc.stop"
	wait "$SAMPLER"
	if [ "$_gcrc" = 0 ]; then
		tail -1 "$ROWS" >"$W/rows_gc.csv"
		emit rows_gc "$W/rows_gc.csv"
	fi
	cat "$DBG/ftl" >"$W/ftl_gc.txt"
	emit ftl_gc "$W/ftl_gc.txt"
	emit gc_samples "$W/gc_samples.csv"
	emit gc_iops "$(ls "$W"/gc_iops*.log 2>/dev/null | head -1)"
	emit gc_lat "$(ls "$W"/gc_lat*.log 2>/dev/null | head -1)"
	emit gc_clat "$(ls "$W"/gc_clat*.log 2>/dev/null | head -1)"
	echo "# after: write_amplification $(sed -n 's/^write_amplification //p' "$W/ftl_gc.txt"), gc_runs $(sed -n 's/^gc_runs //p' "$W/ftl_gc.txt"), lines_free $(sed -n 's/^lines_free //p' "$W/ftl_gc.txt")"
fi
emit meta_end "$W/meta.csv"
echo
echo "bench: done in $(awk -v a="$(uptime_s)" -v b="$T_START" 'BEGIN { printf "%d", a - b }')s in the guest"
[ "$FAILED" = 0 ]
