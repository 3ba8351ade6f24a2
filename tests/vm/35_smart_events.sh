#!/bin/sh
# timeout: 120
# Live health reporting: SMART counters move with I/O; a temperature
# threshold below the current temperature raises the critical warning and
# completes the host's held Asynchronous Event Request; a failed command
# lands in the Error Information log with its status.
. "$T_DIR/lib.sh"
need_nvmev
DBG=$NVMEV_CDBG
# js KEY FILE: a number from nvme-cli's JSON output (quoted or not)
js() { sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([0-9][0-9]*\).*/\1/p" "$2" | head -n 1; }
nvme smart-log "$CTRL" -o json >"$W/s0.json" 2>&1 || fail "smart-log: $(cat "$W/s0.json")"
cat "$W/s0.json"
t=$(js temperature "$W/s0.json")
[ -n "$t" ] && [ "$t" -lt 200 ] && t=$((t + 273))	# nvme-cli printed Celsius
check_true "temperature $t K is sane (273..358)" test "$t" -gt 273 -a "$t" -lt 358
check_num "$(js critical_warning "$W/s0.json")" 0 "no critical warning at rest"
rand_file "$W/d.bin" 65536
write_read_cmp 4096 "$W/d.bin"
nvme smart-log "$CTRL" -o json >"$W/s1.json" 2>&1 || fail "smart-log"
cat "$W/s1.json"
check_true "host_write_commands grew" test "$(js host_write_commands "$W/s1.json")" -gt "$(js host_write_commands "$W/s0.json")"
check_true "host_read_commands grew" test "$(js host_read_commands "$W/s1.json")" -gt "$(js host_read_commands "$W/s0.json")"
check_true "data_units_written >= 1" test "$(js data_units_written "$W/s1.json")" -ge 1

# temperature event: threshold below the current temperature
a0=$(sed -n 's/^aer_events //p' "$DBG/ctrl")
# Linux enables only the notices OAES advertises; enable the temperature
# warning (bit 1) as well
expect_ok "enable temperature warning events" nvme set-feature "$CTRL" -f 0xb -v 0x102
expect_ok "set over-temperature threshold to $((t - 10)) K" nvme set-feature "$CTRL" -f 4 -v $((t - 10))
i=0
while [ "$(sed -n 's/^aer_events //p' "$DBG/ctrl")" = "$a0" ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
check_true "asynchronous event delivered (aer_events $a0 -> $(sed -n 's/^aer_events //p' "$DBG/ctrl"))" \
	test "$(sed -n 's/^aer_events //p' "$DBG/ctrl")" -gt "$a0"
nvme smart-log "$CTRL" -o json >"$W/s2.json" 2>&1 || fail "smart-log"
check_num "$(( $(js critical_warning "$W/s2.json") & 2 ))" 2 "critical warning: temperature bit set"
expect_ok "restore threshold 343 K" nvme set-feature "$CTRL" -f 4 -v 343
nvme smart-log "$CTRL" -o json >"$W/s3.json" 2>&1 || fail "smart-log"
check_num "$(js critical_warning "$W/s3.json")" 0 "critical warning cleared"

# error log: a write beyond the end fails and is recorded
n=$(nsze)
nvme error-log "$CTRL" -e 1 -o json >"$W/e0.json" 2>&1 || fail "error-log: $(cat "$W/e0.json")"
c0=$(js error_count "$W/e0.json"); c0=${c0:-0}
expect_fail "write at LBA nsze" nvme write "$DEV" --start-block="$n" --block-count=0 --data-size=512 --data="$W/d.bin"
nvme error-log "$CTRL" -e 1 -o json >"$W/e1.json" 2>&1 || fail "error-log"
cat "$W/e1.json"
check_true "error_count grew ($c0 -> $(js error_count "$W/e1.json"))" test "$(js error_count "$W/e1.json")" -gt "$c0"
# status field: SC 80h (LBA out of range); nvme-cli may or may not have
# shifted out the phase bit
sf=$(js status_field "$W/e1.json")
check_true "logged status $sf is LBA Out of Range (SC 80h)" \
	test $(( sf & 0xff )) -eq $((0x80)) -o $(( (sf >> 1) & 0xff )) -eq $((0x80))
