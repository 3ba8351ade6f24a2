#!/bin/sh
# timeout: 900
# The deep FTL trace: on a small device filled by random writes, 8000
# random 4 KiB writes under the function trace run foreground GC; the GC
# steps (victim selection, page moves, erase) are nested under the host's
# ftl_write on the same CPU, with the mapping, page allocation and NAND
# steps inside, and every enter has its exit.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
. "$T_DIR/ftl_lib.sh"
need_nvmev
# gc_high_lines = gc_low_lines: no background GC above the foreground
# watermark, so every collection runs inside a host write (in the VM the
# model is idle between commands often enough for idle GC to keep up)
small_device 129M gc_low_lines=3 gc_high_lines=3
need_trace
trace_reset
run_fio fill --rw=randwrite --bs=4k --iodepth=32 --size=100% --randseed=1
log "after the fill: $(ftl_stat gc_runs) GC runs, $(ftl_stat lines_free) free lines"
gc0=$(ftl_stat gc_runs)
echo 65536 >"$TD/buffer_size_kb" || fail "buffer_size_kb 65536"
echo '!ftl_idle' >"$TD/filter"
trace_on
fg0=$(ftl_stat gc_fg_runs)
# norandommap, randrepeat=0: not the fill's order again (a repeat of it
# empties whole lines, and GC then moves nothing)
run_fio deep --rw=randwrite --bs=4k --iodepth=32 --size=100% --number_ios=8000 --norandommap --randrepeat=0
trace_off
gc1=$(ftl_stat gc_runs)
log "GC runs while traced: $((gc1 - gc0)), in the foreground $(($(ftl_stat gc_fg_runs) - fg0))"
cat "$TD/stats"
check_eq "$(awk '$1 == "all" { print $3 }' "$TD/stats")" 0 "nothing dropped"
cat "$TD/trace" >"$W/deep.trace"
run trace_pairs "$W/deep.trace" || fail "unmatched enter/exit: $(last_line)"
ok "every enter matched by an exit ($(last_line))"

# per function: enters, and enters with ftl_write on the same CPU's stack
awk '
/^#/ { next }
match($0, /[+-](enter|exit)\{func: [^}]*\}/) {
	s = substr($0, RSTART, RLENGTH)
	fn = substr(s, index(s, ": ") + 2); sub(/\}$/, "", fn)
	cpu = $1; sub(/\)$/, "", cpu)
	if (substr(s, 1, 1) == "+") {
		n[fn]++
		for (i = 1; i <= sp[cpu]; i++) if (st[cpu, i] == "ftl_write") { w[fn]++; break }
		sp[cpu]++; st[cpu, sp[cpu]] = fn
	} else if (sp[cpu] > 0) sp[cpu]--
}
END { for (f in n) printf "%-20s %8d %8d\n", f, n[f], w[f] + 0 }' "$W/deep.trace" | sort >"$W/nest.txt"
log "function, calls, calls inside ftl_write:"
cat "$W/nest.txt"
inwrite() { awk -v f="$1" '$1 == f { print $3 }' "$W/nest.txt"; }
for f in gc_foreground gc_pick gc_work gc_move gc_wp_flush gc_finish nand_erase_line \
	host_line host_place free_pop line_close invalidate place nand_prog nand_read \
	flash_prog flash_read flash_erase flash_wb_reserve; do
	v=$(inwrite "$f")
	[ "${v:-0}" -gt 0 ] || fail "$f never ran inside ftl_write"
done
ok "victim selection, moves, erase, mapping, page allocation, line open/close and NAND steps nested under ftl_write"
check_true "GC moved pages inside host writes ($(inwrite gc_move))" test "$(inwrite gc_move)" -ge "$(inwrite gc_pick)"

# the first host write that collects, shown (head and tail)
awk '
/^#/ { next }
/\+enter\{func: ftl_write\}/ { buf = ""; n = 0; inw = 1 }
inw { n++; if (n <= 60) buf = buf $0 "\n"; else { tail[n % 30] = $0 } }
inw && /\+enter\{func: gc_pick\}/ { gc = 1 }
/-exit\{func: ftl_write\}/ && inw {
	inw = 0
	if (gc) { printf "%s", buf; if (n > 90) print "      ... " n - 90 " lines ..."
		for (i = (n > 90 ? n - 29 : 61); i <= n; i++) if (i > 60) print tail[i % 30]
		exit }
}' "$W/deep.trace"
trace_reset
restore_device
