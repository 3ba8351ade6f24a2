#!/bin/sh
# timeout: 900
# kmemleak (debug kernel only, tools/vm/debug-kernel): after the whole suite
# and an rmmod, scan for unreferenced objects.  Any report fails; the full
# report is in this test's output (.build/<rel>/check.detail.log).
# SKIPs on kernels without CONFIG_DEBUG_KMEMLEAK (Debian's).
. "$T_DIR/lib.sh"
KML=/sys/kernel/debug/kmemleak
[ -e "$KML" ] || skip "kernel without kmemleak (only the debug kernel has it)"
if [ "$MODE" = nvmev ] && nvmev_loaded; then
	expect_ok "rmmod nvmev before the scan" nvmev_unload
	wait_for_no_dev 60 || fail "nvme0 still present after rmmod nvmev"
fi
# kmemleak ignores objects younger than 5 s; two scans settle transients
sleep 6
echo scan >"$KML" 2>"$W/scan.err" || fail "echo scan > $KML failed: $(cat "$W/scan.err") (kmemleak disabled? see dmesg)"
sleep 6
echo scan >"$KML" 2>"$W/scan.err" || fail "second scan failed: $(cat "$W/scan.err")"
ok "kmemleak scans ran"
cat "$KML" >"$W/kmemleak.txt"
n=$(grep -c '^unreferenced object' "$W/kmemleak.txt")
if [ "$n" -gt 0 ]; then
	echo "---- $KML ($n objects) ----"
	cat "$W/kmemleak.txt"
	echo "---- end of $KML ----"
	nv=$(grep -c 'nvmev' "$W/kmemleak.txt")
	# first frame of the first report that is not the allocator itself
	first=$(awk '/^unreferenced object/ { n++ }
		n == 1 && /\[<[0-9a-f]+>\]/ && !/kmemleak|kmalloc|kmem_cache_alloc|__alloc|slab_|kvmalloc|kzalloc|kvzalloc|alloc_pages/ {
			sub(/.*\] /, ""); print; exit }' "$W/kmemleak.txt")
	fail "kmemleak: $n unreferenced object(s), $nv line(s) mention nvmev; first: $(grep -m1 '^unreferenced object' "$W/kmemleak.txt") ${first}"
fi
ok "kmemleak: no unreferenced objects"
