#!/bin/sh
# timeout: 240
# Zoned namespaces (issue 9): Zone Append (nvme zns zone-append).  Each
# append lands at the write pointer and returns that LBA (nvme-cli 2.3
# prints it in hex without 0x); data reads back; appends and writes mix;
# eight appends at once get eight different LBAs, each holding its data;
# an append naming an LBA that is not a zone start: Invalid Field (0x2);
# past the zone capacity: Zone Boundary Error (0x1b8); the append that
# fills the zone makes it full, the next: Zone Is Full (0x1b9).  A write
# across the boundary between two zones: Zone Boundary Error.  nvmev:
# 16 MiB zones, capacity = zone size, no limits (control: QEMU's
# namespace without limits).
. "$T_DIR/lib.sh"
. "$T_DIR/zns_lib.sh"
ZNS_ZONE_SIZE=16M ZNS_REF=open
zns_setup
L=$ZNS_LBA_BYTES

# zappend DESC ZSLBA FILE: append must succeed; APPENDED = the LBA (decimal)
zappend() {
	_sz=$(stat -c %s "$3")
	expect_ok "$1" nvme zns zone-append "$ZDEV" -s "$2" -z "$_sz" -d "$3"
	_h=$(sed -n 's/^Success appended data to LBA \([0-9a-fA-F]*\)$/\1/p' "$W/last.out")
	[ -n "$_h" ] || fail "$1: no 'Success appended data to LBA' in: $(last_line)"
	APPENDED=$((0x$_h))
}
# zread FILE SLBA NLB: nvme read into FILE
zread() {
	rm -f "$1"
	run nvme read "$ZDEV" -s "$2" -c $(($3 - 1)) -z $(($3 * L)) -d "$1" >/dev/null ||
		fail "nvme read of $3 LBAs at $2 failed: $(last_line)"
}

Z=2 S=$(zslba 2)
zns_data a 1
zns_data b 2
zns_data c 4
zappend "append 1 LBA to zone $Z" "$S" "$W/a"
check_num "$APPENDED" "$S" "first append lands at the zone start"
zappend "append 2 LBAs" "$S" "$W/b"
check_num "$APPENDED" $((S + 1)) "second append lands after the first"
zappend "append 4 LBAs" "$S" "$W/c"
check_num "$APPENDED" $((S + 3)) "third append lands after the second"
check_zone $Z iopen 7
cat "$W/a" "$W/b" "$W/c" >"$W/abc"
zread "$W/abc.back" "$S" 7
check_true "the 7 appended LBAs read back in append order" cmp "$W/abc" "$W/abc.back"
zns_data d 1
zwrite "a plain write at the write pointer after appends" $((S + 7)) 1 "$W/d"
zappend "append after the write" "$S" "$W/a"
check_num "$APPENDED" $((S + 8)) "the append follows the write"
check_zone $Z iopen 9

# eight appends at once: eight distinct LBAs, each with its own data
Z=6 S=$(zslba 6)
i=0
while [ $i -lt 8 ]; do
	zns_data "p$i" 1
	(nvme zns zone-append "$ZDEV" -s "$S" -z "$L" -d "$W/p$i" >"$W/p$i.out" 2>&1; echo $? >"$W/p$i.rc") &
	i=$((i + 1))
done
wait
i=0 lbas=""
while [ $i -lt 8 ]; do
	cat "$W/p$i.out"
	check_eq "$(cat "$W/p$i.rc")" 0 "concurrent append $i exit status"
	h=$(sed -n 's/^Success appended data to LBA \([0-9a-fA-F]*\)$/\1/p' "$W/p$i.out")
	[ -n "$h" ] || fail "concurrent append $i: no LBA reported"
	lba=$((0x$h))
	check_true "concurrent append $i at LBA $lba, inside the zone's first 8" \
		test "$lba" -ge "$S" -a "$lba" -lt $((S + 8))
	zread "$W/p$i.back" "$lba" 1
	check_true "LBA $lba holds append $i's data" cmp "$W/p$i" "$W/p$i.back"
	lbas="$lbas $lba"
	i=$((i + 1))
done
check_num "$(echo $lbas | tr ' ' '\n' | sort -u | wc -l)" 8 "eight different LBAs"
check_zone $Z iopen 8

# errors
expect_status "append naming an LBA that is not a zone start" 0x2 \
	nvme zns zone-append "$ZDEV" -s $(($(zslba 2) + 1)) -z "$L" -d "$W/a"
check_zone 2 iopen 9
Z=3 S=$(zslba 3)
zfill $Z $((ZNS_CAP_LBAS - 1))
expect_status "append past the zone capacity" 0x1b8 \
	nvme zns zone-append "$ZDEV" -s "$S" -z $((2 * L)) -d "$W/b"
check_zone $Z iopen $((ZNS_CAP_LBAS - 1))
zappend "append the zone's last LBA" "$S" "$W/a"
check_num "$APPENDED" $((S + ZNS_CAP_LBAS - 1)) "it lands on the last LBA of the capacity"
check_zone $Z full
zread "$W/a.back" "$APPENDED" 1
check_true "the last LBA holds the appended data" cmp "$W/a" "$W/a.back"
expect_status "append to the full zone" 0x1b9 nvme zns zone-append "$ZDEV" -s "$S" -z "$L" -d "$W/a"
if [ "$ZNS_CAP_LBAS" = "$ZNS_ZONE_LBAS" ]; then
	Z=4
	zfill $Z $((ZNS_CAP_LBAS - 1))
	expect_status "write across the boundary between zones 4 and 5" 0x1b8 \
		nvme write "$ZDEV" -s $(($(zslba 5) - 1)) -c 1 -z $((2 * L)) -d "$W/b"
	check_zone 4 iopen $((ZNS_CAP_LBAS - 1))
	check_zone 5 empty 0
else
	log "zone capacity below the zone size: no zone boundary reachable by a write"
fi
expect_ok "blkzone reset" blkzone reset "$ZDEV"
check_num "$(zns_count_cond em)" "$ZNS_NR_ZONES" "every zone empty at the end"
zns_teardown
