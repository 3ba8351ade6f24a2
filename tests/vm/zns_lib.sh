# SPDX-License-Identifier: GPL-2.0
# Helpers for tests/vm/7x_zns_*.sh (busybox ash, inside the VM), sourced
# after lib.sh.  Not a test itself (the harness runs NN_*.sh only).
#
#   ZNS_ZONE_SIZE=16M ZNS_MAX_OPEN=8 ZNS_MAX_ACTIVE=12   # nvmev: what to make
#   (also ZNS_ZONE_CAP, ZNS_STRIPE_LUNS, ZNS_LBA; unset = left at nvmev's default)
#   ZNS_REF=limited                                     # control: which one
#   zns_setup [conv [CONV_NS_SIZE]]
#   ... $ZDEV (zoned block device), $ZCTRL (its /dev/nvmeX),
#       $CDEV/$CCTRL (conventional namespace on another controller) ...
#   zns_teardown
#
# nvmev mode: the test owns the module.  If the suite's nvmev0 is loaded
# (70_reload_cycles leaves it for the 8x tests) it is unloaded first (or,
# without a "kind" attribute, the test SKIPs at once) and put back by
# zns_teardown; in between nvmev is loaded without parameters
# and the test makes its own controllers in configfs: "znsz" (kind=zns,
# exactly one namespace, nsid 1, all zones) on the first half of the
# reserved region and, with "conv", "znsc" (conventional) on the second.
# An nvmev without the zoned kind (no "kind" attribute) makes the test SKIP.
#
# Control mode: QEMU's own zoned namespaces (tools/vm/nvmev-vm: a second
# controller, serial $NVMEV_CTL_Z_SERIAL, and a conventional third one)
# are bound to the nvme driver and released again.  ZNS_REF picks the one
# matching what the test makes on nvmev: namespace 1 (limited: 16 MiB
# zones of 12 MiB capacity, open 8, active 12), 2 (open: 16 MiB zones, no
# limits, the default) or 3 (small: 4 MiB zones, no limits).  The ZNS_*
# creation knobs do not apply there: tests take the geometry from sysfs
# (ZNS_* below), never from the knobs.
#
# After zns_setup: ZBLK (name in /sys/block), ZNS_LBA_BYTES, ZNS_ZONE_SECTORS,
# ZNS_ZONE_LBAS, ZNS_CAP_LBAS (of zone 0), ZNS_NR_ZONES, ZNS_MO/ZNS_MA
# (sysfs max_open_zones/max_active_zones, 0 = no limit); ZNS_EXP_* what the
# device should report (configured values, or QEMU's in control mode);
# ZNS_DBG (nvmev debugfs directory of the zoned controller, empty in
# control mode).
ZNS_CFG=/sys/kernel/config/nvmev
ZNS_ZNAME=znsz
ZNS_CNAME=znsc
ZNS_ZSERIAL=NVMEVZNS
ZNS_CSERIAL=NVMEVCNV
ZNS_REF=${ZNS_REF:-open}
ZNS_LBA=${ZNS_LBA:-4096}
ZNS_UP=0
ZNS_HAD_NVMEV=0
ZNS_MNT=/mnt/zns

# size with K/M/G suffix -> bytes
zns_bytes() {
	case $1 in
	*[kK]) echo $(( ${1%?} << 10 ));;
	*[mM]) echo $(( ${1%?} << 20 ));;
	*[gG]) echo $(( ${1%?} << 30 ));;
	*) echo $(( $1 ));;
	esac
}

# Zoned block devices need CONFIG_BLK_DEV_ZONED (the debug kernel has none).
zns_need_kernel() {
	grep -q ' blkdev_report_zones$' /proc/kallsyms 2>/dev/null ||
		skip "kernel without zoned block device support (CONFIG_BLK_DEV_ZONED)"
	return 0
}

# zns_need_fs FS: load FS (and F2FS's crc32) from the image; SKIP when this
# kernel or image has none.
zns_need_fs() {
	grep -qw "$1" /proc/filesystems && return 0
	grep -q "/$1\.ko\$" /etc/fs-modules.list 2>/dev/null ||
		skip "no $1 module in this image/kernel"
	[ "$1" = f2fs ] && { modprobe crc32_pclmul 2>/dev/null || modprobe crc32_generic 2>/dev/null; }
	expect_ok "modprobe $1" modprobe "$1"
	grep -qw "$1" /proc/filesystems || fail "$1 not in /proc/filesystems after modprobe"
	ok "$1 registered"
}

# Block device (/dev/nvmeXnY) with serial $1 and nsid $2, or nothing.
zns_blk_of() {
	for _b in /sys/block/nvme*; do
		[ -e "$_b/nsid" ] || continue
		[ "$(sed 's/ *$//' "$_b/device/serial" 2>/dev/null)" = "$1" ] || continue
		[ "$(cat "$_b/nsid")" = "${2:-1}" ] && [ -b "/dev/${_b##*/}" ] &&
			{ echo "/dev/${_b##*/}"; return 0; }
	done
	return 1
}
# Controller character device (/dev/nvmeX) with serial $1, live.
zns_ctrl_of() {
	for _c in /sys/class/nvme/nvme*; do
		[ "$(sed 's/ *$//' "$_c/serial" 2>/dev/null)" = "$1" ] || continue
		[ "$(cat "$_c/state" 2>/dev/null)" = live ] && { echo "/dev/${_c##*/}"; return 0; }
	done
	return 1
}
# zns_wait_blk SERIAL NSID: wait up to 30 s, print the block device
zns_wait_blk() {
	_i=0
	while [ $_i -lt 150 ]; do
		zns_blk_of "$1" "$2" && zns_ctrl_of "$1" >/dev/null && return 0
		usleep 200000
		_i=$((_i + 1))
	done
	return 1
}

zns_attr() { # PATH-UNDER-CFG NAME VALUE
	expect_ok "$1/$2 = $3" sh -c "echo '$3' > $ZNS_CFG/$1/$2"
}

# Unmount whatever the test left on ZNS_MNT (busy file systems on the
# devices would keep them from going).
zns_umount() {
	grep -q " $ZNS_MNT " /proc/mounts || return 0
	sync
	umount "$ZNS_MNT" 2>/dev/null || { sleep 1; umount -l "$ZNS_MNT"; }
}

zns_setup() {
	ZNS_WANT_CONV=0
	[ "${1:-}" = conv ] && ZNS_WANT_CONV=1
	ZNS_CONV_NS_SIZE=${2:-}
	zns_need_kernel
	ZNS_KMSG0=$(kmsg_lines)
	if [ "$MODE" = control ]; then
		zns_setup_control
	else
		zns_setup_nvmev
	fi
	zns_probe
}

zns_setup_nvmev() {
	[ -f /nvmev.ko ] || fail "/nvmev.ko missing from the image"
	if [ -d /sys/module/nvmev ] && [ -d "$ZNS_CFG/nvmev0" ] && [ ! -e "$ZNS_CFG/nvmev0/kind" ]; then
		skip "this nvmev has no zoned controllers yet (no 'kind' attribute in configfs)"
	fi
	if [ -d /sys/module/nvmev ]; then
		# the suite's own device (insmod with module parameters)
		_other=$(ls "$ZNS_CFG" 2>/dev/null | grep -v -e '^features$' -e '^nvmev0$')
		[ -z "$_other" ] || fail "nvmev loaded with configfs controllers ($_other) before the test"
		ZNS_HAD_NVMEV=1
		expect_ok "unload the suite's nvmev first (put back at the end)" rmmod nvmev
		wait_for_no_dev 20 || fail "nvme0 still there 20 s after rmmod nvmev"
	fi
	trap zns_cleanup EXIT
	ZNS_UP=1
	expect_ok "insmod without parameters" insmod /nvmev.ko
	expect_ok "mkdir $ZNS_ZNAME" mkdir "$ZNS_CFG/$ZNS_ZNAME"
	if [ ! -e "$ZNS_CFG/$ZNS_ZNAME/kind" ]; then
		zns_cleanup
		trap - EXIT
		skip "this nvmev has no zoned controllers yet (no 'kind' attribute in configfs)"
	fi
	set -- $(echo "$NVMEV_CPUS" | tr ',' ' ')
	_cpu_a=$1 _cpu_b=${2:-$1}
	_half=$((NVMEV_MEMMAP_SIZE_BYTES / 2))
	zns_attr $ZNS_ZNAME memmap_start "$NVMEV_MEMMAP_START_BYTES"
	zns_attr $ZNS_ZNAME memmap_size "$_half"
	zns_attr $ZNS_ZNAME cpus "$_cpu_a"
	zns_attr $ZNS_ZNAME serial "$ZNS_ZSERIAL"
	zns_attr $ZNS_ZNAME kind zns
	[ -n "${ZNS_ZONE_SIZE:-}" ] && zns_attr $ZNS_ZNAME zone_size "$ZNS_ZONE_SIZE"
	[ -n "${ZNS_ZONE_CAP:-}" ] && zns_attr $ZNS_ZNAME zone_cap "$ZNS_ZONE_CAP"
	[ -n "${ZNS_MAX_OPEN:-}" ] && zns_attr $ZNS_ZNAME max_open "$ZNS_MAX_OPEN"
	[ -n "${ZNS_MAX_ACTIVE:-}" ] && zns_attr $ZNS_ZNAME max_active "$ZNS_MAX_ACTIVE"
	[ -n "${ZNS_STRIPE_LUNS:-}" ] && zns_attr $ZNS_ZNAME stripe_luns "$ZNS_STRIPE_LUNS"
	expect_ok "mkdir $ZNS_ZNAME/namespaces/1" mkdir "$ZNS_CFG/$ZNS_ZNAME/namespaces/1"
	zns_attr $ZNS_ZNAME/namespaces/1 lba_size "$ZNS_LBA"
	zns_attr $ZNS_ZNAME/namespaces/1 enable 1
	zns_attr $ZNS_ZNAME enable 1
	ZNS_EXP_ZONE_BYTES=$(zns_bytes "${ZNS_ZONE_SIZE:-16M}")
	ZNS_EXP_CAP_BYTES=$(zns_bytes "${ZNS_ZONE_CAP:-$ZNS_EXP_ZONE_BYTES}")
	ZNS_EXP_MO=${ZNS_MAX_OPEN:-0}
	ZNS_EXP_MA=${ZNS_MAX_ACTIVE:-0}
	ZNS_EXP_LBA=$ZNS_LBA
	ZNS_EXP_ZONES=""   # nvmev decides how many fit; checked against the region
	ZNS_ZSER=$ZNS_ZSERIAL ZNS_ZNSID=1
	ZNS_DBG=$NVMEV_DBG/$ZNS_ZNAME
	if [ "$ZNS_WANT_CONV" = 1 ]; then
		expect_ok "mkdir $ZNS_CNAME" mkdir "$ZNS_CFG/$ZNS_CNAME"
		zns_attr $ZNS_CNAME memmap_start "$((NVMEV_MEMMAP_START_BYTES + _half))"
		zns_attr $ZNS_CNAME memmap_size "$_half"
		zns_attr $ZNS_CNAME cpus "$_cpu_b"
		zns_attr $ZNS_CNAME serial "$ZNS_CSERIAL"
		expect_ok "mkdir $ZNS_CNAME/namespaces/1" mkdir "$ZNS_CFG/$ZNS_CNAME/namespaces/1"
		[ -n "$ZNS_CONV_NS_SIZE" ] && zns_attr $ZNS_CNAME/namespaces/1 size "$ZNS_CONV_NS_SIZE"
		# F2FS wants the same sector size on both devices
		zns_attr $ZNS_CNAME/namespaces/1 lba_size "$ZNS_LBA"
		zns_attr $ZNS_CNAME/namespaces/1 enable 1
		zns_attr $ZNS_CNAME enable 1
		ZNS_CSER=$ZNS_CSERIAL
	fi
}

zns_setup_control() {
	for _a in $NVMEV_CTL_Z_PCI $NVMEV_CTL_C_PCI; do
		[ -e "/sys/bus/pci/devices/$_a" ] ||
			fail "QEMU's zoned reference at PCI $_a missing (launcher too old?)"
	done
	trap zns_cleanup EXIT
	ZNS_UP=1
	ZNS_BOUND=$NVMEV_CTL_Z_PCI
	[ "$ZNS_WANT_CONV" = 1 ] && ZNS_BOUND="$ZNS_BOUND $NVMEV_CTL_C_PCI"
	for _a in $ZNS_BOUND; do
		echo nvme >"/sys/bus/pci/devices/$_a/driver_override"
		expect_ok "bind QEMU's controller at $_a to nvme" sh -c "echo $_a > /sys/bus/pci/drivers/nvme/bind"
	done
	ZNS_ZSER=$NVMEV_CTL_Z_SERIAL
	ZNS_EXP_ZONE_BYTES=$NVMEV_CTL_Z_ZONE_BYTES
	ZNS_EXP_LBA=$NVMEV_CTL_Z_LBA
	ZNS_EXP_ZONES=$NVMEV_CTL_Z_ZONES
	case $ZNS_REF in
	limited)
		ZNS_ZNSID=1
		ZNS_EXP_CAP_BYTES=$NVMEV_CTL_Z_CAP_BYTES
		ZNS_EXP_MO=$NVMEV_CTL_Z_MAX_OPEN
		ZNS_EXP_MA=$NVMEV_CTL_Z_MAX_ACTIVE;;
	open)
		ZNS_ZNSID=2
		ZNS_EXP_CAP_BYTES=$NVMEV_CTL_Z_ZONE_BYTES
		ZNS_EXP_MO=0 ZNS_EXP_MA=0;;
	small)
		ZNS_ZNSID=3
		ZNS_EXP_ZONE_BYTES=$NVMEV_CTL_Z_SMALL_ZONE_BYTES
		ZNS_EXP_ZONES=$NVMEV_CTL_Z_SMALL_ZONES
		ZNS_EXP_CAP_BYTES=$NVMEV_CTL_Z_SMALL_ZONE_BYTES
		ZNS_EXP_MO=0 ZNS_EXP_MA=0;;
	*) fail "ZNS_REF must be limited, open or small, not '$ZNS_REF'";;
	esac
	ZNS_CSER=$NVMEV_CTL_C_SERIAL
	ZNS_DBG=""
}

# After the controllers are up: find the devices and read the geometry.
zns_probe() {
	ZDEV=$(zns_wait_blk "$ZNS_ZSER" "$ZNS_ZNSID") ||
		fail "no block device for the zoned namespace (serial $ZNS_ZSER, nsid $ZNS_ZNSID) within 30 s"
	ZCTRL=$(zns_ctrl_of "$ZNS_ZSER")
	zns_geometry "$ZDEV"
	ok "zoned namespace $ZDEV on $ZCTRL: $ZNS_NR_ZONES zones of $ZNS_ZONE_LBAS LBAs ($((ZNS_ZONE_SECTORS / 2048)) MiB), capacity $ZNS_CAP_LBAS LBAs, LBA $ZNS_LBA_BYTES B, max open $ZNS_MO, max active $ZNS_MA"
	if [ "$ZNS_WANT_CONV" = 1 ]; then
		CDEV=$(zns_wait_blk "$ZNS_CSER" 1) ||
			fail "no block device for the conventional namespace (serial $ZNS_CSER) within 30 s"
		CCTRL=$(zns_ctrl_of "$ZNS_CSER")
		check_eq "$(cat /sys/block/${CDEV#/dev/}/queue/zoned)" none "$CDEV is a conventional device"
		ok "conventional namespace $CDEV on $CCTRL ($(($(cat /sys/block/${CDEV#/dev/}/size) / 2048)) MiB)"
	fi
	mkdir -p "$ZNS_MNT"
	# QEMU keeps zone states across binds; start from empty zones
	expect_ok "reset all zones of $ZDEV" blkzone reset "$ZDEV"
	check_eq "$(zns_count_cond em)" "$ZNS_NR_ZONES" "every zone empty at the start"
}

# zns_geometry DEV: ZDEV=DEV and its geometry from sysfs and zone 0
zns_geometry() {
	ZDEV=$1 ZBLK=${1#/dev/}
	_q=/sys/block/$ZBLK/queue
	check_eq "$(cat $_q/zoned)" host-managed "$ZDEV is a host-managed zoned device"
	ZNS_LBA_BYTES=$(cat $_q/logical_block_size)
	ZNS_ZONE_SECTORS=$(cat $_q/chunk_sectors)
	ZNS_NR_ZONES=$(cat $_q/nr_zones)
	ZNS_MO=$(cat $_q/max_open_zones)
	ZNS_MA=$(cat $_q/max_active_zones)
	ZNS_ZONE_LBAS=$((ZNS_ZONE_SECTORS * 512 / ZNS_LBA_BYTES))
	# Before 6.10 only mq-deadline keeps writes to a zone in order (zone
	# write locking); 6.1 leaves an NVMe zoned namespace on "none", and a
	# distribution's udev rule would switch it.  Do the same.
	if grep -q 'mq-deadline' $_q/scheduler && ! grep -q '\[mq-deadline\]' $_q/scheduler; then
		echo mq-deadline >$_q/scheduler || fail "cannot select mq-deadline for $ZDEV"
	fi
	zinfo 0
	ZNS_CAP_LBAS=$((ZI_CAP * 512 / ZNS_LBA_BYTES))
}

# Undo zns_setup, checking each step.  nvmev: controllers disabled and
# removed, module unloaded, the suite's nvmev0 back if it was there
# ("zns_teardown unloaded": not yet; zns_restore does it later).
zns_teardown() {
	zns_umount
	if [ "$MODE" = control ]; then
		for _a in $ZNS_BOUND; do
			expect_ok "unbind $_a from nvme" sh -c "echo $_a > /sys/bus/pci/drivers/nvme/unbind"
			echo none >"/sys/bus/pci/devices/$_a/driver_override"
		done
		_i=0
		while zns_ctrl_of "$ZNS_ZSER" >/dev/null && [ $_i -lt 100 ]; do usleep 200000; _i=$((_i + 1)); done
		check_true "QEMU's zoned controller released" test -z "$(zns_ctrl_of "$ZNS_ZSER")"
		check_eq "$(cat /sys/class/nvme/nvme0/state 2>/dev/null)" live "the raw drive (nvme0) still live"
	else
		for _c in $ZNS_CNAME $ZNS_ZNAME; do
			[ -d "$ZNS_CFG/$_c" ] || continue
			zns_attr $_c enable 0
			[ -d "$ZNS_CFG/$_c/namespaces/1" ] &&
				expect_ok "rmdir $_c/namespaces/1" rmdir "$ZNS_CFG/$_c/namespaces/1"
			expect_ok "rmdir $_c" rmdir "$ZNS_CFG/$_c"
		done
		check_true "no nvme controller left" test -z "$(ls /sys/class/nvme 2>/dev/null)"
		expect_ok "rmmod nvmev" rmmod nvmev
		[ "${1:-}" = unloaded ] && return 0
	fi
	zns_restore
}
# The suite's nvmev0 back if the test found it loaded; kernel log clean.
zns_restore() {
	if [ "$MODE" = nvmev ] && [ "$ZNS_HAD_NVMEV" = 1 ]; then
		[ -d /sys/module/nvmev ] && expect_ok "rmmod nvmev" rmmod nvmev
		expect_ok "the suite's nvmev back ($NVMEV_MODPARAMS)" nvmev_load
		wait_for_dev 20 || fail "$DEV not back 20 s after insmod"
		ok "$DEV back"
	fi
	ZNS_UP=0
	trap - EXIT
	_bad=$(kmsg_all | tail -n +$((ZNS_KMSG0 + 1)) | grep -v 'nvmev-test:' | grep -E "$BAD_KMSG_RE" | head -n 1)
	[ -z "$_bad" ] || fail "kernel trouble during the test: $_bad"
	ok "no kernel warnings during the test"
}

# On any exit before zns_teardown (fail, skip): best effort, quiet.
zns_cleanup() {
	[ "$ZNS_UP" = 1 ] || return 0
	ZNS_UP=0
	zns_umount
	if [ "$MODE" = control ]; then
		for _a in $ZNS_BOUND; do
			echo "$_a" >/sys/bus/pci/drivers/nvme/unbind 2>/dev/null
			echo none >"/sys/bus/pci/devices/$_a/driver_override"
		done
	else
		for _c in $ZNS_CNAME $ZNS_ZNAME; do
			[ -d "$ZNS_CFG/$_c" ] || continue
			echo 0 >"$ZNS_CFG/$_c/enable" 2>/dev/null
			rmdir "$ZNS_CFG/$_c/namespaces/1" 2>/dev/null
			rmdir "$ZNS_CFG/$_c" 2>/dev/null
		done
		rmmod nvmev 2>/dev/null
		if [ "$ZNS_HAD_NVMEV" = 1 ]; then
			nvmev_load >/dev/null 2>&1 && wait_for_dev 20
		fi
	fi
	return 0
}

# ---- zones -----------------------------------------------------------------
zslba() { echo $(($1 * ZNS_ZONE_LBAS)); }          # zone -> first LBA
zsector() { echo $(($1 * ZNS_ZONE_SECTORS)); }     # zone -> first sector

# zinfo Z: blkzone's view: ZI_COND (em oi oe cl fu ro of), ZI_WP (write
# pointer relative to the zone start, in LBAs), ZI_CAP (sectors)
zinfo() {
	_l=$(blkzone report -o "$(zsector "$1")" -c 1 "$ZDEV" 2>&1 | head -n 1)
	ZI_COND=$(echo "$_l" | sed -n 's/.*zcond: *[0-9]*(\([a-z]*\)).*/\1/p')
	_w=$(echo "$_l" | sed -n 's/.*wptr \(0x[0-9a-fA-F]*\).*/\1/p')
	_c=$(echo "$_l" | sed -n 's/.*cap \(0x[0-9a-fA-F]*\).*/\1/p')
	[ -n "$ZI_COND" ] && [ -n "$_w" ] && [ -n "$_c" ] || fail "cannot parse blkzone report of zone $1: $_l"
	ZI_WP=$(($_w * 512 / ZNS_LBA_BYTES))
	ZI_CAP=$(($_c))
}
# nzinfo Z: the NVMe view (nvme zns report-zones): NZ_STATE (empty iopen
# eopen closed full rdonly offline), NZ_WP (absolute LBA), NZ_CAP (LBAs)
nzinfo() {
	_l=$(nvme zns report-zones "$ZDEV" -s "$(zslba "$1")" -d 1 2>&1 | grep '^SLBA' | head -n 1)
	_s=$(echo "$_l" | sed -n 's/.*State: *\(0x[0-9a-fA-F]*\).*/\1/p')
	_w=$(echo "$_l" | sed -n 's/.*WP: *\([0-9a-fA-Fx]*\).*/\1/p')
	_c=$(echo "$_l" | sed -n 's/.*Cap: *\([0-9a-fA-Fx]*\).*/\1/p')
	[ -n "$_s" ] && [ -n "$_w" ] && [ -n "$_c" ] || fail "cannot parse nvme zns report-zones of zone $1: $_l"
	case $(($_s)) in
	16) NZ_STATE=empty;; 32) NZ_STATE=iopen;; 48) NZ_STATE=eopen;;
	64) NZ_STATE=closed;; 208) NZ_STATE=rdonly;; 224) NZ_STATE=full;;
	240) NZ_STATE=offline;; *) NZ_STATE="unknown($_s)";;
	esac
	NZ_WP=$(($_w))
	NZ_CAP=$(($_c))
}
zcond_name() { # blkzone abbreviation -> state name used by nvmev's debugfs
	case $1 in
	em) echo empty;; oi) echo iopen;; oe) echo eopen;; cl) echo closed;;
	fu) echo full;; ro) echo rdonly;; of) echo offline;; *) echo "?$1";;
	esac
}
# check_zone Z STATE [WP]: blkzone, nvme report-zones and (nvmev) debugfs
# agree on the state; WP (LBAs from the zone start) checked unless full.
check_zone() {
	zinfo "$1"
	nzinfo "$1"
	check_eq "$(zcond_name "$ZI_COND")" "$2" "zone $1 state (blkzone: $ZI_COND)"
	check_eq "$NZ_STATE" "$2" "zone $1 state (nvme zns report-zones)"
	if [ -n "${3:-}" ] && [ "$2" != full ]; then
		check_num "$ZI_WP" "$3" "zone $1 write pointer (blkzone, LBAs into the zone)"
		check_num "$NZ_WP" "$(($(zslba "$1") + $3))" "zone $1 write pointer (nvme zns report-zones)"
	fi
	if [ -n "$ZNS_DBG" ]; then
		zdbg "$1"
		check_eq "$ZD_STATE" "$2" "zone $1 state (debugfs $ZNS_DBG/zones)"
		[ -n "${3:-}" ] && [ "$2" != full ] &&
			check_num "$ZD_WP" "$(($(zslba "$1") + $3))" "zone $1 write pointer (debugfs)"
	fi
	return 0
}
# zdbg Z: nvmev's debugfs line "zone <n> slba <lba> state <s> wp <lba> cap
# <lbas> resets <n>": ZD_STATE ZD_WP ZD_CAP ZD_RESETS ZD_SLBA
zdbg() {
	[ -f "$ZNS_DBG/zones" ] || fail "$ZNS_DBG/zones missing"
	_l=$(grep -E "^zone $1 " "$ZNS_DBG/zones" | head -n 1)
	[ -n "$_l" ] || fail "no line for zone $1 in $ZNS_DBG/zones"
	set -- $_l
	[ "$3" = slba ] && [ "$5" = state ] && [ "$7" = wp ] && [ "$9" = cap ] && [ "${11}" = resets ] ||
		fail "unexpected line in $ZNS_DBG/zones: $_l"
	ZD_SLBA=$(($4)) ZD_STATE=$6 ZD_WP=$(($8)) ZD_CAP=$((${10})) ZD_RESETS=$((${12}))
}
# zns_count_cond COND: how many zones blkzone reports in that condition
zns_count_cond() { blkzone report "$ZDEV" | grep -c "zcond: *[0-9]*($1)"; }

# ---- NVMe commands -----------------------------------------------------------
# zns_data NAME NLB: $W/NAME, NLB LBAs of random data
zns_data() {
	head -c $(($2 * ZNS_LBA_BYTES)) /dev/urandom >"$W/$1"
}
# zwrite DESC SLBA NLB [FILE]: nvme write must succeed
zwrite() {
	_f=${4:-$W/zw.$$}
	[ -n "${4:-}" ] || zns_data "zw.$$" "$3"
	expect_ok "$1" nvme write "$ZDEV" -s "$2" -c "$(($3 - 1))" -z "$(($3 * ZNS_LBA_BYTES))" -d "$_f"
}
# expect_status DESC CODE CMD...: the NVMe command must fail with status
# CODE (SCT/SC, e.g. 0x1bc; nvme-cli prints it with DNR/More bits, as
# "NVMe status: <name>: <text>(0x41bc)"), naming it.
expect_status() {
	_d=$1 _code=$2; shift 2
	if run "$@"; then fail "$_d: '$*' succeeded; expected NVMe status $_code"; fi
	_st=$(sed -n 's/^NVMe status: .*(\(0x[0-9a-fA-F]*\))$/\1/p' "$W/last.out" | tail -n 1)
	[ -n "$_st" ] || fail "$_d: no NVMe status in the output: $(last_line)"
	[ $((_st & 0x7ff)) -eq $(($_code)) ] ||
		fail "$_d: NVMe status $_st ($(last_line)), expected $_code"
	ok "$_d: $(sed -n 's/^NVMe status: \([^:]*\):.*/\1/p' "$W/last.out" | tail -n 1) ($_st)"
}
# zfill Z NLB: write NLB LBAs from the start of empty zone Z through the
# block layer (dd, O_DIRECT): whole MiBs, then the rest LBA by LBA
zfill() {
	_off=$(($(zslba "$1") * ZNS_LBA_BYTES)) _mib=$(($2 * ZNS_LBA_BYTES / 1048576))
	_rest=$(($2 - _mib * 1048576 / ZNS_LBA_BYTES))
	if [ "$_mib" -gt 0 ]; then
		dd if=/dev/urandom of="$ZDEV" bs=1048576 count="$_mib" seek=$((_off / 1048576)) \
			oflag=direct 2>"$W/dd.err" || fail "dd of $_mib MiB into zone $1 failed: $(tail -n 1 "$W/dd.err")"
	fi
	_off=$((_off + _mib * 1048576))
	if [ "$_rest" -gt 0 ]; then
		dd if=/dev/urandom of="$ZDEV" bs="$ZNS_LBA_BYTES" count="$_rest" \
			seek=$((_off / ZNS_LBA_BYTES)) oflag=direct 2>"$W/dd.err" ||
			fail "dd of $_rest LBAs into zone $1 failed: $(tail -n 1 "$W/dd.err")"
	fi
	ok "zone $1: $2 LBAs written through the block layer"
}
