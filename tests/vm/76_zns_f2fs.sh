#!/bin/sh
# timeout: 300
# Zoned namespaces (issue 9): F2FS on a zoned namespace with a
# conventional namespace of another controller beside it for its metadata
# (mkfs.f2fs -m -c <zoned> <conventional>; mounted through the
# conventional device).  Files written and checksummed, the data reaches
# the zoned namespace; unmount, fsck.f2fs clean, mount, checksums again;
# more files; fsck again.  nvmev: 4 MiB zones, no limits, a 64 MiB
# conventional namespace, both 4 KiB LBAs (control: QEMU's small-zone
# namespace and conventional drive, the same).  Why: F2FS keeps a GC
# reserve of sections (zones) that on 16 MiB zones swallows nearly all of
# a 500 MiB device (mkfs: 224 of 248 segments reserved, 73 MB free), and
# with a large conventional device the data stays there, off the zones.
. "$T_DIR/lib.sh"
. "$T_DIR/zns_lib.sh"
ZNS_ZONE_SIZE=4M ZNS_REF=small
zns_need_kernel
zns_need_fs f2fs
zns_setup conv 64M
M=$ZNS_MNT

expect_ok "mkfs.f2fs -m -c $ZDEV $CDEV" mkfs.f2fs -f -m -c "$ZDEV" "$CDEV"
check_match "$(cat "$W/last.out")" 'Host-managed zoned block device' "mkfs.f2fs found the zoned device"
check_match "$(cat "$W/last.out")" 'format successful' "mkfs.f2fs: format successful"
n0=$(kmsg_lines)
expect_ok "mount (the conventional device)" mount -t f2fs "$CDEV" "$M"
check_match "$(kmsg_all | tail -n +$((n0 + 1)))" "Mount Device.*$ZDEV.*Host-managed" "F2FS mounted the zoned device as its second device"
used0=$((ZNS_NR_ZONES - $(zns_count_cond em)))

mkdir -p "$M/a/b" "$M/c"
i=0
for sz in 4096 65536 1048576 12345 262144 3000000 8192 777777; do
	rand_file "$M/a/f$i" "$sz"
	rand_file "$M/c/g$i" $((sz * 2 + 3))
	i=$((i + 1))
done
# more than the conventional device holds: the rest must go to the zones
rand_file "$M/a/b/big" $((80 * 1048576))
expect_ok "sync" sync
(cd "$M" && find . -type f | sort | xargs md5sum) >"$W/sums"
check_num "$(wc -l <"$W/sums")" 17 "17 files written"
used1=$((ZNS_NR_ZONES - $(zns_count_cond em)))
check_true "data went to the zoned namespace: $used1 zones written (after mkfs/mount: $used0)" \
	test "$used1" -gt $((used0 + 4))
expect_ok "umount" umount "$M"
expect_ok "fsck.f2fs" fsck.f2fs -f "$CDEV"
check_true "fsck.f2fs: no [Fail]" test -z "$(grep -F '[Fail]' "$W/last.out")"
expect_ok "mount again" mount -t f2fs "$CDEV" "$M"
(cd "$M" && md5sum -c "$W/sums") >"$W/check1" 2>&1 || { cat "$W/check1"; fail "checksums differ after remount"; }
ok "all 17 files read back identical after remount"
rm -f "$M/a/f2" "$M/c/g5"
rand_file "$M/c/new" $((6 * 1048576))
expect_ok "sync" sync
(cd "$M" && find . -type f | sort | xargs md5sum) >"$W/sums2"
expect_ok "umount" umount "$M"
expect_ok "fsck.f2fs after more writes" fsck.f2fs -f "$CDEV"
check_true "fsck.f2fs: no [Fail]" test -z "$(grep -F '[Fail]' "$W/last.out")"
expect_ok "mount once more" mount -t f2fs "$CDEV" "$M"
(cd "$M" && md5sum -c "$W/sums2") >"$W/check2" 2>&1 || { cat "$W/check2"; fail "checksums differ"; }
ok "all $(wc -l <"$W/sums2") files identical"
expect_ok "umount" umount "$M"
zns_teardown
