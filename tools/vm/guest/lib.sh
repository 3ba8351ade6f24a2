# SPDX-License-Identifier: GPL-2.0
# Guest-side helpers shared by the scenarios and tests/vm (busybox ash).
# Needs /etc/nvmev-vm.conf to be sourced first.

NVMEV_DEV=/dev/nvme0n1
NVMEV_CTRL=/dev/nvme0
# debugfs: the function trace's files, and the module parameters'
# controller's own directory (statistics, latency, cpu, model, ftl)
NVMEV_DBG=/sys/kernel/debug/nvmev
NVMEV_CDBG=$NVMEV_DBG/nvmev0
# Side channel for verbose output: the host writes ttyS1 to
# .build/<rel>/<scenario>.detail.log.
NVMEV_DETAIL=/dev/ttyS1
[ -c "$NVMEV_DETAIL" ] || NVMEV_DETAIL=/dev/null

vm_section() {
	echo
	echo "==================== $* ===================="
}

# Print a command, then run it (demo style).
vm_show() {
	echo "# $*"
	"$@"
}

# Load nvmev with the configured parameters plus any given ones.
# Control mode: load the stock nvme PCI driver instead (QEMU's NVMe is
# always there).  Returns insmod's status.
nvmev_load() {
	if [ "$NVMEV_MODE" = control ]; then
		[ -d /sys/module/nvme ] && return 0
		insmod "/lib/modules/$(uname -r)/$(grep '/host/nvme\.ko$' /etc/nvme-modules.list)"
		return $?
	fi
	# shellcheck disable=SC2086
	insmod /nvmev.ko $NVMEV_MODPARAMS "$@"
}

nvmev_unload() {
	if [ "$NVMEV_MODE" = control ]; then
		rmmod nvme
	else
		rmmod nvmev
	fi
}

nvmev_loaded() {
	if [ "$NVMEV_MODE" = control ]; then
		[ -d /sys/module/nvme ]
	else
		[ -d /sys/module/nvmev ]
	fi
}

# Wait (up to $1 s, default 20) until /dev/nvme0n1 exists and nvme0 is live.
wait_for_dev() {
	_t=${1:-20}
	_i=0
	while [ "$_i" -lt $((_t * 5)) ]; do
		if [ -b "$NVMEV_DEV" ] && [ "$(cat /sys/class/nvme/nvme0/state 2>/dev/null)" = live ]; then
			return 0
		fi
		usleep 200000
		_i=$((_i + 1))
	done
	return 1
}

# Wait (up to $1 s) until no nvme controller is left.
wait_for_no_dev() {
	_t=${1:-20}
	_i=0
	while [ "$_i" -lt $((_t * 5)) ]; do
		[ -e "$NVMEV_DEV" ] || [ -e /sys/class/nvme/nvme0 ] || return 0
		usleep 200000
		_i=$((_i + 1))
	done
	return 1
}
