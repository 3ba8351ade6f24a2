#!/bin/sh
# timeout: 400
# tools/trace/nvmev-record.sh: one timeline from the block layer to nvmev's
# model.  A short fio run (random 4 KiB reads and writes, QD4) recorded
# with trace-cmd (and once with tracefs alone); in the guest, every nvme
# command of the disk has nvmev's stage marks in order.  The recording goes
# to the detail log as a marked block (@@TRACE-BEGIN); the host
# (tools/vm/nvmev-vm) joins it with "nvmev_trace.py timeline --check":
# every completed command has all stages, adding up to the host's latency
# within 5%, and the Perfetto JSON parses and has the flows.
. "$T_DIR/lib.sh"
. "$T_DIR/trace_lib.sh"
need_trace
trace_reset
REC=
for d in /tools/trace "$T_DIR/../../tools/trace"; do
	[ -x "$d/nvmev-record.sh" ] && REC=$d/nvmev-record.sh && break
done
[ -n "$REC" ] || skip "tools/trace/nvmev-record.sh not in the image"
DISK=${DEV#/dev/}
run "$REC" --help || fail "nvmev-record.sh --help failed"
check_match "$(cat "$W/last.out")" 'usage: nvmev-record.sh' "nvmev-record.sh --help"

FIO="fio --name=tl --filename=$DEV --ioengine=libaio --direct=1 --rw=randrw --bs=4k --iodepth=4 --size=16M --number_ios=300 --eta=never --output=$W/tl.fio"

# stage marks per command, in the guest: every nvme_setup_cmd of the disk
# is followed, for its qid/cid, by sqe, fetch, data_start, data_done and
# complete, then nvme_complete_rq (trace-cmd cannot format nvme_setup_cmd's
# cmd=(...): it prints the raw fields, cid= for cmdid=).  Prints "cmds=N ok=N".
stage_order() {
	awk -v disk="$DISK" '
	function kv(k,   r) { if (match($0, k "=[0-9]+")) { r = substr($0, RSTART + length(k) + 1, RLENGTH - length(k) - 1); return r + 0 } return -1 }
	/ nvme_setup_cmd: / { if ($0 !~ ("disk=" disk "[, ]")) next
		k = kv("qid") "/" (kv("cmdid") >= 0 ? kv("cmdid") : kv("cid")); st[k] = "S"; n++; next }
	/ nvmev_cmd_(sqe|fetch|data_start|data_done|complete): / {
		k = kv("qid") "/" kv("cid")
		# the mark follows the CQ entry write: the host may reap it first
		if ((k in late) && $0 ~ /nvmev_cmd_complete:/) { delete late[k]; good++; next }
		if (!(k in st)) next
		if ($0 ~ /nvmev_cmd_sqe:/) st[k] = st[k] "q"
		else if ($0 ~ /nvmev_cmd_fetch:/) st[k] = st[k] "f"
		else if ($0 ~ /nvmev_cmd_data_start:/) st[k] = st[k] "d"
		else if ($0 ~ /nvmev_cmd_data_done:/) st[k] = st[k] "D"
		else st[k] = st[k] "c"
		next }
	/ nvme_complete_rq: / { if ($0 !~ ("disk=" disk "[, ]")) next
		k = kv("qid") "/" (kv("cmdid") >= 0 ? kv("cmdid") : kv("cid")); if (!(k in st)) next
		if (st[k] == "SqfdDc") good++
		else if (st[k] == "SqfdD") late[k] = 1
		else if (bad++ < 5) print "out of order: " k " " st[k] >"/dev/stderr"
		delete st[k] }
	END { printf "cmds=%d ok=%d\n", n, good }' "$1"
}

# trace-cmd
command -v trace-cmd >/dev/null || fail "trace-cmd not in the image"
run "$REC" -d "$DISK" -o "$W/tc" -- $FIO || fail "nvmev-record.sh (trace-cmd) failed: $(last_line)"
check_true "trace.dat written" test -s "$W/tc/trace.dat"
check_match "$(cat "$W/tc/meta.txt")" 'tracer=trace-cmd' "recorded with trace-cmd"
for e in block_bio_queue block_rq_issue block_rq_complete nvme_setup_cmd nvme_complete_rq \
	nvmev_cmd_sqe nvmev_cmd_fetch nvmev_cmd_data_start nvmev_cmd_data_done nvmev_cmd_complete nvmev_irq; do
	grep -q " $e: " "$W/tc/trace.txt" || fail "trace-cmd: no $e event"
done
ok "trace-cmd recorded block, nvme and nvmev command events"
grep -m3 -E ' (nvme_setup_cmd|block_rq_issue|nvmev_cmd_sqe): ' "$W/tc/trace.txt"
res=$(stage_order "$W/tc/trace.txt")
log "trace-cmd: $res"
n=${res#cmds=}; n=${n%% *}; good=${res##*ok=}
[ "$n" -ge 300 ] || fail "trace-cmd: $n nvme commands of $DISK, fio did 300"
check_eq "$good" "$n" "trace-cmd: every command has sqe, fetch, data, complete in order"
check_match "$(grep -m1 ' nvmev_cmd_sqe: ' "$W/tc/trace.txt")" '[0-9]+\.[0-9]{9}: nvmev_cmd_sqe: +qid=[0-9]+ cid=[0-9]+' "nanosecond timestamps"

# tracefs alone
run "$REC" --tracefs -d "$DISK" -o "$W/fs" -- $FIO || fail "nvmev-record.sh --tracefs failed: $(last_line)"
check_match "$(cat "$W/fs/meta.txt")" 'tracer=tracefs' "recorded with tracefs"
res=$(stage_order "$W/fs/trace.txt")
log "tracefs: $res"
n=${res#cmds=}; n=${n%% *}; good=${res##*ok=}
[ "$n" -ge 300 ] || fail "tracefs: $n nvme commands of $DISK, fio did 300"
check_eq "$good" "$n" "tracefs: every command has sqe, fetch, data, complete in order"
check_eq "$(cat /sys/kernel/tracing/set_event)" "" "tracefs events off again"

# one 4 KiB read, for Documentation/tracing.rst
run "$REC" -d "$DISK" -o "$W/one" -- dd if="$DEV" of=/dev/null bs=4k count=1 skip=1000 iflag=direct ||
	fail "nvmev-record.sh (one read) failed"
grep -E ' (block_|nvme_|nvmev_)' "$W/one/trace.txt" | grep -v nvme_sq

# to the host
for r in tc fs one; do
	{
		echo "@@TRACE-BEGIN $T_NAME.$r"
		sed 's/^/@@|/' "$W/$r/meta.txt"
		echo "@@|--"
		sed 's/^/@@|/' "$W/$r/trace.txt"
		echo "@@TRACE-END $T_NAME.$r lines=$(wc -l <"$W/$r/trace.txt")"
	} >"$NVMEV_DETAIL"
done
ok "recordings sent to the host for the join (nvmev-vm: trace_timeline_* lines)"
