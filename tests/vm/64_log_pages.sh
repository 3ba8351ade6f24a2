#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# Supported Log Pages (log 00h, issue 8) and Get Log Page around it.
# Byte offsets (within the log, multiple of 4) and partial lengths, on the
# static effects log, which names Verify and Copy.  nvme
# supported-log-pages prints the list: every LID in it has LSUPP set and
# answers Get Log Page, a LID that is not in it is refused; nvmev lists
# exactly 00h (itself), Error, SMART, Firmware Slot, Changed Namespace
# List and Commands Supported and Effects, none with index offsets (IOS),
# so Offset Type 1 is refused.  QEMU 7.2 (control mode) has no log 00h:
# there only the offset and effects parts run.
. "$T_DIR/lib.sh"
need_dev
n0=$(kmsg_lines)

# getlog_bin OUT ARGS...: nvme get-log ARGS, binary, into OUT
getlog_bin() {
	_o=$1; shift
	echo "+ nvme get-log $* -b"
	nvme get-log "$@" -b >"$_o" 2>"$W/err.out" || fail "get-log $*: $(tail -n 1 "$W/err.out")"
	ok "get-log $*"
}
# same FILE1 FILE2 WHAT
same() {
	cmp "$1" "$2" >"$W/cmp.out" 2>&1 || fail "$3: $(head -n 1 "$W/cmp.out")"
	ok "$3"
}

# the effects log names the new commands
expect_ok "effects-log" nvme effects-log "$CTRL"
check_match "$(cat "$W/last.out")" 'IOCS12 +\[Verify' "effects log lists Verify"
check_match "$(cat "$W/last.out")" 'IOCS25 +\[Copy' "effects log lists Copy"

# offsets and lengths on the effects log (4096 bytes, never changes)
getlog_bin "$W/l5.bin" "$CTRL" --log-id=5 --log-len=4096
check_num "$(stat -c %s "$W/l5.bin")" 4096 "effects log: 4096 bytes"
getlog_bin "$W/l5o.bin" "$CTRL" --log-id=5 --log-len=16 --lpo=8
dd if="$W/l5.bin" bs=1 skip=8 count=16 2>/dev/null >"$W/l5x.bin"
same "$W/l5x.bin" "$W/l5o.bin" "effects log, 16 bytes at offset 8: bytes 8..23"
getlog_bin "$W/l5e.bin" "$CTRL" --log-id=5 --log-len=4 --lpo=4092
dd if="$W/l5.bin" bs=1 skip=4092 count=4 2>/dev/null >"$W/l5x.bin"
same "$W/l5x.bin" "$W/l5e.bin" "effects log, 4 bytes at offset 4092: the last dword"
expect_fail "get-log 05h at offset 2 (not a multiple of 4)" \
	nvme get-log "$CTRL" --log-id=5 --log-len=4 --lpo=2
check_match "$(cat "$W/last.out")" 'Invalid Field' "offset 2: Invalid Field in Command"
expect_fail "get-log 05h at offset 4096 (beyond the log)" \
	nvme get-log "$CTRL" --log-id=5 --log-len=4 --lpo=4096
check_match "$(cat "$W/last.out")" 'Invalid Field' "offset 4096: Invalid Field in Command"

if ! nvme get-log "$CTRL" --log-id=0 --log-len=4 >/dev/null 2>&1; then
	[ "$MODE" = nvmev ] && fail "Get Log Page of log 00h refused"
	log "control device has no Supported Log Pages log (QEMU 7.2): the rest is skipped"
	exit 0
fi
expect_ok "nvme supported-log-pages" nvme supported-log-pages "$CTRL"
cp "$W/last.out" "$W/slp.txt"
# "LID:value" words, one line
lids=$(sed -n 's/^LID 0x\([0-9a-f]*\) .*supports 0x\([0-9a-f]*\)$/\1:\2/p' "$W/slp.txt" |
	tr '\n' ' ' | sed 's/ *$//')
check_true "supported-log-pages lists LIDs ($lids)" test -n "$lids"
for e in $lids; do
	l=$((0x${e%:*})) v=$((0x${e#*:}))
	check_true "LID $l: LSUPP set (0x$(printf %x $v))" test $((v & 1)) = 1
	expect_ok "LID $l listed: Get Log Page answers" \
		nvme get-log "$CTRL" --log-id=$l --log-len=512
done
for l in 0 1 2 3 5; do
	echo "$lids" | tr ' ' '\n' | grep -q "^$(printf %x $l):" || fail "LID $l not in the list"
done
ok "LIDs 00h, 01h, 02h, 03h and 05h listed"
for l in 6 7 0x0c 0x12 0x80 0xc0; do
	echo "$lids" | tr ' ' '\n' | grep -q "^$(printf %x $l):" && continue
	expect_fail "LID $l not listed: Get Log Page refuses it" \
		nvme get-log "$CTRL" --log-id=$l --log-len=512
	check_match "$(cat "$W/last.out")" 'Invalid Log Page|Invalid Field' \
		"LID $l: Invalid Log Page or Invalid Field"
done

# log 00h itself through Get Log Page: 1024 bytes, offsets
getlog_bin "$W/l0.bin" "$CTRL" --log-id=0 --log-len=1024
check_num "$(stat -c %s "$W/l0.bin")" 1024 "log 00h: 1024 bytes"
check_num "$(($(le "$W/l0.bin" 0 4) & 1))" 1 "log 00h, entry 00h: LSUPP"
check_num "$(($(le "$W/l0.bin" 8 4) & 1))" 1 "log 00h, entry 02h (SMART): LSUPP"
getlog_bin "$W/l0o.bin" "$CTRL" --log-id=0 --log-len=16 --lpo=8
dd if="$W/l0.bin" bs=1 skip=8 count=16 2>/dev/null >"$W/l0x.bin"
same "$W/l0x.bin" "$W/l0o.bin" "log 00h, 16 bytes at offset 8: bytes 8..23"

if [ "$MODE" = nvmev ]; then
	check_eq "$lids" "0:1 1:1 2:1 3:1 4:1 5:1" "nvmev's list: 00h-05h, LSUPP only (no IOS)"
	expect_ok "supported-log-pages -v" nvme supported-log-pages "$CTRL" -v
	check_num "$(grep -c 'IOS is not supported' "$W/last.out")" 6 \
		"no log has index offsets (IOS clear)"
	check_num "$(id_ctrl_field lpa)" 0x6 "LPA: effects log, extended data"
	expect_fail "get-log 00h at offset 1024 (beyond the log)" \
		nvme get-log "$CTRL" --log-id=0 --log-len=4 --lpo=1024
	check_match "$(cat "$W/last.out")" 'Invalid Field' "offset 1024: Invalid Field in Command"
	expect_fail "get-log 00h with Offset Type 1 (IOS clear)" \
		nvme get-log "$CTRL" --log-id=0 --log-len=4 --ot
	check_match "$(cat "$W/last.out")" 'Invalid Field' "Offset Type 1: Invalid Field in Command"
	getlog_bin "$W/l4.bin" "$CTRL" --log-id=4 --log-len=4096
	check_num "$(stat -c %s "$W/l4.bin")" 4096 "Changed Namespace List: 4096 bytes"
	cmp -s -n 4096 "$W/l4.bin" /dev/zero || fail "Changed Namespace List is not empty"
	ok "Changed Namespace List: 4096 bytes of zeroes"
fi

bad=$(kmsg_all | tail -n +$((n0 + 1)) |
	grep -E "$BAD_KMSG_RE|nvme.*timeout|resetting controller|unusual effects" | head -n 1)
[ -z "$bad" ] || fail "kernel log: $bad"
ok "no warning, timeout or reset in the kernel log"
