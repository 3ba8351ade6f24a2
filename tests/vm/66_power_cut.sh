#!/bin/sh
# timeout: 240
# Power loss with the volatile write cache (configfs power_cut, power_on,
# power_restore_ms): data acknowledged from the write buffer but not yet
# on NAND is gone after a cut, data made durable by Flush or FUA is
# intact; LBAs never written before read zeroes again; the controller
# goes away as a surprise removal and comes back on power_on, or by itself
# after power_restore_ms; SMART counts the unsafe shutdowns; with the
# write cache disabled (feature 06h) every write survives; bad input is
# refused.  The 970pro page is 32 KiB (8 units of 4 KiB): writes of fewer
# units after a Flush stay in the open page until the next Flush.
. "$T_DIR/lib.sh"
need_nvmev
need_dev
CF=/sys/kernel/config/nvmev/nvmev0
PW=/sys/kernel/debug/nvmev/nvmev0/power
BS=$(cat /sys/block/${DEV#/dev/}/queue/logical_block_size)
U=$((4096 / BS))		# LBAs per 4 KiB unit
dbg() { sed -n "s/^$1 //p" "$PW"; }
# write $3 bytes of file $2 at unit $1 (nvme write: -c is 0's based)
wr() { nvme write "$DEV" -s $(($1 * U)) -c $(($3 / BS - 1)) -z "$3" -d "$2" $4 >"$W/last.out" 2>&1; }
rd() { nvme read "$DEV" -s $(($1 * U)) -c $(($3 / BS - 1)) -z "$3" -d "$2" >"$W/last.out" 2>&1; }
cut_and_wait() {
	expect_ok "$1: power_cut" sh -c "echo 1 > $CF/power_cut"
	wait_for_no_dev 20 || fail "$1: the controller is still there 20 s after the cut"
	ok "$1: the controller went away"
}

for a in power_cut power_on power_restore_ms; do
	check_true "$a exists" test -e "$CF/$a"
done
check_eq "$(cat $CF/power_on)" 1 "power is on"
check_eq "$(dbg write_cache)" volatile "debugfs: the write cache is volatile"
us0=$(smart_num unsafe_shutdowns)

A=4096; B=8192; C=12288; D=16384	# units, 16 MiB apart
rand_file "$W/a" 65536; rand_file "$W/b0" 12288; rand_file "$W/b1" 12288
rand_file "$W/c" 8192; rand_file "$W/d" 4096
expect_ok "write A (64 KiB)" wr $A "$W/a" 65536
expect_ok "write B, first version" wr $B "$W/b0" 12288
expect_ok "flush" nvme flush "$DEV"
expect_ok "FUA write D" wr $D "$W/d" 4096 --force-unit-access
expect_ok "overwrite B (3 units), no flush" wr $B "$W/b1" 12288
expect_ok "write C (2 never-written units), no flush" wr $C "$W/c" 8192
check_eq "$(dbg at_risk_units)" 5 "debugfs: 5 units at risk (B and C in the open page)"
expect_ok "B reads its new version before the cut" rd $B "$W/rb" 12288
check_true "B is the new version before the cut" cmp -s "$W/rb" "$W/b1"

cut_and_wait "cut 1"
check_eq "$(cat $CF/enable)" 1 "enable still 1 while the power is off"
check_eq "$(cat $CF/power_on)" 0 "power_on reads 0 while off"
expect_fail "a second cut while off" sh -c "echo 1 > $CF/power_cut"
expect_fail "a setting while off" sh -c "echo 5 > $CF/mdts"
expect_fail "enable=1 while off" sh -c "echo 1 > $CF/enable"
expect_ok "power_on" sh -c "echo 1 > $CF/power_on"
wait_for_dev 30 || fail "not back 30 s after power_on"
ok "the controller is back"
expect_ok "read A" rd $A "$W/ra" 65536
check_true "A (flushed) intact" cmp -s "$W/ra" "$W/a"
expect_ok "read B" rd $B "$W/rb" 12288
check_true "B is back to its flushed version" cmp -s "$W/rb" "$W/b0"
expect_ok "read C" rd $C "$W/rc" 8192
check_true "C (never written before, not flushed) reads zeroes" sh -c "head -c 8192 /dev/zero | cmp -s - $W/rc"
expect_ok "read D" rd $D "$W/rd" 4096
check_true "D (FUA) intact" cmp -s "$W/rd" "$W/d"
check_num "$(smart_num unsafe_shutdowns)" $((us0 + 1)) "SMART unsafe shutdowns +1"
check_eq "$(dbg last_cut_lost_units)" 5 "debugfs: the cut took back 5 units"
check_eq "$(dbg last_cut_restored)" 3 "debugfs: 3 given their old data"
check_eq "$(dbg last_cut_unmapped)" 2 "debugfs: 2 unmapped again"
check_match "$(kmsg_all | tail -n 200)" "nvmev0: power cut: 5 units had not reached NAND" "kernel log names the units lost"

# power comes back by itself
expect_ok "power_restore_ms=1500" sh -c "echo 1500 > $CF/power_restore_ms"
rand_file "$W/e" 4096
expect_ok "flush" nvme flush "$DEV"
expect_ok "write E, no flush" wr $B "$W/e" 4096
cut_and_wait "cut 2"
wait_for_dev 30 || fail "not back by itself 30 s after the cut (power_restore_ms=1500)"
ok "back by itself"
expect_ok "read E's unit" rd $B "$W/re" 4096
check_true "E lost: B's first unit is its flushed version" sh -c "head -c 4096 $W/b0 | cmp -s - $W/re"
expect_ok "power_restore_ms=0" sh -c "echo 0 > $CF/power_restore_ms"

# write cache disabled: every write is durable at completion
expect_ok "disable the write cache" nvme set-feature "$CTRL" -f 6 -v 0
check_eq "$(dbg write_cache)" "disabled (every write is FUA)" "debugfs: write cache disabled"
rand_file "$W/f" 4096
expect_ok "write F, no flush" wr $C "$W/f" 4096
check_eq "$(dbg at_risk_units)" 0 "debugfs: nothing at risk"
cut_and_wait "cut 3"
expect_ok "power_on" sh -c "echo 1 > $CF/power_on"
wait_for_dev 30 || fail "not back 30 s after power_on"
expect_ok "read F" rd $C "$W/rf" 4096
check_true "F survived (write cache off)" cmp -s "$W/rf" "$W/f"
check_match "$(nvme get-feature "$CTRL" -f 6 2>/dev/null)" "Current value: *0x0*1$" \
	"the write cache is on again after power-on (feature default)"

# bad input
expect_fail "power_cut=0 refused" sh -c "echo 0 > $CF/power_cut"
expect_fail "power_cut=x refused" sh -c "echo x > $CF/power_cut"
expect_fail "power_on while on refused" sh -c "echo 1 > $CF/power_on"
expect_fail "power_restore_ms=-1 refused" sh -c "echo -1 > $CF/power_restore_ms"
expect_fail "power_restore_ms=x refused" sh -c "echo x > $CF/power_restore_ms"
check_eq "$(cat $CF/power_restore_ms)" 0 "power_restore_ms unchanged by bad input"
check_num "$(smart_num unsafe_shutdowns)" $((us0 + 3)) "SMART unsafe shutdowns +3 in all"
write_read_cmp 50000 "$W/a"
