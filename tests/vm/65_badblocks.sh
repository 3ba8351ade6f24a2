#!/bin/sh
# timeout: 120
# Injected media errors (configfs namespaces/<nsid>/badblocks, null_blk's
# syntax): a read that touches a bad LBA fails with Unrecovered Read
# Error, the Error Information log names the first bad LBA, SMART counts a
# media error; the LBAs around it read; a rewrite makes them good; "-"
# removes a range; bad input is refused with a message and changes
# nothing; the block layer's view: dd gets ENODATA (a medium error).
. "$T_DIR/lib.sh"
need_nvmev
need_dev
BB=/sys/kernel/config/nvmev/nvmev0/namespaces/1/badblocks
check_true "$BB exists" test -e "$BB"
check_eq "$(cat $BB)" "" "no bad blocks at first"
BS=$(cat /sys/block/${DEV#/dev/}/queue/logical_block_size)
S=2048
rand_file "$W/a" $((16 * BS))
expect_ok "write LBAs $S..$((S + 15))" nvme write "$DEV" -s $S -c 15 -z $((16 * BS)) -d "$W/a"
m0=$(smart_num media_errors)
e0=$(smart_num num_err_log_entries)

expect_ok "mark $((S + 4))-$((S + 7)) bad" sh -c "echo +$((S + 4))-$((S + 7)) > $BB"
check_eq "$(cat $BB)" "$((S + 4)) 4" "badblocks lists the range (first LBA, count)"
expect_fail "read over the bad range" nvme read "$DEV" -s $S -c 15 -z $((16 * BS)) -d "$W/b"
check_match "$(cat "$W/last.out")" "Unrecovered Read Error|0x281|0x4281" "status Unrecovered Read Error"
expect_fail "verify over the bad range" nvme verify "$DEV" -s $((S + 6)) -c 0
expect_ok "read before the bad range" nvme read "$DEV" -s $S -c 3 -z $((4 * BS)) -d "$W/b"
check_true "data before the bad range intact" sh -c "head -c $((4 * BS)) $W/a | cmp -s - $W/b"
expect_ok "read after it" nvme read "$DEV" -s $((S + 8)) -c 7 -z $((8 * BS)) -d "$W/b"
m1=$(smart_num media_errors)
check_num "$m1" $((m0 + 2)) "SMART media_errors counts the two failed reads"
el=$(nvme error-log "$CTRL" -e 4 2>/dev/null); echo "$el" | head -14
check_match "$(echo "$el" | sed -n 's/^lba[[:space:]]*:[[:space:]]*//p' | head -1)" "^(0x)?0*$(printf '%x' $((S + 4)))$|^$((S + 4))$" "error log: the first bad LBA ($((S + 4)))"
check_match "$(echo "$el" | sed -n 's/^status_field[[:space:]]*:[[:space:]]*//p' | head -1)" "0x281|0x4281|Unrecovered" "error log: the status"
e1=$(smart_num num_err_log_entries)
check_true "error log entries grew ($e0 -> $e1)" test "$e1" -gt "$e0"
dd if="$DEV" of=/dev/null bs=$BS skip=$S count=16 iflag=direct 2>"$W/dd.err" &&
	fail "dd over the bad range succeeded"
check_match "$(cat "$W/dd.err")" "No data available" "the block layer's view: ENODATA (BLK_STS_MEDIUM, as a real medium error)"

expect_ok "rewrite $((S + 5)) only" nvme write "$DEV" -s $((S + 5)) -c 0 -z "$BS" -d "$W/a"
check_eq "$(cat $BB | tr '\n' ' ')" "$((S + 4)) 1 $((S + 6)) 2 " "the rewritten LBA is good again"
expect_ok "rewrite the rest" nvme write "$DEV" -s $((S + 4)) -c 3 -z $((4 * BS)) -d "$W/a"
check_eq "$(cat $BB)" "" "all good after the rewrite"
expect_ok "read the whole range" nvme read "$DEV" -s $S -c 15 -z $((16 * BS)) -d "$W/b"

expect_ok "mark 100 bad" sh -c "echo +100 > $BB"
expect_ok "mark 200-299 bad" sh -c "echo +200-299 > $BB"
expect_ok "make 250-299 good" sh -c "echo -250-299 > $BB"
check_eq "$(cat $BB | tr '\n' ' ')" "100 1 200 50 " "ranges added and removed"
for bad in "+5-2" "+x" "*10" "+1-2-3" "+$(( $(blockdev --getsize64 $DEV) / BS ))"; do
	_n0=$(kmsg_lines)
	expect_fail "badblocks '$bad' refused" sh -c "echo '$bad' > $BB"
	kmsg_all | tail -n +$((_n0 + 1)) | grep -q "badblocks" || fail "no message for '$bad'"
	ok "dmesg names badblocks for '$bad'"
done
check_eq "$(cat $BB | tr '\n' ' ')" "100 1 200 50 " "unchanged after the bad writes"
expect_ok "clear them" sh -c "echo -0-1000 > $BB"
check_eq "$(cat $BB)" "" "empty again"
