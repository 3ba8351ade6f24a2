#!/bin/sh
# timeout: 300
# Zoned namespaces (issue 9): btrfs in zoned mode (mkfs.btrfs -O zoned;
# the kernel writes data with Zone Append) on the zoned namespace.  Files
# of assorted sizes and a directory tree, checksummed; unmount, mount,
# checksums again; files deleted and rewritten; btrfs scrub finds no
# error; btrfs check is clean.  nvmev: 16 MiB zones, no open/active limits
# (control: QEMU's namespace without limits).  btrfs needs at least 10
# zones of 16 MiB (mkfs.btrfs 6.2 fails on 9) and an active-zone limit of
# 8 or more; on 6.1 a scrub that has to finish a zone to stay under an
# active limit deadlocks in btrfs itself (btrfs_inc_block_group_ro ->
# btrfs_zoned_activate_one_bg -> do_zone_finish ->
# btrfs_inc_block_group_ro), hence no limits here.  Documentation/testing.rst.
. "$T_DIR/lib.sh"
. "$T_DIR/zns_lib.sh"
ZNS_ZONE_SIZE=16M ZNS_REF=open
zns_need_kernel
zns_need_fs btrfs
zns_setup
M=$ZNS_MNT

expect_ok "mkfs.btrfs -O zoned" mkfs.btrfs -f -O zoned "$ZDEV"
check_match "$(cat "$W/last.out")" 'Zoned device: *yes' "mkfs.btrfs made a zoned file system"
check_true "mkfs wrote to some zones" test "$(zns_count_cond em)" -lt "$ZNS_NR_ZONES"
n0=$(kmsg_lines)
expect_ok "mount" mount -t btrfs "$ZDEV" "$M"
check_match "$(kmsg_all | tail -n +$((n0 + 1)))" 'zoned mode enabled' "btrfs says: zoned mode enabled"

# a tree of files: 1 KiB .. 1 MiB, and one of 24 MiB
mkdir -p "$M/d1/d2" "$M/d3"
i=0
for sz in 1024 4096 65536 131072 1048576 7777 300000 524288 12345 2097152; do
	rand_file "$M/d1/f$i" "$sz"
	rand_file "$M/d3/g$i" $((sz / 2 + 1))
	i=$((i + 1))
done
rand_file "$M/d1/d2/big" $((24 * 1048576))
expect_ok "sync" sync
(cd "$M" && find . -type f | sort | xargs md5sum) >"$W/sums"
check_num "$(wc -l <"$W/sums")" 21 "21 files written"
run btrfs filesystem usage "$M"
check_true "more than 2 zones in use after the writes ($(($ZNS_NR_ZONES - $(zns_count_cond em))))" \
	test $((ZNS_NR_ZONES - $(zns_count_cond em))) -gt 2
expect_ok "umount" umount "$M"
expect_ok "mount again" mount -t btrfs "$ZDEV" "$M"
(cd "$M" && md5sum -c "$W/sums") >"$W/check1" 2>&1 || { cat "$W/check1"; fail "checksums differ after remount"; }
ok "all 21 files read back identical after remount"

# delete some, rewrite others: space in the old zones becomes garbage
rm -f "$M"/d1/f1 "$M"/d1/f3 "$M"/d3/g2
rand_file "$M/d3/g5" 400000
rand_file "$M/d1/d2/big2" $((8 * 1048576))
expect_ok "sync" sync
(cd "$M" && find . -type f | sort | xargs md5sum) >"$W/sums2"
expect_ok "btrfs scrub start -B" btrfs scrub start -B "$M"
check_match "$(cat "$W/last.out")" 'Error summary: *no errors found' "scrub: no errors found"
expect_ok "umount" umount "$M"
expect_ok "btrfs check --readonly" btrfs check --readonly "$ZDEV"
check_match "$(cat "$W/last.out")" 'no error found' "btrfs check: no error found"
expect_ok "mount once more" mount -t btrfs "$ZDEV" "$M"
(cd "$M" && md5sum -c "$W/sums2") >"$W/check2" 2>&1 || { cat "$W/check2"; fail "checksums differ after the rewrite"; }
ok "all $(wc -l <"$W/sums2") files identical after delete, rewrite, scrub and remount"
expect_ok "umount" umount "$M"
zns_teardown
