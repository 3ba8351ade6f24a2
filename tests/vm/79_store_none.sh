#!/bin/sh
# timeout: 400
# Drives larger than memory: store=none keeps no data, so the model runs at
# flash_size, far beyond the reserved region: a 1 TiB conventional drive
# on the test region (capacity, FTL metadata per 4 KiB, writes anywhere,
# reads of zeroes, fio), GC on a small region with flash four times its
# size, and a zoned drive of 4 GiB.  Refused: an unknown store, a
# flash_size beyond the storage with store=full.  Unloads the suite's
# nvmev first if loaded and puts it back at the end.
. "$T_DIR/lib.sh"
need_nvmev
suite_nvmev_down
BASE="memmap_start=$NVMEV_MEMMAP_START_BYTES cpus=$NVMEV_CPUS"
FULL="$BASE memmap_size=$NVMEV_MEMMAP_SIZE_BYTES"
C=$NVMEV_DBG/nvmev0

refused() { # NAME PARAMS...: refused, dmesg naming NAME (hostile_insmod)
	HOSTILE_EXPECT=$1
	shift
	hostile_insmod "insmod $*" "$@"
	HOSTILE_EXPECT=
}
refused "store=disk" $FULL store=disk
refused "flash_size=4294967296: more than the region" $FULL flash_size=4G

load() {
	expect_ok "insmod $*" insmod /nvmev.ko "$@"
	wait_for_dev 60 || fail "$DEV did not appear after insmod $*"
}
unload() {
	expect_ok "rmmod nvmev" nvmev_unload
	wait_for_no_dev 30 || fail "$DEV still there after rmmod"
}
ftl() { sed -n "s/^$1 //p" "$C/ftl"; }

# ---- 1 TiB of flash on a 1 GiB region --------------------------------------------
load $FULL store=none flash_size=1T lba_size=4096
check_eq "$(sed -n 's/^store //p' $C/model)" none "debugfs model: store none"
check_num "$(sed -n 's/^flash_bytes //p' $C/model)" $((1 << 40)) "debugfs model: flash_bytes 1 TiB"
bytes=$(blockdev --getsize64 "$DEV")
check_true "namespace of $((bytes >> 30)) GiB (> 900 GiB, after over-provisioning)" \
	test $((bytes >> 30)) -gt 900
mpu=$(ftl metadata_bytes_per_unit)
log "FTL metadata: $(ftl metadata_bytes) bytes, $mpu per 4 KiB unit"
check_true "FTL metadata $mpu bytes per 4 KiB (<= 9)" awk -v m="$mpu" 'BEGIN { exit !(m <= 9.0) }'
rand_file "$W/a" 4096
far=$(( (900 << 30) / 4096 ))
expect_ok "write at 900 GiB" nvme write "$DEV" -s $far -c 0 -z 4096 -d "$W/a"
expect_ok "read it back" nvme read "$DEV" -s $far -c 0 -z 4096 -d "$W/b"
check_num "$(tr -d '\000' <"$W/b" | wc -c)" 0 "store=none: the data is not kept (zeroes)"
head -c 4096 /dev/zero >"$W/z"
expect_ok "compare with zeroes" nvme compare "$DEV" -s $far -c 0 -z 4096 -d "$W/z"
expect_fail "compare with the data written" nvme compare "$DEV" -s $far -c 0 -z 4096 -d "$W/a"
check_num "$(ftl mapped_units)" 1 "the model mapped the unit written"
expect_ok "fio 4k random write QD32 over the whole 1 TiB drive, 8 s" \
	fio --name=big --filename="$DEV" --ioengine=libaio --direct=1 --rw=randwrite --bs=4k \
	--iodepth=32 --time_based --runtime=8 --norandommap --randrepeat=0
check_true "the FTL took the writes ($(ftl host_write_units) units)" test "$(ftl host_write_units)" -gt 1000
unload

# ---- GC: 512 MiB of flash on a 128 MiB region, random writes past it ------------
load $BASE memmap_size=129M store=none flash_size=512M lba_size=4096
bytes=$(blockdev --getsize64 "$DEV")
check_true "a $((bytes >> 20)) MiB drive on a 128 MiB region" test $((bytes >> 20)) -gt 400
expect_ok "fill it sequentially" fio --name=fill --filename="$DEV" --ioengine=libaio --direct=1 \
	--rw=write --bs=128k --iodepth=16 --size=100%
expect_ok "4k random writes, 1.5x the drive" fio --name=gc --filename="$DEV" --ioengine=libaio \
	--direct=1 --rw=randwrite --bs=4k --iodepth=32 --io_size=$((bytes * 3 / 2)) --norandommap --randrepeat=0
log "$(grep -E '^(gc_runs|write_amplification|lines_free|erase_max) ' $C/ftl | tr '\n' ' ')"
check_true "GC ran ($(ftl gc_runs) runs)" test "$(ftl gc_runs)" -gt 0
check_true "write amplification $(ftl write_amplification) > 1" \
	awk -v w="$(ftl write_amplification)" 'BEGIN { exit !(w > 1.0) }'
unload

# ---- zoned, 4 GiB of flash on 1 GiB -------------------------------------------------
if ! grep -qw blkdev_report_zones /proc/kallsyms; then
	log "no zoned block devices in this kernel (the debug kernel): zoned part left out"
	suite_nvmev_back
	exit 0
fi
load $FULL store=none flash_size=4G kind=zns lba_size=4096
nz=$(cat /sys/block/${DEV#/dev/}/queue/nr_zones)
check_true "$nz zones of 16 MiB (more than the 1 GiB region holds)" test "$nz" -gt 200
expect_ok "Zone Append QD8 into the last 4 zones" /tools/bench/zappend -q 8 -t 3 -z $((nz - 4)) -n 4 "$DEV"
expect_ok "report the empty zones" nvme zns report-zones "$DEV" -S 1 -d 0
check_match "$(cat "$W/last.out")" "nr_zones: $((nz - 4))\$" "the 4 appended zones are not empty, the others are"
expect_ok "read in the last zone" nvme read "$DEV" -s $(( (nz - 1) * 4096 )) -c 0 -z 4096 -d "$W/b"
check_num "$(tr -d '\000' <"$W/b" | wc -c)" 0 "zoned store=none reads zeroes"
unload
suite_nvmev_back
