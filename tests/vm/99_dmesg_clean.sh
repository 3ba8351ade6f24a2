#!/bin/sh
# Kernel log (in-guest dmesg) free of BUG/WARNING/Oops/lockups/stalls.
# The host checks the serial console the same way (host_console_clean).
. "$T_DIR/lib.sh"
kmsg_all >"$W/dmesg.txt"
grep -q 'Linux version' "$W/dmesg.txt" || fail "dmesg does not start at boot (ring buffer wrapped?)"
ok "whole kernel log readable ($(wc -l <"$W/dmesg.txt") lines)"
bad=$(grep -v 'nvmev-test:' "$W/dmesg.txt" | grep -E "$BAD_KMSG_RE" | head -n 5)
if [ -n "$bad" ]; then
	echo "$bad"
	fail "kernel log has: $(echo "$bad" | head -n 1 | cut -c1-160)"
fi
ok "no BUG/WARNING/Oops/soft lockup/rcu stall/hung task in dmesg"
