#!/bin/sh
# timeout: 300
# Zoned namespaces (issue 9): every zone error the host can provoke, with
# the status nvme-cli names, and the open/active limits.  A write off the
# write pointer: Zone Invalid Write (0x1bc); across the end of the zone's
# capacity: Zone Boundary Error (0x1b8; across the zone boundary itself:
# 74_zns_append); into a full zone: Zone Is Full
# (0x1b9); open/close on a full/empty zone: Invalid Zone State Transition
# (0x1bf); an explicit open beyond max_open, and a write to an empty zone
# while every open zone is explicitly open: Too Many Open Zones (0x1be);
# but a write opening one zone more than max_open while implicitly opened
# zones exist closes one of those instead; opening a zone beyond
# max_active: Too Many Active Zones (0x1bd).  A failed write leaves the
# write pointer where it was; the block layer's EIO on a misplaced write.
# nvmev: 16 MiB zones of 12 MiB capacity, open 8, active 12 (control:
# QEMU's limited namespace).
. "$T_DIR/lib.sh"
. "$T_DIR/zns_lib.sh"
ZNS_ZONE_SIZE=16M ZNS_ZONE_CAP=12M ZNS_MAX_OPEN=8 ZNS_MAX_ACTIVE=12 ZNS_REF=limited
zns_setup
MO=$ZNS_MO MA=$ZNS_MA
[ "$MO" -gt 0 ] && [ "$MA" -gt "$MO" ] || fail "need 0 < max_open < max_active (got $MO, $MA)"
[ "$ZNS_NR_ZONES" -gt $((MA + 4)) ] || fail "need more than max_active + 4 zones (got $ZNS_NR_ZONES)"
L=$ZNS_LBA_BYTES
zns_data one 1
zns_data two 2

# ---- Zone Invalid Write ---------------------------------------------------------
Z=0 S=$(zslba 0)
zwrite "write 2 LBAs at the start of zone $Z" "$S" 2 "$W/two"
expect_status "write ahead of the write pointer" 0x1bc \
	nvme write "$ZDEV" -s $((S + 4)) -c 0 -z "$L" -d "$W/one"
expect_status "write behind the write pointer (rewrite LBA 0)" 0x1bc \
	nvme write "$ZDEV" -s "$S" -c 0 -z "$L" -d "$W/one"
check_zone $Z iopen 2
zwrite "write at the write pointer still works" $((S + 2)) 1 "$W/one"
check_zone $Z iopen 3

# ---- Zone Boundary Error -----------------------------------------------------------
# up to one LBA before the zone capacity, then two LBAs: across the boundary
Z=1 S=$(zslba 1)
zfill $Z $((ZNS_CAP_LBAS - 1))
check_zone $Z iopen $((ZNS_CAP_LBAS - 1))
expect_status "write across the end of the zone's capacity" 0x1b8 \
	nvme write "$ZDEV" -s $((S + ZNS_CAP_LBAS - 1)) -c 1 -z $((2 * L)) -d "$W/two"
check_zone $Z iopen $((ZNS_CAP_LBAS - 1))
zwrite "the last LBA of the zone's capacity" $((S + ZNS_CAP_LBAS - 1)) 1 "$W/one"
check_zone $Z full

# ---- Zone Is Full, Invalid Zone State Transition ---------------------------------------
Z=1 S=$(zslba 1)
expect_status "write to a full zone" 0x1b9 nvme write "$ZDEV" -s "$S" -c 0 -z "$L" -d "$W/one"
expect_status "zone append to a full zone" 0x1b9 nvme zns zone-append "$ZDEV" -s "$S" -z "$L" -d "$W/one"
expect_status "open-zone on a full zone" 0x1bf nvme zns open-zone "$ZDEV" -s "$S"
expect_status "close-zone on a full zone" 0x1bf nvme zns close-zone "$ZDEV" -s "$S"
check_zone $Z full
expect_status "close-zone on an empty zone" 0x1bf nvme zns close-zone "$ZDEV" -s "$(zslba 5)"
check_zone 5 empty 0
# the block layer: a misplaced write fails with EIO, the zone unchanged
expect_fail "dd off the write pointer (block layer)" \
	dd if="$W/one" of="$ZDEV" bs="$L" seek=$(($(zslba 0) + 8)) count=1 oflag=direct
check_zone 0 iopen 3
expect_ok "blkzone reset" blkzone reset "$ZDEV"
check_num "$(zns_count_cond em)" "$ZNS_NR_ZONES" "every zone empty again"

# ---- Too Many Open Zones: explicit opens ------------------------------------------------
# zones 0..MO-1 explicitly opened, then one more
z=0
while [ $z -lt "$MO" ]; do
	expect_ok "open-zone $z (explicit open $((z + 1)) of $MO)" nvme zns open-zone "$ZDEV" -s "$(zslba $z)"
	z=$((z + 1))
done
check_num "$(zns_count_cond oe)" "$MO" "$MO zones explicitly open"
expect_status "explicit open beyond max_open ($MO)" 0x1be nvme zns open-zone "$ZDEV" -s "$(zslba "$MO")"
check_zone "$MO" empty 0
expect_status "write to an empty zone while all $MO open zones are explicitly open" 0x1be \
	nvme write "$ZDEV" -s "$(zslba "$MO")" -c 0 -z "$L" -d "$W/one"
check_zone "$MO" empty 0
zwrite "a write into an explicitly opened zone still works" "$(zslba 0)" 1 "$W/one"
check_zone 0 eopen 1
expect_ok "reset-zone --select-all" nvme zns reset-zone "$ZDEV" -a
check_num "$(zns_count_cond em)" "$ZNS_NR_ZONES" "every zone empty again"

# ---- implicit opens beyond max_open close an implicitly opened zone ---------------------
z=0
while [ $z -le "$MO" ]; do
	zwrite "write to empty zone $z (implicit open $((z + 1)), max_open $MO)" "$(zslba $z)" 1 "$W/one"
	z=$((z + 1))
done
check_num "$(zns_count_cond oi)" "$MO" "still $MO zones implicitly open"
check_num "$(zns_count_cond cl)" 1 "one implicitly opened zone was closed to make room"
check_zone "$MO" iopen 1
z=0 n=0
while [ $z -le "$MO" ]; do
	zinfo $z
	[ "$ZI_WP" = 1 ] && n=$((n + 1))
	z=$((z + 1))
done
check_num "$n" $((MO + 1)) "every written zone kept its write pointer (1 LBA)"
expect_ok "reset-zone --select-all" nvme zns reset-zone "$ZDEV" -a

# ---- Too Many Active Zones -------------------------------------------------------------
# MA zones made active: written (implicitly open) and closed; then one more
z=0
while [ $z -lt "$MA" ]; do
	zwrite "write zone $z (active $((z + 1)) of $MA)" "$(zslba $z)" 1 "$W/one"
	expect_ok "close zone $z" nvme zns close-zone "$ZDEV" -s "$(zslba $z)"
	z=$((z + 1))
done
check_num "$(zns_count_cond cl)" "$MA" "$MA zones closed (active)"
expect_status "write to an empty zone beyond max_active ($MA)" 0x1bd \
	nvme write "$ZDEV" -s "$(zslba "$MA")" -c 0 -z "$L" -d "$W/one"
expect_status "explicit open of an empty zone beyond max_active" 0x1bd \
	nvme zns open-zone "$ZDEV" -s "$(zslba "$MA")"
check_zone "$MA" empty 0
zwrite "a closed (active) zone still takes writes" $(($(zslba 0) + 1)) 1 "$W/one"
check_zone 0 iopen 2
expect_ok "finish zone 1: no longer active" nvme zns finish-zone "$ZDEV" -s "$(zslba 1)"
check_zone 1 full
zwrite "now a new zone can become active" "$(zslba "$MA")" 1 "$W/one"
check_zone "$MA" iopen 1
expect_ok "reset-zone --select-all" nvme zns reset-zone "$ZDEV" -a
# the block layer's view again (zone write plugs, 6.12)
expect_ok "blkzone reset" blkzone reset "$ZDEV"
check_num "$(zns_count_cond em)" "$ZNS_NR_ZONES" "every zone empty at the end"
zns_teardown
