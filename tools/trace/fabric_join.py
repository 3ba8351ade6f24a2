# SPDX-License-Identifier: GPL-2.0
"""fabric-join: one timeline of an NVMe/TCP read across two machines.

Input: two ftrace text dumps (/sys/kernel/tracing/trace):

  host     the initiator's nvme:nvme_setup_cmd and nvme:nvme_complete_rq
  target   nvmet:nvmet_req_init/nvmet_req_complete, the target's own
           nvme:nvme_setup_cmd/nvme_complete_rq (the PCIe driver under
           nvmet) and nvmev:nvmev_cmd_fetch/nvmev_cmd_complete

Each read is followed through five layers, matched by identifiers, never by
time alone:

  host nvme (qid, cmdid)  ==  nvmet request (qid, cmdid, slba): NVMe/TCP
      carries the host's command identifier unchanged
  nvmet request -> target nvme command: same slba, the first one issued
      after the request arrived (passthru keeps the command; a bdev export
      goes through the block layer, which keeps the LBA)
  target nvme (qid, cmdid, slba) == nvmev fetch (qid, cid, slba)

Clocks: the two machines' trace clocks are unrelated (each counts from its
own boot).  With T = H + off (target time from host time), every matched
command bounds the offset from both sides: the target received it after
the host sent it (off < T_init - H_setup) and the host completed it after
the target did (off > T_done - H_done).  The tightest bounds over all
commands give an interval; the midpoint is used and the interval's
half-width is printed as the accuracy of every cross-machine figure.
Figures within one machine are exact to the trace clock's resolution.
The two network legs are split at that midpoint, so each leg is only known
to +/- the half-width; their sum (round trip minus the target's time) is
exact.

Output: a latency breakdown (text) and, with -o, Chrome/Perfetto
trace-event JSON with one process track per machine (ui.perfetto.dev).
Standard library only.
"""

import bisect
import collections
import json
import re
import statistics
import sys

# "  fio-123  [001] d..1.  123.456789: nvme_setup_cmd: nvme0: ..."
LINE_RE = re.compile(
    r"^\s*(?P<task>.*?)-(?P<pid>\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(?P<cpu>\d+)\]"
    r"\s+(?:[^\s]{4,6}\s+)?(?P<ts>\d+\.\d+):\s+(?P<ev>\w+):\s+(?P<args>.*)$")
QID_RE = re.compile(r"\bqid=(\d+)")
CID_RE = re.compile(r"\b(?:cmdid|cid)=(\d+)")
SLBA_RE = re.compile(r"\bslba=(\d+)")
CTRL_RE = re.compile(r"^(nvmet?\d*):")
OPC_RE = re.compile(r"cmd=\((\w+)")
OPCODE_RE = re.compile(r"\bopcode=0x([0-9a-f]+)")
STATUS_RE = re.compile(r"\bstatus=(0x[0-9a-f]+|\d+)")
TARGET_NS_RE = re.compile(r"\btarget_ns=(\d+)")
ACTUAL_NS_RE = re.compile(r"\bactual_ns=(\d+)")
NET_RE = re.compile(r"\bdev=(\S+) .*\blen=(\d+)")
# packets shorter than this are taken for pure ACKs, not NVMe/TCP PDUs
NET_MIN_LEN = 100


class Ev:
    __slots__ = ("ts", "ev", "args", "qid", "cid", "slba", "ctrl", "op",
                 "line")

    def __init__(self, ts, ev, args, line):
        self.ts = ts
        self.ev = ev
        self.args = args
        self.line = line
        m = QID_RE.search(args)
        self.qid = int(m.group(1)) if m else None
        m = CID_RE.search(args)
        self.cid = int(m.group(1)) if m else None
        m = SLBA_RE.search(args)
        self.slba = int(m.group(1)) if m else None
        m = CTRL_RE.search(args)
        self.ctrl = m.group(1) if m else ""
        m = OPC_RE.search(args)
        if m:
            self.op = m.group(1)
        else:
            m = OPCODE_RE.search(args)
            self.op = ("nvme_cmd_read" if m and int(m.group(1), 16) == 2
                       else (("opcode_" + m.group(1)) if m else ""))


def read_ftrace(path):
    """ftrace text -> list of Ev (timestamps in ns)."""
    evs = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#"):
                continue
            m = LINE_RE.match(line.rstrip("\n"))
            if not m:
                continue
            sec, frac = m.group("ts").split(".")
            ts = int(sec) * 1000000000 + int((frac + "000000000")[:9])
            evs.append(Ev(ts, m.group("ev"), m.group("args"), n))
    return evs


class Cmd:
    """One command as one layer saw it: start and end (ns, own clock)."""
    __slots__ = ("start", "end", "qid", "cid", "slba", "ctrl", "op",
                 "status", "extra", "actual")

    def __init__(self, s, e):
        self.start = s.ts
        self.end = e.ts
        self.qid = s.qid
        self.cid = s.cid
        self.slba = s.slba
        self.ctrl = s.ctrl
        self.op = s.op
        m = STATUS_RE.search(e.args)
        self.status = int(m.group(1), 0) if m else 0
        m = TARGET_NS_RE.search(e.args)
        self.extra = int(m.group(1)) if m else None
        m = ACTUAL_NS_RE.search(e.args)
        self.actual = int(m.group(1)) if m else None


def pair(evs, start_ev, end_ev, key=lambda e: (e.ctrl, e.qid, e.cid)):
    """Pair start/end events of one layer by key, in order."""
    open_ = {}
    out = []
    for e in evs:
        if e.ev == start_ev:
            open_[key(e)] = e
        elif e.ev == end_ev:
            s = open_.pop(key(e), None)
            if s is not None:
                out.append(Cmd(s, e))
    return out


def net_times(evs, ev):
    """Sorted timestamps of data packets (net:net_dev_xmit or
    net:netif_receive_skb, any device but lo)."""
    out = []
    for e in evs:
        if e.ev != ev:
            continue
        m = NET_RE.search(e.args)
        if m and m.group(1) != "lo" and int(m.group(2)) >= NET_MIN_LEN:
            out.append(e.ts)
    out.sort()
    return out


def first_in(ts, lo, hi):
    """First timestamp in [lo, hi), or None."""
    i = bisect.bisect_left(ts, lo)
    return ts[i] if i < len(ts) and ts[i] < hi else None


def last_in(ts, lo, hi):
    """Last timestamp in (lo, hi], or None."""
    i = bisect.bisect_right(ts, hi)
    return ts[i - 1] if i > 0 and ts[i - 1] > lo else None


def is_read(c):
    return c.qid and c.op == "nvme_cmd_read" and c.slba is not None


def join(host_evs, target_evs):
    host = [c for c in pair(host_evs, "nvme_setup_cmd", "nvme_complete_rq")
            if is_read(c)]
    nvmet = [c for c in pair(target_evs, "nvmet_req_init",
                             "nvmet_req_complete") if is_read(c)]
    local = [c for c in pair(target_evs, "nvme_setup_cmd", "nvme_complete_rq")
             if is_read(c)]
    # nvmev's completion event has no slba: pair by (qid, cid)
    dev = [c for c in pair(target_evs, "nvmev_cmd_fetch",
                           "nvmev_cmd_complete",
                           key=lambda e: (e.qid, e.cid))
           if is_read(c)]

    by_key = collections.defaultdict(collections.deque)
    for c in sorted(host, key=lambda c: c.start):
        by_key[(c.qid, c.cid, c.slba)].append(c)
    local_by_slba = collections.defaultdict(list)
    for c in sorted(local, key=lambda c: c.start):
        local_by_slba[c.slba].append(c)
    dev_by_key = collections.defaultdict(list)
    for c in sorted(dev, key=lambda c: c.start):
        dev_by_key[(c.qid, c.cid, c.slba)].append(c)

    rows = []
    used_local = set()
    used_dev = set()
    for t in sorted(nvmet, key=lambda c: c.start):
        q = by_key.get((t.qid, t.cid, t.slba))
        if not q:
            continue
        h = q.popleft()
        lo = next((c for c in local_by_slba.get(t.slba, ())
                   if c.start >= t.start and id(c) not in used_local), None)
        d = None
        if lo is not None:
            used_local.add(id(lo))
            d = next((c for c in dev_by_key.get((lo.qid, lo.cid, lo.slba), ())
                      if c.start >= lo.start and id(c) not in used_dev), None)
            if d is not None:
                used_dev.add(id(d))
        rows.append((h, t, lo, d))
    return rows, len(host), len(nvmet), len(local), len(dev)


def offset(rows):
    """(off, lo, hi): target clock = host clock + off, bounded by causality."""
    hi = min(t.start - h.start for h, t, _, _ in rows)
    lo = max(t.end - h.end for h, t, _, _ in rows)
    return (lo + hi) / 2.0, lo, hi


SEGMENTS = [
    ("host -> target", "host nvme_setup_cmd to nvmet_req_init: host "
     "nvme-tcp send, network, target TCP receive (split at the offset "
     "estimate)"),
    ("nvmet -> nvme", "nvmet_req_init to the target's nvme_setup_cmd "
     "(nvmet, passthru or block layer)"),
    ("doorbell -> nvmev", "target nvme_setup_cmd to nvmev_cmd_fetch (SQ "
     "doorbell, dispatcher poll)"),
    ("nvmev device", "nvmev_cmd_fetch to nvmev_cmd_complete (the emulated "
     "SSD: model time, data copy)"),
    ("irq -> nvme", "nvmev_cmd_complete to the target's nvme_complete_rq "
     "(MSI-X, interrupt, driver)"),
    ("nvme -> nvmet", "target nvme_complete_rq to nvmet_req_complete"),
    ("target -> host", "nvmet_req_complete to host nvme_complete_rq: target "
     "TCP send, network, host nvme-tcp receive (split at the offset "
     "estimate)"),
]


NET_SEGMENTS = [
    ("host send", "host nvme_setup_cmd to its first data packet out "
     "(net_dev_xmit): nvme-tcp, TCP, NIC driver"),
    ("wire ->", "host packet out to the target's last data packet in "
     "before nvmet_req_init (netif_receive_skb): QEMU's NICs and socket "
     "network (cross-machine)"),
    ("target receive", "target packet in to nvmet_req_init: TCP, "
     "nvmet-tcp io_work"),
    ("nvmet -> nvme", None), ("doorbell -> nvmev", None),
    ("nvmev device", None), ("irq -> nvme", None), ("nvme -> nvmet", None),
    ("target send", "nvmet_req_complete to the target's last data packet "
     "out before the next command: nvmet-tcp, TCP, NIC driver"),
    ("wire <-", "target's last packet out to the host's last data packet "
     "in before nvme_complete_rq (cross-machine)"),
    ("host receive", "host packet in to nvme_complete_rq: TCP, nvme-tcp "
     "io_work"),
]


def breakdown(rows, off, net=None):
    """Per-segment durations (ns).  net: (host xmit, host rx, target
    xmit, target rx) timestamp lists; then the network legs are split into
    send, wire and receive where every read has its packets."""
    names = [n for n, _ in (NET_SEGMENTS if net else SEGMENTS)]
    segs = collections.OrderedDict((n, []) for n in names)
    totals, net_rt, targets = [], [], []
    starts = sorted(t.start for _, t, _, _ in rows)
    ends = sorted(t.end for _, t, _, _ in rows)
    for h, t, lo, d in rows:
        if lo is None or d is None:
            continue
        if net:
            hx, hr, tx, tr = net
            i = bisect.bisect_right(starts, t.start)
            nxt = starts[i] if i < len(starts) else t.end + 10 ** 12
            j = bisect.bisect_left(ends, t.start)
            prev_end = ends[j - 1] if j > 0 else 0
            x1 = first_in(hx, h.start, h.end)
            r1 = last_in(tr, prev_end, t.start)
            x2 = last_in(tx, t.end, nxt)
            r2 = last_in(hr, h.start, h.end)
            if None in (x1, r1, x2, r2):
                continue
            segs["host send"].append(x1 - h.start)
            segs["wire ->"].append(r1 - off - x1)
            segs["target receive"].append(t.start - r1)
            segs["target send"].append(x2 - t.end)
            segs["wire <-"].append(r2 - (x2 - off))
            segs["host receive"].append(h.end - r2)
        else:
            segs["host -> target"].append(t.start - off - h.start)
            segs["target -> host"].append(h.end - (t.end - off))
        segs["nvmet -> nvme"].append(lo.start - t.start)
        segs["doorbell -> nvmev"].append(d.start - lo.start)
        segs["nvmev device"].append(d.end - d.start)
        segs["irq -> nvme"].append(lo.end - d.end)
        segs["nvme -> nvmet"].append(t.end - lo.end)
        totals.append(h.end - h.start)
        net_rt.append((h.end - h.start) - (t.end - t.start))
        if d.extra is not None:
            targets.append((d.extra, d.actual))
    return segs, totals, net_rt, targets


def us(ns):
    return ns / 1000.0


def print_breakdown(out, rows, counts, off, lo, hi, segs, totals, net_rt,
                    targets, net=False):
    nh, nt, nl, nd = counts
    full = len(totals)
    out.write("reads: host %d, nvmet %d, target nvme %d, nvmev %d\n" %
              (nh, nt, nl, nd))
    out.write("commands matched: %d (all five layers: %d)\n" %
              (len(rows), full))
    out.write("clock offset target-host: %.1f us, bounds [%.1f, %.1f] us, "
              "accuracy +/- %.1f us\n" % (us(off), us(lo), us(hi),
                                          us(hi - lo) / 2))
    if lo > hi:
        out.write("warning: the bounds cross (clock drift or a wrong "
                  "match); cross-machine figures are unreliable\n")
    if not full:
        return
    out.write("\nremote 4 KiB read, where the time goes (us, %d reads):\n" %
              full)
    out.write("%-20s %9s %9s %9s\n" % ("segment", "median", "mean", "p99"))
    for name, vals in segs.items():
        v = sorted(vals)
        out.write("%-20s %9.1f %9.1f %9.1f\n" % (
            name, us(statistics.median(v)), us(statistics.mean(v)),
            us(v[min(len(v) - 1, int(len(v) * 0.99))])))
    v = sorted(totals)
    out.write("%-20s %9.1f %9.1f %9.1f\n" % (
        "total (host)", us(statistics.median(v)), us(statistics.mean(v)),
        us(v[min(len(v) - 1, int(len(v) * 0.99))])))
    out.write("network round trip (exact, both legs): median %.1f us\n" %
              us(statistics.median(net_rt)))
    if targets:
        out.write("nvmev per read, its own clock (nvmev_cmd_complete): "
                  "model target median %.1f us, measured fetch->post "
                  "median %.1f us\n" % (
                      us(statistics.median(t for t, _ in targets)),
                      us(statistics.median(a or 0 for _, a in targets))))
    out.write("cross-machine segments (%s) +/- %.1f us\n" % (
        "wire ->, wire <-" if net else "host -> target, target -> host",
        us(hi - lo) / 2))
    descs = dict(SEGMENTS)
    for name, desc in (NET_SEGMENTS if net else SEGMENTS):
        out.write("  %-18s %s\n" % (name, desc or descs[name]))


def print_timeline(out, rows, off, count, net=None):
    """The `count` fully matched reads whose host latency is nearest the
    median, every event on the host's clock (target events shifted by the
    offset), µs from the host's nvme_setup_cmd."""
    full = [r for r in rows if r[2] is not None and r[3] is not None]
    if not full:
        return
    med = statistics.median(h.end - h.start for h, _, _, _ in full)
    pick = sorted(full, key=lambda r: abs(r[0].end - r[0].start - med))
    shown = 0
    for h, t, lo, d in sorted(pick[:count], key=lambda r: r[0].start):
        shown += 1
        ev = [(h.start, "host", "nvme_setup_cmd qid=%d cid=%d slba=%d" %
               (h.qid, h.cid, h.slba)),
              (t.start - off, "target", "nvmet_req_init qid=%d cid=%d" %
               (t.qid, t.cid)),
              (lo.start - off, "target", "nvme_setup_cmd (%s) qid=%d cid=%d"
               % (lo.ctrl, lo.qid, lo.cid)),
              (d.start - off, "target", "nvmev_cmd_fetch qid=%d cid=%d" %
               (d.qid, d.cid)),
              (d.end - off, "target", "nvmev_cmd_complete"),
              (lo.end - off, "target", "nvme_complete_rq (%s)" % lo.ctrl),
              (t.end - off, "target", "nvmet_req_complete"),
              (h.end, "host", "nvme_complete_rq")]
        if net:
            hx, hr, tx, tr = net
            x1 = first_in(hx, h.start, h.end)
            r2 = last_in(hr, h.start, h.end)
            r1 = last_in(tr, t.start - 10 ** 9, t.start)
            x2 = first_in(tx, t.end, t.end + 10 ** 9)
            for v, m, n in ((x1, "host", "net_dev_xmit (command)"),
                            (r1, "target", "netif_receive_skb (command)"),
                            (x2, "target", "net_dev_xmit (data)"),
                            (r2, "host", "netif_receive_skb (data, last)")):
                if v is not None:
                    ev.append((v - off if m == "target" else v, m, n))
        ev.sort()
        out.write("\na read of median latency, on the host's clock (target "
                  "events shifted by %.1f us):\n" % us(off))
        for ts, m, n in ev:
            out.write("  %+10.1f us  %-6s  %s\n" % (us(ts - h.start), m, n))


def to_perfetto(rows, off, host_evs, target_evs):
    """Chrome trace JSON: process 1 = host machine, 2 = target machine."""
    ev = []
    t0 = min([e.ts for e in host_evs] or [0])

    def ts_h(ns):
        return (ns - t0) / 1000.0

    def ts_t(ns):
        return (ns - off - t0) / 1000.0

    meta = [(1, "host VM (nvme-tcp initiator)", [(1, "nvme (host)")]),
            (2, "target VM (nvmet + nvmev)",
             [(1, "nvmet"), (2, "nvme (target PCIe driver)"),
              (3, "nvmev (emulated SSD)")])]
    for pid, pname, threads in meta:
        ev.append({"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
                   "args": {"name": pname}})
        for tid, tname in threads:
            ev.append({"ph": "M", "name": "thread_name", "pid": pid,
                       "tid": tid, "args": {"name": tname}})
    for i, (h, t, lo, d) in enumerate(rows):
        name = "read slba=%d" % h.slba
        args = {"qid": h.qid, "cid": h.cid, "slba": h.slba}
        ev.append({"ph": "X", "name": name, "pid": 1, "tid": 1,
                   "ts": ts_h(h.start), "dur": (h.end - h.start) / 1000.0,
                   "args": args})
        ev.append({"ph": "X", "name": name, "pid": 2, "tid": 1,
                   "ts": ts_t(t.start), "dur": (t.end - t.start) / 1000.0,
                   "args": args})
        # flow arrows: host -> nvmet -> ... -> host
        ev.append({"ph": "s", "id": i, "name": "fabric", "cat": "fabric",
                   "pid": 1, "tid": 1, "ts": ts_h(h.start)})
        ev.append({"ph": "f", "id": i, "name": "fabric", "cat": "fabric",
                   "bp": "e", "pid": 2, "tid": 1, "ts": ts_t(t.start)})
        if lo is not None:
            ev.append({"ph": "X", "name": name, "pid": 2, "tid": 2,
                       "ts": ts_t(lo.start),
                       "dur": (lo.end - lo.start) / 1000.0,
                       "args": {"qid": lo.qid, "cid": lo.cid}})
        if d is not None:
            ev.append({"ph": "X", "name": name, "pid": 2, "tid": 3,
                       "ts": ts_t(d.start), "dur": (d.end - d.start) / 1000.0,
                       "args": {"qid": d.qid, "cid": d.cid,
                                "model_target_ns": d.extra}})
    return {"traceEvents": ev, "displayTimeUnit": "ns",
            "otherData": {"clock_offset_ns": off,
                          "note": "target timestamps shifted onto the host "
                                  "clock by the causality offset estimate"}}


def add_parser(sub):
    p = sub.add_parser("fabric-join",
                       help="join an NVMe/TCP host's and target's traces "
                            "(Documentation/fabric.rst)")
    p.add_argument("host", help="host machine's ftrace text (nvme events)")
    p.add_argument("target", help="target machine's ftrace text (nvmet, "
                                  "nvme, nvmev events)")
    p.add_argument("-o", "--output", help="Perfetto/Chrome JSON file")
    p.add_argument("--timeline", type=int, default=0, metavar="N",
                   help="also print the joined events of the N reads "
                        "nearest the median latency")
    return p


def run(a, out=None):
    out = out or sys.stdout
    hev = read_ftrace(a.host)
    tev = read_ftrace(a.target)
    rows, nh, nt, nl, nd = join(hev, tev)
    if not rows:
        sys.stderr.write("fabric-join: no read matched between %s (%d "
                         "reads) and %s (%d nvmet reads)\n" %
                         (a.host, nh, a.target, nt))
        return 1
    off, lo, hi = offset(rows)
    net = (net_times(hev, "net_dev_xmit"), net_times(hev, "netif_receive_skb"),
           net_times(tev, "net_dev_xmit"), net_times(tev, "netif_receive_skb"))
    if not all(net):
        net = None
    segs, totals, net_rt, targets = breakdown(rows, off, net)
    if net and not totals:
        net = None
        segs, totals, net_rt, targets = breakdown(rows, off)
    print_breakdown(out, rows, (nh, nt, nl, nd), off, lo, hi, segs, totals,
                    net_rt, targets, net=bool(net))
    if getattr(a, "timeline", 0):
        print_timeline(out, rows, off, a.timeline, net)
    if a.output:
        doc = to_perfetto(rows, off, hev, tev)
        with open(a.output, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        sys.stderr.write("wrote %s: %d events\n" % (
            a.output, len(doc["traceEvents"])))
    return 0 if totals else 1
