#!/bin/sh
# timeout: 120
# Runtime-writable knobs are bounded (issue 7, defect 8): idle_sleep_us=4e9
# made the device deaf and rmmod hang; buffer_size_kb recorded sizes it
# could not allocate.  A refused write leaves the value in force.
. "$T_DIR/lib.sh"
need_nvmev
expect_ok "insmod" nvmev_load
wait_for_dev 30 || fail "device did not come up"
P=/sys/module/nvmev/parameters
s0=$(cat $P/idle_sleep_us)
expect_fail "idle_sleep_us=4000000000 refused" sh -c "echo 4000000000 > $P/idle_sleep_us"
check_eq "$(cat $P/idle_sleep_us)" "$s0" "idle_sleep_us unchanged"
expect_fail "idle_spin_us=4000000000 refused" sh -c "echo 4000000000 > $P/idle_spin_us"
expect_fail "idle_sleep_us=abc refused" sh -c "echo abc > $P/idle_sleep_us"
expect_ok "idle_sleep_us=100000 accepted" sh -c "echo 100000 > $P/idle_sleep_us"
check_eq "$(cat $P/idle_sleep_us)" 100000 "idle_sleep_us"
rand_file "$W/d.bin" 4096
write_read_cmp 100 "$W/d.bin"
expect_ok "idle_sleep_us back to $s0" sh -c "echo $s0 > $P/idle_sleep_us"
TD=$NVMEV_DBG
if [ -f "$TD/buffer_size_kb" ]; then
	b0=$(cat $TD/buffer_size_kb)
	# more than a quarter of RAM over all possible CPUs (the module's limit)
	big=$(awk -v n="$(cat /sys/devices/system/cpu/possible | awk -F- '{ print ($2 == "" ? 1 : $2 + 1) }')" \
		'/^MemTotal:/ { printf "%d", $2 / 4 / n + 1024 }' /proc/meminfo)
	expect_fail "buffer_size_kb=$big (over a quarter of RAM in all) refused" sh -c "echo $big > $TD/buffer_size_kb"
	check_eq "$(cat $TD/buffer_size_kb)" "$b0" "buffer_size_kb unchanged"
	expect_fail "buffer_size_kb=0 refused" sh -c "echo 0 > $TD/buffer_size_kb"
	expect_ok "buffer_size_kb=2048 accepted" sh -c "echo 2048 > $TD/buffer_size_kb"
	check_eq "$(cat $TD/buffer_size_kb)" 2048 "buffer_size_kb"
	expect_ok "buffer_size_kb back" sh -c "echo $b0 > $TD/buffer_size_kb"
fi
t0=$(date +%s)
expect_ok "rmmod" nvmev_unload
wait_for_no_dev 30 || fail "device still present after rmmod"
check_true "rmmod took under 10 s" test $(( $(date +%s) - t0 )) -lt 10
