#!/bin/sh
# timeout: 480
# Namespaces on one controller sharing its flash: two made in configfs
# (512 B and 4 KiB LBAs), fio verify on both at once and isolation; one
# added and removed at run time through configfs; nvme-cli create-ns /
# attach-ns / detach-ns / delete-ns (a new namespace in a deleted one's
# place reads zeroes) with the hostile cases; format between LBA sizes
# with the block device following; ext4 made, filled, checked and
# remounted.  Ends with the module unloaded.
. "$T_DIR/lib.sh"
need_nvmev
CFG=/sys/kernel/config/nvmev
C=$CFG/nsd
[ -d /sys/module/nvmev ] && fail "nvmev already loaded before the test"
set -- $(echo "$NVMEV_CPUS" | tr ',' ' ')
# ns_dev NSID: the block device of namespace NSID of nvme0 (the kernel
# names disks by its own instance counter, not by NSID), empty if none
ns_dev() {
	for _b in /sys/block/nvme0n*; do
		[ "$(cat "$_b/nsid" 2>/dev/null)" = "$1" ] && { echo "/dev/${_b##*/}"; return 0; }
	done
	return 1
}
# wait_ns_dev NSID [gone]: until namespace NSID has a block device (or none)
wait_ns_dev() {
	_i=0
	while [ $_i -lt 50 ]; do
		if [ "$2" = gone ]; then ns_dev "$1" >/dev/null || return 0
		else ns_dev "$1" >/dev/null && return 0
		fi
		usleep 200000
		_i=$((_i + 1))
	done
	return 1
}
expect_ok "insmod without parameters" insmod /nvmev.ko
expect_ok "mkdir nsd" mkdir "$C"
echo "$NVMEV_MEMMAP_START" >"$C/memmap_start"
echo "$NVMEV_MEMMAP_SIZE" >"$C/memmap_size"
echo "$NVMEV_CPUS" >"$C/cpus"
echo NSDTEST >"$C/serial"
for n in 1 2; do
	expect_ok "mkdir namespaces/$n" mkdir "$C/namespaces/$n"
	echo 256M >"$C/namespaces/$n/size"
	echo 1 >"$C/namespaces/$n/enable"
done
check_eq "$(cat "$C/namespaces/1/state")" absent "no namespace before the controller's first enable"
echo 4096 >"$C/namespaces/2/lba_size" 2>/dev/null &&
	fail "lba_size of an enabled namespace changed"
ok "lba_size of an enabled namespace refused"
echo 0 >"$C/namespaces/2/enable"
echo 4096 >"$C/namespaces/2/lba_size"
echo 1 >"$C/namespaces/2/enable"
expect_ok "enable nsd" sh -c "echo 1 > $C/enable"
wait_ns_dev 1 && wait_ns_dev 2 || fail "nsd: namespaces 1 and 2 have no block devices"
N1=$(ns_dev 1) N2=$(ns_dev 2)
ok "namespace 1 is $N1, namespace 2 is $N2"
CTRL=/dev/nvme0
check_eq "$(cat /sys/block/${N1#/dev/}/queue/logical_block_size)" 512 "ns 1 LBA size"
check_eq "$(cat /sys/block/${N2#/dev/}/queue/logical_block_size)" 4096 "ns 2 LBA size"
check_eq "$(cat /sys/block/${N1#/dev/}/size)" $((256 * 2048)) "ns 1 size (512-byte sectors)"
check_eq "$(cat /sys/block/${N2#/dev/}/size)" $((256 * 2048)) "ns 2 size (512-byte sectors)"
check_eq "$(cat "$C/namespaces/2/state")" "attached nlbas=65536 lba_size=4096" "configfs state of ns 2"
run nvme list-ns "$CTRL"
check_eq "$(grep -c '^\[' "$W/last.out")" 2 "list-ns: two active namespaces"
run nvme list-ns "$CTRL" --all
check_eq "$(grep -c '^\[' "$W/last.out")" 2 "list-ns --all: two allocated namespaces"
tnvm=$(nvme id-ctrl "$CTRL" | sed -n 's/^tnvmcap *: *//p' | tr -d ',')
unvm=$(nvme id-ctrl "$CTRL" | sed -n 's/^unvmcap *: *//p' | tr -d ',')
check_num "$unvm" "$((tnvm - 512 * 1048576))" "unvmcap = tnvmcap - 512 MiB"
check_eq "$(id_ctrl_field oacs)" 0xa "OACS: Format NVM, Namespace Management"
run nvme list-subsys
check_match "$(cat "$W/last.out")" 'nqn.*NSDTEST' "list-subsys shows the subsystem"
run nvme effects-log "$CTRL"
check_match "$(cat "$W/last.out")" '[Nn]amespace [Mm]anagement|0x0d|ACS13' "effects-log lists Namespace Management"
ns_id() { nvme id-ns "$1" | sed -n "s/^$2 *: *//p" | head -n 1; }
check_true "namespaces have different EUI64s" test "$(ns_id $N1 eui64)" != "$(ns_id $N2 eui64)"

# isolation: the same LBA of each namespace holds its own data
rand_file "$W/p1" 65536
rand_file "$W/p2" 65536
head -c 65536 /dev/zero >"$W/zero"
dd if="$W/p1" of=$N1 bs=64k count=1 oflag=direct 2>/dev/null
dd if="$W/p2" of=$N2 bs=64k count=1 oflag=direct 2>/dev/null
dd if=$N1 of="$W/r1" bs=64k count=1 iflag=direct 2>/dev/null
dd if=$N2 of="$W/r2" bs=64k count=1 iflag=direct 2>/dev/null
check_true "ns 1 holds its data" cmp "$W/p1" "$W/r1"
check_true "ns 2 holds its data" cmp "$W/p2" "$W/r2"

# fio verify on both at once
for n in 1 2; do
	(fio --name=ns$n --filename="$(ns_dev $n)" --ioengine=libaio --direct=1 \
		--rw=randwrite --bs=8k --iodepth=8 --size=64M --offset=1M \
		--verify=crc32c --verify_fatal=1 --eta=never --output="$W/ns$n.fio" \
		>"$W/ns$n.out" 2>&1; echo $? >"$W/ns$n.rc") &
done
wait
for n in 1 2; do
	cat "$W/ns$n.fio" "$W/ns$n.out"
	check_eq "$(cat "$W/ns$n.rc")" 0 "fio on ns $n"
	grep -Eq 'err= *[1-9]|verify: bad|verify failed' "$W/ns$n.fio" "$W/ns$n.out" &&
		fail "fio on ns $n: errors"
done
ok "fio verified on both namespaces at once"
dd if=$N1 of="$W/r1" bs=64k count=1 iflag=direct 2>/dev/null
check_true "ns 1's first 64 KiB untouched by fio on either" cmp "$W/p1" "$W/r1"
cat "$NVMEV_DBG/nsd/namespaces"
w2=$(awk '$1 == 2 { print $10 }' "$NVMEV_DBG/nsd/namespaces")
check_true "debugfs: ns 2 wrote at least 64 MiB ($w2 bytes)" test "${w2:-0}" -ge $((64 * 1048576))

# a namespace added and removed at run time through configfs
expect_ok "mkdir namespaces/3" mkdir "$C/namespaces/3"
echo 64M >"$C/namespaces/3/size"
expect_ok "enable ns 3 on the live controller" sh -c "echo 1 > $C/namespaces/3/enable"
check_true "namespace 3 got a block device (Namespace Attribute Changed event)" wait_ns_dev 3
N3=$(ns_dev 3)
EUI3=$(ns_id "$N3" eui64)
rand_file "$W/p3" 65536
dd if="$W/p3" of="$N3" bs=64k count=1 oflag=direct 2>/dev/null
expect_ok "disable ns 3" sh -c "echo 0 > $C/namespaces/3/enable"
check_true "namespace 3's block device gone" wait_ns_dev 3 gone
expect_ok "rmdir namespaces/3" rmdir "$C/namespaces/3"
OLD3=$EUI3
echo 2G >"$C/namespaces/1/size" 2>/dev/null && fail "size of an enabled namespace changed"
ok "size of an enabled namespace refused"

# nvme-cli namespace management
expect_ok "create-ns 32 MiB, 512-byte LBAs" nvme create-ns "$CTRL" --nsze=65536 --ncap=65536 --flbas=0
NEW=$(sed -n 's/.*created nsid:\{0,1\} *\([0-9]*\).*/\1/p' "$W/last.out" | head -n 1)
check_eq "$NEW" 3 "create-ns returns the lowest free NSID"
run nvme list-ns "$CTRL"
check_eq "$(grep -c '^\[' "$W/last.out")" 2 "not active before attach"
run nvme list-ns "$CTRL" --all
check_eq "$(grep -c '^\[' "$W/last.out")" 3 "allocated: three"
expect_ok "attach-ns 3" nvme attach-ns "$CTRL" --namespace-id=3 --controllers=1
check_true "namespace 3 has a block device after attach-ns" wait_ns_dev 3
N3=$(ns_dev 3)
check_true "the new namespace 3 has a new EUI64 ($OLD3 -> $(ns_id "$N3" eui64))" \
	test "$(ns_id "$N3" eui64)" != "$OLD3"
dd if="$N3" of="$W/r3" bs=64k count=1 iflag=direct 2>/dev/null
check_true "a new namespace where a deleted one was reads zeroes" cmp "$W/r3" "$W/zero"
expect_fail "attach-ns 3 again: already attached" nvme attach-ns "$CTRL" --namespace-id=3 --controllers=1
expect_fail "attach-ns to controller 7: invalid list" nvme attach-ns "$CTRL" --namespace-id=2 --controllers=7
expect_fail "create-ns larger than unvmcap" nvme create-ns "$CTRL" --nsze=$((1 << 32)) --ncap=$((1 << 32)) --flbas=0
check_match "$(cat "$W/last.out")" 'CAPACITY|Capacity|0x115|0x4115' "insufficient capacity status"
expect_fail "create-ns thin (ncap < nsze)" nvme create-ns "$CTRL" --nsze=2048 --ncap=1024 --flbas=0
expect_fail "create-ns with LBA format 5" nvme create-ns "$CTRL" --nsze=2048 --ncap=2048 --flbas=5
expect_fail "delete-ns of an unallocated NSID" nvme delete-ns "$CTRL" --namespace-id=30
expect_fail "detach-ns of NSID 0" nvme detach-ns "$CTRL" --namespace-id=0 --controllers=1
run fio --name=ns3 --filename="$N3" --ioengine=libaio --direct=1 --rw=randwrite \
	--bs=4k --iodepth=4 --size=8M --verify=crc32c --verify_fatal=1 --eta=never
check_eq "$RC" 0 "fio verify on the namespace made by create-ns"
expect_ok "detach-ns 3" nvme detach-ns "$CTRL" --namespace-id=3 --controllers=1
check_true "namespace 3's block device gone after detach-ns" wait_ns_dev 3 gone
expect_ok "delete-ns 3" nvme delete-ns "$CTRL" --namespace-id=3
run nvme list-ns "$CTRL" --all
check_eq "$(grep -c '^\[' "$W/last.out")" 2 "allocated after delete: two"
unvm2=$(nvme id-ctrl "$CTRL" | sed -n 's/^unvmcap *: *//p' | tr -d ',')
check_num "$unvm2" "$unvm" "unvmcap back after delete-ns"

# format: 512 -> 4096 -> 512 on ns 1, data erased, block size following
dd if="$W/p1" of=$N1 bs=64k count=1 oflag=direct 2>/dev/null
expect_ok "format ns 1 to 4 KiB LBAs, user data erase" nvme format $N1 --lbaf=1 --ses=1 --force
i=0
while [ "$(cat /sys/block/${N1#/dev/}/queue/logical_block_size)" != 4096 ] && [ $i -lt 50 ]; do usleep 200000; i=$((i + 1)); done
check_eq "$(cat /sys/block/${N1#/dev/}/queue/logical_block_size)" 4096 "ns 1 block size after format"
check_eq "$(cat /sys/block/${N1#/dev/}/size)" $((256 * 2048)) "ns 1 size unchanged by format"
dd if=$N1 of="$W/r1" bs=64k count=1 iflag=direct 2>/dev/null
check_true "formatted namespace reads zeroes" cmp "$W/r1" "$W/zero"
dd if=$N2 of="$W/r2" bs=64k count=1 iflag=direct 2>/dev/null
check_true "ns 2 untouched by the format of ns 1" cmp "$W/p2" "$W/r2"
expect_fail "format with LBA format 3" nvme format $N1 --lbaf=3 --force
expect_fail "format with protection information" nvme format $N1 --lbaf=0 --pi=1 --force
expect_ok "format ns 1 back to 512-byte LBAs" nvme format $N1 --lbaf=0 --ses=1 --force
i=0
while [ "$(cat /sys/block/${N1#/dev/}/queue/logical_block_size)" != 512 ] && [ $i -lt 50 ]; do usleep 200000; i=$((i + 1)); done
check_eq "$(cat /sys/block/${N1#/dev/}/queue/logical_block_size)" 512 "ns 1 block size back"

# ext4 on ns 2: made, filled, checked, remounted with its files
# (the debug kernel is built without ext4: that part is left out there)
if grep -qw ext4 /proc/filesystems; then
	expect_ok "mkfs.ext4 on ns 2" mkfs.ext4 -q -F $N2
	mkdir -p /mnt/ns2
	expect_ok "mount" mount -t ext4 $N2 /mnt/ns2
	for f in 1 2 3 4; do head -c $((f * 3 * 1048576)) /dev/urandom >"/mnt/ns2/f$f"; done
	mkdir -p /mnt/ns2/dir && cp /mnt/ns2/f1 /mnt/ns2/dir/copy
	(cd /mnt/ns2 && md5sum f1 f2 f3 f4 dir/copy) >"$W/sums"
	expect_ok "umount" umount /mnt/ns2
	expect_ok "e2fsck -fn finds nothing" e2fsck -fn $N2
	expect_ok "mount again" mount -t ext4 $N2 /mnt/ns2
	expect_ok "files intact after remount" sh -c "cd /mnt/ns2 && md5sum -c $W/sums"
	expect_ok "umount" umount /mnt/ns2
else
	log "ext4 part left out: this kernel has no ext4 ($(uname -r))"
fi

# tear down
expect_ok "disable nsd" sh -c "echo 0 > $C/enable"
for n in 1 2; do rmdir "$C/namespaces/$n"; done
expect_ok "rmdir nsd" rmdir "$C"
expect_ok "rmmod" rmmod nvmev
_bad=$(kmsg_all | grep -E "$BAD_KMSG_RE" | head -n 1)
[ -z "$_bad" ] || fail "kernel trouble: $_bad"
ok "no kernel warnings"
