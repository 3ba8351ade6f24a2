#!/bin/sh
# timeout: 300
# Crash consistency of a file system across a power cut (the use the
# volatile write cache is there for): ext4 on the namespace, files written
# and fsync'ed, then a workload of unsynced writes cut mid-way.  After
# power_on the journal replays at mount, e2fsck -fn finds nothing, every
# fsync'ed file has its contents, and the cut really took data back (the
# model's debugfs says how many units had not reached NAND).
. "$T_DIR/lib.sh"
need_nvmev
need_dev
command -v mkfs.ext4 >/dev/null || skip "no mkfs.ext4 in this guest"
grep -qw ext4 /proc/filesystems || modprobe ext4 2>/dev/null
grep -qw ext4 /proc/filesystems || skip "no ext4 in this kernel"
CF=/sys/kernel/config/nvmev/nvmev0
PW=/sys/kernel/debug/nvmev/nvmev0/power
M=/mnt/cut
mkdir -p $M
expect_ok "mkfs.ext4" mkfs.ext4 -q -F "$DEV"
# journal commits (which flush) every 30 s; data written back within 0.2 s
expect_ok "mount" mount -t ext4 -o commit=30 "$DEV" $M
wb0=$(cat /proc/sys/vm/dirty_writeback_centisecs)
ex0=$(cat /proc/sys/vm/dirty_expire_centisecs)
echo 20 > /proc/sys/vm/dirty_writeback_centisecs
echo 20 > /proc/sys/vm/dirty_expire_centisecs
# 20 files of 256 KiB, each fsync'ed, and their checksums
i=0
while [ $i -lt 20 ]; do
	head -c 262144 /dev/urandom >"$W/src$i"
	dd if="$W/src$i" of=$M/synced$i bs=65536 conv=fsync 2>/dev/null || fail "fsync'ed write $i"
	i=$((i + 1))
done
ok "20 files written and fsync'ed"
expect_ok "checksums" sh -c "cd $W && md5sum src* > sums"
# unsynced workload: small files rewritten in a loop (written back by the
# flusher within 0.2 s, never flushed); then, the workload stopped, small
# unsynced files until the device holds some of them only in its write
# buffer (nothing else writes then, so that stays so until the cut)
( j=0; while :; do
	head -c $((4096 * (1 + j % 3))) /dev/urandom > $M/unsynced$((j % 200)) 2>/dev/null || exit 0
	j=$((j + 1))
  done ) &
wl=$!
sleep 3
kill $wl 2>/dev/null
wait $wl 2>/dev/null
usleep 500000
n=0
at_risk() { sed -n 's/^at_risk_units //p' $PW; }
while ! [ "$(at_risk)" -gt 0 ] 2>/dev/null && [ $n -lt 40 ]; do
	head -c 4096 /dev/urandom > $M/extra$n
	usleep 500000
	n=$((n + 1))
done
risk=$(sed -n 's/^at_risk_units //p' $PW)
log "units in the write buffer only, just before the cut: $risk (after $n extra files)"
expect_ok "power_cut after the workload" sh -c "echo 1 > $CF/power_cut"
wait_for_no_dev 20 || fail "controller still there 20 s after the cut"
ok "the controller went away"
echo "$wb0" > /proc/sys/vm/dirty_writeback_centisecs
echo "$ex0" > /proc/sys/vm/dirty_expire_centisecs
# the file system lost its device: unmount what is left of it
umount $M 2>/dev/null || umount -l $M 2>/dev/null
check_true "unmounted" sh -c "! grep -q ' $M ' /proc/mounts"
expect_ok "power_on" sh -c "echo 1 > $CF/power_on"
wait_for_dev 30 || fail "not back 30 s after power_on"
ok "the controller is back as $DEV"
lost=$(sed -n 's/^last_cut_lost_units //p' $PW)
log "units taken back by the cut: $lost"
check_true "the cut took unflushed data back ($lost units)" test "${lost:-0}" -gt 0
expect_ok "mount replays the journal" mount -t ext4 "$DEV" $M
check_match "$(kmsg_all | tail -n 30)" "recovery complete|orphan|mounted filesystem" "ext4 mounted after the cut"
expect_ok "umount" umount $M
expect_ok "e2fsck -fn finds nothing after the replay" e2fsck -fn "$DEV"
expect_ok "mount again" mount -t ext4 "$DEV" $M
i=0
while [ $i -lt 20 ]; do
	cmp -s "$W/src$i" $M/synced$i || fail "fsync'ed file $i differs after the cut"
	i=$((i + 1))
done
ok "all 20 fsync'ed files intact"
expect_ok "umount" umount $M
