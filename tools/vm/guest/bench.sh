#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC1091,SC2059,SC2086,SC2046,SC2012
# (guest-only sourced files; one printf format for header and rows; number
# lists split into positional parameters on purpose; fio's log file names)
# Benchmark scenario (make bench; Documentation/bench.rst).
#
# fio rows on the default device (768 MiB preconditioned): 4 KiB random
# read/write at QD1 and QD32, 128 KiB sequential read/write at QD32, the
# 4 KiB QD32 random read again, shorter, with tracing off, then 3 rounds
# of nvmev tracepoints on, function tracing on, off; then a sustained 4 KiB
# random write on a small device (memmap_size=129M) that drives GC, with
# per-second samples of the FTL counters; then the idle block (a fresh
# nvmev left idle: CPU cost of its threads, first command after idle) and
# worker scaling (4 KiB random read QD32 with nvmev reloaded on cpus=0,1,
# 0,1,2 and 0,1,2,3).  Before them the zoned rows (zoned_block).  In control mode (QEMU's NVMe): the same fio rows,
# the host view of the idle block and the scaling row once.
#
# Per row: the host view (fio: IOPS, MiB/s, mean and p99 latency) and the
# device view (debugfs nvmev/latency read before and after the row: device
# latency, SQ fetch to CQ post, against the model's target) and the
# emulator's own CPU cost (debugfs nvmev/cpu before and after the row).
# Under TCG the host view is dominated by emulation overhead; the device
# view is not.
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

# Knobs: NVMEV_BENCH_* in the launcher's environment end up in
# /etc/nvmev-vm.conf (tools/bench/run --quick sets short ones).  Keep both
# runs (nvmev and control) under ~35 min under TCG on a 2-core host.
RT=${NVMEV_BENCH_RUNTIME:-10}		# seconds per row, after the ramp
RAMP=${NVMEV_BENCH_RAMP:-2}
TRT=${NVMEV_BENCH_TRACE_RUNTIME:-5}	# tracing rows: short, so the
TRAMP=${NVMEV_BENCH_TRACE_RAMP:-1}	# function trace fits its buffers,
TROUNDS=${NVMEV_BENCH_TRACE_ROUNDS:-3}	# and interleaved
GC_RT=${NVMEV_BENCH_GC_RUNTIME:-150}	# sustained random write, seconds
GC_MEMMAP=${NVMEV_BENCH_GC_MEMMAP:-129M}
IDLE_S=${NVMEV_BENCH_IDLE:-20}		# idle CPU window, seconds; 0 skips the idle block
COLD_N=${NVMEV_BENCH_COLD_READS:-8}	# QD1 reads, each after > idle_deep_ms idle
SCALE=${NVMEV_BENCH_SCALE_CPUS:-0:0,1:0,1,2:0,1,2,3}	# cpus= per scaling run; none skips
SCALE_JOBS=${NVMEV_BENCH_SCALE_JOBS:-2}	# fio jobs sharing the QD32
SCALE_RT=${NVMEV_BENCH_SCALE_RUNTIME:-$RT}
REGION=$((768 << 20))			# preconditioned, used by every row

DBG=$NVMEV_DBG
CDBG=$NVMEV_CDBG
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
HDR_FMT="%-24s %9s %9s %10s %10s | %9s %9s %7s | %7s %7s\n"
hdr() {
	printf "$HDR_FMT" row IOPS "MiB/s" "lat_us" "p99_us" "dev_us" "model_us" "dev/mdl" "dsp_ns" "wrk_ns"
	printf "$HDR_FMT" ------------------------ --------- --------- ---------- ---------- --------- --------- ------- ------- -------
}

# ---- readings ---------------------------------------------------------------

# devlat CLASS -> "count target_sum_ns actual_sum_ns late_sum_ns" (0s without debugfs)
devlat() {
	if [ "$DEVVIEW" = 1 ]; then
		_l=$(sed -n "s/^$1 //p" "$CDBG/latency")
		set -- $_l
		echo "${1:-0} ${2:-0} ${3:-0} ${4:-0}"
	else
		echo "0 0 0 0"
	fi
}

# the nvme driver's I/O timeouts so far (a row with any is not a figure)
iotimeouts() { dmesg | grep -c 'nvme.* QID [0-9]* timeout'; }

uptime_ms() { awk '{ printf "%.0f", $1 * 1000 }' /proc/uptime; }

# cpusnap -> "uptime_ms nworkers disp_cmds disp_busy_ns disp_runtime_ns
# w0_cmds w0_busy_ns w0_runtime_ns w1_cmds ..." (debugfs nvmev/cpu;
# "uptime_ms -1" without it; nworkers may be 0: cpus= with one CPU)
cpusnap() {
	if [ "$DEVVIEW" = 1 ] && [ -r "$CDBG/cpu" ]; then
		awk -v up="$(uptime_ms)" '
		$1 ~ /^worker[0-9]+_/ { i = $1; sub(/^worker/, "", i); sub(/_.*/, "", i); i += 0
			if (i + 1 > n) n = i + 1 }
		{ v[$1] = $2 }
		END { printf "%s %d %.0f %.0f %.0f", up, n, v["dispatcher_cmds"], v["dispatcher_busy_ns"] + v["inline_busy_ns"],
			v["dispatcher_runtime_ns"]
			for (i = 0; i < n; i++)
				printf " %.0f %.0f %.0f", v["worker" i "_cmds"], v["worker" i "_busy_ns"],
					v["worker" i "_runtime_ns"]
			printf "\n" }' "$CDBG/cpu"
	else
		echo "$(uptime_ms) -1"
	fi
}

# cpucost SNAP0 SNAP1 -> "disp_cmds,disp_ns_per_cmd,disp_cpu_pct,wrk_cmds,
# wrk_ns_per_cmd,wrk_ns_per_cmd_each,wrk_cpu_pct": commands and busy time
# (work passes only) per command, run time over wall time in % of one CPU;
# workers summed (each command goes to one worker), each one's ns/cmd
# separated by "/"; empty without debugfs
cpucost() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		dt = (y[1] - x[1]) * 1e6
		if (y[2] + 0 < 0 || x[2] != y[2] || dt <= 0) { print ",,,,,,"; exit }
		dc = y[3] - x[3]; db = y[4] - x[4]; dr = y[5] - x[5]
		wc = 0; wb = 0; wr = 0; each = ""
		for (i = 0; i < y[2]; i++) {
			k = 6 + 3 * i
			c = y[k] - x[k]; t = y[k + 1] - x[k + 1]; wc += c; wb += t; wr += y[k + 2] - x[k + 2]
			each = each (i ? "/" : "") (c > 0 ? sprintf("%.0f", t / c) : "-")
		}
		# (parenthesised: a bare ">" in a printf argument list is a redirection)
		printf "%.0f,%s,%.1f,%.0f,%s,%s,%.1f\n", dc, (dc > 0 ? sprintf("%.0f", db / dc) : ""),
			100 * dr / dt, wc, (wc > 0 ? sprintf("%.0f", wb / wc) : ""), each, 100 * wr / dt
	}'
}

# fiojson FILE DIR -> "iops bw_bytes lat_mean_ns lat_p99_ns total_ios lat_max_ns"
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
	blk == "lat" && /^          "max" : / { max = $3; sub(/,$/, "", max) }
	blk == "lat" && /"99\.000000" : / { p99 = $3; sub(/,$/, "", p99) }
	END { printf "%s %s %s %s %s %s\n", iops + 0, bw + 0, mean + 0, p99 + 0, n + 0, max + 0 }' "$1"
}

ROWS=$W/rows.csv
ROWS_HDR="id,label,rw,bs,qd,tracing,runtime_s,ramp_s,region_bytes,host_iops,host_mib_s,host_lat_mean_us,host_lat_p99_us,host_ios,dev_class,dev_count,dev_mean_us,dev_target_mean_us,dev_ratio,dev_late_mean_us,disp_cmds,disp_ns_per_cmd,disp_cpu_pct,wrk_cmds,wrk_ns_per_cmd,wrk_ns_per_cmd_each,wrk_cpu_pct,extra"
echo "$ROWS_HDR" >"$ROWS"

# row ID LABEL RW BS QD TRACING [fio args...]: one fio run, one CSV line
# (ROW_JOBS > 1: that many fio jobs share the QD, group-reported)
row() {
	_id=$1 _label=$2 _rw=$3 _bs=$4 _qd=$5 _tr=$6
	shift 6
	case $_rw in *read) _dir=read _cls=read;; *) _dir=write _cls=write;; esac
	_jobs=${ROW_JOBS:-1}
	_before=$(devlat "$_cls")
	_to0=$(iotimeouts)
	_c0=$(cpusnap)
	fio --name="$_id" --filename="$NVMEV_DEV" --ioengine=libaio --direct=1 \
		--rw="$_rw" --bs="$_bs" --iodepth="$((_qd / _jobs))" --numjobs="$_jobs" \
		--size="$REGION" \
		--norandommap --randrepeat=0 --group_reporting --lat_percentiles=1 \
		--eta=never --output-format=json --output="$W/$_id.json" "$@" \
		>"$W/$_id.err" 2>&1
	_rc=$?
	_c1=$(cpusnap)
	_after=$(devlat "$_cls")
	_to=$(($(iotimeouts) - _to0))
	[ "$_to" = 0 ] || ROW_EXTRA="${ROW_EXTRA:+$ROW_EXTRA }io_timeouts=$_to"
	cat "$W/$_id.json" "$W/$_id.err" >"$NVMEV_DETAIL" 2>/dev/null
	if [ "$_rc" != 0 ]; then
		echo "fio failed ($_rc) for row $_id: $(tail -3 "$W/$_id.err" | tr '\n' ' ')"
		FAILED=1
		return 1
	fi
	_cost=$(cpucost "$_c0" "$_c1")
	put_row "$_id" "$_label" "$_rw" "$_bs" "$_qd" "$_tr" "$_cls" "$_cost" \
		$(fiojson "$W/$_id.json" "$_dir") $_before $_after
}

# put_row ID LABEL RW BS QD TRACING CLASS COST IOPS BW_BYTES LAT_MEAN_NS
#   LAT_P99_NS IOS LAT_MAX_NS BEFORE(4) AFTER(4): one line of $ROWS from a
# run's host figures and the device latency readings around it (devlat),
# and the progress table's line; ROW_RT, ROW_RAMP, ROW_REGION, ROW_EXTRA
put_row() {
	_line=$(awk -v id="$1" -v label="$2" -v rw="$3" -v bs="$4" -v qd="$5" \
		-v tr="$6" -v rt="$ROW_RT" -v ramp="$ROW_RAMP" -v region="$ROW_REGION" \
		-v cls="$7" -v extra="$ROW_EXTRA" -v cost="$8" \
		-v iops="$9" -v bw="${10}" -v mean="${11}" -v p99="${12}" -v ios="${13}" \
		-v c0="${15}" -v t0="${16}" -v a0="${17}" -v l0="${18}" \
		-v c1="${19}" -v t1="${20}" -v a1="${21}" -v l1="${22}" 'BEGIN {
		n = c1 - c0
		if (n > 0) {
			dm = (a1 - a0) / n / 1000; tm = (t1 - t0) / n / 1000; lm = (l1 - l0) / n / 1000
			ratio = tm > 0 ? sprintf("%.3f", dm / tm) : ""
			dm = sprintf("%.2f", dm); tm = sprintf("%.2f", tm); lm = sprintf("%.2f", lm)
		} else { n = ""; dm = ""; tm = ""; lm = ""; ratio = "" }
		printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%.0f,%.2f,%.1f,%.1f,%d,%s,%s,%s,%s,%s,%s,%s,%s\n",
			id, label, rw, bs, qd, tr, rt, ramp, region, iops, bw / 1048576,
			mean / 1000, p99 / 1000, ios, cls, n, dm, tm, ratio, lm, cost, extra
	}')
	echo "$_line" >>"$ROWS"
	echo "$_line" | awk -F, -v fmt="$HDR_FMT" 'function d(v) { return v == "" ? "-" : v } {
		printf fmt, $2, $10, $11, $12, $13, d($17), d($18), d($19), d($22), d($25) }'
}

# precond SIZE: sequential 128 KiB write from offset 0 (a fresh device:
# reads then hit mapped data, as in the rows)
precond() {
	fio --name=precond --filename="$NVMEV_DEV" --ioengine=libaio --direct=1 --rw=write \
		--bs=128k --iodepth=16 --size="$1" --offset=0 --eta=never >"$W/precond.err" 2>&1 ||
		{ echo "precondition failed: $(tail -3 "$W/precond.err" | tr '\n' ' ')"; FAILED=1; }
}

# reload [PARAMS...]: rmmod nvmev, insmod with the configured parameters
# plus PARAMS (a later one overrides an earlier one of the same name)
reload() {
	if ! nvmev_unload || ! wait_for_no_dev 30; then
		echo "rmmod nvmev failed"
		return 1
	fi
	echo "# insmod /nvmev.ko $NVMEV_MODPARAMS $*"
	nvmev_load "$@" || { echo "insmod $* failed"; dmesg | grep -i nvmev | tail -5; return 1; }
	wait_for_dev 30 || { echo "$NVMEV_DEV not live after insmod $*"; return 1; }
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
[ "$NVMEV_MODE" = nvmev ] && [ -r "$CDBG/latency" ] && [ -r "$CDBG/model" ] && DEVVIEW=1
[ "$DEVVIEW" = 1 ] || echo "# no $CDBG/latency: host view only"

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
idle_s,$IDLE_S
cold_reads,$COLD_N
scale_cpus,$SCALE
scale_jobs,$SCALE_JOBS
scale_runtime_s,$SCALE_RT
region_bytes,$REGION
device_bytes,$(blockdev --getsize64 "$NVMEV_DEV")
EOF
emit meta "$W/meta.csv"
if [ "$DEVVIEW" = 1 ]; then
	cat "$CDBG/model" >"$W/model.txt"
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
# the function-trace ring's record path, events/s per CPU (in-kernel, own
# rings): one producer, then one on every CPU at once (issue 14: 10 M/s)
if [ "$HAVE_TRACE" = 1 ] && [ -r "$DBG/trace_bench" ]; then
	cat "$DBG/trace_bench" >"$W/trace_bench.txt"
	emit trace_bench "$W/trace_bench.txt"
	grep -E '^(single|all +[0-9]+ producers|target)' "$W/trace_bench.txt" | sed 's/^/  (ring: /; s/$/)/'
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
	cat "$CDBG/ftl" >"$W/ftl.txt"
	emit ftl "$W/ftl.txt"
	cat "$CDBG/latency" >"$W/latency.txt"
	emit latency "$W/latency.txt"
	cat "$CDBG/cpu" >"$W/cpu.txt"
	emit cpu "$W/cpu.txt"
	sed -n 's/^clock /clock,/p' "$W/cpu.txt" >>"$W/meta.csv"
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
			"$CDBG/ftl" "$CDBG/latency" >>"$W/gc_samples.csv"
		sleep 1
	done
}

if [ "$DEVVIEW" = 1 ] && [ "$GC_RT" -gt 0 ]; then
	vm_section "bench: sustained 4k random write QD32 for ${GC_RT}s on a small device (memmap_size=$GC_MEMMAP)"
	reload "memmap_size=$GC_MEMMAP" || exit 1
	gcdev=$(blockdev --getsize64 "$NVMEV_DEV")
	cat "$CDBG/model" >"$W/model_gc.txt"
	emit model_gc "$W/model_gc.txt"
	echo "# device: $gcdev bytes exported, $(sed -n 's/^lines_total //p' "$CDBG/ftl") lines; fresh (unwritten)"
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
	cat "$CDBG/ftl" >"$W/ftl_gc.txt"
	emit ftl_gc "$W/ftl_gc.txt"
	emit gc_samples "$W/gc_samples.csv"
	emit gc_iops "$(ls "$W"/gc_iops*.log 2>/dev/null | head -1)"
	emit gc_lat "$(ls "$W"/gc_lat*.log 2>/dev/null | head -1)"
	emit gc_clat "$(ls "$W"/gc_clat*.log 2>/dev/null | head -1)"
	echo "# after: write_amplification $(sed -n 's/^write_amplification //p' "$W/ftl_gc.txt"), gc_runs $(sed -n 's/^gc_runs //p' "$W/ftl_gc.txt"), lines_free $(sed -n 's/^lines_free //p' "$W/ftl_gc.txt")"
fi

# ---- persistence and drives larger than memory --------------------------------
# Recovery: the whole device written, then the time the power-on scan of the
# OOB area takes at load (fresh=0) and after a power cut.  Large-capacity
# GC: a store=none model of BIG bytes of flash on the same region, filled
# sequentially, then 4k random writes through GC.
BIG=${NVMEV_BENCH_BIG:-8G}		# flash of the large-capacity row; 0 skips
BIG_RT=${NVMEV_BENCH_BIG_RUNTIME:-60}
scan_us() { dmesg | grep "nvmev0: $1: recovered" | tail -n 1 | sed -n 's/.*recovered \([0-9]*\) mapped units.* in \([0-9]*\) us.*/\1,\2/p'; }
if [ "$DEVVIEW" = 1 ] && [ "${NVMEV_BENCH_RECOVERY:-1}" = 1 ]; then
	vm_section "bench: power-on recovery scan (whole device written), large-capacity GC (store=none flash_size=$BIG)"
	reload || exit 1
	precond 100%
	fb=$(sed -n 's/^flash_bytes //p' "$CDBG/model")
	echo "what,flash_bytes,mapped_units,scan_us" >"$W/recovery.csv"
	reload fresh=0 || exit 1
	echo "load,$fb,$(scan_us load)" >>"$W/recovery.csv"
	echo 1 >/sys/kernel/config/nvmev/nvmev0/power_cut
	wait_for_no_dev 30
	echo 1 >/sys/kernel/config/nvmev/nvmev0/power_on
	wait_for_dev 30 || { echo "not back after power_on"; FAILED=1; }
	echo "power-on,$fb,$(scan_us power-on)" >>"$W/recovery.csv"
	cat "$W/recovery.csv"
	emit recovery "$W/recovery.csv"
	if [ "$BIG" != 0 ]; then
		reload store=none flash_size="$BIG" || exit 1
		big=$(blockdev --getsize64 "$NVMEV_DEV")
		t0=$(uptime_ms)
		precond 100%
		fill_ms=$(( $(uptime_ms) - t0 ))
		hdr
		_rows=$ROWS
		ROWS=$W/rows_big.csv	# its own table: not the standard model's row
		echo "$ROWS_HDR" >"$ROWS"
		ROW_RT=$BIG_RT ROW_RAMP=0 ROW_REGION=$big
		row big_gc "4k rw QD32 GC $BIG store=none" randwrite 4k 32 off --size=100% \
			--time_based --runtime="$BIG_RT" --norandommap --randrepeat=0
		ROWS=$_rows
		cat "$CDBG/ftl" >"$W/ftl_big.txt"
		echo "flash_bytes,logical_bytes,fill_ms,iops,write_amplification,gc_runs,lines_total,metadata_bytes,metadata_bytes_per_unit" >"$W/big_gc.csv"
		echo "$(sed -n 's/^flash_bytes //p' "$CDBG/model"),$big,$fill_ms,$(tail -1 "$W/rows_big.csv" | cut -d, -f10),$(sed -n 's/^write_amplification //p' "$W/ftl_big.txt"),$(sed -n 's/^gc_runs //p' "$W/ftl_big.txt"),$(sed -n 's/^lines_total //p' "$W/ftl_big.txt"),$(sed -n 's/^metadata_bytes //p' "$W/ftl_big.txt"),$(sed -n 's/^metadata_bytes_per_unit //p' "$W/ftl_big.txt")" >>"$W/big_gc.csv"
		cat "$W/big_gc.csv"
		emit big_gc "$W/big_gc.csv"
	fi
	reload || exit 1
fi

# ---- idle: CPU cost of an idle nvmev, first command after idle ------------------

# idle_cpu FILE0 FILE1 MS: key,value lines from two nvmev/cpu snapshots MS
# apart: the dispatcher (thread run time plus the watch timer callback,
# which runs in interrupt context and is charged to no thread) and each
# worker, in % of one CPU
idle_cpu() {
	awk -v ms="$3" '
	FNR == 1 { f++ }
	{ v[f, $1] = $2 }
	$1 ~ /^worker[0-9]+_runtime_ns$/ && f == 1 { nw++ }
	END {
		ns = ms * 1e6
		r = v[2, "dispatcher_runtime_ns"] - v[1, "dispatcher_runtime_ns"]
		x = v[2, "idle_watch_ns"] - v[1, "idle_watch_ns"]
		printf "idle_measured_ms,%.0f\n", ms
		printf "disp_runtime_ns,%.0f\nwatch_ns,%.0f\n", r, x
		printf "watch_ticks,%.0f\n", v[2, "idle_watch_ticks"] - v[1, "idle_watch_ticks"]
		printf "disp_cpu_pct,%.4f\n", 100 * (r + x) / ns
		sum = 0; mx = 0; each = ""
		for (i = 0; i < nw; i++) {
			k = "worker" i "_runtime_ns"
			w = v[2, k] - v[1, k]; sum += w; if (w > mx) mx = w
			each = each (i ? "/" : "") sprintf("%.4f", 100 * w / ns)
		}
		printf "workers,%d\nwrk_runtime_ns,%.0f\n", nw, sum
		printf "wrk_cpu_pct_each,%s\nwrk_cpu_pct_max,%.4f\n", each, 100 * mx / ns
		printf "disp_cmds_during,%.0f\n", v[2, "dispatcher_cmds"] - v[1, "dispatcher_cmds"]
	}' "$1" "$2"
}

cpuval() { sed -n "s/^$1 //p" "$CDBG/cpu"; }

idle_block() {
	_deep=$(cat /sys/module/nvmev/parameters/idle_deep_ms 2>/dev/null || echo 1000)
	[ "$_deep" -gt 0 ] 2>/dev/null || _deep=1000
	_think=$((_deep + 500))
	[ "$_think" -ge 1500 ] || _think=1500
	vm_section "bench: idle: ${IDLE_S}s of CPU cost, then $COLD_N QD1 reads each after ${_think} ms idle"
	I=$W/idle.csv
	echo "key,value" >"$I"
	if [ "$DEVVIEW" = 1 ]; then
		# a fresh instance: the wake-up maximum is this block's own
		reload || { FAILED=1; return 1; }
		_deep=$(cat /sys/module/nvmev/parameters/idle_deep_ms)
		echo "idle_deep_ms,$_deep" >>"$I"
		precond 64M
	fi
	echo "cold_think_ms,$_think" >>"$I"
	# warm: QD1 reads in a steady stream (the threads never leave polling)
	fio --name=warm --filename="$NVMEV_DEV" --ioengine=libaio --direct=1 --rw=randread \
		--bs=4k --iodepth=1 --size=64M --norandommap --randrepeat=0 --lat_percentiles=1 \
		--time_based --runtime=3 --ramp_time=1 --eta=never --output-format=json \
		--output="$W/warm.json" >"$W/warm.err" 2>&1 || { echo "fio warm failed"; FAILED=1; }
	set -- $(fiojson "$W/warm.json" read)
	echo "host_warm_iops,$1" >>"$I"
	awk -v m="$3" -v p="$4" -v x="$6" 'BEGIN { printf "host_warm_mean_us,%.1f\nhost_warm_p99_us,%.1f\nhost_warm_max_us,%.1f\n", m / 1000, p / 1000, x / 1000 }' >>"$I"
	if [ "$DEVVIEW" = 1 ]; then
		# the device idle for longer than idle_deep_ms: deep idle; then
		# IDLE_S seconds of the threads' run time and the watch's time
		sleep $((_deep / 1000 + 2))
		_e0=$(cpuval idle_deep_entries)
		cat "$CDBG/cpu" >"$W/idle_cpu0.txt"
		_u0=$(uptime_ms)
		sleep "$IDLE_S"
		cat "$CDBG/cpu" >"$W/idle_cpu1.txt"
		_u1=$(uptime_ms)
		idle_cpu "$W/idle_cpu0.txt" "$W/idle_cpu1.txt" $((_u1 - _u0)) >>"$I"
		echo "deep_entries_before,$_e0" >>"$I"
		_wc0=$(cpuval idle_wake_count) _wa0=$(cpuval idle_wake_avg_ns)
		_de0=$(cpuval idle_deep_entries)
	fi
	# cold: each read after _think ms of idleness (the first one after the
	# idle window above)
	fio --name=cold --filename="$NVMEV_DEV" --ioengine=libaio --direct=1 --rw=randread \
		--bs=4k --iodepth=1 --size=64M --norandommap --randrepeat=0 --lat_percentiles=1 \
		--number_ios="$COLD_N" --thinktime=$((_think * 1000)) --thinktime_blocks=1 \
		--eta=never --output-format=json --output="$W/cold.json" >"$W/cold.err" 2>&1 ||
		{ echo "fio cold failed"; FAILED=1; }
	set -- $(fiojson "$W/cold.json" read)
	echo "host_cold_ios,$5" >>"$I"
	awk -v m="$3" -v x="$6" 'BEGIN { printf "host_cold_mean_us,%.1f\nhost_cold_max_us,%.1f\n", m / 1000, x / 1000 }' >>"$I"
	if [ "$DEVVIEW" = 1 ]; then
		cat "$CDBG/cpu" >"$W/idle_cpu2.txt"
		_wc1=$(cpuval idle_wake_count) _wa1=$(cpuval idle_wake_avg_ns)
		# the watch's wake-ups during the cold reads: count and mean
		# (from the running sums); the maximum is since the reload
		awk -v c0="$_wc0" -v a0="$_wa0" -v c1="$_wc1" -v a1="$_wa1" -v e0="$_de0" \
			-v e1="$(cpuval idle_deep_entries)" 'BEGIN {
			n = c1 - c0
			printf "cold_deep_entries,%d\ncold_wake_count,%d\n", e1 - e0, n
			printf "cold_wake_avg_ns,%s\n", (n > 0 ? sprintf("%.0f", (c1 * a1 - c0 * a0) / n) : "")
		}' >>"$I"
		for _k in idle_watch_period_ns idle_wake_count idle_wake_avg_ns idle_wake_max_ns \
			idle_first_cmd_max_delay_ns; do
			echo "$_k,$(cpuval "$_k")" >>"$I"
		done
		emit idle_cpu "$W/idle_cpu2.txt"
	fi
	emit idle "$I"
	awk -F, '{ v[$1] = $2 } END {
		printf "  host view, QD1 4 KiB read: warm %s us (p99 %s), after %s ms idle %s us (max %s)\n",
			v["host_warm_mean_us"], v["host_warm_p99_us"], v["cold_think_ms"],
			v["host_cold_mean_us"], v["host_cold_max_us"]
		if ("disp_cpu_pct" in v) {
			printf "  idle %.1f s: dispatcher %.3f %% of a CPU (thread %.0f ns + watch %.0f ns, %d ticks), workers %s %%\n",
				v["idle_measured_ms"] / 1000, v["disp_cpu_pct"], v["disp_runtime_ns"], v["watch_ns"],
				v["watch_ticks"], v["wrk_cpu_pct_each"]
			printf "  device view: watch period %s ns, wake-ups %s (cold reads: %s, avg %s ns), max wake %s ns -> first command waits <= %s ns\n",
				v["idle_watch_period_ns"], v["idle_wake_count"], v["cold_wake_count"],
				v["cold_wake_avg_ns"], v["idle_wake_max_ns"], v["idle_first_cmd_max_delay_ns"]
		}
	}' "$I"
}

# ---- worker scaling: 4k random read QD32 with 1, 2, 3 I/O workers ----------

scale_block() {
	[ "$SCALE" = none ] && return 0
	_qdj=$((32 / SCALE_JOBS))
	vm_section "bench: worker scaling: 4k randread QD32 ($SCALE_JOBS fio jobs x QD$_qdj), ${SCALE_RT}s + ${RAMP}s each"
	ROWS=$W/rows_scale.csv
	echo "$ROWS_HDR" >"$ROWS"
	STD_RT=$SCALE_RT
	ROW_JOBS=$SCALE_JOBS
	if [ "$NVMEV_MODE" = nvmev ]; then
		for _cpus in $(echo "$SCALE" | tr ':' ' '); do
			_n=$(($(echo "$_cpus" | tr ',' '\n' | wc -l) - 1))
			_max=$(echo "$_cpus" | tr ',' '\n' | sort -n | tail -1)
			if [ "$_max" -ge "$(nproc)" ]; then
				echo "  (cpus=$_cpus skipped: $(nproc) vCPUs)"
				continue
			fi
			# with workers: offload_pct=0, so that they get the
			# commands whatever the dispatcher's load (the default
			# hands them over only when it is busy)
			_off=""
			[ "$_n" -gt 0 ] && _off=offload_pct=0
			reload "cpus=$_cpus" $_off || { FAILED=1; continue; }
			# insmod got "cpus=<configured> ... cpus=$_cpus": the
			# module must run the last one
			_got=$(cat /sys/module/nvmev/parameters/cpus)
			_nw=$(grep -c '^worker[0-9]*_cmds ' "$CDBG/cpu")
			if [ "$_got" != "$_cpus" ] || [ "$_nw" != "$_n" ]; then
				echo "  cpus=$_cpus did not take: parameter reads $_got, $_nw workers"
				FAILED=1
				continue
			fi
			echo "  (parameter cpus reads $_got: dispatcher + $_nw I/O worker(s))"
			precond "$REGION"
			[ -n "$_hdr_done" ] || { hdr; _hdr_done=1; }
			# (extra is one CSV field: the list with "/" for ",")
			ROW_EXTRA="cpus=$(echo "$_cpus" | tr , /) workers=$_n jobs=$SCALE_JOBS"
			std "scale$_n" "4k rr QD32 $_n worker(s)" randread 4k 32 off
		done
	else
		hdr
		ROW_EXTRA="jobs=$SCALE_JOBS"
		std scale_ctl "4k rr QD32 control" randread 4k 32 off
	fi
	STD_RT='' ROW_JOBS=''
	emit rows_scale "$ROWS"
}

# ---- zoned namespace ---------------------------------------------------------
# nvmev reloaded with kind=zns (16 MiB zones, no open/active limit), or
# in control mode QEMU's zoned namespace if the launcher gave one: a
# sequential 128 KiB write per zone (QD1, fio zonemode=zbd, zone after
# zone, full zones reset), the same read back at QD32, and Zone Append of
# 4 KiB at QD32 (tools/bench/zappend: 32 threads, each returned LBA
# checked afterwards).

# zoned_dev: the first host-managed namespace's block device, or nothing
zoned_dev() {
	for _b in /sys/block/nvme*n*; do
		[ "$(cat "$_b/queue/zoned" 2>/dev/null)" = host-managed ] &&
			{ echo "/dev/${_b##*/}"; return 0; }
	done
	return 1
}

# zappend_row ID LABEL QD SECONDS: a zappend run as one CSV line of $ROWS
zappend_row() {
	_before=$(devlat write)
	_c0=$(cpusnap)
	/tools/bench/zappend -q "$3" -t "$4" -V "$ZDEV" >"$W/$1.out" 2>"$W/$1.err"
	_rc=$?
	_c1=$(cpusnap)
	_after=$(devlat write)
	cat "$W/$1.out" "$W/$1.err" >"$NVMEV_DETAIL" 2>/dev/null
	if [ "$_rc" != 0 ]; then
		echo "zappend failed ($_rc): $(tail -3 "$W/$1.err" | tr '\n' ' ')"
		FAILED=1
		return 1
	fi
	_cost=$(cpucost "$_c0" "$_c1")
	# iops= mib_s= lat_mean_us= lat_p99_us= ios= zones= errors= verified=
	set -- "$1" "$2" "$3" "$4" $(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%s %.0f %.0f %.0f %s %s %s", v["iops"], v["mib_s"] * 1048576, v["lat_mean_us"] * 1000,
			v["lat_p99_us"] * 1000, v["ios"], v["zones"], v["verified"] }' "$W/$1.out")
	ROW_RT=$4 ROW_RAMP=0 ROW_REGION=$(blockdev --getsize64 "$ZDEV") ROW_EXTRA="zones=${10} verified=${11}"
	put_row "$1" "$2" append 4k "$3" off write "$_cost" "$5" "$6" "$7" "$8" "$9" 0 $_before $_after
	ROW_EXTRA=
}

# zoned_nsid_dev SERIAL NSID: that controller's namespace, waited for
zoned_nsid_dev() {
	_i=0
	while [ $_i -lt 100 ]; do
		for _b in /sys/block/nvme*n*; do
			[ "$(sed 's/ *$//' "$_b/device/serial" 2>/dev/null)" = "$1" ] &&
				[ "$(cat "$_b/nsid" 2>/dev/null)" = "$2" ] && [ -b "/dev/${_b##*/}" ] &&
				{ echo "/dev/${_b##*/}"; return 0; }
		done
		usleep 200000
		_i=$((_i + 1))
	done
	return 1
}

zoned_block() {
	[ "${NVMEV_BENCH_ZONED:-1}" = 1 ] || return 0
	if [ "$NVMEV_MODE" = nvmev ]; then
		reload kind=zns lba_size=4096 || { FAILED=1; return 1; }
		ZDEV=$(zoned_dev)
	elif [ -n "${NVMEV_CTL_Z_PCI:-}" ]; then
		# QEMU's zoned reference (the launcher keeps it unbound):
		# namespace 2, 16 MiB zones without limits, as kind=zns here
		echo nvme >"/sys/bus/pci/devices/$NVMEV_CTL_Z_PCI/driver_override"
		echo "$NVMEV_CTL_Z_PCI" >/sys/bus/pci/drivers/nvme/bind 2>/dev/null
		ZDEV=$(zoned_nsid_dev "$NVMEV_CTL_Z_SERIAL" 2)
	fi
	[ -n "$ZDEV" ] || { echo "# no zoned namespace here: zoned rows skipped"; return 0; }
	_zs=$(( $(cat "/sys/block/${ZDEV#/dev/}/queue/chunk_sectors") * 512 ))
	_zn=$(cat "/sys/block/${ZDEV#/dev/}/queue/nr_zones")
	vm_section "bench: zoned namespace $ZDEV ($_zn zones of $((_zs >> 20)) MiB), ${RT}s + ${RAMP}s each"
	ROWS=$W/rows_zns.csv
	echo "$ROWS_HDR" >"$ROWS"
	[ "$DEVVIEW" = 1 ] && cat "$CDBG/model" >"$W/model_zns.txt" && emit model_zns "$W/model_zns.txt"
	hdr
	_dev=$NVMEV_DEV _reg=$REGION
	NVMEV_DEV=$ZDEV
	# whole zones, at most 48 (768 MiB), at least 4
	_nz=$((_zn < 48 ? _zn : 48))
	REGION=$((_nz * _zs))
	blkzone reset "$ZDEV" 2>/dev/null || /tools/bench/zappend -t 0 "$ZDEV" >/dev/null 2>&1
	std zsw1 "zns 128k seq write QD1" write 128k 1 off --zonemode=zbd --max_open_zones=1
	std zsr32 "zns 128k seq read QD32" read 128k 32 off --zonemode=zbd
	zappend_row zap32 "zns 4k append QD32" 32 "$RT"
	emit rows_zns "$ROWS"
	NVMEV_DEV=$_dev REGION=$_reg
	if [ "$NVMEV_MODE" = nvmev ]; then
		reload || FAILED=1
	elif [ -n "${NVMEV_CTL_Z_PCI:-}" ]; then
		echo "$NVMEV_CTL_Z_PCI" >/sys/bus/pci/drivers/nvme/unbind 2>/dev/null
		echo none >"/sys/bus/pci/devices/$NVMEV_CTL_Z_PCI/driver_override"
	fi
}

zoned_block
[ "$IDLE_S" -gt 0 ] && idle_block
scale_block

emit meta_end "$W/meta.csv"
echo
echo "bench: done in $(awk -v a="$(uptime_s)" -v b="$T_START" 'BEGIN { printf "%d", a - b }')s in the guest"
[ "$FAILED" = 0 ]
