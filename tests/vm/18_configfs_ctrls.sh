#!/bin/sh
# timeout: 420
# Two controllers made through configfs, each on half of the reserved
# region and its own CPU, with different model profiles and two namespaces
# (512 B and 4 KiB LBAs): both bind to the nvme driver, fio verifies on all
# four namespaces at once, one is disabled in the middle
# of fio on the other (which keeps going, verified) and comes back with
# its data.  Hostile configfs input is refused with a message and leaves
# nothing behind.  Ends with the module unloaded.
. "$T_DIR/lib.sh"
need_nvmev
CFG=/sys/kernel/config/nvmev
[ -d /sys/module/nvmev ] && fail "nvmev already loaded before the test"
set -- $(echo "$NVMEV_CPUS" | tr ',' ' ')
CPU_A=$1 CPU_B=${2:-$1}
HALF=$((NVMEV_MEMMAP_SIZE_BYTES / 2))
START_A=$NVMEV_MEMMAP_START_BYTES
START_B=$((START_A + HALF))

expect_ok "insmod without parameters" insmod /nvmev.ko
check_true "$CFG exists" test -d "$CFG"

# attr CTRL NAME VALUE: write must succeed
attr() {
	expect_ok "$1/$2 = $3" sh -c "echo '$3' > $CFG/$1/$2"
}
# bad_attr CTRL NAME VALUE WHY: write must fail, with a message naming NAME
bad_attr() {
	_n0=$(kmsg_lines)
	_before=$(cat "$CFG/$1/$2")
	expect_fail "$1/$2 = '$3' refused ($4)" sh -c "echo '$3' > $CFG/$1/$2"
	check_eq "$(cat "$CFG/$1/$2")" "$_before" "$1/$2 unchanged"
	kmsg_all | tail -n +$((_n0 + 1)) | grep 'nvmev' | grep -q -- "$5" ||
		fail "$1/$2='$3': no nvmev message naming '$5'"
	ok "$1/$2='$3': dmesg names $5"
}
# nvme device (/dev/nvmeX) of a configfs controller, by PCI address
ctrl_dev() {
	_pci=$(cat "$CFG/$1/pci")
	[ -n "$_pci" ] || return 1
	for _c in /sys/class/nvme/nvme*; do
		[ "$(cat "$_c/address" 2>/dev/null)" = "$_pci" ] && { echo "/dev/${_c##*/}"; return 0; }
	done
	return 1
}
# ns_blk CTRL NSID: the block device of that namespace (the kernel names
# disks by its own instance counter, not by NSID)
ns_blk() {
	_d=$(ctrl_dev "$1") || return 1
	[ "$(cat "/sys/class/nvme/${_d#/dev/}/state" 2>/dev/null)" = live ] || return 1
	for _b in /sys/block/${_d#/dev/}n*; do
		[ "$(cat "$_b/nsid" 2>/dev/null)" = "$2" ] && [ -b "/dev/${_b##*/}" ] &&
			{ echo "/dev/${_b##*/}"; return 0; }
	done
	return 1
}
# wait_ns CTRL [NSID]: until that namespace's block device is there; prints it
wait_ns() {
	_i=0
	while [ $_i -lt 100 ]; do
		ns_blk "$1" "${2:-1}" && return 0
		usleep 200000
		_i=$((_i + 1))
	done
	return 1
}

expect_ok "mkdir ssd_a" mkdir "$CFG/ssd_a"
expect_ok "mkdir ssd_b" mkdir "$CFG/ssd_b"
check_eq "$(cat "$CFG/ssd_a/enable")" 0 "a new controller is disabled"
check_eq "$(cat "$CFG/ssd_a/profile")" 970pro "default profile"
check_eq "$(cat "$CFG/ssd_a/t_read_ns")" profile "figures default to the profile"

# hostile input on a disabled controller
bad_attr ssd_a profile nosuchssd "unknown profile" "profile=nosuchssd"
bad_attr ssd_a mdts 12 "mdts range" "mdts"
bad_attr ssd_a cpus 999 "CPU that does not exist" "CPU 999"
bad_attr ssd_a cpus "$CPU_A,$CPU_A" "CPU listed twice" "listed twice"
bad_attr ssd_a memmap_size 1M "too small" "memmap_size"
bad_attr ssd_a memmap_start banana "not a size" "memmap_start"
bad_attr ssd_a t_read_ns fast "not a number" "t_read_ns"
bad_attr ssd_a serial "123456789012345678901" "serial too long" "serial"
bad_attr ssd_a enable 1 "enable without a region" "memmap_start"

attr ssd_a memmap_start "$START_A"
attr ssd_a memmap_size "$HALF"
attr ssd_a cpus "$CPU_A"
attr ssd_a serial "NVMEVA"
attr ssd_b memmap_start "$START_B"
attr ssd_b memmap_size "$HALF"
attr ssd_b cpus "$CPU_B"
attr ssd_b profile optane
attr ssd_b serial "NVMEVB"
# two namespaces each: 1 of 128 MiB in 512-byte LBAs, 2 of the rest in 4 KiB
for c in ssd_a ssd_b; do
	expect_ok "mkdir $c/namespaces/1 and 2" mkdir "$CFG/$c/namespaces/1" "$CFG/$c/namespaces/2"
	attr $c/namespaces/1 size 128M
	attr $c/namespaces/2 lba_size 4096
	attr $c/namespaces/1 enable 1
	attr $c/namespaces/2 enable 1
done
bad_attr ssd_a/namespaces/1 lba_size 1024 "LBA size" "lba_size"
expect_fail "namespaces/0 refused" mkdir "$CFG/ssd_a/namespaces/0"
expect_fail "namespaces/x refused" mkdir "$CFG/ssd_a/namespaces/x"

# a region past the reservation, and one overlapping an enabled controller
expect_ok "mkdir ssd_c" mkdir "$CFG/ssd_c"
attr ssd_c cpus "$CPU_A"
attr ssd_c memmap_start "$START_B"
attr ssd_c memmap_size "$((HALF * 2))"
bad_attr ssd_c enable 1 "region beyond the reserved memory" "region \["

attr ssd_a enable 1
DEV_A=$(wait_ns ssd_a) || fail "ssd_a: no namespace block device after enable"
ok "ssd_a is $DEV_A (PCI $(cat "$CFG/ssd_a/pci"))"
attr ssd_c memmap_size "$HALF"
attr ssd_c memmap_start "$((START_A + HALF / 2))"
bad_attr ssd_c enable 1 "region overlapping ssd_a" "overlaps controller ssd_a"
expect_ok "rmdir ssd_c (disabled)" rmdir "$CFG/ssd_c"

attr ssd_b enable 1
DEV_B=$(wait_ns ssd_b) || fail "ssd_b: no namespace block device after enable"
ok "ssd_b is $DEV_B (PCI $(cat "$CFG/ssd_b/pci"))"
DEV_A2=$(wait_ns ssd_a 2) || fail "ssd_a: no block device for namespace 2"
DEV_B2=$(wait_ns ssd_b 2) || fail "ssd_b: no block device for namespace 2"
check_true "four different block devices" test "$(printf '%s\n' "$DEV_A" "$DEV_B" "$DEV_A2" "$DEV_B2" | sort -u | wc -l)" = 4
for d in "$DEV_A:512" "$DEV_B:512" "$DEV_A2:4096" "$DEV_B2:4096"; do
	check_eq "$(cat "/sys/block/$(basename "${d%:*}")/queue/logical_block_size")" "${d#*:}" "${d%:*} LBA size"
done
check_eq "$(cat "/sys/block/$(basename "$DEV_A")/size")" $((128 * 2048)) "namespace 1 is 128 MiB"
check_eq "$(nvme id-ctrl "$(ctrl_dev ssd_a)" | sed -n 's/^sn *: *//p' | sed 's/ *$//')" NVMEVA "ssd_a serial"
check_eq "$(nvme id-ctrl "$(ctrl_dev ssd_b)" | sed -n 's/^sn *: *//p' | sed 's/ *$//')" NVMEVB "ssd_b serial"
run nvme list
check_eq "$(grep -c 'nvmev Virtual NVMe SSD' "$W/last.out")" 4 "nvme list shows four nvmev namespaces"
run nvme list-subsys
check_eq "$(grep -c 'nqn.*NVMEV[AB]' "$W/last.out")" 2 "nvme list-subsys shows two subsystems"
check_eq "$(sed -n 's/^profile //p' "$NVMEV_DBG/ssd_b/model")" optane "debugfs ssd_b/model: optane"
check_eq "$(sed -n 's/^profile //p' "$NVMEV_DBG/ssd_a/model")" 970pro "debugfs ssd_a/model: 970pro"

# hostile input on enabled controllers
bad_attr ssd_a enable 1 "enable twice" "already enabled"
bad_attr ssd_a cpus "$CPU_B" "change while enabled" "cannot change while"
bad_attr ssd_b profile 970pro "change while enabled" "cannot change while"
expect_fail "rmdir of an enabled controller refused" rmdir "$CFG/ssd_a"
check_true "ssd_a still there" test -d "$CFG/ssd_a"

# fio with verify on both at once
fio_bg() { # NAME DEV BS SECONDS
	fio --name="$1" --filename="$2" --ioengine=libaio --direct=1 --rw=randwrite \
		--bs="$3" --iodepth=8 --size=64M --time_based --runtime="$4" \
		--verify=crc32c --verify_fatal=1 --eta=never --output="$W/$1.fio" \
		>"$W/$1.stdout" 2>&1
	echo $? >"$W/$1.rc"
}
fio_check() { # NAME
	cat "$W/$1.fio" "$W/$1.stdout"
	check_eq "$(cat "$W/$1.rc")" 0 "fio $1 exit status"
	grep -Eq 'err= *[1-9]' "$W/$1.fio" && fail "fio $1 reported errors"
	grep -Eiq 'verify: bad|bad magic|verify failed' "$W/$1.fio" "$W/$1.stdout" &&
		fail "fio $1 verification failed"
	ok "fio $1: no errors, verified"
}
fio_bg both_a "$DEV_A" 4k 8 &
fio_bg both_b "$DEV_B" 16k 8 &
fio_bg both_a2 "$DEV_A2" 8k 8 &
fio_bg both_b2 "$DEV_B2" 4k 8 &
wait
for f in both_a both_b both_a2 both_b2; do fio_check $f; done

# a pattern on ssd_b that must survive its disable/enable
rand_file "$W/pat" 65536
expect_ok "write 64 KiB to ssd_b" dd if="$W/pat" of="$DEV_B" bs=64k seek=100 oflag=direct count=1

# disable ssd_b in the middle of fio on ssd_a
fio_bg during_a "$DEV_A" 4k 12 &
sleep 4
attr ssd_b enable 0
i=0
while [ -b "$DEV_B" ] && [ $i -lt 50 ]; do usleep 200000; i=$((i + 1)); done
check_true "ssd_b's block device gone after disable" test ! -b "$DEV_B"
check_eq "$(cat "$CFG/ssd_b/pci")" "" "ssd_b has no PCI function"
check_true "ssd_b's debugfs directory gone" test ! -d "$NVMEV_DBG/ssd_b"
attr ssd_b t_read_ns profile
check_true "ssd_a's device still there" test -b "$DEV_A"
wait
fio_check during_a

# back on ssd_a's CPU: two controllers share one dispatcher CPU
attr ssd_b cpus "$CPU_A"
attr ssd_b enable 1
DEV_B=$(wait_ns ssd_b) || fail "ssd_b: no block device after enabling again"
ok "ssd_b back as $DEV_B, sharing CPU $CPU_A with ssd_a"
expect_ok "read 64 KiB back from ssd_b" dd if="$DEV_B" of="$W/back" bs=64k skip=100 iflag=direct count=1
check_true "data written before the disable is there" cmp "$W/pat" "$W/back"
fio_bg shared_a "$DEV_A" 4k 6 &
fio_bg shared_b "$DEV_B" 16k 6 &
wait
fio_check shared_a
fio_check shared_b

# hot-remove under I/O: ssd_a disabled while fio writes to it; fio ends
# (with I/O errors: its device went away) and the kernel stays clean.
# No verify here: fio's verify of a device removed mid-pass reports "bad
# header" on QEMU's own NVMe device too (sysfs remove), a fio artefact.
(fio --name=gone_a --filename="$DEV_A" --ioengine=libaio --direct=1 --rw=randwrite \
	--bs=4k --iodepth=8 --size=64M --time_based --runtime=30 --eta=never \
	--output="$W/gone_a.fio" >"$W/gone_a.stdout" 2>&1; echo $? >"$W/gone_a.rc") &
sleep 3
attr ssd_a enable 0
wait
cat "$W/gone_a.fio" "$W/gone_a.stdout" | tail -n 5
check_true "fio on the removed device ended" test -f "$W/gone_a.rc"
check_true "ssd_a's block device gone" test ! -b "$DEV_A"

# tear down
attr ssd_b enable 0
expect_fail "rmdir of a controller with a namespace directory refused" rmdir "$CFG/ssd_a"
for c in ssd_a ssd_b; do
	expect_ok "rmdir $c/namespaces/1 and 2" rmdir "$CFG/$c/namespaces/1" "$CFG/$c/namespaces/2"
	expect_ok "rmdir $c" rmdir "$CFG/$c"
done
check_eq "$(ls "$CFG" | grep -v '^features$' | wc -l)" 0 "no controller left in configfs"
check_true "no nvme controller left" test -z "$(ls /sys/class/nvme 2>/dev/null)"
expect_ok "rmmod" rmmod nvmev
_bad=$(kmsg_all | grep -E "$BAD_KMSG_RE" | head -n 1)
[ -z "$_bad" ] || fail "kernel trouble: $_bad"
ok "no kernel warnings"
