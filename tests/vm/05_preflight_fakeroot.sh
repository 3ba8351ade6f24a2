#!/bin/sh
# timeout: 300
# tools/nvmev-preflight against made-up hosts (NVMEV_PREFLIGHT_ROOT): the
# cases one VM boot cannot show.  No reservation (names it, proposes System
# RAM with a GRUB line escaped \\\$), interrupt remapping on, memmap= forms
# the kernel ignores or that reserve nothing, a region too small or in use,
# wrong --cpus (nonexistent, offline, duplicate), Secure Boot with an
# unsigned module, and a ready host (the insmod line).  Loads nothing.
. "$T_DIR/lib.sh"
PF=${NVMEV_PREFLIGHT:-/tools/nvmev-preflight}
[ -f "$PF" ] || fail "$PF missing from the image (tools/vm/nvmev-vm ships it)"
FR=$W/root
REL=6.1.0-99-amd64

# A host with 8 CPUs and 24 GiB: RAM below 3 GiB (kernel image inside) and
# 4 GiB .. 24 GiB.  mkroot CMDLINE: a fresh root; tests then edit files.
mkroot() {
	rm -rf "$FR"
	mkdir -p "$FR/proc/sys/kernel" "$FR/sys/class/iommu" "$FR/etc/default" \
		"$FR/lib/modules/$REL/build" "$FR/sys/kernel/security" "$FR/boot" \
		"$FR/sys/kernel/config"
	echo "$REL" >"$FR/proc/sys/kernel/osrelease"
	printf '%s\n' "$1" >"$FR/proc/cmdline"
	cat >"$FR/proc/iomem" <<'EOF'
00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-000fffff : Reserved
  000f0000-000fffff : System ROM
00100000-bfffffff : System RAM
  01000000-0220bb07 : Kernel code
  02400000-02e09fff : Kernel rodata
  03000000-0327c13f : Kernel data
  03b34000-03c57fff : Kernel bss
c0001000-eebfffff : PCI Bus 0000:00
fec00000-fec003ff : IOAPIC 0
100000000-5ffffffff : System RAM
EOF
	printf '  24:   1234   0  PCI-MSI 512000-edge  ahci[0000:00:1f.2]\n' >"$FR/proc/interrupts"
	: >"$FR/dmesg.txt"
	c=0
	while [ $c -lt 8 ]; do mkdir -p "$FR/sys/devices/system/cpu/cpu$c"; c=$((c + 1)); done
	echo 0-7 >"$FR/sys/devices/system/cpu/present"
	echo 0-7 >"$FR/sys/devices/system/cpu/online"
	: >"$FR/sys/devices/system/cpu/isolated"
	echo "[none] integrity confidentiality" >"$FR/sys/kernel/security/lockdown"
	echo "CONFIG_MODULE_SIG=y" >"$FR/boot/config-$REL"
	echo all: >"$FR/lib/modules/$REL/build/Makefile"
	echo 'GRUB_CMDLINE_LINUX="quiet splash"' >"$FR/etc/default/grub"
	# a module built for $REL (only its vermagic matters here)
	printf 'ELF\000license=GPL\000vermagic=%s SMP preempt mod_unload modversions \000' "$REL" >"$FR/nvmev.ko"
}
# reserve CMDLINE-SPEC START END: the cmdline has it and iomem shows it
reserve() {
	printf '%s\n' "$1" >"$FR/proc/cmdline"
	# split 4 GiB .. 24 GiB around the reservation, as the kernel's e820 does
	sed -i '/^100000000-5ffffffff/d' "$FR/proc/iomem"
	printf '%s : Reserved\n' "$2-$3" >>"$FR/proc/iomem"
}
pf() { NVMEV_PREFLIGHT_ROOT=$FR sh "$PF" --ko "$FR/nvmev.ko" "$@"; }

# 1. booted without memmap=: exit 1, names the missing reservation, and
#    proposes 1 GiB at the top of RAM (24 GiB - 1 GiB = 23 GiB) as a GRUB
#    line that keeps the user's parameters and escapes $ as \\\$.
mkroot "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet splash"
expect_fail "no reservation: not ready" pf
out=$(cat "$W/last.out")
check_match "$out" 'BLOCK\] memmap: no active memmap=SIZE\$START reservation' "names the missing memmap= reservation"
check_match "$out" '1 GiB at 0x5c0000000 \(23G\) is System RAM now' "proposes 1 GiB at 23G, System RAM now"
grep -F 'GRUB_CMDLINE_LINUX="quiet splash memmap=1G\\\$23G"' "$W/last.out" ||
	fail "no GRUB line 'GRUB_CMDLINE_LINUX=\"quiet splash memmap=1G\\\\\\\$23G\"'"
ok "prints GRUB_CMDLINE_LINUX=\"quiet splash memmap=1G\\\\\\\$23G\" (GRUB escaping)"
check_match "$out" 'NOT READY: 1 blocker' "exactly one blocker listed"
expect_fail "no reservation, --size 2G" pf --size 2G
check_match "$(cat "$W/last.out")" 'memmap=2G\\\\\\\$22G' "--size 2G proposes memmap=2G\\\\\\\$22G"
# -q prints only the blockers
expect_fail "no reservation, -q" pf -q
check_eq "$(grep -c '^\[' "$W/last.out")" 0 "-q prints no per-check lines"
check_match "$(head -n 1 "$W/last.out")" '^nvmev-preflight: 1 blocker' "-q: first line counts the blockers"

# 2. a ready host: memmap=4G$4G active, isolated CPUs 6,7
mkroot ""
reserve 'BOOT_IMAGE=/vmlinuz ro memmap=4G$4G isolcpus=6,7' 100000000 1ffffffff
echo 200000000-5ffffffff : System RAM >>"$FR/proc/iomem"
echo 6-7 >"$FR/sys/devices/system/cpu/isolated"
expect_ok "memmap=4G\$4G reserved: ready" pf
out=$(cat "$W/last.out")
check_match "$out" 'ok\]    memmap: memmap=4G\$4G \(0x100000000-0x1ffffffff, 4 GiB at 4G\)' "finds the 4 GiB reservation at 4G"
check_match "$out" 'ok\]    iommu: none' "no IOMMU"
check_match "$out" 'suggested cpus=6,7' "suggests the isolated CPUs 6,7"
check_eq "$(grep '^insmod ' "$W/last.out")" "insmod $FR/nvmev.ko memmap_start=4G memmap_size=4G cpus=6,7" "the insmod line"
check_eq "$(pf -q)" "insmod $FR/nvmev.ko memmap_start=4G memmap_size=4G cpus=6,7" "-q prints only the insmod line"
rmdir "$FR/sys/kernel/config"
check_eq "$(pf -q | head -n 1)" "modprobe configfs" "configfs not loaded: modprobe configfs comes first"
mkdir "$FR/sys/kernel/config"
# hex spelling of the same reservation
printf '%s\n' 'ro memmap=0x100000000$0x100000000' >"$FR/proc/cmdline"
expect_ok "memmap=0x100000000\$0x100000000: ready" pf
check_match "$(cat "$W/last.out")" 'memmap_start=4G memmap_size=4G' "hex memmap= parsed to 4G at 4G"
# without isolated CPUs: the two highest, never CPU 0
: >"$FR/sys/devices/system/cpu/isolated"
expect_ok "no isolated CPUs" pf
check_match "$(cat "$W/last.out")" 'suggested cpus=6,7' "suggests the two highest CPUs 6,7"
echo 0-1 >"$FR/sys/devices/system/cpu/online"
expect_ok "two CPUs online" pf
check_match "$(cat "$W/last.out")" 'suggested cpus=1$' "with CPUs 0-1 online suggests cpus=1, not CPU 0"

# 3. wrong --cpus: the CPU at fault is named, exit 1
echo 0-2,4-7 >"$FR/sys/devices/system/cpu/online"
expect_fail "--cpus 2,9" pf --cpus 2,9
check_match "$(cat "$W/last.out")" 'cpus: cpus=2,9: CPU 9 does not exist' "names nonexistent CPU 9"
expect_fail "--cpus 2,3 with CPU 3 offline" pf --cpus 2,3
check_match "$(cat "$W/last.out")" 'cpus=2,3: CPU 3 is offline' "names offline CPU 3"
expect_fail "--cpus 5,5" pf --cpus 5,5
check_match "$(cat "$W/last.out")" 'cpus=5,5: CPU 5 is listed twice' "names duplicate CPU 5"
expect_fail "--cpus 2-x" pf --cpus 2-x
check_match "$(cat "$W/last.out")" 'not a CPU list' "rejects a malformed list"
expect_ok "--cpus 4-5" pf --cpus 4-5
check_match "$(grep '^insmod ' "$W/last.out")" 'cpus=4-5$' "--cpus 4-5 goes into the insmod line"

# 4. interrupt remapping on (Intel): dmesg and IR-PCI-MSI interrupts
mkdir -p "$FR/sys/class/iommu/dmar0"
printf '[    0.412345] DMAR-IR: Enabled IRQ remapping in x2apic mode\n' >"$FR/dmesg.txt"
printf '  24:   1234   0  IR-PCI-MSI 512000-edge  ahci[0000:00:1f.2]\n' >"$FR/proc/interrupts"
expect_fail "interrupt remapping on" pf
out=$(cat "$W/last.out")
check_match "$out" 'BLOCK\] iommu: interrupt remapping is on \(DMAR-IR: Enabled IRQ remapping' "names interrupt remapping (DMAR-IR)"
check_match "$out" 'fix: add intremap=off' "fix: intremap=off"
# AMD, seen only in dmesg
rm -rf "$FR/sys/class/iommu/dmar0"; mkdir -p "$FR/sys/class/iommu/ivhd0"
printf '[    1.0] AMD-Vi: Interrupt remapping enabled\n' >"$FR/dmesg.txt"
printf '  24:   1234   0  PCI-MSI 512000-edge  ahci\n' >"$FR/proc/interrupts"
expect_fail "AMD-Vi interrupt remapping" pf
check_match "$(cat "$W/last.out")" 'iommu: interrupt remapping is on \(AMD-Vi' "names AMD-Vi interrupt remapping"
# booted with intremap=off: IOMMU there, remapping off, ready
printf '%s\n' 'ro memmap=4G$4G intremap=off' >"$FR/proc/cmdline"
: >"$FR/dmesg.txt"
expect_ok "IOMMU with intremap=off" pf
check_match "$(cat "$W/last.out")" 'ok\]    iommu: IOMMU present \(ivhd0\), interrupt remapping off \(intremap=off\)' "IOMMU present, remapping off"

# no reservation and remapping on: one GRUB line fixes both
mkroot "ro quiet"
printf '[    0.412345] DMAR-IR: Enabled IRQ remapping in x2apic mode\n' >"$FR/dmesg.txt"
expect_fail "no reservation, remapping on" pf
grep -F 'GRUB_CMDLINE_LINUX="quiet splash memmap=1G\\\$23G intremap=off"' "$W/last.out" ||
	fail "the proposed GRUB line lacks intremap=off"
ok "the proposed GRUB line has memmap= and intremap=off"
check_match "$(cat "$W/last.out")" 'NOT READY: 2 blocker' "two blockers: memmap and iommu"

# 5. memmap= forms that do not give nvmev a region
mkroot "ro memmap=4G"
expect_fail "memmap=4G (GRUB ate \$4G)" pf
check_match "$(cat "$W/last.out")" 'memmap=4G: with no .\$START. this LIMITS the kernel to 4G' "explains memmap=SIZE limits RAM"
mkroot 'ro memmap=4G!4G'
expect_fail "memmap=4G!4G" pf
check_match "$(cat "$W/last.out")" "memmap=4G!4G: '!' marks the range persistent memory" "explains ! is pmem, not \$"
mkroot 'ro memmap=4G\$4G'
expect_fail "memmap=4G\\\$4G (backslash reached the kernel)" pf
check_match "$(cat "$W/last.out")" 'a backslash reached the kernel' "explains the stray backslash"
mkroot 'ro memmap=4G$4G'
expect_fail "memmap=4G\$4G on the cmdline, System RAM in iomem" pf
check_match "$(cat "$W/last.out")" 'shows System RAM there: the kernel did not apply it' "cmdline entry not applied"
mkroot ""
reserve 'ro memmap=16M$4G' 100000000 100ffffff
expect_fail "memmap=16M\$4G" pf
check_match "$(cat "$W/last.out")" 'reserved but too small: need at least 17 MiB' "16 MiB is too small"
mkroot ""
reserve 'ro memmap=1G$4G' 100000000 13fffffff
expect_fail "memmap=1G\$4G with --size 2G" pf --size 2G
check_match "$(cat "$W/last.out")" 'too small: need at least 2 GiB' "--size 2G: 1 GiB is too small"
printf '  100000000-13fffffff : namespace0.0\n' >>"$FR/proc/iomem"
expect_fail "reserved region in use" pf
check_match "$(cat "$W/last.out")" 'reserved but in use by: namespace0.0' "names the region's user"

# 6. Secure Boot: lockdown integrity and an unsigned module
mkroot ""
reserve 'ro memmap=1G$4G' 100000000 13fffffff
echo "none [integrity] confidentiality" >"$FR/sys/kernel/security/lockdown"
mkdir -p "$FR/sys/firmware/efi/efivars"
printf '\006\000\000\000\001' >"$FR/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e98032b8a39c"
expect_fail "Secure Boot, unsigned module" pf
out=$(cat "$W/last.out")
check_match "$out" 'BLOCK\] signing: Secure Boot on, lockdown integrity' "names Secure Boot and lockdown"
check_match "$out" 'mokutil --import' "fix: enroll a key with mokutil"
printf '~Module signature appended~\n' >>"$FR/nvmev.ko"
expect_ok "Secure Boot, signed module" pf

# 7. module built for another kernel, and no headers
mkroot ""
reserve 'ro memmap=1G$4G' 100000000 13fffffff
printf 'vermagic=6.12.0-1-amd64 SMP \000' >"$FR/nvmev.ko"
expect_fail "module for another kernel" pf
check_match "$(cat "$W/last.out")" 'module: .*built for 6.12.0-1-amd64, not 6.1.0-99-amd64' "names the vermagic mismatch"
rm -rf "$FR/lib/modules/$REL/build" "$FR/nvmev.ko"
expect_fail "no headers, no module" pf
check_match "$(cat "$W/last.out")" "headers: no kernel headers for $REL" "names the missing headers"
echo 7.2.0-1-amd64 >"$FR/proc/sys/kernel/osrelease"
expect_fail "kernel 7.2" pf
check_match "$(cat "$W/last.out")" 'kernel: 7.2.0-1-amd64 is newer than 6.12: untested' "warns about an untested kernel"
