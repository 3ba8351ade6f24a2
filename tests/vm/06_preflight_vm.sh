#!/bin/sh
# timeout: 240
# tools/nvmev-preflight on the test bed itself (busybox only): it finds the
# bed's memmap=SIZE$START reservation, reports no IOMMU, suggests two CPUs
# other than CPU 0, and the insmod line it prints loads a working device.
# While nvmev is loaded it says so; a nonexistent or offline CPU in --cpus
# is named and blocks.  Then the VM's own /proc files without the memmap=
# entry: no reservation, and a GRUB line for a range that is System RAM.
# Starts and ends with nvmev unloaded and every CPU online.
. "$T_DIR/lib.sh"
need_nvmev
PF=/tools/nvmev-preflight
[ -f "$PF" ] || fail "$PF missing from the image (tools/vm/nvmev-vm ships it)"
[ -d /sys/module/nvmev ] && fail "nvmev already loaded before the test"
G=1073741824 M=1048576
fmt() { # bytes -> the tool's memparse spelling
	if [ $(($1 % G)) -eq 0 ]; then echo "$(($1 / G))G"
	elif [ $(($1 % M)) -eq 0 ]; then echo "$(($1 / M))M"
	else printf '0x%x\n' "$1"; fi
}
MS=$(fmt "$NVMEV_MEMMAP_START_BYTES")
SZ=$(fmt "$NVMEV_MEMMAP_SIZE_BYTES")
NCPU=$(nproc)
[ "$NCPU" -ge 3 ] || skip "needs at least 3 CPUs (--smp), has $NCPU"
CPUS_WANT="$((NCPU - 2)),$((NCPU - 1))"

# 1. the real bed: ready, with the bed's region and no IOMMU
expect_ok "preflight on the test VM: ready" sh "$PF"
out=$(cat "$W/last.out")
check_match "$out" "^\[ok\]    memmap: memmap=$NVMEV_MEMMAP_SIZE\\\$$NVMEV_MEMMAP_START \(.*$(echo "$SZ" | sed 's/G$/ GiB/') at $MS\): Reserved in /proc/iomem, unused" \
	"finds the bed's memmap=$NVMEV_MEMMAP_SIZE\$$NVMEV_MEMMAP_START reservation"
check_match "$out" '^\[ok\]    iommu: none' "reports no IOMMU"
check_match "$out" "suggested cpus=$CPUS_WANT\$" "suggests cpus=$CPUS_WANT (the two highest, not CPU 0)"
rel_re=$(uname -r | sed 's/[.+]/\\&/g')   # 6.12.117+deb12-amd64: + and . literal
check_match "$out" "^\[ok\]    module: /nvmev.ko \(vermagic $rel_re\)" "finds /nvmev.ko built for $(uname -r)"
check_eq "$(grep -c '^\[BLOCK\]' "$W/last.out")" 0 "no blockers"
line=$(grep '^insmod ' "$W/last.out")
check_eq "$line" "insmod /nvmev.ko memmap_start=$MS memmap_size=$SZ cpus=$CPUS_WANT" "the suggested insmod line"
check_eq "$(sh "$PF" -q)" "$line" "-q prints just the insmod line"

# 2. the suggested line loads a working device
expect_ok "the suggested insmod line loads nvmev" sh -c "$line"
wait_for_dev 20 || fail "$DEV not live 20 s after the suggested insmod"
ok "$DEV live"
check_eq "$(sed 's/ *$//' /sys/class/nvme/nvme0/model)" "$EXP_MN" "sysfs model"
rand_file "$W/d.bin" 65536
write_read_cmp 2048 "$W/d.bin"

# 3. while it is loaded, preflight says so and blocks
expect_fail "preflight with nvmev loaded" sh "$PF"
check_match "$(cat "$W/last.out")" 'BLOCK\] module: nvmev is already loaded' "names the loaded module"
check_match "$(cat "$W/last.out")" "^\[ok\]    memmap: memmap=$NVMEV_MEMMAP_SIZE" "the bed's region still counts (used by nvmev itself)"
check_eq "$(grep -c GRUB_CMDLINE_LINUX "$W/last.out")" 0 "no new reservation proposed while nvmev uses it"
expect_ok "rmmod nvmev" rmmod nvmev
wait_for_no_dev 20 || fail "nvme0 still present 20 s after rmmod"
check_true "nvmev unloaded" test ! -d /sys/module/nvmev

# 4. --cpus: a nonexistent CPU, then an offline one
expect_fail "--cpus $((NCPU - 1)),$NCPU" sh "$PF" --cpus "$((NCPU - 1)),$NCPU"
check_match "$(cat "$W/last.out")" "cpus=$((NCPU - 1)),$NCPU: CPU $NCPU does not exist" "names nonexistent CPU $NCPU"
off=$((NCPU - 1))
if [ -w "/sys/devices/system/cpu/cpu$off/online" ]; then
	echo 0 >"/sys/devices/system/cpu/cpu$off/online" || fail "cannot offline CPU $off"
	expect_fail "--cpus $CPUS_WANT with CPU $off offline" sh "$PF" --cpus "$CPUS_WANT"
	msg=$(cat "$W/last.out")
	# the module agrees: the same CPUs are refused
	insmod /nvmev.ko memmap_start="$MS" memmap_size="$SZ" cpus="$CPUS_WANT" >/dev/null 2>&1 &&
		{ rmmod nvmev; wait_for_no_dev 20; echo 1 >"/sys/devices/system/cpu/cpu$off/online"; fail "insmod with offline CPU $off succeeded"; }
	echo 1 >"/sys/devices/system/cpu/cpu$off/online" || fail "cannot bring CPU $off back online"
	check_match "$msg" "cpus=$CPUS_WANT: CPU $off is offline" "names offline CPU $off"
	ok "insmod with offline CPU $off is refused too"
	check_eq "$(cat /sys/devices/system/cpu/online)" "0-$((NCPU - 1))" "every CPU online again"
	check_true "nvmev not loaded" test ! -d /sys/module/nvmev
else
	log "CPU $off cannot go offline here (no hotplug); offline case covered by 05_preflight_fakeroot"
fi

# 5. the same VM as if booted without memmap=: its real /proc/iomem with the
#    reservation turned back into System RAM, its cmdline without memmap=
FR=$W/root
mkdir -p "$FR/proc/sys/kernel" "$FR/sys/devices/system/cpu" "$FR/sys/kernel/config"
uname -r >"$FR/proc/sys/kernel/osrelease"
sed 's/memmap=[^ ]*//' /proc/cmdline >"$FR/proc/cmdline"
rs=$(printf '%x' "$NVMEV_MEMMAP_START_BYTES")
sed "s/^0*$rs-\([0-9a-f]*\) : Reserved\$/$rs-\1 : System RAM/" /proc/iomem >"$FR/proc/iomem"
grep -q "$rs-.* : System RAM" "$FR/proc/iomem" || fail "could not turn the reserved range into System RAM: $(grep -i reserved /proc/iomem | tr '\n' ' ')"
cp /proc/interrupts "$FR/proc/interrupts"
for f in online present possible isolated; do cp "/sys/devices/system/cpu/$f" "$FR/sys/devices/system/cpu/$f" 2>/dev/null; done
expect_fail "the VM without memmap=" sh "$PF" --root "$FR" --ko /nvmev.ko
out=$(cat "$W/last.out")
check_match "$out" 'BLOCK\] memmap: no active memmap=SIZE\$START reservation' "names the missing reservation"
gl=$(sed -n 's/.*set  \(GRUB_CMDLINE_LINUX=".*"\)  then.*/\1/p' "$W/last.out" | head -n 1)
check_match "$gl" '^GRUB_CMDLINE_LINUX="memmap=[0-9]+[GM]\\\\\\\$[0-9]+[GM]"$' "prints a GRUB line with \\\\\\\$: $gl"
# the proposed range is inside one System RAM range of the real layout and
# clear of the kernel image
ps=$(echo "$out" | sed -n 's/.* at \(0x[0-9a-f]*\) ([0-9]*[GM]) is System RAM now.*/\1/p' | head -n 1)
psz=$(echo "$out" | sed -n 's/.*reservation; \([0-9]*\) GiB at 0x.*/\1/p' | head -n 1)
[ -n "$ps" ] && [ -n "$psz" ] || fail "no proposed range in the output"
pe=$(( ps + psz * G - 1 ))
inram=0
while IFS= read -r l; do
	case $l in " "*) continue;; *" : System RAM") ;; *) continue;; esac
	r=${l%% : *}
	[ $((0x${r%-*})) -le $((ps)) ] && [ $((0x${r#*-})) -ge "$pe" ] && inram=1
done </proc/iomem
check_eq "$inram" 1 "proposed $psz GiB at $ps lies in System RAM of this VM"
