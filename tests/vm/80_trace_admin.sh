#!/bin/sh
# timeout: 120
# Function trace of `nvme id-ns`: the admin path (admin SQ processing ->
# identify namespace -> completion entry -> interrupt), properly nested,
# every enter matched by an exit, each exit with a duration, qid/cid set.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset
trace_on
expect_ok "nvme id-ns with tracing on" nvme id-ns "$DEV"
trace_off
cat "$TD/trace" >"$W/idns.trace"
log "trace of nvme id-ns ($(trace_events "$W/idns.trace" | wc -l) events):"
grep -v "func: ftl_idle}" "$W/idns.trace" | head -n 80
log "($(grep -c "func: ftl_idle}" "$W/idns.trace") ftl_idle lines not shown)"
check_true "trace has events" test "$(trace_events "$W/idns.trace" | wc -l)" -gt 0
run trace_pairs "$W/idns.trace" || fail "unmatched enter/exit: $(last_line)"
ok "every enter matched by an exit ($(last_line))"
run trace_path "$W/idns.trace" process_admin_sq nvmev_admin_process identify fill_id_ns admin_complete nvmev_post_cqe nvmev_signal_irq ||
	fail "admin path incomplete: $(last_line)"
ok "admin path: process_admin_sq > nvmev_admin_process > identify > fill_id_ns > admin_complete > nvmev_post_cqe > nvmev_signal_irq"
run trace_nested "$W/idns.trace" fill_id_ns identify || fail "nesting: $(last_line)"
ok "fill_id_ns nested inside identify"
run trace_nested "$W/idns.trace" identify process_admin_sq || fail "nesting: $(last_line)"
ok "identify nested inside process_admin_sq"
# the identify call carries the command: qid 0 and a numeric cid
line=$(grep -m1 '+enter{func: identify}' "$W/idns.trace")
check_match "$line" '\| +0 +[0-9]+ +\+enter' "identify enter shows qid 0 and its cid"
ex=$(grep -m1 -- '-exit{func: identify}' "$W/idns.trace")
check_match "$ex" '\} [0-9]+\.[0-9]{3} us$' "identify exit shows its duration"
# deeper calls are indented 2 more columns than their parent
i_par=$(grep -m1 '+enter{func: identify}' "$W/idns.trace" | sed 's/.*| *[-0-9]* *[-0-9]* \( *\)+enter.*/\1/' | wc -c)
i_chi=$(grep -m1 '+enter{func: fill_id_ns}' "$W/idns.trace" | sed 's/.*| *[-0-9]* *[-0-9]* \( *\)+enter.*/\1/' | wc -c)
check_num "$((i_chi - i_par))" 2 "child indented by 2 columns"
trace_reset
