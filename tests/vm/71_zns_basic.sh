#!/bin/sh
# timeout: 300
# Zoned namespaces (issue 9), the basics.  A kind=zns controller made in
# configfs with the default zone size and capacity and open/active limits
# (control mode: QEMU's limited zoned namespace): host-managed in sysfs
# with the zone size as chunk_sectors, the limits, nr_zones covering the
# namespace; nvme zns id-ns/id-ctrl/report-zones and blkzone report agree;
# zones go through empty -> implicitly open -> closed -> explicitly open
# -> full -> empty with blkzone open/close/finish/reset and with nvme zns
# open/close/finish/reset-zone (single zones and --select-all), the write
# pointer and data following.  nvmev only: debugfs zones file, the
# nvmev_zone_state/nvmev_zone_reset tracepoints, and the module-parameter
# path (insmod ... kind=zns zone_size= ...) making nvmev0 zoned.
. "$T_DIR/lib.sh"
. "$T_DIR/zns_lib.sh"
ZNS_MAX_OPEN=6 ZNS_MAX_ACTIVE=8 ZNS_REF=limited
zns_setup
Q=/sys/block/$ZBLK/queue

# ---- geometry -----------------------------------------------------------------
check_num "$((ZNS_ZONE_SECTORS * 512))" "$ZNS_EXP_ZONE_BYTES" "chunk_sectors = zone size (bytes)"
check_num "$ZNS_LBA_BYTES" "$ZNS_EXP_LBA" "logical_block_size"
check_num "$ZNS_MO" "$ZNS_EXP_MO" "sysfs max_open_zones"
check_num "$ZNS_MA" "$ZNS_EXP_MA" "sysfs max_active_zones"
check_num "$((ZNS_CAP_LBAS * ZNS_LBA_BYTES))" "$ZNS_EXP_CAP_BYTES" "zone capacity (bytes, blkzone)"
check_num "$(cat /sys/block/$ZBLK/size)" "$((ZNS_NR_ZONES * ZNS_ZONE_SECTORS))" "capacity = nr_zones x zone size"
if [ -n "$ZNS_EXP_ZONES" ]; then
	check_num "$ZNS_NR_ZONES" "$ZNS_EXP_ZONES" "nr_zones"
else
	# all zones that fit in the controller's half of the region
	_half=$((NVMEV_MEMMAP_SIZE_BYTES / 2)) _fit=$((NVMEV_MEMMAP_SIZE_BYTES / 2 / ZNS_EXP_ZONE_BYTES))
	check_true "nr_zones ($ZNS_NR_ZONES) x zone size fits in half the region" \
		test $((ZNS_NR_ZONES * ZNS_EXP_ZONE_BYTES)) -le "$_half"
	check_true "nr_zones ($ZNS_NR_ZONES) is at least 90% of the $_fit zones that fit" \
		test $((ZNS_NR_ZONES * 10)) -ge $((_fit * 9))
	check_eq "$(cat "$ZNS_CFG/$ZNS_ZNAME/namespaces/1/size")" 0 "configfs size of the zoned namespace stays 0"
	check_eq "$(cat "$ZNS_CFG/$ZNS_ZNAME/kind")" zns "configfs kind"
	# exactly one namespace: a second one is refused (at mkdir or enable)
	if mkdir "$ZNS_CFG/$ZNS_ZNAME/namespaces/2" 2>/dev/null; then
		echo 1 >"$ZNS_CFG/$ZNS_ZNAME/namespaces/2/enable" 2>/dev/null &&
			{ rmdir "$ZNS_CFG/$ZNS_ZNAME/namespaces/2"; fail "a second namespace on a zns controller was enabled"; }
		rmdir "$ZNS_CFG/$ZNS_ZNAME/namespaces/2"
	fi
	ok "a second namespace on the zns controller refused"
fi
check_true "zone_append_max_bytes > 0" test "$(cat $Q/zone_append_max_bytes)" -gt 0

# ---- identify -------------------------------------------------------------------
run nvme zns id-ns "$ZDEV" || fail "nvme zns id-ns failed: $(last_line)"
cp "$W/last.out" "$W/zidns"
zsze=$(sed -n 's/^lbafe *[0-9]*: *zsze:\(0x[0-9a-fA-F]*\).*(in use)/\1/p' "$W/zidns")
check_num "$zsze" "$ZNS_ZONE_LBAS" "id-ns (zns) zsze of the LBA format in use"
mor=$(sed -n 's/^mor *: *//p' "$W/zidns") mar=$(sed -n 's/^mar *: *//p' "$W/zidns")
# 0's based; all ones = no limit
exp_mor=$((ZNS_EXP_MO - 1)) exp_mar=$((ZNS_EXP_MA - 1))
[ "$ZNS_EXP_MO" = 0 ] && exp_mor=0xffffffff
[ "$ZNS_EXP_MA" = 0 ] && exp_mar=0xffffffff
check_num "$mor" "$exp_mor" "id-ns (zns) MOR (0's based)"
check_num "$mar" "$exp_mar" "id-ns (zns) MAR (0's based)"
check_num "$(nvme id-ns "$ZDEV" | sed -n 's/^nsze *: *//p')" "$((ZNS_NR_ZONES * ZNS_ZONE_LBAS))" "id-ns NSZE = all zones"
expect_ok "nvme zns id-ctrl" nvme zns id-ctrl "$ZCTRL"
check_match "$(cat "$W/last.out")" '^zasl *: *[0-9]' "id-ctrl (zns) reports ZASL"
expect_ok "nvme zns list" nvme zns list
check_match "$(cat "$W/last.out")" "$ZDEV " "nvme zns list shows $ZDEV"

# ---- every zone empty, as both tools see it ---------------------------------------
run nvme zns report-zones "$ZDEV" || fail "report-zones failed: $(last_line)"
check_num "$(sed -n 's/^nr_zones: *//p' "$W/last.out")" "$ZNS_NR_ZONES" "report-zones nr_zones"
check_num "$(grep -c '^SLBA' "$W/last.out")" "$ZNS_NR_ZONES" "report-zones: one descriptor per zone"
check_num "$(grep -c 'State: 0x10 ' "$W/last.out")" "$ZNS_NR_ZONES" "report-zones: all zones empty"
check_num "$(grep -c "Cap: $(printf '0x%x' "$ZNS_CAP_LBAS") " "$W/last.out")" "$ZNS_NR_ZONES" "report-zones: every zone has the capacity"
check_num "$(blkzone report "$ZDEV" | grep -c "len $(printf '0x%06x' "$ZNS_ZONE_SECTORS"),")" "$ZNS_NR_ZONES" "blkzone report: every zone is chunk_sectors long"
last=$((ZNS_NR_ZONES - 1))
zinfo "$last"
check_eq "$ZI_COND" em "last zone ($last) reported and empty"
if [ -n "$ZNS_DBG" ]; then
	check_true "debugfs $ZNS_DBG/zones exists" test -f "$ZNS_DBG/zones"
	cat "$ZNS_DBG/zones" | head -n 5
	check_match "$(head -n 1 "$ZNS_DBG/zones")" '^#' "debugfs zones: header line"
	check_num "$(grep -c '^zone ' "$ZNS_DBG/zones")" "$ZNS_NR_ZONES" "debugfs zones: one line per zone"
	zdbg "$last"
	check_num "$ZD_SLBA" "$(zslba "$last")" "debugfs: slba of the last zone"
	check_num "$ZD_CAP" "$ZNS_CAP_LBAS" "debugfs: capacity of the last zone"
	check_eq "$ZD_STATE" empty "debugfs: last zone empty"
fi

# ---- blkzone: the state machine with data ----------------------------------------
Z=1
rand_file "$W/a" $((8 * ZNS_LBA_BYTES))
expect_ok "write 8 LBAs at the start of zone $Z (block layer)" \
	dd if="$W/a" of="$ZDEV" bs=$((8 * ZNS_LBA_BYTES)) seek=$(($(zslba $Z) / 8)) count=1 oflag=direct
check_zone $Z iopen 8
expect_ok "blkzone close zone $Z" blkzone close -o "$(zsector $Z)" -c 1 "$ZDEV"
check_zone $Z closed 8
expect_ok "blkzone open zone $Z" blkzone open -o "$(zsector $Z)" -c 1 "$ZDEV"
check_zone $Z eopen 8
rand_file "$W/b" $((8 * ZNS_LBA_BYTES))
expect_ok "write 8 more LBAs at the write pointer" \
	dd if="$W/b" of="$ZDEV" bs=$((8 * ZNS_LBA_BYTES)) seek=$(($(zslba $Z) / 8 + 1)) count=1 oflag=direct
check_zone $Z eopen 16
expect_ok "blkzone finish zone $Z" blkzone finish -o "$(zsector $Z)" -c 1 "$ZDEV"
check_zone $Z full
cat "$W/a" "$W/b" >"$W/ab"
expect_ok "read the 16 LBAs back" \
	dd if="$ZDEV" of="$W/ab.back" bs=$((16 * ZNS_LBA_BYTES)) skip=$(($(zslba $Z) / 16)) count=1 iflag=direct
check_true "data in the finished zone intact" cmp "$W/ab" "$W/ab.back"
[ -n "$ZNS_DBG" ] && { zdbg $Z; r0=$ZD_RESETS; }
expect_ok "blkzone reset zone $Z" blkzone reset -o "$(zsector $Z)" -c 1 "$ZDEV"
check_zone $Z empty 0
if [ -n "$ZNS_DBG" ]; then
	zdbg $Z
	check_num "$ZD_RESETS" $((r0 + 1)) "debugfs: zone $Z reset counter went up by one"
fi
expect_ok "write at the start of the reset zone" \
	dd if="$W/b" of="$ZDEV" bs=$((8 * ZNS_LBA_BYTES)) seek=$(($(zslba $Z) / 8)) count=1 oflag=direct
check_zone $Z iopen 8
expect_ok "read it back" \
	dd if="$ZDEV" of="$W/b.back" bs=$((8 * ZNS_LBA_BYTES)) skip=$(($(zslba $Z) / 8)) count=1 iflag=direct
check_true "data written after the reset reads back" cmp "$W/b" "$W/b.back"
expect_ok "blkzone finish an empty zone (2)" blkzone finish -o "$(zsector 2)" -c 1 "$ZDEV"
check_zone 2 full
expect_ok "blkzone open an empty zone (3)" blkzone open -o "$(zsector 3)" -c 1 "$ZDEV"
check_zone 3 eopen 0
expect_ok "blkzone reset of the whole device" blkzone reset "$ZDEV"
check_num "$(zns_count_cond em)" "$ZNS_NR_ZONES" "every zone empty after the reset"

# ---- the same through NVMe Zone Management Send (nvme-cli) ----------------------
# (zones 4-6 only see NVMe commands: the block layer's zone write plugs,
# 6.12, know nothing of them)
Z=4 S=$(zslba 4)
zns_data w4 4
zwrite "nvme write 4 LBAs at the start of zone $Z" "$S" 4 "$W/w4"
check_zone $Z iopen 4
expect_ok "nvme zns close-zone $Z" nvme zns close-zone "$ZDEV" -s "$S"
check_zone $Z closed 4
expect_ok "nvme zns open-zone $Z" nvme zns open-zone "$ZDEV" -s "$S"
check_zone $Z eopen 4
expect_ok "nvme zns finish-zone $Z" nvme zns finish-zone "$ZDEV" -s "$S"
check_zone $Z full
rm -f "$W/r4"
expect_ok "nvme read the 4 LBAs" nvme read "$ZDEV" -s "$S" -c 3 -z $((4 * ZNS_LBA_BYTES)) -d "$W/r4"
check_true "nvme read returns what nvme write wrote" cmp "$W/w4" "$W/r4"
expect_ok "nvme zns reset-zone $Z" nvme zns reset-zone "$ZDEV" -s "$S"
check_zone $Z empty 0
zwrite "write zone 5" "$(zslba 5)" 1
zwrite "write zone 6" "$(zslba 6)" 2
expect_ok "nvme zns close-zone --select-all" nvme zns close-zone "$ZDEV" -a
check_zone 5 closed 1
check_zone 6 closed 2
expect_ok "nvme zns open-zone --select-all" nvme zns open-zone "$ZDEV" -a
check_zone 5 eopen 1
check_zone 6 eopen 2
expect_ok "nvme zns finish-zone --select-all" nvme zns finish-zone "$ZDEV" -a
check_zone 5 full
check_zone 6 full
check_zone 7 empty 0
expect_ok "nvme zns reset-zone --select-all" nvme zns reset-zone "$ZDEV" -a
check_num "$(zns_count_cond em)" "$ZNS_NR_ZONES" "every zone empty after reset-zone --select-all"

# ---- tracepoints (nvmev) -----------------------------------------------------------
if [ -n "$ZNS_DBG" ]; then
	EV=/sys/kernel/tracing/events/nvmev
	T=/sys/kernel/tracing
	for e in nvmev_zone_state nvmev_zone_reset; do
		check_true "tracepoint $e exists" test -d "$EV/$e"
	done
	for f in zone from to; do
		check_match "$(cat $EV/nvmev_zone_state/format)" "field:.* $f;" "nvmev_zone_state has field '$f'"
	done
	check_match "$(cat $EV/nvmev_zone_reset/format)" "field:.* zone;" "nvmev_zone_reset has field 'zone'"
	# zone 8: open, close, finish, reset = four transitions, one reset;
	# the filter on 'zone' keeps other zones out
	trace_zone() { # FILTER-ZONE -> events in $W/trace
		echo 0 >$T/tracing_on; echo >$T/trace
		echo "zone == $1" >$EV/nvmev_zone_state/filter || fail "cannot filter nvmev_zone_state on zone"
		echo "zone == $1" >$EV/nvmev_zone_reset/filter || fail "cannot filter nvmev_zone_reset on zone"
		echo 1 >$EV/nvmev_zone_state/enable; echo 1 >$EV/nvmev_zone_reset/enable
		echo 1 >$T/tracing_on
		nvme zns open-zone "$ZDEV" -s "$(zslba 8)" >/dev/null &&
			nvme zns close-zone "$ZDEV" -s "$(zslba 8)" >/dev/null &&
			nvme zns finish-zone "$ZDEV" -s "$(zslba 8)" >/dev/null &&
			nvme zns reset-zone "$ZDEV" -s "$(zslba 8)" >/dev/null || fail "zone commands on zone 8 failed"
		echo 0 >$T/tracing_on
		echo 0 >$EV/nvmev_zone_state/enable; echo 0 >$EV/nvmev_zone_reset/enable
		echo 0 >$EV/nvmev_zone_state/filter; echo 0 >$EV/nvmev_zone_reset/filter
		grep -v '^#' $T/trace >"$W/trace"
		cat "$W/trace"
	}
	trace_zone 8
	check_true "at least 4 nvmev_zone_state events for zone 8 ($(grep -c nvmev_zone_state: "$W/trace"))" \
		test "$(grep -c 'nvmev_zone_state:' "$W/trace")" -ge 4
	check_num "$(grep -c 'nvmev_zone_reset:' "$W/trace")" 1 "one nvmev_zone_reset event for zone 8"
	trace_zone 9
	check_num "$(grep -c 'nvmev_zone_' "$W/trace")" 0 "no events for zone 9 while zone 8 changes"
	echo 1 >$T/tracing_on
fi

# ---- module parameters: insmod ... kind=zns makes nvmev0 zoned (nvmev) ----------
if [ "$MODE" = nvmev ]; then
	zns_teardown unloaded
	ZNS_UP=1
	trap zns_cleanup EXIT
	expect_ok "insmod with kind=zns" insmod /nvmev.ko $NVMEV_MODPARAMS kind=zns zone_size=8M \
		zone_cap=6M max_open=4 max_active=6
	_i=0 QDEV=""
	while [ $_i -lt 100 ] && [ -z "$QDEV" ]; do
		for b in /sys/block/nvme*; do
			[ "$(cat "$b/queue/zoned" 2>/dev/null)" = host-managed ] && QDEV=/dev/${b##*/}
		done
		[ -n "$QDEV" ] || usleep 200000
		_i=$((_i + 1))
	done
	[ -n "$QDEV" ] || fail "no zoned block device 20 s after insmod ... kind=zns"
	zns_geometry "$QDEV"
	ZNS_DBG=$NVMEV_CDBG
	check_num "$ZNS_ZONE_SECTORS" $((8 * 2048)) "nvmev0: chunk_sectors = 8 MiB"
	check_num "$ZNS_CAP_LBAS" $((6 * 1048576 / ZNS_LBA_BYTES)) "nvmev0: zone capacity 6 MiB"
	check_num "$ZNS_MO" 4 "nvmev0: max_open_zones"
	check_num "$ZNS_MA" 6 "nvmev0: max_active_zones"
	# the storage holds each zone's capacity, not its size (zns.rst)
	check_true "nvmev0: $ZNS_NR_ZONES zones' 6 MiB capacity fit in the region" \
		test $((ZNS_NR_ZONES * 6)) -le $((NVMEV_MEMMAP_SIZE_BYTES >> 20))
	check_true "nvmev0: more zones than 8 MiB ones would fit ($ZNS_NR_ZONES)" \
		test $((ZNS_NR_ZONES * 8)) -gt $((NVMEV_MEMMAP_SIZE_BYTES >> 20))
	check_num "$(grep -c '^zone ' "$ZNS_DBG/zones")" "$ZNS_NR_ZONES" "nvmev0: debugfs zones, one line per zone"
	zwrite "nvmev0: write 2 LBAs to zone 0" 0 2
	check_zone 0 iopen 2
	expect_ok "nvmev0: nvme zns reset-zone" nvme zns reset-zone "$ZDEV" -s 0
	check_zone 0 empty 0
	expect_ok "rmmod nvmev (nvmev0 zoned)" rmmod nvmev
	wait_for_no_dev 20 || fail "nvmev0 still there after rmmod"
	zns_restore
else
	zns_teardown
fi
