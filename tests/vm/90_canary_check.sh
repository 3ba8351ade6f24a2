#!/bin/sh
# timeout: 240
# Host-memory canary, part 2: the file filled before nvmev was loaded must
# be unchanged after the whole suite.
. "$T_DIR/lib.sh"
CAN=/tmp/canary.bin
[ -f /tmp/canary.md5 ] && [ -f "$CAN" ] || fail "canary missing (00_canary_fill did not run or file vanished)"
sum=$(md5sum <"$CAN" | cut -d' ' -f1)
if [ "$sum" != "$(cat /tmp/canary.md5)" ]; then
	# find the damaged MiBs
	mb=$(cat /tmp/canary.mb) want=$(cat /tmp/canary.block.md5) i=0 bad=""
	while [ "$i" -lt "$mb" ]; do
		s=$(dd if="$CAN" bs=1048576 skip="$i" count=1 2>/dev/null | md5sum | cut -d' ' -f1)
		[ "$s" = "$want" ] || bad="$bad $i"
		i=$((i + 1))
	done
	fail "canary changed: checksum $sum != $(cat /tmp/canary.md5); damaged MiB indexes:$(echo "$bad" | cut -c1-120)"
fi
ok "canary ($(cat /tmp/canary.mb) MiB) unchanged: $sum"
