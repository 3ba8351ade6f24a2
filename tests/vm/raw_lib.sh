# SPDX-License-Identifier: GPL-2.0
# Helpers for the raw-driver tests (tests/vm/47-49_raw_*.sh): run one case
# of /tests/raw/nvmev-raw (tests/raw/), which unbinds nvmev's function from
# the nvme driver, drives the controller from user space and rebinds it.
# Every "raw-ok: ..." line it prints becomes an ok() assertion, the first
# "raw-FAIL: ..." line the test's failure reason.  Afterwards the function
# must be back with nvme: /dev/nvme0n1 live, a write/read/compare works and
# the kernel log since the case started has no BUG/WARNING/Oops/lockup.
RAW=/tests/raw/nvmev-raw
RAW_BDF=1000:00:00.0

raw_rebind_if_needed() {
	[ -e "/sys/bus/pci/devices/$RAW_BDF/driver" ] && return 0
	echo "function not bound after nvmev-raw: binding it to nvme"
	echo "$RAW_BDF" >/sys/bus/pci/drivers/nvme/bind 2>/dev/null ||
		echo "$RAW_BDF" >/sys/bus/pci/drivers_probe
}

# raw_after N0 WHAT: device back and clean (kernel log lines from N0 on)
raw_after() {
	wait_for_dev 30 || fail "$2: $DEV not live 30 s after nvmev-raw rebound the function"
	ok "$2: rebound to nvme, $DEV live"
	rand_file "$W/after.bin" 65536
	write_read_cmp 4096 "$W/after.bin"
	_bad=$(kmsg_all | tail -n +$(($1 + 1)) | grep -v 'nvmev-test:' | grep -E "$BAD_KMSG_RE" | head -n 3)
	[ -z "$_bad" ] || fail "$2: kernel log since the case started has: $(echo "$_bad" | head -n 1 | cut -c1-160)"
	ok "$2: no BUG/WARNING/Oops/lockup in the kernel log since the case started"
}

# raw_run WHAT ARGS...: run nvmev-raw ARGS, turn its lines into assertions
raw_run() {
	_what=$1; shift
	need_nvmev
	need_dev
	[ -x "$RAW" ] || fail "$RAW missing from the VM image"
	_n0=$(kmsg_lines)
	echo "+ $RAW $*"
	"$RAW" "$@" >"$W/raw.out" 2>&1
	_rc=$?
	cat "$W/raw.out"
	raw_rebind_if_needed
	# shellcheck disable=SC2034
	grep '^raw-ok: ' "$W/raw.out" | sed 's/^raw-ok: //' | while IFS= read -r _l; do
		ok "$_what: $_l" >/dev/null
	done
	_f=$(grep '^raw-FAIL: ' "$W/raw.out" | head -n 1 | sed 's/^raw-FAIL: //' | cut -c1-200)
	if [ -n "$_f" ] || [ "$_rc" != 0 ]; then
		wait_for_dev 30 || echo "(and $DEV is not live again)"
		[ -n "$_f" ] && fail "$_what: $_f"
		fail "$_what: nvmev-raw exited $_rc: $(grep -v '^ *$' "$W/raw.out" | tail -n 1 | cut -c1-160)"
	fi
	ok "$_what: nvmev-raw exit status 0, $(grep -c '^raw-ok: ' "$W/raw.out") checks held"
	raw_after "$_n0" "$_what"
}

raw_case() { raw_run "$1" case "$1"; }
