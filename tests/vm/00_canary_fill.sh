#!/bin/sh
# timeout: 240
# Host-memory canary, part 1 (before nvmev is ever loaded): fill a large
# tmpfs file with a pattern and record its checksum.  90_canary_check.sh
# re-checks it at the end: a stray DMA/memcpy by the module into guest RAM
# outside its reserved region is likely to hit it.
. "$T_DIR/lib.sh"
CAN=/tmp/canary.bin
mb=${NVMEV_CANARY_MB:-512}
avail_mb=$(( $(sed -n 's/^MemAvailable: *\([0-9]*\).*/\1/p' /proc/meminfo) / 1024 ))
log "MemAvailable ${avail_mb} MiB, canary ${mb} MiB"
# keep >= 1 GiB free for the rest of the suite
if [ $((avail_mb - mb)) -lt 1024 ]; then
	mb=$((avail_mb - 1024))
	[ "$mb" -ge 64 ] || fail "not enough guest memory for a canary (${avail_mb} MiB available)"
	log "reduced canary to ${mb} MiB"
fi
# 1 MiB random block, repeated: fast to make, and each MiB can be checked.
rand_file /tmp/canary.block 1048576
i=0
while [ "$i" -lt "$mb" ]; do cat /tmp/canary.block; i=$((i + 1)); done >"$CAN" ||
	fail "cannot write canary file"
check_num "$(stat -c %s "$CAN")" $((mb * 1048576)) "canary size"
md5sum <"$CAN" | cut -d' ' -f1 >/tmp/canary.md5
md5sum </tmp/canary.block | cut -d' ' -f1 >/tmp/canary.block.md5
check_match "$(cat /tmp/canary.md5)" '^[0-9a-f]{32}$' "canary checksum recorded"
echo "$mb" >/tmp/canary.mb
