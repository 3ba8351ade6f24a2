#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host VM of `nvmev-vm fabric`: connects to the target VM's nvmev over
# NVMe/TCP and runs the scenario: discover, connect, list, fio crc32c
# verify (random 4 KiB, sequential 128 KiB), a controller reset on the
# target and a fabric reset (reconnect) on the host during a verified fio
# run, disconnect and reconnect with the data read back, smart-log through
# passthru (6.12), and the traces of both VMs for tools/trace/fabric_join.py.
# Result lines: PASS:/FAIL:/SKIP: fabric_*.
. /etc/nvmev-vm.conf
. /vm/lib.sh
. /vm/fabric_lib.sh
vm_section "fabric host: nvme-tcp on $(uname -r)"
hostname fabric-host
A="-t tcp -a $FABRIC_TARGET_IP -s $FABRIC_PORT"
W=/tmp/fab
mkdir -p "$W"

ctl() { # CMD [ARG]: one control command to the target, its answer on stdout
	echo "$*" | nc -w 30 "$FABRIC_TARGET_IP" "$FABRIC_CTL_PORT" 2>/dev/null | sed '/^@@END$/d'
}
# the fabric controller and its namespace's block device (this VM has no
# other NVMe device)
fab_find() {
	FCTRL="" FDEV=""
	for c in /sys/class/nvme/nvme*; do
		[ -f "$c/transport" ] || continue
		[ "$(cat "$c/transport")" = tcp ] && [ "$(cat "$c/subsysnqn")" = "$FABRIC_NQN" ] &&
			FCTRL=$(basename "$c")
	done
	for b in /sys/block/nvme*n*; do
		[ -e "$b" ] || continue
		case $(basename "$b") in *c*n*) continue;; esac
		FDEV=/dev/$(basename "$b")
	done
	[ -n "$FCTRL" ] && [ -n "$FDEV" ] && [ -b "$FDEV" ] &&
		[ "$(cat "/sys/class/nvme/$FCTRL/state")" = live ]
}
fab_wait_find() { # SEC
	_i=0
	while [ $_i -lt $(($1 * 5)) ]; do
		fab_find && return 0
		usleep 200000; _i=$((_i + 1))
	done
	return 1
}
fio_verify() { # NAME RW BS SIZE [extra fio options]
	_n=$1 _rw=$2 _bs=$3 _sz=$4; shift 4
	fio --name="$_n" --filename="$FDEV" --ioengine=libaio --direct=1 \
		--rw="$_rw" --bs="$_bs" --size="$_sz" --iodepth=16 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --randrepeat=1 \
		--eta=never --output="$W/$_n.fio" "$@"
}
connect() {
	nvme connect $A -n "$FABRIC_NQN" --hostnqn="$FABRIC_HOSTNQN" --hostid="$FABRIC_HOSTID" >"$W/connect.out" 2>&1
}

if fab_net "$FABRIC_HOST_IP" && fab_modprobe nvme-tcp; then
	fab_pass "fabric_host_net: eth0 $FABRIC_HOST_IP, nvme-tcp loaded"
else
	fab_fail "fabric_host_net: network or nvme-tcp"
fi
# the target answers once nvmev is loaded and exported
t0=$(date +%s)
while [ "$(ctl ping)" != pong ]; do
	[ $(($(date +%s) - t0)) -lt 600 ] || break
	sleep 2
done
MODE=$(ctl mode)
if [ -n "$MODE" ] && [ "$MODE" != none ]; then
	fab_pass "fabric_target_ready: export mode $MODE after $(($(date +%s) - t0))s"
else
	fab_fail "fabric_target_ready: no control answer or no export (mode '$MODE')"
	ctl "done" >/dev/null
	exit 1
fi

# 1. discover, connect, list
if nvme discover $A --hostnqn="$FABRIC_HOSTNQN" --hostid="$FABRIC_HOSTID" >"$W/disc.out" 2>&1 &&
	grep -q "subnqn: *$FABRIC_NQN" "$W/disc.out"; then
	fab_pass "fabric_discover: $FABRIC_NQN at $FABRIC_TARGET_IP:$FABRIC_PORT"
else
	cat "$W/disc.out"
	fab_fail "fabric_discover: $FABRIC_NQN not in the discovery log"
fi
cat "$W/disc.out"
if connect && fab_wait_find 30; then
	fab_pass "fabric_connect: $FCTRL ($(cat /sys/class/nvme/$FCTRL/address)), namespace $FDEV"
else
	cat "$W/connect.out"
	fab_fail "fabric_connect: no live tcp controller with a namespace"
	ctl "done" >/dev/null
	exit 1
fi
nvme list >"$W/list.out" 2>&1
cat "$W/list.out"
model=$(sed 's/ *$//' "/sys/class/nvme/$FCTRL/model")
if [ "$MODE" = passthru ]; then want="nvmev Virtual NVMe SSD"; else want=Linux; fi
if grep -q "$FDEV" "$W/list.out" && [ "$model" = "$want" ]; then
	fab_pass "fabric_list: $FDEV listed, model '$model' ($MODE)"
else
	fab_fail "fabric_list: $FDEV / model '$model' (want '$want')"
fi

# 2. fio with crc32c verify through the fabric
if fio_verify rand4k randwrite 4k 32M; then
	fab_pass "fabric_fio_rand4k_verify: $(grep -o 'WRITE: bw=[^ ]*' "$W/rand4k.fio")"
else
	tail -n 20 "$W/rand4k.fio"; fab_fail "fabric_fio_rand4k_verify: fio failed"
fi
if fio_verify seq128k write 128k 64M --offset=64M; then
	fab_pass "fabric_fio_seq128k_verify: $(grep -o 'WRITE: bw=[^ ]*' "$W/seq128k.fio")"
else
	tail -n 20 "$W/seq128k.fio"; fab_fail "fabric_fio_seq128k_verify: fio failed"
fi

# 3. resets during a verified run: nvmev's controller on the target, then
# the fabric controller on the host (a reconnect); the run must verify.
nq0=$(dmesg | grep -c "$FCTRL: creating")
fio_verify reset4k randwrite 4k 96M --offset=128M &
fpid=$!
sleep 3
alive1=no; kill -0 "$fpid" 2>/dev/null && alive1=yes
tres=$(ctl reset | tr '\n' ' ')
echo "target: $tres"
sleep 2
alive2=no; kill -0 "$fpid" 2>/dev/null && alive2=yes
echo 1 >"/sys/class/nvme/$FCTRL/reset_controller"
wait "$fpid"; frc=$?
fab_wait_find 60
nq1=$(dmesg | grep -c "$FCTRL: creating")
dmesg | grep -E "$FCTRL" | tail -n 8
if [ "$frc" = 0 ] && [ "$alive1$alive2" = yesyes ] && echo "$tres" | grep -q 'state live' &&
	[ "$nq1" -gt "$nq0" ] && fab_find; then
	fab_pass "fabric_reset_during_fio: target reset ($tres), host reconnected ($((nq1 - nq0)) new queue set), fio verify passed"
else
	tail -n 20 "$W/reset4k.fio"
	fab_fail "fabric_reset_during_fio: fio rc $frc, running at resets: $alive1/$alive2, target '$tres', reconnects $((nq1 - nq0))"
fi

# 4. disconnect, reconnect, read back what was written before
if nvme disconnect -n "$FABRIC_NQN" >"$W/disc2.out" 2>&1 && ! fab_find; then
	fab_pass "fabric_disconnect: $(cat "$W/disc2.out")"
else
	fab_fail "fabric_disconnect: $(cat "$W/disc2.out")"
fi
if connect && fab_wait_find 30 &&
	fio_verify seq128k write 128k 64M --offset=64M --verify_only; then
	fab_pass "fabric_reconnect_verify: $FCTRL again, the sequential data reads back (crc32c)"
else
	fab_fail "fabric_reconnect_verify: reconnect or verify failed"
fi

# 5. SMART through the fabric
if nvme smart-log "/dev/$FCTRL" >"$W/smart.out" 2>&1; then
	cat "$W/smart.out"
	if [ "$MODE" = passthru ]; then
		# nvmev's own log: its steady 38 C and the data written above
		duw=$(sed -n 's/^data.units.written[[:space:]]*: *\([0-9,]*\).*/\1/Ip' "$W/smart.out" | tr -d ,)
		if grep -qE '^temperature[[:space:]]*: *38' "$W/smart.out" && [ "${duw:-0}" -gt 0 ]; then
			fab_pass "fabric_smart_passthru: nvmev's log through the fabric (38 C, $duw data units written)"
		else
			fab_fail "fabric_smart_passthru: not nvmev's log (temperature/data units)"
		fi
	else
		fab_pass "fabric_smart_log: nvmet's own log (bdev mode)"
		fab_skip "fabric_smart_passthru: no passthru in this kernel's nvmet (bdev export)"
	fi
else
	fab_fail "fabric_smart_log: $(tail -n 1 "$W/smart.out")"
fi

# 6. Identify CNS 06h, CSI 0 (NVM command set specific Identify
# Controller), which the host's nvme-core asks at every connect
# (nvme_init_non_mdts_limits): who refuses it?  The target's trace says
# whether nvmet passed it on to nvmev (an nvmev_cmd_fetch of opcode 0x06
# with CNS 6 on the admin queue) or refused it itself.
echo "target nvmet messages:"
ctl dmesg 'nvmet' | tee "$W/tdmesg.out"
ctl trace-start >/dev/null
nvme admin-passthru "/dev/$FCTRL" --opcode=6 --cdw10=6 --cdw11=0 \
	--data-len=4096 --read >"$W/cns6.out" 2>&1
crc=$?
ctl trace-stop >/dev/null
ctl identify-trace >"$W/cns6.trace"
cat "$W/cns6.trace"
# nvmet traces a request it refuses while parsing only at its completion
nreq=$(grep -c 'nvmet_req_complete: nvmet[0-9]*: qid=0,' "$W/cns6.trace")
nref=$(grep -c 'nvmet_req_complete: nvmet[0-9]*: qid=0, .*status=0x4001' "$W/cns6.trace")
nfetch=$(grep -c 'nvmev_cmd_fetch: qid=0 .*opcode=0x06' "$W/cns6.trace")
echo "Identify CNS 06h CSI 0 through the fabric: exit $crc: $(head -n 1 "$W/cns6.out")"
if [ "$MODE" = passthru ]; then
	# nvmet's passthru parser (nvmet_parse_passthru_admin_cmd) takes CNS
	# 06h only for CSI 2 (ZNS) and answers Invalid Command Opcode
	# itself: the command never reaches nvmev
	if [ "$crc" != 0 ] && grep -q '0x4001' "$W/cns6.out" && [ "$nref" -ge 1 ] && [ "$nfetch" = 0 ]; then
		fab_pass "fabric_identify_cns6: refused by nvmet's passthru parser (0x4001), nvmev never fetched it"
	else
		fab_fail "fabric_identify_cns6: exit $crc, nvmet refused $nref, nvmev fetched $nfetch"
	fi
else
	# bdev: nvmet answers Identify itself
	if [ "$nreq" -ge 1 ] && [ "$nfetch" = 0 ]; then
		fab_pass "fabric_identify_cns6: nvmet answers itself in bdev mode (exit $crc), nvmev not involved"
	else
		fab_fail "fabric_identify_cns6: exit $crc, nvmev fetched $nfetch"
	fi
fi
# the network alone: ICMP round trips between the VMs
ping -c 10 -i 0.2 "$FABRIC_TARGET_IP" 2>&1 | tail -n 2

# 7. traces of a QD1 4 KiB random read run on both machines
ctl trace-start
fab_trace_start nvme/nvme_setup_cmd nvme/nvme_complete_rq \
	net/net_dev_xmit net/netif_receive_skb
fio --name=trace4k --filename="$FDEV" --ioengine=psync --direct=1 --rw=randread \
	--bs=4k --size=32M --number_ios=400 --output="$W/trace4k.fio"
frc=$?
fab_trace_stop
hn=$(fab_trace_dump host)
tn=$(ctl trace-stop | sed -n 's/^events //p')
grep -E 'READ:|lat.*avg' "$W/trace4k.fio" | head -n 4
if [ "$frc" = 0 ] && [ "${hn:-0}" -gt 800 ] && [ "${tn:-0}" -gt 400 ]; then
	fab_pass "fabric_trace_capture: host $hn events, target $tn events"
else
	fab_fail "fabric_trace_capture: fio rc $frc, host ${hn:-0}, target ${tn:-0} events"
fi

# 8. where the return leg's time goes: QD1 4 KiB reads (no tracing) as
# connected, with TCP autocorking off on the target, and reconnected with
# SQ flow control disabled (reads then complete with the last data PDU,
# without a response capsule).  Information for Documentation/fabric.rst.
qd1() { # LABEL
	fio --name=qd1 --filename="$FDEV" --ioengine=psync --direct=1 --rw=randread \
		--bs=4k --size=32M --number_ios=100 --eta=never --output="$W/qd1.fio"
	echo "INFO: qd1_4k_read $1: $(grep -E '^ +clat' "$W/qd1.fio" | head -n 1 | sed 's/^ *//')"
}
qd1 "default"
ctl sysctl net.ipv4.tcp_autocorking=0
qd1 "target tcp_autocorking=0"
ctl sysctl net.ipv4.tcp_autocorking=1
nvme disconnect -n "$FABRIC_NQN" >/dev/null 2>&1
nvme connect $A -n "$FABRIC_NQN" --hostnqn="$FABRIC_HOSTNQN" --hostid="$FABRIC_HOSTID" \
	--disable-sqflow >/dev/null 2>&1 && fab_wait_find 30 && qd1 "disable-sqflow"

if nvme disconnect -n "$FABRIC_NQN" >/dev/null 2>&1 && ! fab_find; then
	fab_pass "fabric_final_disconnect"
else
	fab_fail "fabric_final_disconnect"
fi
ctl "done" >/dev/null
bad=$(dmesg | grep -E "$FAB_BAD_RE" | head -n 3)
if [ -z "$bad" ]; then
	fab_pass "fabric_host_dmesg_clean"
else
	fab_fail "fabric_host_dmesg_clean: $bad"
fi
echo "host: ${FAB_PASSED:-0} passed, ${FAB_FAILED:-0} failed"
[ "${FAB_FAILED:-0}" = 0 ]
