#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# Verify (NVM opcode 0Ch, issue 8): advertised in ONCS (bit 7) and the
# Commands Supported and Effects log (no LBA content change); succeeds on
# written and on deallocated blocks and changes neither; FUA and Limited
# Retry are accepted; the namespace end is checked (LBA Out of Range) and
# so is the Verify Size Limit of the NVM command set specific Identify
# Controller data (Invalid Field).  QEMU's NVMe has Verify too: the test
# runs in control mode, but for ONCS, where QEMU 7.2 leaves bit 7 clear.
. "$T_DIR/lib.sh"
need_dev
n0=$(kmsg_lines)
LBS=$(cat "/sys/block/${DEV#/dev/}/queue/logical_block_size")
[ "$LBS" = 512 ] || skip "written for 512-byte LBAs, the namespace has $LBS"
NS=$(nsze)

oncs=$(id_ctrl_field oncs)
if [ "$MODE" = nvmev ]; then
	check_true "ONCS bit 7 (Verify) set (oncs=$oncs)" test $(( (oncs >> 7) & 1 )) = 1
else
	# QEMU 7.2 executes Verify and lists it in the effects log, but
	# leaves ONCS bit 7 clear
	log "control: ONCS $oncs, Verify bit $(( (oncs >> 7) & 1 ))"
fi
expect_ok "effects log" nvme effects-log "$CTRL"
check_match "$(grep '^IOCS12 ' "$W/last.out")" 'Verify.*\] 00000001$' \
	"effects log: Verify supported, no LBA content change"

# written data verifies, with and without FUA/Limited Retry, and stays
rand_file "$W/d.bin" 65536
write_read_cmp 5000 "$W/d.bin"
expect_ok "verify 128 written LBAs" nvme verify "$DEV" -s 5000 -c 127
check_match "$(cat "$W/last.out")" 'Verify Success' "nvme-cli reports success"
expect_ok "verify with FUA and Limited Retry" nvme verify "$DEV" -s 5000 -c 127 -f -l
expect_ok "verify one LBA in the middle of a 4 KiB unit" nvme verify "$DEV" -s 5003 -c 0
expect_ok "read back after verify" nvme read "$DEV" -s 5000 -c 127 -z 65536 -d "$W/r.bin"
cmp -s "$W/d.bin" "$W/r.bin" || fail "data changed by verify"
ok "data unchanged by verify"

# deallocated (unmapped) blocks verify fine and still read as zeroes
expect_ok "write 64 KiB at LBA 9000" nvme write "$DEV" -s 9000 -c 127 -z 65536 -d "$W/d.bin"
expect_ok "deallocate LBAs 9000..9127" \
	nvme dsm "$DEV" --namespace-id=1 --ad --slbs=9000 --blocks=128
expect_ok "verify deallocated LBAs" nvme verify "$DEV" -s 9000 -c 127
# (the control bed's QEMU ignores deallocation: its data stays)
if [ "$MODE" = nvmev ]; then
	dd if="$DEV" bs=512 skip=9000 count=128 iflag=direct 2>/dev/null |
		cmp -s -n 65536 - /dev/zero ||
		fail "deallocated LBAs 9000..9127 do not read as zeroes after verify"
	ok "deallocated LBAs still read as zeroes"
fi
expect_ok "verify a never written range near the end" nvme verify "$DEV" -s $((NS - 256)) -c 127

# the namespace end
expect_ok "verify the last LBA" nvme verify "$DEV" -s $((NS - 1)) -c 0
expect_fail "verify across the end" nvme verify "$DEV" -s $((NS - 1)) -c 1
check_match "$(cat "$W/last.out")" 'LBA Out of Range.*0x4080' "across the end: LBA Out of Range"
expect_fail "verify starting at nsze" nvme verify "$DEV" -s "$NS" -c 0
check_match "$(cat "$W/last.out")" 'LBA Out of Range.*0x4080' "at nsze: LBA Out of Range"

# Verify Size Limit: 2^VSL minimum memory pages (CAP.MPSMIN), 0 = none
vsl=$(nvme nvm-id-ctrl "$CTRL" 2>/dev/null | sed -n 's/^vsl *: *//p')
check_true "nvm-id-ctrl reports vsl ('$vsl')" test -n "$vsl"
cap=$(nvme show-regs "$CTRL" 2>/dev/null | sed -n 's/^cap *: *//p')
check_true "show-regs reports CAP ('$cap')" test -n "$cap"
page=$((4096 << ((0x$cap >> 48) & 0xf)))
if [ "$vsl" = 0 ]; then
	log "VSL 0: no Verify Size Limit to check"
	expect_ok "verify 65536 LBAs (no size limit)" nvme verify "$DEV" -s 0 -c 65535
else
	max=$(( (page << vsl) / LBS ))
	log "VSL $vsl: at most $max LBAs per Verify"
	if [ "$max" -ge 65536 ]; then
		expect_ok "verify 65536 LBAs (within VSL)" nvme verify "$DEV" -s 0 -c 65535
	else
		expect_ok "verify $max LBAs (VSL)" nvme verify "$DEV" -s 0 -c $((max - 1))
		expect_fail "verify $((max + 1)) LBAs (beyond VSL)" \
			nvme verify "$DEV" -s 0 -c "$max"
		check_match "$(cat "$W/last.out")" 'Invalid Field in Command.*0x4002' \
			"beyond VSL: Invalid Field in Command"
	fi
fi

bad=$(kmsg_all | tail -n +$((n0 + 1)) |
	grep -E "$BAD_KMSG_RE|nvme.*timeout|resetting controller" | head -n 1)
[ -z "$bad" ] || fail "kernel log: $bad"
ok "no warning, timeout or reset in the kernel log"
