#!/bin/sh
# timeout: 120
# Function trace of `nvme write`: the I/O path from SQ fetch through the
# command handling (and the FTL write/buffer when the FTL is built in) to
# the completion entry and the interrupt; enters matched by exits.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset
rand_file "$W/d.bin" 4096
trace_on
expect_ok "nvme write 4 KiB with tracing on" nvme write "$DEV" --start-block=4096 \
	--block-count=7 --data-size=4096 --data="$W/d.bin"
trace_off
cat "$TD/trace" >"$W/write.trace"
log "trace of nvme write ($(trace_events "$W/write.trace" | wc -l) events):"
grep -v "func: ftl_idle}" "$W/write.trace" | head -n 150
log "($(grep -c "func: ftl_idle}" "$W/write.trace") ftl_idle lines not shown)"
run trace_pairs "$W/write.trace" || fail "unmatched enter/exit: $(last_line)"
ok "every enter matched by an exit ($(last_line))"
run trace_path "$W/write.trace" process_io_sq nvmev_io_prepare nvmev_worker_submit nvmev_io_execute nvmev_post_cqe nvmev_signal_irq ||
	fail "I/O path incomplete: $(last_line)"
ok "I/O path: process_io_sq > nvmev_io_prepare > nvmev_worker_submit > nvmev_io_execute > nvmev_post_cqe > nvmev_signal_irq"
if grep -q ' ftl_write[[:space:]]*\[nvmev\]' /proc/kallsyms; then
	run trace_path "$W/write.trace" process_io_sq ftl_write nvmev_post_cqe nvmev_signal_irq ||
		fail "FTL write not on the traced I/O path: $(last_line)"
	ok "FTL write on the I/O path (fetch > ftl_write > completion > irq)"
else
	log "note: this nvmev build has no FTL (ftl_write not in kallsyms); FTL step not checked"
fi
line=$(grep -m1 '+enter{func: nvmev_io_execute}' "$W/write.trace")
check_match "$line" '\| +[1-9][0-9]* +[0-9]+ +\+enter' "nvmev_io_execute enter shows an I/O qid and cid"
expect_ok "read back" nvme read "$DEV" --start-block=4096 --block-count=7 --data-size=4096 --data="$W/r.bin"
cmp "$W/d.bin" "$W/r.bin" || fail "data read back differs"
ok "data read back identical"
trace_reset
