#!/bin/sh
# timeout: 180
# A host that writes nonsense into the doorbells.  With an Asynchronous
# Event Request outstanding (the Linux driver always keeps one) the
# controller reports it the NVMe way, without failing:
#  - a write to the doorbell of a queue that does not exist: an Error
#    event "Write to Invalid Doorbell Register" (info 0);
#  - an SQ tail beyond the queue: "Invalid Doorbell Write Value" (info 1),
#    and the queue is ignored until the host recreates it (a reset here).
# Without an outstanding AER the same write sets CSTS.CFS (tests/raw).
# Needs /dev/mem access to BAR0 (guest booted with iomem=relaxed).
. "$T_DIR/lib.sh"
need_nvmev
need_dev
bar=$(printf '0x%x' "$NVMEV_MEMMAP_START_BYTES")
reg() { devmem $(printf '0x%x' $((bar + $1))) 32; }
aer() { sed -n 's/^aer_events //p' $NVMEV_CDBG/ctrl; }
wait_aer() { # COUNT
	_i=0
	while [ "$(aer)" -lt "$1" ] && [ $_i -lt 50 ]; do usleep 100000; _i=$((_i + 1)); done
	[ "$(aer)" -ge "$1" ]
}
csts=$(reg 0x1c 2>/dev/null) || skip "devmem cannot read BAR0 (kernel without iomem=relaxed)"
check_num "$(( csts & 3 ))" 1 "CSTS.RDY set, CFS clear before ($csts)"
n0=$(kmsg_lines)
a0=$(aer)
# SQ 60 tail doorbell: 0x1000 + 2 * 60 * 4; no such queue on a 4-CPU guest
expect_ok "write 1 to the doorbell of SQ 60 (no such queue)" devmem $(printf '0x%x' $((bar + 0x11e0))) 32 1
wait_aer $((a0 + 1)) || fail "no asynchronous event after a write to an invalid doorbell (aer_events $(aer))"
ok "asynchronous event completed (aer_events $a0 -> $(aer))"
check_num "$(reg 0x11e0)" 0 "the stray doorbell value is dropped"
check_num "$(( $(reg 0x1c) & 3 ))" 1 "CSTS.RDY set, CFS clear"
check_true "the module says why" sh -c "dmesg | tail -n +$((n0 + 1)) | grep -q 'belongs to no queue'"
# reading the error log (RAE=0) unmasks Error events; give the driver time
# to post its next AER
expect_ok "nvme error-log" nvme error-log "$CTRL"
sleep 1
# SQ 1 tail doorbell: 0x1000 + 2 * 1 * 4
expect_ok "write 0xffff to the SQ1 tail doorbell" devmem $(printf '0x%x' $((bar + 0x1008))) 32 0xffff
wait_aer $((a0 + 2)) || fail "no asynchronous event after an invalid doorbell value (aer_events $(aer), CSTS $(reg 0x1c))"
ok "Invalid Doorbell Write Value event completed (aer_events $(aer))"
check_num "$(( $(reg 0x1c) & 3 ))" 1 "CSTS.RDY set, CFS clear"
check_true "the module says why" sh -c "dmesg | tail -n +$((n0 + 1)) | grep -q 'Invalid Doorbell Write Value'"
expect_ok "nvme reset recreates the queues" nvme reset "$CTRL"
wait_for_dev 30 || fail "controller not live after reset"
check_num "$(( $(reg 0x1c) & 3 ))" 1 "CSTS.RDY set, CFS clear after reset"
rand_file "$W/d.bin" 65536
write_read_cmp 8192 "$W/d.bin"
