# SPDX-License-Identifier: GPL-2.0
# Helpers for tests/vm/*.sh (busybox ash, inside the VM).  A test:
#
#   #!/bin/sh
#   # timeout: 60            <- per-test limit in seconds (default 60)
#   . "$T_DIR/lib.sh"
#   need_dev                 <- or need_nvmev, which SKIPs in control mode
#   expect_ok "write works" nvme write ...
#   check_eq "$(id_ctrl_field mn)" "$EXP_MN" "model number"
#
# Every check that holds is recorded with ok(); the harness counts a test
# that exits 0 without any recorded check as FAILED.  fail/skip end the test.
. /etc/nvmev-vm.conf
. /vm/lib.sh

DEV=$NVMEV_DEV
CTRL=$NVMEV_CTRL
MODE=$NVMEV_MODE
W=/tmp/w.$T_NAME
mkdir -p "$W"

# What the device under test must report.  nvmev values come from the
# module's spec; control values are what QEMU's NVMe (started with mdts=6
# and a raw image of memmap_size - 1 MiB) reports, which proves the tests.
EXP_VER=0x10400
EXP_SQES=0x66
EXP_CQES=0x44
EXP_MDTS=6
if [ "$MODE" = nvmev ]; then
	EXP_MN="nvmev Virtual NVMe SSD"
	EXP_NN=32
	EXP_CAP_BYTES=$((NVMEV_MEMMAP_SIZE_BYTES - 1048576))
else
	EXP_MN="QEMU NVMe Ctrl"
	EXP_NN=256
	EXP_CAP_BYTES=$NVMEV_CONTROL_BYTES
fi
BAD_KMSG_RE='BUG|WARNING|Oops|soft lockup|rcu.*stall|hung_task|blocked for more than|Kernel panic|general protection fault|segfault at'
# debug kernel reports that say neither BUG nor WARNING (tools/vm/debug-kernel)
BAD_KMSG_RE="$BAD_KMSG_RE"'|UBSAN:|KASAN:|hard LOCKUP|non-static key|kmemleak: .*(disabled|Cannot|pool empty)'

log() { echo "[$T_NAME] $*"; }
ok() { echo "$*" >>"$T_STATE/asserts"; echo "ok: $*"; }
fail() { echo "$*" >>"$T_STATE/reason"; echo "FAILED: $*"; exit 1; }
skip() { echo "$*" >>"$T_STATE/reason"; echo "SKIPPED: $*"; exit 77; }

# run CMD...: echo, run, keep output in $W/last.out (and show it); sets RC.
run() {
	echo "+ $*"
	"$@" >"$W/last.out" 2>&1
	RC=$?
	cat "$W/last.out"
	[ "$RC" = 0 ] || echo "(exit status $RC)"
	return $RC
}
last_line() { grep -v '^[[:space:]]*$' "$W/last.out" | tail -n 1 | cut -c1-200; }

expect_ok() { # DESC CMD...
	_d=$1; shift
	run "$@" || fail "$_d: '$*' exited $RC: $(last_line)"
	ok "$_d"
}
expect_fail() { # DESC CMD...
	_d=$1; shift
	if run "$@"; then fail "$_d: '$*' unexpectedly succeeded"; fi
	ok "$_d (exit status $RC)"
}
check_eq() { # ACTUAL EXPECTED WHAT
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	ok "$3 = '$2'"
}
check_num() { # ACTUAL EXPECTED WHAT   (numeric, hex allowed)
	case $1 in ''|*[!0-9a-fA-FxX]*) fail "$3: '$1' is not a number";; esac
	[ $(($1)) -eq $(($2)) ] || fail "$3: got $1 ($(($1))), expected $2 ($(($2)))"
	ok "$3 = $2"
}
check_true() { # WHAT CMD...   (CMD's status decides; no output capture)
	_d=$1; shift
	"$@" || fail "$_d"
	ok "$_d"
}
check_match() { # TEXT ERE WHAT
	echo "$1" | grep -Eq -- "$2" || fail "$3: '$(echo "$1" | head -n 3 | tr '\n' ' ' | cut -c1-160)' does not match /$2/"
	ok "$3"
}

need_dev() {
	if [ ! -b "$DEV" ] || [ "$(cat /sys/class/nvme/nvme0/state 2>/dev/null)" != live ]; then
		wait_for_dev 10 || fail "$DEV not present/live (device never came up?)"
	fi
}
# The debug kernel (tools/vm/debug-kernel: KASAN, lockdep, ...) is several
# times slower: timing and overhead measurements mean nothing there.
on_debug_kernel() { case $NVMEV_KREL in *-nvmev-debug*) return 0;; esac; return 1; }
skip_on_debug_kernel() {
	on_debug_kernel && skip "timing measurement, meaningless on the debug kernel (KASAN, lockdep)"
	return 0
}
need_nvmev() {
	[ "$MODE" = nvmev ] || skip "nvmev-specific, not applicable in control mode"
}

# A number from nvme-cli's JSON smart-log (quoted or not), e.g. media_errors.
smart_num() { nvme smart-log "$CTRL" -o json 2>/dev/null | sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([0-9][0-9]*\).*/\1/p" | head -n 1; }

# Text field of nvme id-ctrl / id-ns, trailing blanks removed.
id_ctrl_field() { nvme id-ctrl "$CTRL" 2>/dev/null | sed -n "s/^$1 *: //p" | sed 's/ *$//' | head -n 1; }
id_ns_field() { nvme id-ns "$DEV" 2>/dev/null | sed -n "s/^$1 *: //p" | sed 's/ *$//' | head -n 1; }
nsze() { printf '%d' "$(id_ns_field nsze)"; }

# Binary helpers: byte FILE OFF -> decimal; le FILE OFF N -> little endian
# integer; str FILE OFF N -> ASCII field with trailing blanks/NULs removed.
byte() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' \n'; }
le() {
	_v=0 _i=$(($3 - 1))
	while [ "$_i" -ge 0 ]; do
		_v=$(( (_v << 8) | $(byte "$1" $(($2 + _i))) ))
		_i=$((_i - 1))
	done
	echo "$_v"
}
str() { dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | tr -d '\000' | sed 's/ *$//'; }

rand_file() { head -c "$2" /dev/urandom >"$1"; }

# Whole kernel log (busybox dmesg reads 16 KiB unless told otherwise).
kmsg_all() { dmesg -s 16777216; }
kmsg_lines() { kmsg_all | wc -l; }

# nvme write/read of FILE at SLBA (512-byte LBAs), then cmp.
# write_read_cmp SLBA FILE
write_read_cmp() {
	_sz=$(stat -c %s "$2")
	_nlb=$((_sz / 512 - 1))
	expect_ok "nvme write $_sz B at LBA $1" nvme write "$DEV" --start-block="$1" \
		--block-count=$_nlb --data-size="$_sz" --data="$2"
	rm -f "$W/rb.bin"
	expect_ok "nvme read $_sz B at LBA $1" nvme read "$DEV" --start-block="$1" \
		--block-count=$_nlb --data-size="$_sz" --data="$W/rb.bin"
	cmp "$2" "$W/rb.bin" >"$W/cmp.out" 2>&1 ||
		fail "data read back at LBA $1 differs: $(head -n 1 "$W/cmp.out")"
	ok "read back $_sz B at LBA $1 identical"
}

# fio wrapper: run_fio NAME ARGS... ; full output in $W/NAME.fio, checks
# exit status, err= 0 and no verify complaints.
run_fio() {
	_n=$1; shift
	echo "+ fio --name=$_n --filename=$DEV $*"
	fio --name="$_n" --filename="$DEV" --ioengine=libaio --direct=1 \
		--eta=never --output="$W/$_n.fio" "$@" >"$W/$_n.stdout" 2>&1
	_rc=$?
	cat "$W/$_n.fio" "$W/$_n.stdout"
	[ "$_rc" = 0 ] || fail "fio $_n exited $_rc: $(grep -E 'verify|error|bad|fio:' "$W/$_n.fio" "$W/$_n.stdout" | head -n 1 | cut -c1-160)"
	ok "fio $_n exit status 0"
	grep -Eq 'err= *[1-9]' "$W/$_n.fio" && fail "fio $_n reported errors: $(grep -E 'err=' "$W/$_n.fio" | head -n 1)"
	grep -Eiq 'verify: bad|bad magic|crc32c: verify failed|verify failed' "$W/$_n.fio" "$W/$_n.stdout" &&
		fail "fio $_n verification failed"
	ok "fio $_n: no I/O or verify errors"
}
# IOPS of the last fio run NAME ("read"/"write"), as printed by fio.
fio_iops() { sed -n "s/^ *$2: IOPS=\([^,]*\),.*/\1/p" "$W/$1.fio" | head -n 1; }

# The suite's nvmev0 (loaded by 20_load, left loaded by 70 for the tests
# after it), for a test that makes its own: suite_nvmev_down unloads it if
# it is loaded, suite_nvmev_back puts it back if it was.
SUITE_HAD_NVMEV=0
suite_nvmev_down() {
	[ -d /sys/module/nvmev ] || return 0
	SUITE_HAD_NVMEV=1
	expect_ok "unload the suite's nvmev first" nvmev_unload
	wait_for_no_dev 30 || fail "$DEV still there 30 s after rmmod"
}
suite_nvmev_back() {
	[ "$SUITE_HAD_NVMEV" = 1 ] || return 0
	expect_ok "the suite's nvmev back ($NVMEV_MODPARAMS)" nvmev_load
	wait_for_dev 30 || fail "$DEV not back 30 s after insmod"
}

# hostile_insmod DESC PARAMS...: insmod nvmev.ko with bad parameters; it must
# be refused, leave nothing loaded (module, PCI device, nvme controller) and
# say why in dmesg.
hostile_insmod() {
	_d=$1; shift
	need_nvmev
	[ -f /nvmev.ko ] || fail "/nvmev.ko missing from the image"
	if [ -d /sys/module/nvmev ]; then
		fail "nvmev already loaded before the test"
	fi
	_n0=$(kmsg_lines)
	_pci0=$(ls /sys/bus/pci/devices | wc -l)
	_nv0=$(ls /sys/class/nvme 2>/dev/null | wc -l)
	echo "+ insmod /nvmev.ko $*"
	timeout 30 insmod /nvmev.ko "$@" >"$W/last.out" 2>&1
	RC=$?
	cat "$W/last.out"
	if [ "$RC" = 0 ]; then
		sleep 1
		rmmod nvmev
		wait_for_no_dev 20
		fail "$_d: insmod with '$*' succeeded; it must be refused"
	fi
	[ "$RC" = 143 ] || [ "$RC" = 137 ] && fail "$_d: insmod hung (killed after 30 s)"
	ok "$_d: insmod refused (exit status $RC: $(last_line))"
	sleep 1
	[ -d /sys/module/nvmev ] && fail "$_d: /sys/module/nvmev exists after refused insmod"
	lsmod | grep -q '^nvmev ' && fail "$_d: lsmod still lists nvmev"
	ok "$_d: nvmev not loaded (lsmod, /sys/module)"
	check_num "$(ls /sys/bus/pci/devices | wc -l)" "$_pci0" "$_d: PCI device count unchanged"
	check_num "$(ls /sys/class/nvme 2>/dev/null | wc -l)" "$_nv0" "$_d: nvme controller count unchanged"
	_msg=$(kmsg_all | tail -n +$((_n0 + 1)) | grep -v 'nvmev-test:' | grep -i 'nvmev')
	echo "dmesg since insmod:"
	kmsg_all | tail -n +$((_n0 + 1))
	[ -n "$_msg" ] || fail "$_d: no nvmev message in dmesg explaining the refusal"
	ok "$_d: dmesg says: $(echo "$_msg" | tail -n 1 | cut -c1-120)"
	# HOSTILE_EXPECT=NAME: the explanation must name that parameter
	if [ -n "${HOSTILE_EXPECT:-}" ]; then
		echo "$_msg" | grep -q -- "$HOSTILE_EXPECT" ||
			fail "$_d: no nvmev message names '$HOSTILE_EXPECT': $(echo "$_msg" | tail -n 1 | cut -c1-120)"
		ok "$_d: the message names $HOSTILE_EXPECT"
	fi
	_bad=$(kmsg_all | tail -n +$((_n0 + 1)) | grep -E "$BAD_KMSG_RE" | head -n 1)
	[ -z "$_bad" ] || fail "$_d: kernel trouble after refused insmod: $_bad"
	ok "$_d: no kernel warnings"
}
