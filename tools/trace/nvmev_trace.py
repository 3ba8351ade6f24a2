#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nvmev trace reader.

Reads the function enter/exit trace of nvmev (debugfs nvmev/trace or
nvmev/trace_pipe, or a saved copy; the hand-made "NVMeVirt: +enter{func:
'...'}" shape is accepted too) and

  tree      prints the call tree with durations (function_graph style)
  summary   prints a per-function summary: calls, total, self, mean, max
  perfetto  writes Chrome/Perfetto trace-event JSON (open in ui.perfetto.dev
            or chrome://tracing)
  hist      prints a log2 latency histogram and draws it as an image
            (.svg always works; .png needs python3-matplotlib)
  check     verifies that every enter has its exit (exit status 1 if not)

Standard library only.  See Documentation/tracing.rst.
"""

import argparse
import collections
import io
import json
import math
import os
import re
import sys

DEFAULT_TRACE = "/sys/kernel/debug/nvmev/trace"

# "  2)    123.456789012 |     0    12    +enter{func: nvmev_proc_admin_sq}"
# "  2)    123.456790112 |     0    12    -exit{func: nvmev_proc_admin_sq} 1.100 us"
LINE_RE = re.compile(
    r"^\s*(?P<cpu>\d+)\)\s+(?P<sec>\d+)\.(?P<frac>\d+)\s+\|"
    r"\s+(?P<qid>\d+|-)\s+(?P<cid>\d+|-)\s(?P<indent>\s*)"
    r"(?P<sign>[+-])(?P<kind>enter|exit)\{func: (?P<fn>[^}]+)\}"
    r"(?:\s+(?P<dur>\d+(?:\.\d+)?) us)?\s*$")

# "NVMeVirt:     +enter{func: 'nvmev_proc_admin_sq [nvmev]'}" (no time)
SEED_RE = re.compile(
    r"^(?:.*?:)?(?P<indent>\s*)(?P<sign>[+-])(?P<kind>enter|exit)"
    r"\{func: '?(?P<fn>[^'}\s]+)(?: \[[^\]]*\])?'?\}")

DROPPED_RE = re.compile(r"dropped:\s*(\d+)")


class Event:
    __slots__ = ("cpu", "ts", "qid", "cid", "depth", "kind", "fn", "dur",
                 "line")

    def __init__(self, cpu, ts, qid, cid, depth, kind, fn, dur, line):
        self.cpu = cpu        # int
        self.ts = ts          # ns, or None (seed shape)
        self.qid = qid        # int or None
        self.cid = cid        # int or None
        self.depth = depth    # int
        self.kind = kind      # "enter" | "exit"
        self.fn = fn
        self.dur = dur        # ns (exit only), or None
        self.line = line      # 1-based line number

    def __repr__(self):
        return "Event(%s %s cpu=%d ts=%s depth=%d)" % (
            self.kind, self.fn, self.cpu, self.ts, self.depth)


class Trace:
    def __init__(self):
        self.events = []
        self.dropped = 0
        self.bad_lines = 0


def _num(s):
    return None if s == "-" else int(s)


def parse(lines):
    """Parse trace text (an iterable of lines) into a Trace."""
    tr = Trace()
    seed_min_indent = None
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            m = DROPPED_RE.search(line)
            if m:
                tr.dropped += int(m.group(1))
            continue
        m = LINE_RE.match(line)
        if m:
            frac = (m.group("frac") + "000000000")[:9]
            ts = int(m.group("sec")) * 1000000000 + int(frac)
            dur = m.group("dur")
            tr.events.append(Event(
                int(m.group("cpu")), ts, _num(m.group("qid")),
                _num(m.group("cid")), len(m.group("indent")) // 2,
                m.group("kind"), m.group("fn"),
                int(round(float(dur) * 1000)) if dur is not None else None,
                no))
            continue
        m = SEED_RE.match(line)
        if m:
            ind = len(m.group("indent"))
            if seed_min_indent is None or ind < seed_min_indent:
                seed_min_indent = ind
            tr.events.append(Event(0, None, None, None, ind, m.group("kind"),
                                   m.group("fn"), None, no))
            continue
        tr.bad_lines += 1
    if seed_min_indent is not None:
        for e in tr.events:
            if e.ts is None:
                e.depth -= seed_min_indent
    return tr


def read_trace(path):
    if path in (None, "-"):
        return parse(sys.stdin)
    with open(path, encoding="utf-8", errors="replace") as f:
        return parse(f)


class Call:
    """One call: an enter and (normally) its exit."""
    __slots__ = ("fn", "cpu", "start", "dur", "qid", "cid", "depth",
                 "children", "parent", "has_enter", "has_exit")

    def __init__(self, fn, cpu, start, qid, cid, depth):
        self.fn = fn
        self.cpu = cpu
        self.start = start
        self.dur = None
        self.qid = qid
        self.cid = cid
        self.depth = depth
        self.children = []
        self.parent = None
        self.has_enter = True
        self.has_exit = False

    @property
    def end(self):
        if self.start is None or self.dur is None:
            return None
        return self.start + self.dur

    def self_time(self):
        if self.dur is None:
            return None
        return max(0, self.dur - sum(c.dur or 0 for c in self.children))


class Forest:
    def __init__(self):
        self.roots = []          # top-level calls, in trace order
        self.calls = []          # every call
        self.unmatched_enters = []
        self.unmatched_exits = []
        self.mismatched = 0      # exits that closed a non-top frame


def build(trace):
    """Pair enters with exits per CPU; returns a Forest."""
    fo = Forest()
    stacks = collections.defaultdict(list)

    def attach(call, stack):
        if stack:
            call.parent = stack[-1]
            stack[-1].children.append(call)
        else:
            fo.roots.append(call)
        fo.calls.append(call)

    for ev in trace.events:
        stack = stacks[ev.cpu]
        if ev.kind == "enter":
            call = Call(ev.fn, ev.cpu, ev.ts, ev.qid, ev.cid, ev.depth)
            attach(call, stack)
            stack.append(call)
            continue
        # exit: normally the top of this CPU's stack
        idx = None
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].fn == ev.fn and stack[i].depth == ev.depth:
                idx = i
                break
        if idx is None:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i].fn == ev.fn:
                    idx = i
                    break
        owner = stack
        if idx is None:
            # migrated: the enter may be open on another CPU
            for cpu, st in stacks.items():
                if cpu != ev.cpu and st and st[-1].fn == ev.fn:
                    owner, idx = st, len(st) - 1
                    break
        if idx is None:
            # enter dropped or cleared: keep what the exit tells
            start = None
            if ev.ts is not None and ev.dur is not None:
                start = ev.ts - ev.dur
            call = Call(ev.fn, ev.cpu, start, ev.qid, ev.cid, ev.depth)
            call.has_enter = False
            call.has_exit = True
            call.dur = ev.dur
            attach(call, stack)
            fo.unmatched_exits.append(call)
            continue
        if idx != len(owner) - 1:
            fo.mismatched += 1
            for c in owner[idx + 1:]:
                fo.unmatched_enters.append(c)
        call = owner[idx]
        del owner[idx:]
        call.has_exit = True
        if ev.dur is not None:
            call.dur = ev.dur
        elif ev.ts is not None and call.start is not None:
            call.dur = ev.ts - call.start
        if call.qid is None and ev.qid is not None:
            call.qid, call.cid = ev.qid, ev.cid
    for st in stacks.values():
        fo.unmatched_enters.extend(st)
    return fo


# ---- output -----------------------------------------------------------------

def fmt_us(ns):
    if ns is None:
        return "?"
    return "%.3f us" % (ns / 1000.0)


def fmt_cmd(c):
    if c.qid is None:
        return "%11s" % "-/-"
    return "%11s" % ("%d/%d" % (c.qid, c.cid))


def print_tree(fo, out, max_depth=None):
    """function_graph-like: CPU) DURATION | QID/CID | tree."""
    out.write("# CPU  DURATION      |     QID/CID | FUNCTION CALLS\n")
    out.write("#  |     |   |       |        |    |   |   |   |\n")

    def dur_col(c):
        if c.dur is None:
            return "%-14s" % ""
        return "%12s  " % fmt_us(c.dur)

    def walk(c, level):
        ind = "  " * level
        note = ""
        if not c.has_enter:
            note = "  /* enter not in trace */"
        elif not c.has_exit:
            note = "  /* no exit in trace */"
        leaf = not c.children or (max_depth is not None and level >= max_depth)
        if leaf:
            out.write("%3d) %s| %s | %s%s();%s\n" % (
                c.cpu, dur_col(c), fmt_cmd(c), ind, c.fn, note))
            return
        out.write("%3d) %-14s| %s | %s%s() {%s\n" % (
            c.cpu, "", fmt_cmd(c), ind, c.fn, note))
        for ch in c.children:
            walk(ch, level + 1)
        out.write("%3d) %s| %s | %s}  /* %s */\n" % (
            c.cpu, dur_col(c), fmt_cmd(c), ind, c.fn))

    for r in fo.roots:
        walk(r, 0)


def serves(call, qid, cid):
    """True if call or a descendant ran for command qid/cid."""
    if call.qid == qid and call.cid == cid:
        return True
    return any(serves(ch, qid, cid) for ch in call.children)


def summarize(fo):
    """Per function: calls, total, self, mean, max (ns; durations known)."""
    rows = {}
    for c in fo.calls:
        r = rows.setdefault(c.fn, {"fn": c.fn, "calls": 0, "timed": 0,
                                   "total": 0, "self": 0, "max": 0,
                                   "min": None})
        r["calls"] += 1
        if c.dur is None:
            continue
        r["timed"] += 1
        r["total"] += c.dur
        r["self"] += c.self_time()
        r["max"] = max(r["max"], c.dur)
        r["min"] = c.dur if r["min"] is None else min(r["min"], c.dur)
    for r in rows.values():
        r["mean"] = r["total"] / r["timed"] if r["timed"] else 0.0
    return sorted(rows.values(), key=lambda r: (-r["total"], r["fn"]))


def print_summary(rows, out):
    w = max([len("FUNCTION")] + [len(r["fn"]) for r in rows])
    out.write("%-*s %8s %14s %14s %12s %12s\n" % (
        w, "FUNCTION", "CALLS", "TOTAL(us)", "SELF(us)", "MEAN(us)",
        "MAX(us)"))
    for r in rows:
        out.write("%-*s %8d %14.3f %14.3f %12.3f %12.3f\n" % (
            w, r["fn"], r["calls"], r["total"] / 1000.0, r["self"] / 1000.0,
            r["mean"] / 1000.0, r["max"] / 1000.0))


def to_chrome(fo, trace=None):
    """Chrome trace-event JSON object (complete 'X' events, one tid/CPU)."""
    evs = []
    cpus = sorted({c.cpu for c in fo.calls})
    evs.append({"name": "process_name", "ph": "M", "pid": 1, "tid": 0,
                "args": {"name": "nvmev"}})
    for cpu in cpus:
        evs.append({"name": "thread_name", "ph": "M", "pid": 1, "tid": cpu,
                    "args": {"name": "CPU %d" % cpu}})
        evs.append({"name": "thread_sort_index", "ph": "M", "pid": 1,
                    "tid": cpu, "args": {"sort_index": cpu}})
    seq = 0
    for c in fo.calls:
        if c.start is None or c.dur is None:
            # seed shape (no time): lay calls out one microsecond apart
            continue
        args = {}
        if c.qid is not None:
            args["qid"] = c.qid
            args["cid"] = c.cid
        if not c.has_enter:
            args["note"] = "enter not in trace"
        evs.append({"name": c.fn, "cat": "nvmev", "ph": "X", "pid": 1,
                    "tid": c.cpu, "ts": c.start / 1000.0,
                    "dur": c.dur / 1000.0, "args": args})
        seq += 1
    for c in fo.unmatched_enters:
        if c.start is not None:
            evs.append({"name": c.fn, "cat": "nvmev", "ph": "B", "pid": 1,
                        "tid": c.cpu, "ts": c.start / 1000.0,
                        "args": {"note": "no exit in trace"}})
    meta = {"source": "nvmev function trace"}
    if trace is not None:
        meta["dropped"] = trace.dropped
    return {"traceEvents": evs, "displayTimeUnit": "ns", "otherData": meta}


def select_durations(fo, funcs=None, top=False):
    """Durations (ns) of calls whose name matches a glob in funcs."""
    import fnmatch
    out = []
    for c in fo.calls:
        if c.dur is None:
            continue
        if top and c.parent is not None:
            continue
        if funcs and not any(fnmatch.fnmatchcase(c.fn, p) for p in funcs):
            continue
        out.append(c.dur)
    return out


def log2_hist(values_ns):
    """[(lo_us, hi_us, count)] over power-of-two microsecond buckets.

    Bucket 0 is [0, 1) us, then [1, 2), [2, 4), ... like bpftrace hist().
    """
    if not values_ns:
        return []
    counts = collections.Counter()
    for v in values_ns:
        us = v / 1000.0
        b = 0 if us < 1 else int(math.floor(math.log2(us))) + 1
        counts[b] += 1
    top = max(counts)
    rows = []
    for b in range(0, top + 1):
        lo = 0 if b == 0 else 2 ** (b - 1)
        hi = 2 ** b
        rows.append((lo, hi, counts.get(b, 0)))
    return rows


def print_hist(rows, out, title):
    out.write("%s\n" % title)
    if not rows:
        out.write("  (no samples)\n")
        return
    peak = max(r[2] for r in rows) or 1
    for lo, hi, n in rows:
        bar = "@" * int(round(50.0 * n / peak))
        out.write("[%6s, %6s) us %8d |%-50s|\n" % (lo, hi, n, bar))


def hist_svg(rows, title):
    """A bar chart of log2 buckets as a standalone SVG document."""
    W, H, L, B, T = 720, 360, 70, 60, 40
    n = max(1, len(rows))
    peak = max([r[2] for r in rows] + [1])
    bw = (W - L - 20) / n
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'font-family="sans-serif" font-size="11">' % (W, H),
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="%d" y="22" font-size="14">%s</text>' % (L, _xml(title)),
        '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (
            L, H - B, W - 20, H - B),
        '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (
            L, T, L, H - B),
        '<text x="14" y="%d" transform="rotate(-90 14 %d)">calls</text>' % (
            (H - B + T) // 2, (H - B + T) // 2),
        '<text x="%d" y="%d">latency, microseconds (log2 buckets)</text>' % (
            L + (W - L) // 2 - 110, H - 12),
    ]
    for k in range(5):
        v = peak * k / 4.0
        y = H - B - (H - B - T) * k / 4.0
        parts.append('<text x="%d" y="%.1f" text-anchor="end">%d</text>' % (
            L - 6, y + 4, int(round(v))))
    for i, (lo, hi, c) in enumerate(rows):
        h = (H - B - T) * c / float(peak)
        x = L + i * bw
        parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                     'fill="#4878d0"><title>[%s, %s) us: %d</title></rect>' % (
                         x + 1, H - B - h, max(bw - 2, 1), h, lo, hi, c))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                     % (x + bw / 2, H - B + 14, lo))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _xml(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def write_image(rows, title, path):
    if path.endswith(".svg"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(hist_svg(rows, title))
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("%s: matplotlib not available (apt-get install "
                         "python3-matplotlib), or write .svg" % path)
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = ["%s" % lo for lo, _, _ in rows]
    ax.bar(range(len(rows)), [c for _, _, c in rows], color="#4878d0")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels)
    ax.set_xlabel("latency, microseconds (log2 buckets)")
    ax.set_ylabel("calls")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)


def check(trace, fo, out):
    """Every enter matched by an exit (dropped records excuse nothing)."""
    enters = sum(1 for e in trace.events if e.kind == "enter")
    exits = sum(1 for e in trace.events if e.kind == "exit")
    ok = not fo.unmatched_enters and not fo.unmatched_exits \
        and not fo.mismatched
    out.write("events: %d enter, %d exit; calls: %d; dropped: %d\n" % (
        enters, exits, len(fo.calls), trace.dropped))
    for c in fo.unmatched_enters:
        out.write("unmatched enter: cpu %d %s\n" % (c.cpu, c.fn))
    for c in fo.unmatched_exits:
        out.write("unmatched exit: cpu %d %s\n" % (c.cpu, c.fn))
    if fo.mismatched:
        out.write("exits out of order: %d\n" % fo.mismatched)
    out.write("%s\n" % ("OK: every enter has its exit" if ok else "FAIL"))
    return ok


# ---- one timeline from host to flash (nvmev-record.sh output) -----------------
#
# Everything below "timeline_*" reads what tools/trace/nvmev-record.sh
# records (trace-cmd report -t or tracefs text of block:*, nvme:* and
# nvmev:* events on the global clock), joins it per command and writes the
# stage table, Perfetto JSON and a per-stage histogram.  Separate from the
# function-trace reader above; main() only dispatches to timeline_main().

# The boundaries of a command's life, in the order they must happen.
TL_MARKS = (
    ("bio", "block_bio_queue"),        # the host's bio enters the block layer
    ("setup", "nvme_setup_cmd"),       # nvme driver builds the command
    ("issue", "block_rq_issue"),       # request started (doorbell next)
    ("sqe", "nvmev_cmd_sqe"),          # nvmev takes it from the SQ
    ("ftl", "nvmev_cmd_fetch"),        # FTL and timing model done
    ("dstart", "nvmev_cmd_data_start"),  # worker begins the data copy
    ("ddone", "nvmev_cmd_data_done"),  # data copy done
    ("cqe", "nvmev_cmd_complete"),     # CQ entry posted (at model time)
    ("irq", "nvmev_irq"),              # MSI-X raised
    ("hcomp", "nvme_complete_rq"),     # host's nvme driver completes it
    ("bdone", "block_rq_complete"),    # block layer ends the request
)

# (name, description): stage i runs from mark i to mark i+1.
TL_STAGES = (
    ("block", "block layer: bio queued -> nvme_setup_cmd"),
    ("driver", "driver submit: nvme_setup_cmd -> request started"),
    ("fetch", "doorbell -> nvmev fetches the SQ entry"),
    ("ftl", "FTL and timing model (nvmev_io_prepare)"),
    ("queue", "handed to the I/O worker, waiting"),
    ("data", "data copy (PRP walk, memcpy)"),
    ("media", "waiting for the model's completion time, CQE post"),
    ("irq", "CQE posted -> MSI-X raised"),
    ("hirq", "host: interrupt -> nvme_complete_rq"),
    ("bcomp", "host: nvme_complete_rq -> block_rq_complete"),
)

TL_LINE_RE = re.compile(
    r"^\s*(?P<task>.*?)-(?P<pid>\d+)\s+(?:\(\s*[-\d]+\)\s+)?"
    r"\[(?P<cpu>\d+)\]\s+(?:[^\s:]+\s+)?(?P<ts>\d+\.\d+):\s+"
    r"(?P<ev>\w+):\s*(?P<rest>.*)$")
TL_KV_RE = re.compile(r"(\w+)=([^,\s)]+)")
TL_BIO_RE = re.compile(r"^(\d+),(\d+) (\S+) (\d+) \+ (\d+)")
TL_ISSUE_RE = re.compile(r"^(\d+),(\d+) (\S+) \d+ \(.*?\) (\d+) \+ (\d+)")
TL_DONE_RE = re.compile(r"^(\d+),(\d+) (\S+) \(.*?\) (\d+) \+ (\d+)")
TL_OP_RE = re.compile(r"cmd=\((\w+)")


class TlCmd:
    """One host command, its marks (ns) and what identifies it."""

    def __init__(self, seq, qid, cid):
        self.seq, self.qid, self.cid = seq, qid, cid
        self.t = {}
        self.op = "?"
        self.sector = self.nr = None
        self.rwbs = ""
        self.status = None
        self.actual_ns = self.target_ns = None
        self.late = False       # host reaped the CQE before nvmev's mark

    def complete(self):
        return all(m in self.t for m, _ in TL_MARKS)

    def stages(self):
        """Per stage ns (None if a mark is missing); never negative."""
        out = []
        for i in range(len(TL_STAGES)):
            a, b = TL_MARKS[i][0], TL_MARKS[i + 1][0]
            if a in self.t and b in self.t:
                out.append(max(0, self.t[b] - self.t[a]))
            else:
                out.append(None)
        return out

    def host_ns(self):
        if "bio" in self.t and "bdone" in self.t:
            return self.t["bdone"] - self.t["bio"]
        return None


def _tl_ts(s):
    sec, _, frac = s.partition(".")
    return int(sec) * 1000000000 + int((frac + "000000000")[:9])


def timeline_parse(lines):
    """Event tuples (ts_ns, cpu, event, rest, line) in time order."""
    evs = []
    for line in lines:
        m = TL_LINE_RE.match(line)
        if not m:
            continue
        evs.append((_tl_ts(m.group("ts")), int(m.group("cpu")),
                    m.group("ev"), m.group("rest"), line.rstrip("\n")))
    evs.sort(key=lambda e: e[0])
    return evs


def timeline_read_meta(path):
    meta = {}
    if path:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                if k:
                    meta[k] = v
    return meta


def timeline_join(evs, disk=None, devt=None):
    """Join the events per command: returns (commands, other nvmev events).

    Host side: nvme_setup_cmd opens a command for (qid, cid); the next
    block_rq_issue on the same CPU is its request (nvme_queue_rq starts the
    request right after building the command), which gives the sector; the
    latest block_bio_queue of that sector is its bio.  nvme_complete_rq
    closes it; the first block_rq_complete of its sector after that is the
    block layer's end of it (a batch of completions runs every
    nvme_complete_rq before the block layer ends the requests).  Device side: nvmev's events carry qid and cid; nvmev_irq
    carries the CQ, and ends the "irq" stage of every command posted to
    that CQ before it.
    """
    cmds, other = [], []
    open_ = {}                  # (qid, cid) -> TlCmd, host side open
    dev_open = {}               # (qid, cid) -> TlCmd awaiting device marks
    pend_irq = collections.defaultdict(list)   # cqid -> [TlCmd]
    last_setup = {}             # cpu -> TlCmd set up, request not started
    last_done = collections.defaultdict(list)   # sector -> [TlCmd] ended
    bios = {}                   # (dev, sector) -> ts of the latest bio
    want_dev = devt.replace(":", ",") if devt else None
    for ts, cpu, ev, rest, line in evs:
        if ev == "block_bio_queue":
            m = TL_BIO_RE.match(rest)
            if m:
                bios[("%s,%s" % (m.group(1), m.group(2)),
                      int(m.group(4)))] = ts
        elif ev == "nvme_setup_cmd":
            kv = dict(TL_KV_RE.findall(rest))
            if disk and kv.get("disk") != disk:
                continue
            cid = kv.get("cmdid", kv.get("cid"))  # raw field: cid
            if "qid" not in kv or cid is None:
                continue
            c = TlCmd(len(cmds), int(kv["qid"]), int(cid))
            op = TL_OP_RE.search(rest)
            if op:
                c.op = op.group(1).replace("nvme_cmd_", "")
            elif "opcode" in kv:
                c.op = {1: "write", 2: "read"}.get(int(kv["opcode"], 0),
                                                   kv["opcode"])
            c.t["setup"] = ts
            cmds.append(c)
            open_[(c.qid, c.cid)] = c
            dev_open[(c.qid, c.cid)] = c
            last_setup[cpu] = c
        elif ev == "block_rq_issue":
            c = last_setup.pop(cpu, None)
            m = TL_ISSUE_RE.match(rest)
            if c is None or not m:
                continue
            dev = "%s,%s" % (m.group(1), m.group(2))
            if want_dev and dev != want_dev:
                continue
            c.rwbs, c.sector, c.nr = m.group(3), int(m.group(4)), int(m.group(5))
            c.t["issue"] = ts
            b = bios.get((dev, c.sector))
            if b is not None and b <= c.t["setup"]:
                c.t["bio"] = b
        elif ev.startswith("nvmev_"):
            kv = dict(TL_KV_RE.findall(rest))
            if ev == "nvmev_irq":
                q = int(kv.get("cqid", -1))
                for c in pend_irq.pop(q, []):
                    c.t.setdefault("irq", ts)
                continue
            mark = {"nvmev_cmd_sqe": "sqe", "nvmev_cmd_fetch": "ftl",
                    "nvmev_cmd_data_start": "dstart",
                    "nvmev_cmd_data_done": "ddone",
                    "nvmev_cmd_complete": "cqe"}.get(ev)
            if mark is None:
                other.append((ts, cpu, ev, rest))
                continue
            key = (int(kv.get("qid", -1)), int(kv.get("cid", -1)))
            c = dev_open.get(key)
            if c is None or mark in c.t:
                continue
            c.t[mark] = ts
            if mark == "cqe":
                c.actual_ns = int(kv.get("actual_ns", 0))
                c.target_ns = int(kv.get("target_ns", 0))
                del dev_open[key]
                if "hcomp" in c.t and c.t["hcomp"] < ts:
                    # the tracepoint follows the CQ entry write: the host,
                    # woken by an earlier interrupt, reaped it first.  Its
                    # CQE was there by then; irq and hirq stages are 0.
                    c.late = True
                    c.t["cqe"] = c.t["irq"] = c.t["hcomp"]
                else:
                    pend_irq[c.qid].append(c)
        elif ev == "nvme_complete_rq":
            kv = dict(TL_KV_RE.findall(rest))
            if disk and kv.get("disk") != disk:
                continue
            key = (int(kv.get("qid", -1)),
                   int(kv.get("cmdid", kv.get("cid", -1))))
            c = open_.pop(key, None)
            if c is None:
                continue
            c.t["hcomp"] = ts
            c.status = kv.get("status")
            if "cqe" in c.t and "irq" not in c.t:
                # reaped on an earlier interrupt of its CQ, before nvmev
                # raised its own: the irq stage ends here, hirq is 0
                c.late = True
                c.t["irq"] = ts
                if c in pend_irq.get(c.qid, []):
                    pend_irq[c.qid].remove(c)
            last_done[c.sector].append(c)
        elif ev == "block_rq_complete":
            m = TL_DONE_RE.match(rest)
            if not m or (want_dev and "%s,%s" % (m.group(1), m.group(2))
                         != want_dev):
                continue
            pend = last_done.get(int(m.group(4)))
            if pend:
                pend.pop(0).t["bdone"] = ts
    return cmds, other


def _pct(vals, p):
    if not vals:
        return 0
    v = sorted(vals)
    return v[min(len(v) - 1, int(math.ceil(p / 100.0 * len(v))) - 1)]


def timeline_table(cmds, out, max_rows=None):
    done = [c for c in cmds if "hcomp" in c.t]
    names = [s for s, _ in TL_STAGES]
    out.write("# nvmev host-to-flash timeline: %d commands, %d completed, "
              "%d with every stage, %d reaped by the host before nvmev's "
              "completion mark or interrupt\n" % (len(cmds), len(done),
                                     sum(1 for c in done if c.complete()),
                                     sum(1 for c in done if c.late)))
    out.write("# stages (microseconds):\n")
    for n, d in TL_STAGES:
        out.write("#   %-7s %s\n" % (n, d))
    hdr = "%5s %3s %5s %-6s %10s %4s " % ("seq", "qid", "cid", "op",
                                          "sector", "nr")
    hdr += " ".join("%8s" % n for n in names)
    hdr += " %9s %9s %9s\n" % ("sum", "host", "dev_act")
    out.write(hdr)
    for i, c in enumerate(done):
        if max_rows is not None and i >= max_rows:
            out.write("... %d more\n" % (len(done) - max_rows))
            break
        st = c.stages()
        row = "%5d %3d %5d %-6s %10s %4s " % (
            c.seq, c.qid, c.cid, c.op[:6],
            "-" if c.sector is None else c.sector,
            "-" if c.nr is None else c.nr)
        row += " ".join("%8s" % ("-" if v is None else "%.3f" % (v / 1e3))
                        for v in st)
        tot = sum(v for v in st if v is not None)
        h = c.host_ns()
        row += " %9.3f %9s %9s\n" % (
            tot / 1e3, "-" if h is None else "%.3f" % (h / 1e3),
            "-" if c.actual_ns is None else "%.3f" % (c.actual_ns / 1e3))
        out.write(row)
    full = [c for c in done if c.complete()]
    if not full:
        return
    out.write("\n# per stage over %d complete commands (us)\n" % len(full))
    out.write("%-7s %9s %9s %9s %9s %9s %6s\n" % (
        "stage", "mean", "p50", "p99", "min", "max", "share"))
    hosts = sum(c.host_ns() for c in full) or 1
    for i, n in enumerate(names):
        v = [c.stages()[i] for c in full]
        out.write("%-7s %9.3f %9.3f %9.3f %9.3f %9.3f %5.1f%%\n" % (
            n, sum(v) / len(v) / 1e3, _pct(v, 50) / 1e3, _pct(v, 99) / 1e3,
            min(v) / 1e3, max(v) / 1e3, 100.0 * sum(v) / hosts))
    h = [c.host_ns() for c in full]
    out.write("%-7s %9.3f %9.3f %9.3f %9.3f %9.3f\n" % (
        "host", sum(h) / len(h) / 1e3, _pct(h, 50) / 1e3, _pct(h, 99) / 1e3,
        min(h) / 1e3, max(h) / 1e3))


def timeline_check(cmds, out, tol=0.05):
    """Every completed command has every stage, its marks in order (to
    1 us), and the stages add up to the host's latency (bio queued ->
    request completed) within tol."""
    done = [c for c in cmds if "bdone" in c.t or "hcomp" in c.t]
    bad = 0
    for c in done:
        miss = [m for m, _ in TL_MARKS if m not in c.t]
        if miss:
            bad += 1
            if bad <= 10:
                out.write("incomplete: q%d c%d %s: no %s\n" % (
                    c.qid, c.cid, c.op, ",".join(miss)))
            continue
        h = c.host_ns()
        tot = sum(c.stages())
        # a mark before the one it follows (beyond tracefs' 1 us resolution)
        back = [TL_MARKS[i + 1][0] for i in range(len(TL_STAGES))
                if c.t[TL_MARKS[i + 1][0]] < c.t[TL_MARKS[i][0]] - 1000]
        if back:
            bad += 1
            if bad <= 10:
                out.write("out of order: q%d c%d: %s before the mark it "
                          "follows\n" % (c.qid, c.cid, ",".join(back)))
        elif h <= 0 or abs(tot - h) > tol * h:
            bad += 1
            if bad <= 10:
                out.write("stages do not add up: q%d c%d: sum %d ns, host "
                          "%d ns (order: %s)\n" % (
                              c.qid, c.cid, tot, h,
                              " ".join("%s=%d" % (m, c.t[m])
                                       for m, _ in TL_MARKS)))
    ok = bool(done) and bad == 0
    out.write("%s: %d completed commands, %d with every stage adding up to "
              "the host latency within %g%%\n" % (
                  "OK" if ok else "FAIL", len(done), len(done) - bad,
                  tol * 100))
    return ok


def _tl_lanes(spans):
    """Greedy lane assignment so that slices of one lane never overlap."""
    ends, lanes = [], []
    for start, end in spans:
        for i, e in enumerate(ends):
            if e <= start:
                ends[i] = end
                lanes.append(i)
                break
        else:
            ends.append(end)
            lanes.append(len(ends) - 1)
    return lanes


def timeline_perfetto(cmds, other=()):
    """Chrome/Perfetto JSON: one process per stage (lanes as its threads
    where commands overlap), a flow per command through its stages."""
    full = [c for c in cmds if c.complete()]
    ev = []
    t0 = min((c.t["bio"] for c in full), default=0)
    for i, (name, desc) in enumerate(TL_STAGES):
        pid = i + 1
        ev.append({"ph": "M", "name": "process_name", "pid": pid,
                   "args": {"name": "%d %s: %s" % (i, name, desc)}})
        ev.append({"ph": "M", "name": "process_sort_index", "pid": pid,
                   "args": {"sort_index": i}})
        a, b = TL_MARKS[i][0], TL_MARKS[i + 1][0]
        order = sorted(full, key=lambda c: c.t[a])
        spans = [(c.t[a], max(c.t[a], c.t[b])) for c in order]
        lanes = _tl_lanes(spans)
        for c, (s, e), lane in zip(order, spans, lanes):
            args = {"qid": c.qid, "cid": c.cid, "op": c.op,
                    "sector": c.sector, "seq": c.seq}
            ev.append({"ph": "X", "name": "%s q%d c%d" % (c.op, c.qid, c.cid),
                       "cat": name, "pid": pid, "tid": lane,
                       "ts": (s - t0) / 1e3, "dur": (e - s) / 1e3,
                       "args": args})
            ph = "s" if i == 0 else ("f" if i == len(TL_STAGES) - 1 else "t")
            fl = {"ph": ph, "name": "cmd", "cat": "cmd", "id": c.seq,
                  "pid": pid, "tid": lane, "ts": (s - t0) / 1e3}
            if ph == "f":
                fl["bp"] = "e"
            ev.append(fl)
    if other:
        pid = len(TL_STAGES) + 1
        ev.append({"ph": "M", "name": "process_name", "pid": pid,
                   "args": {"name": "nvmev events"}})
        for ts, cpu, name, rest in other:
            ev.append({"ph": "i", "s": "t", "name": name, "pid": pid,
                       "tid": cpu, "ts": (ts - t0) / 1e3,
                       "args": {"fields": rest}})
    return {"traceEvents": ev, "displayTimeUnit": "ns"}


def timeline_hist(cmds, path):
    """One log2 histogram per stage, in one image (.png: matplotlib;
    .svg: no dependency)."""
    full = [c for c in cmds if c.complete()]
    per = []
    for i, (name, _) in enumerate(TL_STAGES):
        per.append((name, log2_hist([c.stages()[i] for c in full])))
    per.append(("host", log2_hist([c.host_ns() for c in full])))
    if path.endswith(".svg"):
        parts, H = [], 360
        for k, (name, rows) in enumerate(per):
            body = hist_svg(rows, "stage %s (%d commands)" % (name, len(full)))
            body = body.split("\n", 1)[1].rsplit("</svg>", 1)[0]
            parts.append('<g transform="translate(0,%d)">%s</g>' % (k * H,
                                                                   body))
        with open(path, "w", encoding="utf-8") as f:
            f.write('<svg xmlns="http://www.w3.org/2000/svg" width="720" '
                    'height="%d" font-family="sans-serif" font-size="11">\n'
                    '%s\n</svg>\n' % (H * len(per), "\n".join(parts)))
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("%s: matplotlib not available (apt-get install "
                         "python3-matplotlib), or write .svg" % path)
    cols = 3
    rws = (len(per) + cols - 1) // cols
    fig, axs = plt.subplots(rws, cols, figsize=(4 * cols, 2.6 * rws))
    for ax, (name, rows) in zip(axs.flat, per):
        ax.bar(range(len(rows)), [c for _, _, c in rows], color="#4878d0")
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(["%s" % lo for lo, _, _ in rows], fontsize=7,
                           rotation=45)
        ax.set_title(name, fontsize=10)
    for ax in list(axs.flat)[len(per):]:
        ax.axis("off")
    fig.suptitle("nvmev per-stage latency, us, log2 buckets (%d commands)"
                 % len(full))
    fig.tight_layout()
    fig.savefig(path)


def timeline_console(log, outdir, out):
    """The VM tests' recordings (@@TRACE-BEGIN blocks in a console log):
    each written to OUTDIR/NAME/{meta,trace}.txt, joined and checked, its
    table, Perfetto JSON and histogram written next to it.  One PASS/FAIL
    line per recording; returns the number that failed."""
    blocks, cur, lines = {}, None, []
    with open(log, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if line.startswith("@@TRACE-BEGIN "):
                cur, lines = line.split(None, 1)[1].strip(), []
            elif line.startswith("@@TRACE-END ") and cur:
                blocks[cur] = lines
                cur = None
            elif cur and line.startswith("@@|"):
                lines.append(line[3:])
    failed = 0
    for name, lines in sorted(blocks.items()):
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        sep = lines.index("--") if "--" in lines else 0
        with open(os.path.join(d, "meta.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines[:sep]) + "\n")
        with open(os.path.join(d, "trace.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines[sep + 1:]) + "\n")
        meta = timeline_read_meta(os.path.join(d, "meta.txt"))
        cmds, other = timeline_join(timeline_parse(lines[sep + 1:]),
                                    meta.get("disk"), meta.get("devt"))
        with open(os.path.join(d, "stages.txt"), "w", encoding="utf-8") as f:
            timeline_table(cmds, f)
        msg = io.StringIO()
        ok = timeline_check(cmds, msg)
        jpath = os.path.join(d, "timeline.json")
        with open(jpath, "w", encoding="utf-8") as f:
            json.dump(timeline_perfetto(cmds, other), f)
        with open(jpath, encoding="utf-8") as f:
            doc = json.load(f)
        fl = collections.Counter(e["ph"] for e in doc["traceEvents"]
                                 if e.get("cat") == "cmd")
        nfull = sum(1 for c in cmds if c.complete())
        fok = nfull > 0 and fl["s"] == nfull and fl["f"] == nfull and \
            fl["t"] == nfull * (len(TL_STAGES) - 2)
        try:
            timeline_hist(cmds, os.path.join(d, "stages.png"))
            img = "stages.png"
        except SystemExit:
            timeline_hist(cmds, os.path.join(d, "stages.svg"))
            img = "stages.svg"
        last = msg.getvalue().strip().splitlines()[-1]
        out.write("%s: trace_timeline_%s: %s\n" % (
            "PASS" if ok else "FAIL", name, last))
        if not ok:
            for line in msg.getvalue().strip().splitlines()[:-1][:5]:
                out.write("  | %s\n" % line)
        out.write("%s: trace_perfetto_%s: JSON parses, %d events, flows "
                  "s/t/f %d/%d/%d for %d commands (%s, %s in %s)\n" % (
                      "PASS" if fok else "FAIL", name,
                      len(doc["traceEvents"]), fl["s"], fl["t"], fl["f"],
                      nfull, "timeline.json", img, d))
        failed += (not ok) + (not fok)
    return failed


def timeline_register(sub):
    p = sub.add_parser(
        "timeline", help="join block/nvme/nvmev events per command "
        "(nvmev-record.sh output): stage table, Perfetto, histograms")
    p.add_argument("file", help="trace text from nvmev-record.sh "
                   "(trace-cmd report -t or tracefs), '-' for stdin")
    p.add_argument("--meta", help="meta.txt from nvmev-record.sh (disk, "
                   "device number); default: next to the trace")
    p.add_argument("--disk", help="only this disk (e.g. nvme0n1)")
    p.add_argument("--table", default="-", help="stage table file "
                   "('-': stdout, the default)")
    p.add_argument("--rows", type=int, default=None,
                   help="at most this many command rows in the table")
    p.add_argument("--perfetto", help="write Perfetto/Chrome JSON here")
    p.add_argument("--hist", help="per-stage histogram image (.png, .svg)")
    p.add_argument("--check", action="store_true", help="exit 1 unless "
                   "every completed command has every stage and they add "
                   "up to its host latency within 5%%")
    p = sub.add_parser(
        "timeline-console", help="the VM tests' recordings in a console "
        "log (@@TRACE-BEGIN blocks): extract, join, check")
    p.add_argument("log", help="e.g. .build/<rel>/check.detail.log")
    p.add_argument("outdir", help="one directory per recording in here")


def timeline_main(a):
    if a.file == "-":
        lines = sys.stdin.readlines()
    else:
        with open(a.file, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    meta_path = a.meta
    if meta_path is None and a.file != "-":
        cand = os.path.join(os.path.dirname(a.file) or ".", "meta.txt")
        meta_path = cand if os.path.exists(cand) else None
    meta = timeline_read_meta(meta_path)
    cmds, other = timeline_join(timeline_parse(lines),
                                a.disk or meta.get("disk"), meta.get("devt"))
    if a.table == "-":
        timeline_table(cmds, sys.stdout, a.rows)
    else:
        with open(a.table, "w", encoding="utf-8") as f:
            timeline_table(cmds, f, a.rows)
    if a.perfetto:
        doc = timeline_perfetto(cmds, other)
        with open(a.perfetto, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        sys.stderr.write("wrote %s: %d events\n" % (a.perfetto,
                                                    len(doc["traceEvents"])))
    if a.hist:
        timeline_hist(cmds, a.hist)
        sys.stderr.write("wrote %s\n" % a.hist)
    if a.check:
        return 0 if timeline_check(cmds, sys.stdout) else 1
    return 0


# ---- command line -------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="nvmev_trace.py",
        description="Read an nvmev function trace (debugfs nvmev/trace).")
    sub = ap.add_subparsers(dest="command", required=True)

    def add(name, help_):
        p = sub.add_parser(name, help=help_)
        p.add_argument("file", nargs="?", default=DEFAULT_TRACE,
                       help="trace text, '-' for stdin (default %s)" %
                       DEFAULT_TRACE)
        p.add_argument("-x", "--exclude", action="append", default=[],
                       metavar="GLOB", help="drop calls of matching "
                       "functions, e.g. -x ftl_idle (repeatable)")
        return p

    p = add("tree", "call tree with durations")
    p.add_argument("--max-depth", type=int, default=None)
    p.add_argument("--cpu", type=int, default=None, help="only this CPU")
    p.add_argument("--cmd", default=None, metavar="QID/CID",
                   help="only call trees that serve this command")
    p = add("summary", "per-function calls, total, self, mean, max")
    p.add_argument("--json", action="store_true", help="JSON output")
    p = add("perfetto", "write Chrome/Perfetto trace JSON")
    p.add_argument("-o", "--output", default="-", help="file ('-': stdout)")
    p = add("hist", "latency histogram (text, and an image with -o)")
    p.add_argument("-f", "--func", action="append",
                   help="function name or glob (repeatable); default: "
                        "top-level calls")
    p.add_argument("-o", "--output", help="image: .svg, or .png "
                                          "(python3-matplotlib)")
    add("check", "every enter matched by an exit")
    # NVMe-oF: host and target traces joined (fabric_join.py beside this)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import fabric_join
    fabric_join.add_parser(sub)
    timeline_register(sub)

    a = ap.parse_args(argv)
    if a.command == "fabric-join":
        return fabric_join.run(a)
    if a.command == "timeline":
        return timeline_main(a)
    if a.command == "timeline-console":
        return 1 if timeline_console(a.log, a.outdir, sys.stdout) else 0
    tr = read_trace(a.file)
    if a.exclude:
        import fnmatch
        tr.events = [e for e in tr.events
                     if not any(fnmatch.fnmatchcase(e.fn, p)
                                for p in a.exclude)]
    fo = build(tr)
    out = sys.stdout
    if a.command == "tree":
        if a.cpu is not None:
            fo.roots = [r for r in fo.roots if r.cpu == a.cpu]
        if a.cmd is not None:
            q, c = (int(x) for x in a.cmd.split("/"))
            fo.roots = [r for r in fo.roots if serves(r, q, c)]
        print_tree(fo, out, a.max_depth)
    elif a.command == "summary":
        rows = summarize(fo)
        if a.json:
            json.dump(rows, out, indent=1)
            out.write("\n")
        else:
            print_summary(rows, out)
    elif a.command == "perfetto":
        doc = to_chrome(fo, tr)
        if a.output == "-":
            json.dump(doc, out)
            out.write("\n")
        else:
            with open(a.output, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            sys.stderr.write("wrote %s: %d events\n" % (
                a.output, len(doc["traceEvents"])))
    elif a.command == "hist":
        durs = select_durations(fo, a.func, top=not a.func)
        rows = log2_hist(durs)
        title = "nvmev %s latency (%d calls)" % (
            ",".join(a.func) if a.func else "top-level call", len(durs))
        print_hist(rows, out, title)
        if a.output:
            write_image(rows, title, a.output)
            sys.stderr.write("wrote %s\n" % a.output)
    elif a.command == "check":
        return 0 if check(tr, fo, out) else 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
