#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The target VM's control server, one command per connection
# (nc -ll -e): ping, mode, reset, trace-start, trace-stop, identify-trace,
# sysctl net.ipv4.tcp_*=V, dmesg, smart, done.
# Every answer ends with a line "@@END".
. /etc/nvmev-vm.conf
. /vm/lib.sh
. /vm/fabric_lib.sh
read -r cmd arg
case $cmd in
ping) echo pong;;
mode) cat /tmp/fabric.mode;;
reset)
	# a controller reset of nvmev on the target, under the export
	c=$(cat /tmp/fabric.ctrl)
	echo 1 >"/sys/class/nvme/$c/reset_controller" && echo "reset $c issued"
	i=0
	while [ "$(cat "/sys/class/nvme/$c/state")" != live ] && [ $i -lt 100 ]; do
		usleep 100000; i=$((i + 1))
	done
	echo "state $(cat "/sys/class/nvme/$c/state")"
	;;
trace-start)
	# nvmet's own events, the target's nvme (PCIe) driver, nvmev's
	fab_trace_start nvmet nvme/nvme_setup_cmd nvme/nvme_complete_rq \
		nvmev/nvmev_cmd_fetch nvmev/nvmev_cmd_complete \
		net/net_dev_xmit net/netif_receive_skb
	echo "tracing: $(cat $TR/set_event | tr '\n' ' ')"
	;;
trace-stop)
	fab_trace_stop
	echo "events $(fab_trace_dump target)"
	;;
identify-trace)
	# the Identify commands nvmet saw, and nvmev's admin fetches
	grep -E 'nvmet_req_init.*nvme_admin_identify|nvmet_req_complete: nvmet[0-9]*: qid=0|nvmev_cmd_fetch: qid=0 ' "$TR/trace"
	;;
sysctl)
	case $arg in net.ipv4.tcp_*=*) sysctl -w "$arg";; *) echo "refused: $arg";; esac
	;;
dmesg) dmesg | grep -E "${arg:-nvmet}" | tail -n 20;;
smart) nvme smart-log "/dev/$(cat /tmp/fabric.ctrl)";;
done) touch /tmp/fabric.done; echo bye;;
*) echo "unknown command '$cmd'";;
esac
echo "@@END"
