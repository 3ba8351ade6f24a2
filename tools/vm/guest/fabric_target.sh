#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Target VM of `nvmev-vm fabric`: nvmev, exported over NVMe/TCP with
# tools/fabric/nvmev-export, then serves the host VM's control commands
# (fabric_ctl.sh) until it says "done"; removes the export and checks that
# configfs is clean.  Result lines: PASS:/FAIL:/SKIP: target_*.
. /etc/nvmev-vm.conf
. /vm/lib.sh
. /vm/fabric_lib.sh
vm_section "fabric target: nvmev + nvmet (tcp) on $(uname -r)"
hostname fabric-target

if fab_net "$FABRIC_TARGET_IP"; then
	fab_pass "target_net: eth0 $FABRIC_TARGET_IP"
else
	fab_fail "target_net: cannot bring up eth0"
fi
if nvmev_load && wait_for_dev 30; then
	fab_pass "target_nvmev_load: $(cat /sys/class/nvme/nvme0/model | sed 's/ *$//') on nvme0"
else
	fab_fail "target_nvmev_load: insmod nvmev or nvme0 not live"
fi
echo nvme0 >/tmp/fabric.ctrl
/tools/fabric/nvmev-export --ctrl nvme0 --addr "$FABRIC_TARGET_IP" --port "$FABRIC_PORT" \
	--nqn "$FABRIC_NQN" >/tmp/export.out 2>&1
erc=$?
cat /tmp/export.out
mode=$(sed -n 's/^mode: //p' /tmp/export.out)
if [ "$erc" = 0 ] && [ -n "$mode" ]; then
	echo "$mode" >/tmp/fabric.mode
	fab_pass "target_export: mode $mode (nvmev-export)"
else
	echo none >/tmp/fabric.mode
	fab_fail "target_export: nvmev-export exited $erc: $(tail -n 1 /tmp/export.out)"
fi
/tools/fabric/nvmev-export --status

# the host VM drives from here (ping, reset, trace-start/stop, done)
nc -ll -p "$FABRIC_CTL_PORT" -e /vm/fabric_ctl.sh &
ncpid=$!
echo "control server on :$FABRIC_CTL_PORT; waiting for the host VM"
i=0
while [ ! -e /tmp/fabric.done ] && [ $i -lt 1500 ]; do
	sleep 1; i=$((i + 1))
done
kill "$ncpid" 2>/dev/null
[ -e /tmp/fabric.done ] || fab_fail "target_wait: the host VM never said done (${i}s)"

# --remove undoes everything: no subsystem, port or namespace left
left() { ls -A /sys/kernel/config/nvmet/subsystems /sys/kernel/config/nvmet/ports 2>&1 | grep -v ':$' | grep . | tr '\n' ' '; }
if /tools/fabric/nvmev-export --remove --nqn "$FABRIC_NQN" && [ -z "$(left)" ]; then
	fab_pass "target_export_remove: configfs nvmet empty again"
else
	fab_fail "target_export_remove: left $(left)"
fi
if rmmod nvmet_tcp && rmmod nvmet && nvmev_unload; then
	fab_pass "target_unload: nvmet_tcp, nvmet, nvmev unloaded"
else
	fab_fail "target_unload: rmmod failed"
fi
dmesg | grep -E 'nvmet|nvmev' | tail -n 30 >"$NVMEV_DETAIL"
bad=$(dmesg | grep -E "$FAB_BAD_RE" | head -n 3)
if [ -z "$bad" ]; then
	fab_pass "target_dmesg_clean"
else
	fab_fail "target_dmesg_clean: $bad"
fi
echo "target: ${FAB_PASSED:-0} passed, ${FAB_FAILED:-0} failed"
[ "${FAB_FAILED:-0}" = 0 ]
