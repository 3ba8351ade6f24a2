#!/bin/sh
# Get Features: arbitration (1), power management (2), temperature threshold
# (4), volatile write cache (6), number of queues (7), interrupt coalescing
# (8), async event configuration (0xb).
. "$T_DIR/lib.sh"
need_dev
getf() { # FID DESC -> sets VAL
	expect_ok "get-feature $2 (fid $1)" nvme get-feature "$CTRL" --feature-id="$1"
	# nvme-cli prints "Current value:0x00000007" (some fids without 0x)
	VAL=$(sed -n 's/.*Current value: *\(0x\)\{0,1\}\([0-9a-fA-F][0-9a-fA-F]*\).*/0x\2/p' "$W/last.out" | head -n 1)
	check_match "$VAL" '^0x[0-9a-fA-F]+$' "get-feature $2 returns a value ($VAL)"
}
getf 1 arbitration
getf 2 "power management"
npss=$(id_ctrl_field npss)
check_true "power state $((VAL & 0x1f)) <= npss $npss" test $((VAL & 0x1f)) -le $((npss))
getf 4 "temperature threshold"
getf 7 "number of queues"
nsqa=$(( (VAL & 0xffff) + 1 )) ncqa=$(( ((VAL >> 16) & 0xffff) + 1 ))
log "controller allocated $nsqa SQs / $ncqa CQs"
nhw=$(ls /sys/block/nvme0n1/mq | wc -l)
check_true "block layer uses $nhw hw queues <= $nsqa allocated SQs" test "$nhw" -le "$nsqa"
check_true "at least one I/O queue pair" test "$nsqa" -ge 1 -a "$ncqa" -ge 1
getf 8 "interrupt coalescing"
getf 0xb "async event configuration"
vwc=$(id_ctrl_field vwc)
if [ $((vwc & 1)) = 1 ]; then
	getf 6 "volatile write cache"
	check_true "VWC value is 0 or 1" test $((VAL & ~1)) = 0
else
	# no volatile write cache: either not supported (Invalid Field) or WCE=0
	if run nvme get-feature "$CTRL" --feature-id=6; then
		VAL=$(sed -n 's/.*Current value: *\(0x\)\{0,1\}\([0-9a-fA-F][0-9a-fA-F]*\).*/0x\2/p' "$W/last.out")
		check_num "$VAL" 0 "VWC reported disabled (no cache present)"
	else
		check_match "$(cat "$W/last.out")" 'Invalid Field|INVALID_FIELD|0x2' "VWC without cache: Invalid Field"
	fi
fi
