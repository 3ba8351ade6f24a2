#!/bin/sh
# nvme id-ns: 512-byte LBAs; capacity consistent with the region minus 1 MiB (control:
# the image size); the block layer agrees; nsze at bytes 0..7 of -b.
. "$T_DIR/lib.sh"
need_dev
expect_ok "nvme id-ns" nvme id-ns "$DEV"
cp "$W/last.out" "$W/idns.txt"
f() { sed -n "s/^$1 *: //p" "$W/idns.txt" | sed 's/ *$//' | head -n 1; }
nsze=$(printf '%d' "$(f nsze)")
ncap=$(printf '%d' "$(f ncap)")
flbas=$(( $(f flbas) & 0xf ))
inuse=$(grep -E "^lbaf +$flbas *:" "$W/idns.txt")
check_match "$inuse" 'lbads:9 ' "LBA format in use is 512 bytes ($inuse)"
check_match "$inuse" 'ms:0 ' "no metadata"
# The storage behind the namespace is the region minus the 1 MiB BAR0 area.
# With the device model (FTL) loaded, that is the *physical* flash, and the
# namespace exports the FTL's logical capacity (after over-provisioning;
# Documentation/ftl.rst); without a model, the namespace is the whole area.
M=$NVMEV_CDBG
if [ "$MODE" = nvmev ] && [ -r "$M/model" ] && [ -r "$M/ftl" ]; then
	phys=$(sed -n 's/^capacity_bytes *//p' "$M/model")
	lu=$(sed -n 's/^logical_units *//p' "$M/ftl")
	check_num "$phys" "$EXP_CAP_BYTES" "model capacity_bytes (region size - 1 MiB)"
	check_num "$((nsze * 512))" "$((lu * 4096))" "nsze*512 = FTL logical_units*4096"
	check_true "namespace ($((nsze * 512))) fits in the region ($EXP_CAP_BYTES)" \
		test "$((nsze * 512))" -le "$EXP_CAP_BYTES"
	log "over-provisioning: $(( (EXP_CAP_BYTES - nsze * 512) / 1048576 )) MiB"
	op=$(sed -n 's/^op_permille *//p' "$M/model")
	# logical = flash / (1 + OP), less whole lines kept spare for GC
	check_true "logical capacity within 10% below flash/(1+$op/1000)" \
		awk "BEGIN{e=$EXP_CAP_BYTES/(1+$op/1000); n=$nsze*512; exit !(n > e*0.9 && n <= e)}"
elif [ "$MODE" = nvmev ]; then
	fail "debugfs nvmev/model or nvmev/ftl missing"
else
	check_num "$((nsze * 512))" "$EXP_CAP_BYTES" "nsze*512 (image size)"
fi
check_num "$ncap" "$nsze" "ncap = nsze"
check_num "$(cat /sys/block/nvme0n1/size)" "$nsze" "/sys/block size (512 B sectors) = nsze"
check_num "$(cat /sys/block/nvme0n1/queue/logical_block_size)" 512 "logical_block_size"
check_num "$(blockdev --getsize64 "$DEV")" "$((nsze * 512))" "blockdev --getsize64"
nvme id-ns "$DEV" -b >"$W/idns.bin" 2>/dev/null || fail "nvme id-ns -b failed"
check_num "$(le "$W/idns.bin" 0 8)" "$nsze" "nsze (bytes 0..7)"
check_num "$(le "$W/idns.bin" 8 8)" "$ncap" "ncap (bytes 8..15)"
