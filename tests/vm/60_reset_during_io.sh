#!/bin/sh
# timeout: 300
# nvme reset while fio writes (crc32c-verified) are in flight: the
# controller comes back, fio sees no error and every block verifies.
. "$T_DIR/lib.sh"
need_dev
writes() { awk '{print $5}' /sys/block/nvme0n1/stat; }
echo "+ fio (background) randwrite 4k QD16 256M verify=crc32c"
fio --name=resetio --filename="$DEV" --ioengine=libaio --direct=1 --eta=never \
	--rw=randwrite --bs=4k --iodepth=16 --offset=512M --size=256M \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --output="$W/resetio.fio" \
	>"$W/resetio.stdout" 2>&1 &
fpid=$!
# wait until writes are flowing
w0=$(writes) i=0
while [ "$(writes)" -lt $((w0 + 2000)) ]; do
	kill -0 "$fpid" 2>/dev/null || break
	i=$((i + 1)); [ "$i" -gt 300 ] && break
	usleep 100000
done
resets=0
for n in 1 2; do
	if ! kill -0 "$fpid" 2>/dev/null; then break; fi
	w=$(writes)
	expect_ok "nvme reset #$n during I/O (writes so far: $((w - w0)))" nvme reset "$CTRL"
	resets=$((resets + 1))
	wait_for_dev 30 || fail "controller not live 30 s after reset #$n (state $(cat /sys/class/nvme/nvme0/state))"
	ok "controller live again after reset #$n"
	sleep 1
done
check_true "at least one reset happened while fio was running" test "$resets" -ge 1
wait "$fpid"
frc=$?
cat "$W/resetio.fio" "$W/resetio.stdout"
check_num "$frc" 0 "fio exit status across resets"
grep -Eq 'err= *[1-9]' "$W/resetio.fio" && fail "fio reported I/O errors across reset"
grep -Eiq 'verify: bad|verify failed|bad magic' "$W/resetio.fio" "$W/resetio.stdout" && fail "fio verify failed across reset"
ok "fio: no I/O or verify errors across $resets reset(s)"
# reset when idle, then the same data must still verify
expect_ok "nvme reset (idle)" nvme reset "$CTRL"
wait_for_dev 30 || fail "controller not live 30 s after idle reset"
ok "controller live after idle reset"
run_fio resetio_verify --rw=randwrite --bs=4k --iodepth=16 --offset=512M --size=256M \
	--verify=crc32c --verify_only=1 --verify_fatal=1
check_match "$(cat "$W/resetio_verify.fio")" 'read: IOPS' "verify pass actually read the data"
