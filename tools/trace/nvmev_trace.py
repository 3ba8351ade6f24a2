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

    a = ap.parse_args(argv)
    if a.command == "fabric-join":
        return fabric_join.run(a)
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
