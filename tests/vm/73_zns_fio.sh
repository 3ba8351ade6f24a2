#!/bin/sh
# timeout: 300
# Zoned namespaces (issue 9): fio --zonemode=zbd on the zoned namespace,
# crc32c-verified: sequential writes (libaio QD4, and psync), random writes
# at QD8 limited to max_open zones over zones written before (fio resets
# them first);
# then fio verify on a conventional namespace (another controller) and the
# zoned one at the same time.  Afterwards no zone is open beyond the
# limit and fio saw no error.  nvmev: 16 MiB zones of 12 MiB capacity,
# open 8, active 12 (control: QEMU's limited namespace, the same).
. "$T_DIR/lib.sh"
. "$T_DIR/zns_lib.sh"
ZNS_ZONE_SIZE=16M ZNS_ZONE_CAP=12M ZNS_MAX_OPEN=8 ZNS_MAX_ACTIVE=12 ZNS_REF=limited
zns_setup conv
ZB=$((ZNS_ZONE_SECTORS * 512))
MOZ=$ZNS_MO
[ "$MOZ" = 0 ] || [ "$MOZ" -gt 8 ] && MOZ=8
[ "$ZNS_NR_ZONES" -ge 16 ] || fail "need at least 16 zones (got $ZNS_NR_ZONES)"

# zfio NAME FILE ARGS...: fio in the background-friendly form; rc in $W/NAME.rc
zfio() {
	_n=$1 _f=$2; shift 2
	echo "+ fio --name=$_n --filename=$_f $*"
	fio --name="$_n" --filename="$_f" --direct=1 --eta=never \
		--output="$W/$_n.fio" "$@" >"$W/$_n.stdout" 2>&1
	echo $? >"$W/$_n.rc"
}
zfio_check() { # NAME
	cat "$W/$1.fio" "$W/$1.stdout"
	check_eq "$(cat "$W/$1.rc")" 0 "fio $1 exit status"
	grep -Eq 'err= *[1-9]' "$W/$1.fio" && fail "fio $1 reported errors: $(grep -E 'err=' "$W/$1.fio" | head -n 1)"
	grep -Eiq 'verify: bad|bad magic|verify failed' "$W/$1.fio" "$W/$1.stdout" &&
		fail "fio $1 verification failed"
	check_true "fio $1 verified what it wrote" grep -q '^ *read: IOPS=' "$W/$1.fio"
	ok "fio $1: no I/O or verify errors"
}
open_zones() { echo $(( $(zns_count_cond oi) + $(zns_count_cond oe) )); }

# sequential, libaio QD4, over 4 zones
zfio seqw "$ZDEV" --zonemode=zbd --ioengine=libaio --iodepth=4 --rw=write --bs=64k \
	--offset=0 --size=$((4 * ZB)) --max_open_zones="$MOZ" --verify=crc32c --verify_fatal=1
zfio_check seqw
for z in 0 1 2; do zinfo $z; check_eq "$ZI_COND" fu "zone $z full after fio's sequential pass"; done
zinfo 4
check_eq "$ZI_COND" em "zone 4, beyond fio's range, empty"
check_true "open zones ($(open_zones)) within max_open ($ZNS_MO)" \
	test "$ZNS_MO" = 0 -o "$(open_zones)" -le "$ZNS_MO"

# sequential, psync, 2 zones further on
zfio seqp "$ZDEV" --zonemode=zbd --ioengine=psync --rw=write --bs=128k \
	--offset=$((4 * ZB)) --size=$((2 * ZB)) --verify=crc32c --verify_fatal=1
zfio_check seqp
for z in 4 5; do zinfo $z; check_eq "$ZI_COND" fu "zone $z full after the psync pass"; done

# random writes over zones 0-7, six of them written above: fio resets
# those first (verify wants fresh zones), then writes 4 zone capacities
zfio randw "$ZDEV" --zonemode=zbd --ioengine=libaio --iodepth=8 --rw=randwrite --bs=16k \
	--offset=0 --size=$((8 * ZB)) --io_size=$((4 * ZNS_CAP_LBAS * ZNS_LBA_BYTES)) \
	--max_open_zones="$MOZ" --verify=crc32c --verify_fatal=1
zfio_check randw
resets=$(sed -n 's/.*; \([0-9]*\) zone resets.*/\1/p' "$W/randw.fio")
check_true "fio reset the 6 zones it had written before (zone resets: '$resets')" \
	test "${resets:-0}" -ge 6
check_true "open zones ($(open_zones)) within max_open ($ZNS_MO)" \
	test "$ZNS_MO" = 0 -o "$(open_zones)" -le "$ZNS_MO"
zinfo 8
check_eq "$ZI_COND" em "zone 8, beyond fio's range, empty"

# conventional and zoned namespaces at the same time
expect_ok "blkzone reset" blkzone reset "$ZDEV"
zfio both_z "$ZDEV" --zonemode=zbd --ioengine=libaio --iodepth=4 --rw=write --bs=32k \
	--offset=0 --size=$((3 * ZB)) --max_open_zones="$MOZ" --verify=crc32c --verify_fatal=1 &
zfio both_c "$CDEV" --ioengine=libaio --iodepth=8 --rw=randwrite --bs=4k \
	--offset=0 --size=32M --verify=crc32c --verify_fatal=1 &
wait
zfio_check both_z
zfio_check both_c
for z in 0 1; do zinfo $z; check_eq "$ZI_COND" fu "zone $z full after the concurrent pass"; done
zinfo 3
check_eq "$ZI_COND" em "zone 3, beyond fio's range, empty"
expect_ok "blkzone reset" blkzone reset "$ZDEV"
zns_teardown
