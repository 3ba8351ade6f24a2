#!/bin/sh
# timeout: 300
# The zoned kind's controller side: the module parameters (kind=zns and
# the zone figures, refused where wrong, naming the parameter), what
# Identify says (CAP.CSS, CNS 05h/06h/07h/08h/1Ch, the CSI descriptor),
# the effects log per CSI, the I/O Command Set Profile feature, commands a
# zoned controller does not take (DSM, Copy, Namespace Management), the
# read-only and offline zone states through debugfs zone_fault with their
# statuses, zone capacity below the zone size, and Format NVM to 512 B and
# back.  Unloads the suite's nvmev first if
# loaded and puts it back at the end.
. "$T_DIR/lib.sh"
need_nvmev
grep -qw blkdev_report_zones /proc/kallsyms ||
	skip "this kernel has no zoned block devices (CONFIG_BLK_DEV_ZONED off: the debug kernel)"
suite_nvmev_down
BASE="memmap_start=$NVMEV_MEMMAP_START_BYTES memmap_size=$NVMEV_MEMMAP_SIZE_BYTES cpus=$NVMEV_CPUS"
ZDBG=$NVMEV_DBG/nvmev0

refused() { # NAME PARAMS...: refused, dmesg naming NAME (hostile_insmod)
	HOSTILE_EXPECT=$1
	shift
	hostile_insmod "insmod $*" $BASE "$@"
	HOSTILE_EXPECT=
}
refused "kind=flash" kind=flash
refused "zone_size=16777216: a zone figure, but kind is conv" zone_size=16M
refused "max_open" kind=zns max_open=8 max_active=4
refused "zone_cap" kind=zns zone_size=8M zone_cap=16M

load() {
	expect_ok "insmod $*" insmod /nvmev.ko $BASE "$@"
	wait_for_dev 30 || fail "$DEV did not appear after insmod $*"
}
unload() {
	expect_ok "rmmod nvmev" nvmev_unload
	wait_for_no_dev 30 || fail "$DEV still there after rmmod"
}

# ---- zone capacity below the zone size -------------------------------------
load kind=zns lba_size=4096 zone_size=16M zone_cap=12M max_open=3 max_active=5
B=/sys/block/${DEV#/dev/}
check_eq "$(cat $B/queue/zoned)" host-managed "queue/zoned"
check_num "$(cat $B/queue/chunk_sectors)" 32768 "chunk_sectors = 16 MiB"
check_num "$(cat $B/queue/max_open_zones)" 3 "max_open_zones"
check_num "$(cat $B/queue/max_active_zones)" 5 "max_active_zones"
NZ=$(cat $B/queue/nr_zones)
check_true "$NZ zones in the model's flash" test "$NZ" -ge 60
check_num "$(sed -n 's/^zone_cap //p' $ZDBG/model)" $((12 << 20)) "debugfs model: zone_cap"
check_num "$(cat $ZDBG/zones | grep -c '^zone ')" "$NZ" "debugfs zones: one line per zone"
rep=$(nvme zns report-zones "$DEV" -d 2)
check_match "$rep" "Cap: 0xc00 " "report: zone capacity 3072 LBAs (12 MiB)"
# the capacity fills the zone: writes up to it, not beyond
rand_file "$W/a" 4096
expect_ok "fill zone 0's 12 MiB capacity" \
	dd if=/dev/zero of="$DEV" bs=1M count=12 oflag=direct
check_match "$(nvme zns report-zones "$DEV" -d 1)" "State: 0xe0" "zone 0 full at its capacity"
expect_fail "write to the full zone 0" nvme write "$DEV" -s 3072 -c 0 -z 4096 -d "$W/a"
check_match "$(cat "$W/last.out")" "Zone Is Full|1b9" "status Zone Is Full"
dd if="$DEV" of="$W/gap" bs=4096 skip=3072 count=16 iflag=direct 2>/dev/null
check_num "$(tr -d '\000' <"$W/gap" | wc -c)" 0 "LBAs between capacity and size read as zeroes"
expect_ok "zone 1 filled but one LBA" dd if=/dev/zero of="$DEV" bs=4096 seek=4096 count=3071 oflag=direct
head -c 8192 /dev/zero >"$W/z8"
expect_fail "2-LBA write past zone 1's capacity" nvme write "$DEV" -s $((4096 + 3071)) -c 1 -z 8192 -d "$W/z8"
check_match "$(cat "$W/last.out")" "Boundary|1b8" "status Zone Boundary Error"
expect_fail "2-LBA append that does not fit zone 1" nvme zns zone-append "$DEV" -s 4096 -z 8192 -d "$W/z8"
check_match "$(cat "$W/last.out")" "Boundary|1b8" "append: Zone Boundary Error"
expect_fail "write not at the write pointer" nvme write "$DEV" -s $((2 * 4096 + 8)) -c 0 -z 4096 -d "$W/a"
check_match "$(cat "$W/last.out")" "Invalid Write|1bc" "status Zone Invalid Write"

# ---- Identify and logs ------------------------------------------------------
cap=$(nvme show-regs "$CTRL" 2>/dev/null | sed -n 's/^cap *: *//p' | head -1)
[ -n "$cap" ] && check_true "CAP.CSS bit 6 (I/O command sets): cap=$cap" \
	test $(( (0x$(echo "$cap" | sed 's/^0x//') >> 43) & 1 )) = 1
check_num "$(id_ctrl_field nn)" 1 "id-ctrl nn = 1 (one zoned namespace)"
oacs=$(id_ctrl_field oacs)
check_num "$(( oacs & 8 ))" 0 "OACS: no Namespace Management"
oncs=$(id_ctrl_field oncs)
check_num "$(( oncs & 4 ))" 0 "ONCS: no Dataset Management"
check_num "$(( oncs & 0x100 ))" 0 "ONCS: no Copy"
# CNS 1Ch: one I/O command set combination, NVM | ZNS
v=$(nvme admin-passthru "$CTRL" -o 6 --cdw10=0x1c -l 4096 -r -b 2>/dev/null | od -An -tu1 -N 1 | tr -d ' ')
check_num "$v" 5 "CNS 1Ch combination 0 = NVM (bit 0) | ZNS (bit 2)"
# CNS 07h, CSI 2: active zoned namespaces
v=$(nvme admin-passthru "$CTRL" -o 6 --cdw10=0x07 --cdw11=0x02000000 -l 4096 -r -b 2>/dev/null | od -An -tu4 -N 8 | xargs)
check_eq "$v" "1 0" "CNS 07h CSI 2: namespace 1 only"
v=$(nvme admin-passthru "$CTRL" -o 6 --cdw10=0x07 -l 4096 -r -b 2>/dev/null | od -An -tu4 -N 4 | xargs)
check_eq "$v" "0" "CNS 07h CSI 0: no NVM namespace"
# CNS 08h: I/O command set independent, namespace ready (nstat, byte 14)
v=$(nvme admin-passthru "$CTRL" -o 6 -n 1 --cdw10=0x08 -l 4096 -r -b 2>/dev/null | od -An -tu1 -j 14 -N 1 | tr -d ' ')
check_num "$v" 1 "CNS 08h: nstat ready"
# CNS 03h: the CSI descriptor (type 4, length 1, value 2)
d=$(nvme ns-descs "$DEV" 2>&1); echo "$d"
check_match "$d" "csi *: *(0x)?2$" "namespace descriptors: csi 2"
expect_fail "Identify CNS 05h CSI 3 (no such command set)" nvme admin-passthru "$CTRL" -o 6 -n 1 --cdw10=0x05 --cdw11=0x03000000 -l 4096 -r
# effects log per CSI: zone commands in CSI 2, with LBCC for send/append
e2=$(nvme admin-passthru "$CTRL" -o 2 --cdw10=0x03ff0005 --cdw14=0x02000000 -l 4096 -r -b 2>/dev/null | od -An -tu4 -j $((1024 + 4 * 0x79)) -N 20 | xargs)
set -- $e2
check_num "$1" 3 "effects CSI 2: Zone Management Send supported, LBCC"
check_num "$2" 1 "effects CSI 2: Zone Management Receive supported"
check_num "$5" 3 "effects CSI 2: Zone Append supported, LBCC"
dsm=$(nvme admin-passthru "$CTRL" -o 2 --cdw10=0x03ff0005 --cdw14=0x02000000 -l 4096 -r -b 2>/dev/null | od -An -tu4 -j $((1024 + 4 * 9)) -N 4 | xargs)
check_num "$dsm" 0 "effects CSI 2: no Dataset Management"
expect_fail "effects log for CSI 1 refused" nvme admin-passthru "$CTRL" -o 2 --cdw10=0x03ff0005 --cdw14=0x01000000 -l 4096 -r
# I/O Command Set Profile (19h): index 0 only
expect_ok "get-feature 19h" nvme get-feature "$CTRL" -f 0x19
expect_ok "set-feature 19h = 0" nvme set-feature "$CTRL" -f 0x19 -v 0
expect_fail "set-feature 19h = 1 (no combination 1)" nvme set-feature "$CTRL" -f 0x19 -v 1
# commands a zoned controller does not take
expect_fail "Dataset Management" nvme dsm "$DEV" -s 0 -b 8 -d
check_match "$(cat "$W/last.out")" "Invalid Command Opcode" "DSM: Invalid Command Opcode"
expect_fail "Namespace Management (create-ns)" nvme create-ns "$CTRL" -s 1000 -c 1000 -f 0
expect_fail "Zone Management Receive, filter 8h" nvme zns zone-mgmt-recv "$DEV" -z 0 -S 8 -l 4096
expect_fail "Extended Report Zones (no extensions)" nvme zns zone-mgmt-recv "$DEV" -z 1 -l 4096
expect_fail "Set Zone Descriptor Extension" nvme zns zone-mgmt-send "$DEV" -s 0 -a 0x10

# ---- read-only and offline zones (debugfs zone_fault) ------------------------
ZS=4096	# zone size in LBAs (16 MiB / 4 KiB)
expect_ok "write 1 LBA to zone 5" nvme write "$DEV" -s $((5 * ZS)) -c 0 -z 4096 -d "$W/a"
expect_ok "zone 5 made read-only" sh -c "echo '5 rdonly' > $ZDBG/zone_fault"
check_match "$(grep '^zone 5 ' $ZDBG/zones)" "state rdonly wp $((5 * ZS + 1)) " "debugfs: zone 5 rdonly, data end kept"
expect_fail "write to the read-only zone" nvme write "$DEV" -s $((5 * ZS + 1)) -c 0 -z 4096 -d "$W/a"
check_match "$(cat "$W/last.out")" "Read Only|1ba" "status Zone Is Read Only"
expect_ok "read of the read-only zone's data" nvme read "$DEV" -s $((5 * ZS)) -c 0 -z 4096 -d "$W/b"
check_true "read-only zone: data still there" cmp -s "$W/a" "$W/b"
expect_fail "reset of a read-only zone" nvme zns reset-zone "$DEV" -s $((5 * ZS))
expect_ok "host takes the read-only zone offline" nvme zns offline-zone "$DEV" -s $((5 * ZS))
check_match "$(grep '^zone 5 ' $ZDBG/zones)" "state offline" "debugfs: zone 5 offline"
expect_fail "read of the offline zone" nvme read "$DEV" -s $((5 * ZS)) -c 0 -z 4096 -d "$W/b"
check_match "$(cat "$W/last.out")" "Offline|1bb" "status Zone Is Offline"
expect_ok "zone 7 offline straight away" sh -c "echo '7 offline' > $ZDBG/zone_fault"
expect_fail "zone_fault: no such zone" sh -c "echo '100000 rdonly' > $ZDBG/zone_fault"
expect_fail "zone_fault: bad state" sh -c "echo '3 broken' > $ZDBG/zone_fault"
check_match "$(nvme zns report-zones "$DEV" -S 7 -d 4)" "nr_zones: 2" "report filter 7h (offline): 2 zones"

# ---- Format NVM: every zone empty, 512 B LBAs, and back ------------------------
expect_ok "format to LBA format 0 (512 B)" nvme format "$CTRL" -n 1 -l 0 -f
i=0; while [ "$(cat $B/queue/logical_block_size 2>/dev/null)" != 512 ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
check_num "$(cat $B/queue/logical_block_size)" 512 "logical block size 512 after format"
check_num "$(cat $B/queue/nr_zones)" "$NZ" "same zone count after format"
check_match "$(nvme zns report-zones "$DEV" -S 1 -d 0)" "nr_zones: $NZ" "every zone empty after format (offline ones too)"
check_match "$(nvme zns report-zones "$DEV" -d 1)" "Cap: 0x6000 " "capacity in 512 B LBAs"
head -c 1536 /dev/urandom >"$W/c"
expect_ok "3-LBA write at 512 B" nvme write "$DEV" -s 0 -c 2 -z 1536 -d "$W/c"
expect_ok "read back" nvme read "$DEV" -s 0 -c 2 -z 1536 -d "$W/d"
check_true "512 B data back" cmp -s "$W/c" "$W/d"
expect_ok "format back to 4 KiB" nvme format "$CTRL" -n 1 -l 1 -f
i=0; while [ "$(cat $B/queue/logical_block_size 2>/dev/null)" != 4096 ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
check_num "$(cat $B/queue/logical_block_size)" 4096 "logical block size 4096 again"
unload

# ---- configfs: a zoned controller's namespace rules --------------------------
CFG=/sys/kernel/config/nvmev
expect_ok "insmod without parameters" insmod /nvmev.ko
expect_ok "mkdir z" mkdir $CFG/z
for kv in "memmap_start $NVMEV_MEMMAP_START_BYTES" "memmap_size $NVMEV_MEMMAP_SIZE_BYTES" \
	"cpus $NVMEV_CPUS" "kind zns" "zone_size 8M"; do
	set -- $kv
	expect_ok "z/$1 = $2" sh -c "echo $2 > $CFG/z/$1"
done
expect_fail "kind = bogus" sh -c "echo bogus > $CFG/z/kind"
check_eq "$(cat $CFG/z/kind)" zns "kind unchanged after a bad write"
expect_ok "mkdir namespaces/2" mkdir $CFG/z/namespaces/2
expect_ok "namespaces/2 enable (taken at controller enable)" sh -c "echo 1 > $CFG/z/namespaces/2/enable"
_n0=$(kmsg_lines)
expect_fail "enable with namespace 2 on a zoned controller" sh -c "echo 1 > $CFG/z/enable"
kmsg_all | tail -n +$((_n0 + 1)) | grep -q "one namespace, NSID 1" || fail "no message about NSID 1"
ok "dmesg: a zoned controller has one namespace, NSID 1"
expect_ok "rmdir namespaces/2" rmdir $CFG/z/namespaces/2
expect_ok "mkdir namespaces/1" mkdir $CFG/z/namespaces/1
expect_ok "namespaces/1 size 64M" sh -c "echo 64M > $CFG/z/namespaces/1/size"
expect_ok "namespaces/1 enable" sh -c "echo 1 > $CFG/z/namespaces/1/enable"
expect_fail "enable with a sized zoned namespace" sh -c "echo 1 > $CFG/z/enable"
expect_ok "namespaces/1 disable" sh -c "echo 0 > $CFG/z/namespaces/1/enable"
expect_ok "namespaces/1 size 0" sh -c "echo 0 > $CFG/z/namespaces/1/size"
expect_ok "namespaces/1 enable" sh -c "echo 1 > $CFG/z/namespaces/1/enable"
expect_ok "enable the zoned controller" sh -c "echo 1 > $CFG/z/enable"
wait_for_dev 30 || fail "no device after enable"
check_num "$(cat /sys/block/${DEV#/dev/}/queue/chunk_sectors)" 16384 "configfs zone_size 8M: chunk_sectors 16384"
check_eq "$(cat /sys/block/${DEV#/dev/}/queue/zoned)" host-managed "configfs zoned controller: host-managed"
expect_ok "disable" sh -c "echo 0 > $CFG/z/enable"
wait_for_no_dev 30 || fail "device still there after disable"
expect_ok "rmdir namespaces/1" rmdir $CFG/z/namespaces/1
expect_ok "rmdir z" rmdir $CFG/z
expect_ok "rmmod" rmmod nvmev
suite_nvmev_back
