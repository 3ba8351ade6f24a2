#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fio benchmark table.  Under TCG the absolute numbers mean little (the CPU
# is emulated); compare runs on the same machine, or use --accel kvm.
. /etc/nvmev-vm.conf
. /vm/lib.sh

RT=${NVMEV_BENCH_RUNTIME:-8}
if [ "$NVMEV_MODE" = nvmev ]; then
	echo "# insmod /nvmev.ko $NVMEV_MODPARAMS"
	nvmev_load || { echo "insmod failed"; dmesg | grep -i nvmev | tail; exit 1; }
fi
wait_for_dev 20 || { echo "$NVMEV_DEV did not appear"; exit 1; }

vm_section "bench: precondition (sequential 128 KiB write of 768 MiB)"
fio --name=precond --filename="$NVMEV_DEV" --ioengine=libaio --direct=1 --rw=write \
	--bs=128k --iodepth=16 --size=768M --eta=never --output=/tmp/precond.txt || exit 1
grep -E 'write: IOPS' /tmp/precond.txt

# parse NAME FILE -> "iops bw_mib avg_us p99_us"
parse() {
	awk -v want="$1" '
	function us(v, unit) { if (unit == "nsec") return v / 1000; if (unit == "msec") return v * 1000; return v }
	$1 == want":" && $2 ~ /^IOPS=/ {
		s = $2; sub(/IOPS=/, "", s); sub(/,$/, "", s)
		m = 1; if (s ~ /k$/) { m = 1000; sub(/k$/, "", s) } else if (s ~ /M$/) { m = 1000000; sub(/M$/, "", s) }
		iops = s * m
		b = $3; sub(/BW=/, "", b)
		bm = 1; if (b ~ /KiB\/s/) bm = 1 / 1024; else if (b ~ /GiB\/s/) bm = 1024; else if (b ~ /B\/s/ && b !~ /MiB/) bm = 1 / 1048576
		sub(/[KMG]?i?B\/s.*/, "", b); bw = b * bm
		inside = 1; next
	}
	inside && /^ *lat \((usec|nsec|msec)\): min=/ {
		u = $2; gsub(/[():]/, "", u)
		for (i = 1; i <= NF; i++) if ($i ~ /^avg=/) { a = $i; sub(/avg=/, "", a); sub(/,/, "", a); avg = us(a, u) }
	}
	inside && /clat percentiles \((usec|nsec|msec)\)/ { pu = $3; gsub(/[():]/, "", pu) }
	inside && /99\.00th=\[/ {
		p = $0; sub(/.*99\.00th=\[ */, "", p); sub(/\].*/, "", p); p99 = us(p, pu); inside = 0
	}
	END { printf "%d %.1f %.0f %.0f\n", iops, bw, avg, p99 }' "$2"
}

run() { # LABEL DIR fio-args...
	_l=$1 _d=$2; shift 2
	fio --name=b --filename="$NVMEV_DEV" --ioengine=libaio --direct=1 --size=768M \
		--time_based --runtime="$RT" --ramp_time=2 --eta=never --group_reporting \
		--output=/tmp/b.txt "$@" || { echo "fio failed: $_l"; FAILED=1; return; }
	cat /tmp/b.txt >"$NVMEV_DETAIL"
	set -- $(parse "$_d" /tmp/b.txt)
	printf "%-28s %10s %10s %10s %10s\n" "$_l" "$1" "$2" "$3" "$4" | tee -a /tmp/table.txt
}

FAILED=0
vm_section "bench: fio, ${RT}s per row (+2s ramp), $(nproc) vCPUs, $NVMEV_MODE"
: >/tmp/table.txt
printf "%-28s %10s %10s %10s %10s\n" workload IOPS "MiB/s" "avg_us" "p99_us"
printf "%-28s %10s %10s %10s %10s\n" ---------------------------- ---------- ---------- ---------- ----------
run "4k randread  QD1"   read  --rw=randread  --bs=4k   --iodepth=1
run "4k randread  QD32"  read  --rw=randread  --bs=4k   --iodepth=32
run "4k randwrite QD1"   write --rw=randwrite --bs=4k   --iodepth=1
run "4k randwrite QD32"  write --rw=randwrite --bs=4k   --iodepth=32
run "128k seq read  QD8" read  --rw=read      --bs=128k --iodepth=8
run "128k seq write QD8" write --rw=write     --bs=128k --iodepth=8
echo
[ "$FAILED" = 0 ] && [ "$(wc -l </tmp/table.txt)" = 6 ]
