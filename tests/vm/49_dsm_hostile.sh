#!/bin/sh
# timeout: 240
# Deallocate without zeroing (issue 7, defect 1).  One Dataset Management
# command may carry 256 ranges, each the whole namespace: it used to mean
# 256 full-capacity memsets on the worker (minutes: soft lockup, host
# timeout, a reset that could not complete).  Now unmapped data reads as
# zeroes without touching storage, so such a command is quick, and the
# partial-unit cases (512-byte LBAs inside 4 KiB mapping units) still read
# exactly what NVMe says: zeroes where deallocated, data elsewhere.
. "$T_DIR/lib.sh"
need_dev
n0=$(kmsg_lines)
NS=$(nsze)
log "namespace: $NS LBAs"
# whole-device pattern at the start, then 256 whole-namespace ranges
expect_ok "write 4 MiB of random data at LBA 0" dd if=/dev/urandom of="$DEV" bs=1M count=4 oflag=direct
s="" b="" i=0
while [ $i -lt 256 ]; do
	s="$s${s:+,}0"; b="$b${b:+,}$NS"; i=$((i + 1))
done
t0=$(date +%s)
expect_ok "DSM deallocate: 256 ranges, each the whole namespace" \
	nvme dsm "$DEV" --namespace-id=1 --ad --slbs="$s" --blocks="$b"
dt=$(( $(date +%s) - t0 ))
check_true "256 x whole-namespace deallocate took ${dt}s (< 10 s)" test "$dt" -lt 10
# is_zero SLBA NLB: O_DIRECT read (passthrough bypasses the page cache)
is_zero() {
	dd if="$DEV" bs=512 skip="$1" count="$2" iflag=direct 2>/dev/null | cmp -n $(($2 * 512)) - /dev/zero >"$W/cmp.out" 2>&1
}
is_zero 0 8192 || fail "deallocated data does not read as zeroes: $(cat "$W/cmp.out")"
ok "first 4 MiB read back as zeroes"
# overlapping, unsorted, touching and empty ranges in one command
expect_ok "write 1 MiB at LBA 8192" dd if=/dev/urandom of="$DEV" bs=1M count=1 seek=4 oflag=direct
expect_ok "DSM: overlapping/unsorted/touching/empty ranges" \
	nvme dsm "$DEV" --namespace-id=1 --ad --slbs=9000,8192,8600,8900,9500,9999 --blocks=1000,512,400,200,0,49
is_zero 8192 1856 ||
	fail "merged ranges: LBAs 8192..10047 not zero: $(cat "$W/cmp.out")"
ok "merged ranges (union 8192..10047) read back as zeroes"
dd if="$DEV" bs=512 skip=10048 count=192 iflag=direct 2>/dev/null >"$W/rest.bin"
check_num "$(stat -c %s "$W/rest.bin")" 98304 "bytes read after the ranges"
cmp -s -n 98304 "$W/rest.bin" /dev/zero && fail "LBAs 10048..10239 (outside every range) were zeroed"
ok "LBAs 10048..10239, outside the ranges, keep their data"

# sector N of a file
sec() { dd if="$1" bs=512 skip="$2" count=1 2>/dev/null; }
zero512() { head -c 512 /dev/zero; }
# partial deallocate inside a mapped unit: LBAs 65-66 of unit 64..71
rand_file "$W/u.bin" 4096
expect_ok "write 4 KiB at LBA 64" nvme write "$DEV" -s 64 -c 7 -z 4096 -d "$W/u.bin"
expect_ok "DSM LBAs 65-66" nvme dsm "$DEV" --namespace-id=1 --ad --slbs=65 --blocks=2
expect_ok "read LBA 64..71" nvme read "$DEV" -s 64 -c 7 -z 4096 -d "$W/r.bin"
for k in 0 3 4 5 6 7; do
	[ "$(sec "$W/r.bin" $k | md5sum)" = "$(sec "$W/u.bin" $k | md5sum)" ] || fail "LBA $((64 + k)) lost its data"
done
ok "LBAs 64,67..71 keep their data"
for k in 1 2; do
	[ "$(sec "$W/r.bin" $k | md5sum)" = "$(zero512 | md5sum)" ] || fail "deallocated LBA $((64 + k)) is not zero"
done
ok "LBAs 65,66 read as zeroes"
# a partial write into a unit that was deallocated as a whole: the rest of
# the unit must read as zeroes, not as the stale data under it
rand_file "$W/old.bin" 4096
rand_file "$W/s.bin" 512
expect_ok "write 4 KiB at LBA 128" nvme write "$DEV" -s 128 -c 7 -z 4096 -d "$W/old.bin"
expect_ok "DSM LBAs 128-135 (the whole unit)" nvme dsm "$DEV" --namespace-id=1 --ad --slbs=128 --blocks=8
expect_ok "write 512 B at LBA 130" nvme write "$DEV" -s 130 -c 0 -z 512 -d "$W/s.bin"
expect_ok "read LBA 128..135" nvme read "$DEV" -s 128 -c 7 -z 4096 -d "$W/r2.bin"
[ "$(sec "$W/r2.bin" 2 | md5sum)" = "$(md5sum <"$W/s.bin")" ] || fail "LBA 130 does not hold the new data"
for k in 0 1 3 4 5 6 7; do
	[ "$(sec "$W/r2.bin" $k | md5sum)" = "$(zero512 | md5sum)" ] || fail "LBA $((128 + k)) shows stale data after deallocate + partial write"
done
ok "partial write into a deallocated unit: the rest reads as zeroes"
# write zeroes of one sector inside a mapped unit
rand_file "$W/z.bin" 4096
expect_ok "write 4 KiB at LBA 192" nvme write "$DEV" -s 192 -c 7 -z 4096 -d "$W/z.bin"
expect_ok "write-zeroes LBA 193" nvme write-zeroes "$DEV" -s 193 -c 0
expect_ok "read LBA 192..199" nvme read "$DEV" -s 192 -c 7 -z 4096 -d "$W/r3.bin"
[ "$(sec "$W/r3.bin" 1 | md5sum)" = "$(zero512 | md5sum)" ] || fail "LBA 193 not zero after write-zeroes"
[ "$(sec "$W/r3.bin" 0 | md5sum)" = "$(sec "$W/z.bin" 0 | md5sum)" ] &&
	[ "$(sec "$W/r3.bin" 2 | md5sum)" = "$(sec "$W/z.bin" 2 | md5sum)" ] || fail "write-zeroes of LBA 193 damaged its neighbours"
ok "write-zeroes of one LBA: zero there, neighbours intact"
# compare against deallocated blocks: zeroes match, anything else does not
head -c 4096 /dev/zero >"$W/zero.bin"
expect_ok "compare zeroes with deallocated LBA 0..7" nvme compare "$DEV" -s 0 -c 7 -z 4096 -d "$W/zero.bin"
expect_fail "compare data with deallocated LBA 0..7 fails" nvme compare "$DEV" -s 0 -c 7 -z 4096 -d "$W/u.bin"
# the whole-device discard mkfs and blkdiscard send
if command -v blkdiscard >/dev/null 2>&1; then
	t0=$(date +%s)
	expect_ok "blkdiscard of the whole device" blkdiscard "$DEV"
	dt=$(( $(date +%s) - t0 ))
	check_true "blkdiscard took ${dt}s (< 10 s)" test "$dt" -lt 10
fi
rand_file "$W/after.bin" 131072
write_read_cmp 4096 "$W/after.bin"
bad=$(kmsg_all | tail -n +$((n0 + 1)) | grep -E "$BAD_KMSG_RE|nvme.*timeout|resetting controller" | head -n 1)
[ -z "$bad" ] || fail "kernel log: $bad"
ok "no lockup, timeout or reset in the kernel log"
