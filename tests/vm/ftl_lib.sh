# SPDX-License-Identifier: GPL-2.0
# Helpers for the device-model tests (tests/vm/5[5-9]_ftl_*.sh).
# Source after lib.sh.

DBG=$NVMEV_CDBG

# ftl_stat NAME: a value from debugfs nvmev/ftl (or nvmev/model with $2).
ftl_stat() { sed -n "s/^$1 //p" "$DBG/${2:-ftl}" | head -n 1; }

# Reload nvmev on a small device so GC runs many times within the budget.
# small_device SIZE [extra params...]
small_device() {
	_sz=$1; shift
	if nvmev_loaded; then
		nvmev_unload || fail "rmmod nvmev"
		wait_for_no_dev 20 || fail "device still present after rmmod"
	fi
	echo "+ insmod /nvmev.ko $NVMEV_MODPARAMS memmap_size=$_sz $*"
	nvmev_load "memmap_size=$_sz" "$@" || fail "insmod with memmap_size=$_sz $* failed"
	wait_for_dev 30 || fail "$DEV not live after insmod memmap_size=$_sz"
	ok "nvmev loaded with memmap_size=$_sz $*"
	# whatever happens next, later tests get the default device back
	trap restore_quiet EXIT
}

restore_quiet() {
	nvmev_unload >/dev/null 2>&1
	wait_for_no_dev 20
	nvmev_load >/dev/null 2>&1
	wait_for_dev 30
}

# Put the standard device back for the tests that follow.
restore_device() {
	trap - EXIT
	nvmev_unload && wait_for_no_dev 20 && nvmev_load && wait_for_dev 30 ||
		fail "could not restore the default nvmev device"
	ok "default device restored"
}

# check_no_stall FIO_IOPS_LOG_PREFIX: fio's IOPS log (log_avg_msec=1000)
# has an entry for every second and none of them is zero: no interval
# longer than 1 s without completions.
check_no_stall() {
	_logs=$(ls "$1"_iops*.log 2>/dev/null)
	[ -n "$_logs" ] || fail "no fio IOPS log $1_iops*.log"
	for _l in $_logs; do
		# columns: msec, iops, dir, bs, offset
		_bad=$(awk -F, '$2+0 == 0 || (NR > 1 && $1 - prev > 1500) {print $1 "ms:" $2} {prev = $1}' "$_l" | head -n 3)
		# debug kernel: fio's own logging thread may sleep > 1.5 s
		if [ -n "$_bad" ] && on_debug_kernel; then
			log "note: gap in $_l ($_bad), not checked on the debug kernel"
			ok "IOPS log $(basename "$_l") present (stall check off on the debug kernel)"
			continue
		fi
		[ -z "$_bad" ] || fail "stall in $_l: $_bad"
		ok "no 1 s interval without completions ($(wc -l <"$_l") intervals in $(basename "$_l"))"
	done
}
