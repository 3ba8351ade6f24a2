# SPDX-License-Identifier: GPL-2.0
# Helpers for tests/vm/8x_trace_*.sh (busybox ash, inside the VM), sourced
# after lib.sh.  Not a test itself (the harness runs NN_*.sh only).
TD=$NVMEV_DBG
EV=/sys/kernel/tracing/events/nvmev

need_trace() {
	need_nvmev
	need_dev
	[ -f "$TD/enable" ] || fail "$TD/enable missing (tracing not built in?)"
}

# Back to defaults: off, no filter, 1024 KiB, empty; tracepoints off.
trace_reset() {
	echo 0 >"$TD/enable"
	echo >"$TD/filter"
	[ "$(cat "$TD/buffer_size_kb")" = 1024 ] || echo 1024 >"$TD/buffer_size_kb"
	echo 1 >"$TD/clear"
	[ -f "$EV/enable" ] && echo 0 >"$EV/enable"
	return 0
}

trace_on() { echo 1 >"$TD/enable" || fail "echo 1 > $TD/enable failed"; }
# Off, and let calls in flight finish their exits.
trace_off() { echo 0 >"$TD/enable" || fail "echo 0 > $TD/enable failed"; usleep 200000; }

# Event lines of a saved trace (no header).
trace_events() { grep -v '^#' "$1" | grep -E '[+-](enter|exit)\{func: '; }
# Function names, one per enter.
trace_enter_fns() { sed -n 's/.*+enter{func: \([^}]*\)}.*/\1/p' "$1"; }

# pairs FILE: every enter has its exit (per-CPU call stacks; an exit on
# another CPU than its enter is accepted if it closes that CPU's top frame).
# Prints "enters=N exits=N unmatched=N"; status 1 if any unmatched.
trace_pairs() {
	awk '
	/^#/ { next }
	match($0, /[+-](enter|exit)\{func: [^}]*\}/) {
		s = substr($0, RSTART, RLENGTH)
		fn = substr(s, index(s, ": ") + 2); sub(/\}$/, "", fn)
		cpu = $1; sub(/\)$/, "", cpu)
		if (substr(s, 1, 1) == "+") { sp[cpu]++; st[cpu, sp[cpu]] = fn; en++; next }
		ex++
		if (sp[cpu] > 0 && st[cpu, sp[cpu]] == fn) { sp[cpu]--; next }
		found = 0
		for (c in sp) if (sp[c] > 0 && st[c, sp[c]] == fn) { sp[c]--; found = 1; break }
		if (!found) { bad++; print "unmatched exit: " $0 }
	}
	END {
		for (c in sp) while (sp[c] > 0) { bad++; print "unmatched enter, cpu " c ": " st[c, sp[c]]; sp[c]-- }
		printf "enters=%d exits=%d unmatched=%d\n", en, ex, bad
		exit bad ? 1 : 0
	}' "$1"
}

# path FILE FN...: the FNs are entered in this order (a subsequence of all
# enters, any CPU).  Prints the first missing step; status 1 then.
trace_path() {
	_f=$1; shift
	trace_enter_fns "$_f" | awk -v want="$*" '
	BEGIN { n = split(want, w, " "); i = 1 }
	i <= n && $0 == w[i] { i++ }
	END { if (i <= n) { print "missing " w[i] (i > 1 ? " after " w[i - 1] : ""); exit 1 } }'
}

# nested FILE CHILD ANCESTOR: every enter of CHILD happens inside ANCESTOR
# (on the same CPU); at least one CHILD.
trace_nested() {
	awk -v child="$2" -v anc="$3" '
	/^#/ { next }
	match($0, /[+-](enter|exit)\{func: [^}]*\}/) {
		s = substr($0, RSTART, RLENGTH)
		fn = substr(s, index(s, ": ") + 2); sub(/\}$/, "", fn)
		cpu = $1; sub(/\)$/, "", cpu)
		if (substr(s, 1, 1) == "+") {
			if (fn == child) {
				n++; ok = 0
				for (i = 1; i <= sp[cpu]; i++) if (st[cpu, i] == anc) ok = 1
				if (!ok) { bad++; print "not inside " anc ": " $0 }
			}
			sp[cpu]++; st[cpu, sp[cpu]] = fn
		} else if (sp[cpu] > 0) sp[cpu]--
	}
	END { if (!n) { print "no " child; exit 1 } exit bad ? 1 : 0 }' "$1"
}

# Value of column COL in the "all" row of stats (2 recorded, 3 dropped, 4 entries).
trace_stat_all() { awk -v c="$1" '$1 == "all" { print $c }' "$TD/stats"; }

# Kernel log lines since line N that look like trouble.
kmsg_trouble_since() { kmsg_all | tail -n +$(($1 + 1)) | grep -E "$BAD_KMSG_RE" | head -n 5; }
