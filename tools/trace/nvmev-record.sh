#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# nvmev-record.sh: record one timeline from the host's block layer to nvmev's
# flash model.  POSIX sh (runs under busybox ash in the test VM).
#
# See --help and Documentation/tracing.rst, "One timeline from host to flash".

T=${TRACEFS:-/sys/kernel/tracing}
OUT=nvmev-record
DISK=
BUF_KB=8192
DEEP=0
USE_TC=auto

usage() {
	cat <<'EOF'
usage: nvmev-record.sh [-o DIR] [-d DISK] [-b KB] [--deep] [--tracefs]
                    -- COMMAND [ARGS...]

Records, while COMMAND runs, the kernel's block and nvme tracepoints with
nvmev's command tracepoints, on one clock (trace_clock "global", so that
events of different CPUs are ordered), and writes into DIR (default
./nvmev-record):

  trace.txt   the events as text, one per line (the input of
              "nvmev_trace.py timeline")
  trace.dat   the same, as trace-cmd's file for KernelShark (only when
              trace-cmd is installed: it records, with nanosecond times)
  meta.txt    disk name, major:minor, logical block size, kernel, command

Events: block:block_bio_queue block:block_rq_issue block:block_rq_complete
nvme:nvme_setup_cmd nvme:nvme_complete_rq nvmev:nvmev_cmd_sqe
nvmev:nvmev_cmd_fetch nvmev:nvmev_cmd_data_start nvmev:nvmev_cmd_data_done
nvmev:nvmev_cmd_complete nvmev:nvmev_irq; with --deep also every other
nvmev event (FTL, GC, NAND, function enter/exit) for the Perfetto view.

  -o DIR       output directory (created)
  -d DISK      block device name to time (default: the first nvme?n? whose
               controller is nvmev, else nvme0n1)
  -b KB        per-CPU ftrace buffer, KiB (default 8192)
  --deep       all nvmev events too
  --tracefs    do not use trace-cmd even if installed (tracefs text has
               microsecond times only)

Then, on any machine with python3:

  tools/trace/nvmev_trace.py timeline DIR/trace.txt --meta DIR/meta.txt \
      --table stages.txt --perfetto timeline.json --hist stages.png
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-o) OUT=$2; shift 2 ;;
	-d) DISK=$2; shift 2 ;;
	-b) BUF_KB=$2; shift 2 ;;
	--deep) DEEP=1; shift ;;
	--tracefs) USE_TC=no; shift ;;
	--) shift; break ;;
	-*) echo "nvmev-record: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { usage >&2; exit 2; }

[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null
[ -d "$T/events/nvmev" ] || { echo "nvmev-record: no $T/events/nvmev (nvmev loaded?)" >&2; exit 1; }
[ -d "$T/events/nvme" ] || { echo "nvmev-record: no nvme events in $T" >&2; exit 1; }

if [ -z "$DISK" ]; then
	for m in /sys/class/nvme/nvme*; do
		[ -e "$m/model" ] || continue
		case $(cat "$m/model") in
		*nvmev*|*NVMeVirt*)
			for d in "$m"/nvme*n*; do
				[ -e "$d/dev" ] && { DISK=${d##*/}; break 2; }
			done ;;
		esac
	done
	DISK=${DISK:-nvme0n1}
fi
[ -e "/sys/block/$DISK/dev" ] || { echo "nvmev-record: no /sys/block/$DISK" >&2; exit 1; }

EVENTS="block:block_bio_queue block:block_rq_issue block:block_rq_complete
nvme:nvme_setup_cmd nvme:nvme_complete_rq nvmev:nvmev_cmd_sqe
nvmev:nvmev_cmd_fetch nvmev:nvmev_cmd_data_start nvmev:nvmev_cmd_data_done
nvmev:nvmev_cmd_complete nvmev:nvmev_irq"
[ "$DEEP" = 1 ] && EVENTS="$EVENTS nvmev"

mkdir -p "$OUT" || exit 1
{
	echo "disk=$DISK"
	echo "devt=$(cat "/sys/block/$DISK/dev")"
	echo "lbs=$(cat "/sys/block/$DISK/queue/logical_block_size")"
	echo "kernel=$(uname -r)"
	echo "command=$*"
} >"$OUT/meta.txt"

if [ "$USE_TC" = auto ] && command -v trace-cmd >/dev/null 2>&1; then
	args=
	for e in $EVENTS; do args="$args -e $e"; done
	echo "tracer=trace-cmd" >>"$OUT/meta.txt"
	# shellcheck disable=SC2086
	trace-cmd record -q -C global -b "$BUF_KB" $args -o "$OUT/trace.dat" "$@" \
		>"$OUT/record.log" 2>&1
	rc=$?
	trace-cmd report -t -i "$OUT/trace.dat" >"$OUT/trace.txt" 2>>"$OUT/record.log" || {
		echo "nvmev-record: trace-cmd report failed" >&2; exit 1; }
	exit $rc
fi

# tracefs directly
echo "tracer=tracefs" >>"$OUT/meta.txt"
old_clock=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$T/trace_clock")
old_kb=$(cat "$T/buffer_size_kb")
echo 0 >"$T/tracing_on"
echo >"$T/set_event"
echo global >"$T/trace_clock"
echo "$BUF_KB" >"$T/buffer_size_kb"
echo >"$T/trace"
for e in $EVENTS; do
	case $e in
	*:*) echo "$e" >>"$T/set_event" ;;
	*) echo "$e:*" >>"$T/set_event" ;;
	esac || { echo "nvmev-record: cannot enable $e" >&2; exit 1; }
done
echo 1 >"$T/tracing_on"
"$@"
rc=$?
echo 0 >"$T/tracing_on"
echo >"$T/set_event"
cat "$T/trace" >"$OUT/trace.txt"
cat "$T/per_cpu/cpu"*/stats 2>/dev/null | grep -i overrun >"$OUT/overrun.txt"
echo >"$T/trace"
echo "${old_clock:-local}" >"$T/trace_clock"
echo "$old_kb" >"$T/buffer_size_kb"
echo 1 >"$T/tracing_on"
exit $rc
