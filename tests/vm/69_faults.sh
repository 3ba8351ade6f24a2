#!/bin/sh
# timeout: 300
# Seeded faults (configfs <ctrl>/faults/): read errors at a rate and after
# N reads (sticky as bad media, or not), write faults, latency outliers, a
# command that never completes, controller fatal status.  The same seed
# gives the same faults; SMART and the error log count them; bad input is
# refused; the host recovers from the lost command and the fatal status
# by its own timeout and reset.
. "$T_DIR/lib.sh"
need_nvmev
need_dev
F=/sys/kernel/config/nvmev/nvmev0/faults
BB=/sys/kernel/config/nvmev/nvmev0/namespaces/1/badblocks
BS=$(cat /sys/block/${DEV#/dev/}/queue/logical_block_size)
U=$((4096 / BS))
inj() { sed -n "s/^$1 //p" $F/injected; }
set_f() { echo "$2" > "$F/$1"; }
rd1() { nvme read "$DEV" -s $(($1 * U)) -c $((U - 1)) -z 4096 -d "$W/r1" >"$W/last.out" 2>&1; }

for a in seed read_error_ppm read_error_after sticky write_error_ppm latency_ppm latency_us stuck_after fatal injected; do
	check_true "faults/$a exists" test -e "$F/$a"
done
check_eq "$(cat $F/read_error_ppm) $(cat $F/sticky) $(cat $F/stuck_after)" "0 1 0" "defaults: no faults, sticky"
rand_file "$W/base" 262144
expect_ok "write 64 units" nvme write "$DEV" -s 0 -c $((262144 / BS - 1)) -z 262144 -d "$W/base"
m0=$(smart_num media_errors)

# the same seed, the same faults
pattern() {
	_p=""
	_i=0
	while [ $_i -lt 64 ]; do
		if rd1 $_i; then _p="${_p}."; else _p="${_p}X"; fi
		_i=$((_i + 1))
	done
	echo "$_p"
}
set_f sticky 0
set_f seed 42
set_f read_error_ppm 150000
p1=$(pattern)
set_f seed 42
p2=$(pattern)
set_f seed 7
p3=$(pattern)
set_f read_error_ppm 0
log "seed 42: $p1"
log "seed 42: $p2"
log "seed 7:  $p3"
n1=$(printf %s "$p1" | tr -cd X | wc -c)
check_true "15% of 64 reads failed ($n1)" test "$n1" -ge 2 -a "$n1" -le 25
check_eq "$p2" "$p1" "the same seed gives the same faults"
check_true "another seed, other faults" test "$p3" != "$p1"
check_eq "$(cat $BB)" "" "not sticky: no bad blocks left"
n3=$(printf %s "$p3" | tr -cd X | wc -c)
check_num "$(smart_num media_errors)" $((m0 + 2 * n1 + n3)) "SMART media errors count every injected error"
check_eq "$(inj read_errors)" $((2 * n1 + n3)) "injected read_errors"
expect_fail "a read with read_error_after=1" sh -c "echo 1 > $F/read_error_after && nvme read $DEV -s $((8 * U)) -c $((U - 1)) -z 4096 -d $W/r1"
check_match "$(cat "$W/last.out")" "Unrecovered Read Error|0x4281|0x281" "status Unrecovered Read Error"
lba=$(nvme error-log "$CTRL" -e 1 2>/dev/null | sed -n 's/^lba[[:space:]]*:[[:space:]]*//p' | head -n 1)
check_true "error log names an LBA of the read ($lba)" test $((lba)) -ge $((8 * U)) -a $((lba)) -lt $((9 * U))

# after N reads, sticky: bad until rewritten
set_f sticky 1
set_f read_error_after 3
expect_ok "read 1 of 3" rd1 20
expect_ok "read 2 of 3" rd1 21
expect_fail "read 3 of 3 fails" rd1 22
expect_fail "sticky: read again fails" rd1 22
check_match "$(cat $BB)" "^[0-9]+ 1$" "the LBA is in badblocks"
expect_ok "rewrite the unit (same data)" sh -c "dd if=$W/base bs=4096 skip=22 count=1 2>/dev/null | nvme write $DEV -s $((22 * U)) -c $((U - 1)) -z 4096"
expect_ok "read after the rewrite" rd1 22
check_eq "$(cat $BB)" "" "badblocks empty after the rewrite"

# write faults: the write fails, nothing changes
set_f write_error_ppm 1000000
rand_file "$W/new" 65536
expect_fail "dd of 64 KiB with every write failing" dd if="$W/new" of="$DEV" bs=65536 count=1 seek=1 oflag=direct
check_match "$(cat "$W/last.out")" "I/O error|No data available" "dd gets EIO/ENODATA"
set_f write_error_ppm 0
expect_ok "read the range back" nvme read "$DEV" -s $((16 * U)) -c $((16 * U - 1)) -z 65536 -d "$W/r16"
check_true "nothing changed where the write failed" sh -c "dd if=$W/base bs=65536 skip=1 count=1 2>/dev/null | cmp -s - $W/r16"
check_true "write faults counted ($(inj write_errors))" test "$(inj write_errors)" -ge 1
check_eq "$(inj retired_pages)" "$(inj write_errors)" "a retired page per write fault"

# latency outliers: every command 20..40 ms late
set_f latency_us 20000
set_f latency_ppm 1000000
t0=$(cut -d' ' -f1 /proc/uptime | tr -d .)
i=0; while [ $i -lt 10 ]; do rd1 $i || fail "delayed read $i failed"; i=$((i + 1)); done
t1=$(cut -d' ' -f1 /proc/uptime | tr -d .)
set_f latency_ppm 0
log "10 delayed reads: $(( (t1 - t0) * 10 )) ms"
check_true "10 reads delayed by >= 20 ms each took >= 200 ms" test $((t1 - t0)) -ge 20
check_true "delayed counted ($(inj delayed))" test "$(inj delayed)" -ge 10

# a command that never completes: the host times out, aborts, resets
TO=/sys/block/${DEV#/dev/}/queue/io_timeout
to0=$(cat $TO)
echo 3000 > $TO
set_f stuck_after 1
t0=$(cut -d' ' -f1 /proc/uptime | tr -d .)
expect_ok "a read whose command never completes returns after the host's recovery" \
	timeout 60 dd if="$DEV" of="$W/rs" bs=4096 count=1 skip=40 iflag=direct
t1=$(cut -d' ' -f1 /proc/uptime | tr -d .)
log "the read took $(( (t1 - t0) * 10 )) ms"
check_eq "$(inj stuck)" 1 "one command lost"
check_match "$(kmsg_all | tail -n 40)" "timeout|abort|reset" "the host's timeout handling ran"
check_true "the data read after recovery is right" sh -c "dd if=$W/base bs=4096 skip=40 count=1 2>/dev/null | cmp -s - $W/rs"
need_dev

# controller fatal status: the host resets the controller
expect_ok "fatal" sh -c "echo 1 > $F/fatal"
check_eq "$(cat $F/fatal)" 1 "CSTS.CFS set"
expect_ok "a read after the fatal status returns after the reset" \
	timeout 60 dd if="$DEV" of="$W/rf" bs=4096 count=1 skip=41 iflag=direct
check_true "its data is right" sh -c "dd if=$W/base bs=4096 skip=41 count=1 2>/dev/null | cmp -s - $W/rf"
check_eq "$(cat $F/fatal)" 0 "CSTS.CFS clear after the reset"
echo "$to0" > $TO

# bad input
expect_fail "read_error_ppm > 10^6 refused" sh -c "echo 1000001 > $F/read_error_ppm"
expect_fail "seed=x refused" sh -c "echo x > $F/seed"
expect_fail "sticky=2 refused" sh -c "echo 2 > $F/sticky"
expect_fail "fatal=0 refused" sh -c "echo 0 > $F/fatal"
check_eq "$(cat $F/read_error_ppm)" 0 "unchanged by bad input"
set_f seed 0
write_read_cmp 60000 "$W/base"
