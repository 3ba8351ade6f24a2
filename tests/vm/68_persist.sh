#!/bin/sh
# timeout: 300
# Data survives rmmod/insmod (and a power cut) because the FTL rebuilds its
# mapping at load by scanning the out-of-band area it keeps in the region
# (fresh=0, the default; the test bed loads with fresh=1).  Written,
# flushed, unflushed and deallocated data are as before the reload; fio's
# crc32c verify of a whole written area passes after it; power-on after a
# cut scans again; a different geometry or fresh=1 starts empty; the
# scan's time is reported.
. "$T_DIR/lib.sh"
need_nvmev
suite_nvmev_down
P=$(echo " $NVMEV_MODPARAMS " | sed 's/ fresh=[01] / /; s/^ //; s/ $//')
PW=/sys/kernel/debug/nvmev/nvmev0/power
CF=/sys/kernel/config/nvmev/nvmev0
dbg() { sed -n "s/^$1 //p" "$PW"; }
load() { # DESC PARAMS...
	_d=$1; shift
	expect_ok "$_d: insmod $P $*" sh -c "insmod /nvmev.ko $P $*"
	wait_for_dev 30 || fail "$_d: $DEV not live 30 s after insmod"
}
unload() {
	expect_ok "$1: rmmod" nvmev_unload
	wait_for_no_dev 30 || fail "$1: $DEV still there 30 s after rmmod"
}
BS=$(cat /sys/block/${DEV#/dev/}/queue/logical_block_size 2>/dev/null || echo 512)

load "first load" fresh=1
check_match "$(kmsg_all | tail -n 20)" "nvmev0: starting empty \(fresh=1\)" "fresh=1 starts empty"
BS=$(cat /sys/block/${DEV#/dev/}/queue/logical_block_size)
U=$((4096 / BS))
rand_file "$W/a" 262144; rand_file "$W/b" 65536; rand_file "$W/c" 65536
expect_ok "write A (256 KiB)" nvme write "$DEV" -s $((1000 * U)) -c $((262144 / BS - 1)) -z 262144 -d "$W/a"
expect_ok "flush" nvme flush "$DEV"
expect_ok "write B (64 KiB, not flushed)" nvme write "$DEV" -s $((3000 * U)) -c $((65536 / BS - 1)) -z 65536 -d "$W/b"
expect_ok "write C (64 KiB)" nvme write "$DEV" -s $((5000 * U)) -c $((65536 / BS - 1)) -z 65536 -d "$W/c"
expect_ok "deallocate C" nvme dsm "$DEV" --namespace-id=1 --ad --slbs=$((5000 * U)) --blocks=$((65536 / BS))
run_fio pw --ioengine=psync --rw=randwrite --bs=4k \
	--offset=64m --size=96m --verify=crc32c --do_verify=0 --randrepeat=1
m0=$(sed -n 's/^mapped_units //p' /sys/kernel/debug/nvmev/nvmev0/ftl)
log "mapped units before the reload: $m0"
unload "reload 1"

load "reload 1"
line=$(kmsg_all | grep "nvmev0: load: recovered" | tail -n 1)
log "$line"
check_match "$line" "recovered $m0 mapped units" "the scan finds every mapped unit ($m0)"
check_eq "$(dbg recoveries)" 1 "debugfs: one recovery"
check_eq "$(dbg persistent)" yes "debugfs: persistent"
expect_ok "read A" nvme read "$DEV" -s $((1000 * U)) -c $((262144 / BS - 1)) -z 262144 -d "$W/ra"
check_true "A intact after reload" cmp -s "$W/a" "$W/ra"
expect_ok "read B" nvme read "$DEV" -s $((3000 * U)) -c $((65536 / BS - 1)) -z 65536 -d "$W/rb"
check_true "B (unflushed, orderly shutdown) intact after reload" cmp -s "$W/b" "$W/rb"
expect_ok "read C" nvme read "$DEV" -s $((5000 * U)) -c $((65536 / BS - 1)) -z 65536 -d "$W/rc"
check_true "C (deallocated) reads zeroes after reload" sh -c "head -c 65536 /dev/zero | cmp -s - $W/rc"
run_fio pw --ioengine=psync --rw=randwrite --bs=4k \
	--offset=64m --size=96m --verify=crc32c --verify_only --randrepeat=1
ok "fio crc32c verify of 96 MiB written before the reload"

# a power cut: power-on scans again
expect_ok "power_cut" sh -c "echo 1 > $CF/power_cut"
wait_for_no_dev 20 || fail "still there 20 s after the cut"
expect_ok "power_on" sh -c "echo 1 > $CF/power_on"
wait_for_dev 30 || fail "not back 30 s after power_on"
check_match "$(kmsg_all | tail -n 20)" "nvmev0: power-on: recovered [0-9]+ mapped units" "power-on scans the OOB"
check_eq "$(dbg recoveries)" 2 "debugfs: two recoveries"
expect_ok "read A" nvme read "$DEV" -s $((1000 * U)) -c $((262144 / BS - 1)) -z 262144 -d "$W/ra"
check_true "A intact after the cut" cmp -s "$W/a" "$W/ra"
log "recovery: $(dbg last_recovery_us) us for $(dbg last_recovery_programmed_units) programmed units"
unload "reload 2"

# another geometry starts empty (and takes the region)
load "qlc profile" profile=qlc
check_match "$(kmsg_all | tail -n 20)" "nvmev0: starting empty \(the region holds another geometry\)" "another geometry starts empty"
expect_ok "read A's LBAs" nvme read "$DEV" -s $((1000 * U)) -c 7 -z $((8 * BS)) -d "$W/rz"
check_true "they read zeroes" sh -c "head -c $((8 * BS)) /dev/zero | cmp -s - $W/rz"
unload "qlc"
load "back to 970pro" fresh=0
check_match "$(kmsg_all | tail -n 20)" "nvmev0: starting empty \(the region holds another geometry\)" "the qlc superblock is not 970pro's"
unload "970pro"
expect_ok "fresh=x refused" sh -c "! insmod /nvmev.ko $P fresh=x"
suite_nvmev_back
