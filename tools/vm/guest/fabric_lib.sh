# SPDX-License-Identifier: GPL-2.0
# Helpers of the two-VM NVMe/TCP scenario (tools/vm/nvmev-vm fabric):
# fabric_target.sh runs nvmev and the nvmet export, fabric_host.sh connects
# to it.  The VMs share a QEMU socket network (192.168.77.0/24, virtio-net
# or e1000) and nothing else; the host VM drives the target through a small control
# server (busybox nc, port 7777, fabric_ctl.sh).  busybox ash.

FABRIC_TARGET_IP=192.168.77.1
FABRIC_HOST_IP=192.168.77.2
FABRIC_PORT=4420
FABRIC_CTL_PORT=7777
FABRIC_NQN=nqn.2026-11.io.github.nvmev:fabric-target
FABRIC_HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:6e766d65-7600-4000-8000-000000000002
FABRIC_HOSTID=6e766d65-7600-4000-8000-000000000002
TR=/sys/kernel/tracing

fab_pass() { echo "PASS: $*"; FAB_PASSED=$((${FAB_PASSED:-0} + 1)); }
fab_fail() { echo "FAIL: $*"; FAB_FAILED=$((${FAB_FAILED:-0} + 1)); }
fab_skip() { echo "SKIP: $*"; }

# Load a module (and what it needs) from the image's modules.dep.
fab_modprobe() {
	for m in "$@"; do
		modprobe "$m" 2>/tmp/modprobe.err || {
			echo "modprobe $m failed: $(cat /tmp/modprobe.err)"
			return 1
		}
	done
}

# Bring up the fabric link with address $1: eth0, virtio-net or e1000
# (nvmev-vm --fabric-nic); the driver of the NIC that is there binds.
fab_net() {
	modprobe virtio_pci 2>/dev/null
	modprobe virtio_net 2>/dev/null
	modprobe e1000 2>/dev/null
	_i=0
	while [ ! -e /sys/class/net/eth0 ] && [ $_i -lt 50 ]; do usleep 100000; _i=$((_i + 1)); done
	ip link set lo up
	ip link set eth0 up || return 1
	ip addr add "$1/24" dev eth0 || return 1
	return 0
}

# Ring buffer to the detail console (ttyS1), framed for nvmev-vm, which
# cuts it out into .build/<rel>/fabric/<name>.trace.
fab_trace_dump() { # NAME
	echo "@@TRACE-BEGIN $1" >"$NVMEV_DETAIL"
	cat "$TR/trace" >"$NVMEV_DETAIL"
	echo "@@TRACE-END $1" >"$NVMEV_DETAIL"
	grep -vc '^#' "$TR/trace"
}

fab_trace_start() { # EVENT...
	echo 0 >"$TR/tracing_on"
	echo >"$TR/set_event"
	echo 8192 >"$TR/buffer_size_kb"
	for e in "$@"; do
		[ -d "$TR/events/$e" ] && echo 1 >"$TR/events/$e/enable"
	done
	echo >"$TR/trace"
	echo 1 >"$TR/tracing_on"
}

fab_trace_stop() {
	echo 0 >"$TR/tracing_on"
}

# kernel log trouble (as tests/vm/lib.sh's BAD_KMSG_RE)
FAB_BAD_RE='BUG|WARNING|Oops|soft lockup|rcu.*stall|hung_task|blocked for more than|Kernel panic|general protection fault|segfault at'
