#!/bin/sh
# timeout: 420
# rmmod/insmod nvmev 5 times; each time the device goes away, comes back,
# and a write/read/cmp works.  (Control mode: the nvme driver is cycled.)
. "$T_DIR/lib.sh"
need_dev
mod=nvmev; [ "$MODE" = control ] && mod=nvme
for c in 1 2 3 4 5; do
	log "---- cycle $c"
	expect_ok "cycle $c: rmmod $mod" nvmev_unload
	wait_for_no_dev 20 || fail "cycle $c: $DEV / nvme0 still present 20 s after rmmod"
	check_true "cycle $c: /sys/module/$mod gone" test ! -d "/sys/module/$mod"
	t0=$(date +%s)
	expect_ok "cycle $c: insmod" nvmev_load
	wait_for_dev 20 || fail "cycle $c: $DEV not live 20 s after insmod"
	ok "cycle $c: $DEV live after $(( $(date +%s) - t0 )) s"
	rand_file "$W/c$c.bin" 65536
	write_read_cmp $((60000 + c * 256)) "$W/c$c.bin"
done
check_num "$(ls -d /sys/class/nvme/nvme* | wc -l)" 1 "one controller after cycles"
