# SPDX-License-Identifier: GPL-2.0
"""Unit tests of tools/trace/nvmev_trace.py on saved traces.

Run from the repository root:
    python3 -m unittest discover -s tools/trace/tests -v
"""

import io
import json
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import nvmev_trace as nt  # noqa: E402

DATA = os.path.join(HERE, "data")


def load(name):
    return nt.read_trace(os.path.join(DATA, name))


def find(fo, fn):
    return [c for c in fo.calls if c.fn == fn]


class ParseTest(unittest.TestCase):
    def test_write_trace_events(self):
        tr = load("write.trace")
        self.assertEqual(len(tr.events), 32)
        self.assertEqual(tr.dropped, 0)
        self.assertEqual(tr.bad_lines, 0)
        self.assertEqual({e.cpu for e in tr.events}, {2, 3})
        e = tr.events[0]
        self.assertEqual((e.kind, e.fn, e.cpu, e.depth), (
            "enter", "process_admin_sq", 2, 0))
        self.assertEqual(e.ts, 10 * 10**9 + 571513930)
        self.assertIsNone(e.qid)
        ident = [x for x in tr.events if x.fn == "identify"][0]
        self.assertEqual((ident.qid, ident.cid, ident.depth), (0, 16405, 2))

    def test_exit_duration_parsed_in_ns(self):
        tr = load("write.trace")
        ex = [e for e in tr.events if e.kind == "exit" and e.fn == "fill_id_ns"]
        self.assertEqual(ex[0].dur, 9604)

    def test_dropped_header(self):
        tr = nt.parse(["# entries-in-buffer/entries-written: 3/9   dropped: 6\n"])
        self.assertEqual(tr.dropped, 6)

    def test_seed_shape(self):
        tr = load("seed_idns.txt")
        self.assertEqual(len(tr.events), 20)
        self.assertEqual(tr.events[0].fn, "nvmev_proc_admin_sq")
        self.assertEqual(tr.events[0].depth, 0)
        self.assertEqual(tr.events[1].depth, 1)
        self.assertIsNone(tr.events[0].ts)


class TreeTest(unittest.TestCase):
    def setUp(self):
        self.tr = load("write.trace")
        self.fo = nt.build(self.tr)

    def test_all_matched(self):
        self.assertEqual(self.fo.unmatched_enters, [])
        self.assertEqual(self.fo.unmatched_exits, [])
        self.assertEqual(self.fo.mismatched, 0)
        self.assertEqual(len(self.fo.calls), 16)
        out = io.StringIO()
        self.assertTrue(nt.check(self.tr, self.fo, out))
        self.assertIn("OK", out.getvalue())

    def test_nesting(self):
        roots = [r.fn for r in self.fo.roots]
        self.assertEqual(roots, ["process_admin_sq", "process_io_sq",
                                 "nvmev_io_execute", "nvmev_post_cqe",
                                 "nvmev_signal_irq"])
        ident = find(self.fo, "identify")[0]
        self.assertEqual([c.fn for c in ident.children],
                         ["fill_id_ns", "nvmev_prp_walk"])
        self.assertEqual(ident.parent.fn, "nvmev_admin_process")

    def test_durations_and_self_time(self):
        ident = find(self.fo, "identify")[0]
        self.assertEqual(ident.dur, 114342)
        self.assertEqual(ident.self_time(), 114342 - 9604 - 51317)

    def test_cmd_taken_from_exit_when_enter_has_none(self):
        # process_io_sq's enter had no command; its exit neither
        io_sq = find(self.fo, "process_io_sq")[0]
        self.assertIsNone(io_sq.qid)
        exe = find(self.fo, "nvmev_io_execute")[0]
        self.assertEqual((exe.qid, exe.cid), (4, 8704))

    def test_tree_text(self):
        out = io.StringIO()
        nt.print_tree(self.fo, out)
        text = out.getvalue()
        print("\n" + text)
        self.assertIn("  2)               |     0/16405 |     identify() {", text)
        self.assertIn("  2)     9.604 us  |     0/16405 |       fill_id_ns();", text)
        self.assertIn("}  /* identify */", text)
        self.assertEqual(text.count("{"), text.count("}  /*"))

    def test_seed_tree(self):
        fo = nt.build(load("seed_idns.txt"))
        self.assertEqual(fo.unmatched_enters, [])
        self.assertEqual([r.fn for r in fo.roots],
                         ["nvmev_proc_admin_sq", "nvmev_proc_admin_cq"])
        self.assertEqual(len(fo.roots[0].children), 2)


class FtlTraceTest(unittest.TestCase):
    """6.1 VM, nvme write with the FTL built in (idle-loop calls left out)."""

    def test_ftl_nesting(self):
        tr = load("write_ftl.trace")
        fo = nt.build(tr)
        self.assertEqual(fo.unmatched_enters + fo.unmatched_exits, [])
        fw = find(fo, "ftl_write")[0]
        self.assertEqual(fw.parent.fn, "nvmev_model_rw")
        self.assertEqual(fw.parent.parent.fn, "nvmev_io_prepare")
        self.assertEqual([c.fn for c in fw.children], ["gc_foreground"])
        self.assertEqual((fw.qid, fw.cid, fw.dur), (1, 8704, 3295233))
        rows = {r["fn"]: r for r in nt.summarize(fo)}
        self.assertEqual(rows["ftl_write"]["self"], 3295233 - 3082452)


class BrokenTraceTest(unittest.TestCase):
    LINES = [
        "  1)      1.000000000 |     -     -  +enter{func: a}\n",
        "  1)      1.000001000 |     1     7    +enter{func: b}\n",
        # b's exit was dropped; c's enter was dropped
        "  1)      1.000003000 |     1     7    -exit{func: c} 0.500 us\n",
        "  1)      1.000004000 |     -     -  -exit{func: a} 4.000 us\n",
        # enter on CPU 0, exit on CPU 3 (migrated)
        "  0)      2.000000000 |     -     -  +enter{func: m}\n",
        "  3)      2.000002000 |     -     -  -exit{func: m} 2.000 us\n",
    ]

    def test_unmatched_reported(self):
        tr = nt.parse(self.LINES)
        fo = nt.build(tr)
        self.assertEqual([c.fn for c in fo.unmatched_exits], ["c"])
        self.assertEqual([c.fn for c in fo.unmatched_enters], ["b"])
        out = io.StringIO()
        self.assertFalse(nt.check(tr, fo, out))
        self.assertIn("unmatched exit: cpu 1 c", out.getvalue())
        c = fo.unmatched_exits[0]
        self.assertEqual((c.start, c.dur), (1000003000 - 500, 500))

    def test_migrated_exit_matches(self):
        fo = nt.build(nt.parse(self.LINES[4:]))
        self.assertEqual(fo.unmatched_exits, [])
        self.assertEqual(fo.unmatched_enters, [])
        self.assertEqual(find(fo, "m")[0].dur, 2000)


class SummaryTest(unittest.TestCase):
    def test_summary(self):
        rows = nt.summarize(nt.build(load("write.trace")))
        by = {r["fn"]: r for r in rows}
        prp = by["nvmev_prp_walk"]
        self.assertEqual(prp["calls"], 2)
        self.assertEqual(prp["total"], 9938337 + 51317)
        self.assertEqual(prp["max"], 9938337)
        self.assertAlmostEqual(prp["mean"], (9938337 + 51317) / 2)
        self.assertEqual(rows[0]["fn"], "nvmev_io_execute")  # by total
        out = io.StringIO()
        nt.print_summary(rows, out)
        print("\n" + out.getvalue())
        self.assertRegex(out.getvalue(),
                         r"nvmev_prp_walk +2 +9989\.654 +9989\.654 +4994\.827 +9938\.337")


class PerfettoTest(unittest.TestCase):
    def test_chrome_json(self):
        fo = nt.build(load("write.trace"))
        doc = json.loads(json.dumps(nt.to_chrome(fo)))
        xs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
        self.assertEqual(len(xs), 16)
        self.assertEqual({e["tid"] for e in xs}, {2, 3})
        names = {e["args"]["name"] for e in doc["traceEvents"]
                 if e["ph"] == "M" and e["name"] == "thread_name"}
        self.assertEqual(names, {"CPU 2", "CPU 3"})
        ident = [e for e in xs if e["name"] == "identify"][0]
        self.assertAlmostEqual(ident["ts"], 10571570.695)
        self.assertAlmostEqual(ident["dur"], 114.342)
        self.assertEqual(ident["args"], {"qid": 0, "cid": 16405})
        # children lie inside their parents (Perfetto nests by time)
        for c in fo.calls:
            if c.parent is not None:
                self.assertGreaterEqual(c.start, c.parent.start)
                self.assertLessEqual(c.end, c.parent.end + 1000)


class HistTest(unittest.TestCase):
    def test_log2_buckets(self):
        rows = nt.log2_hist([500, 1500, 1800, 3000, 9000])
        self.assertEqual(rows, [(0, 1, 1), (1, 2, 2), (2, 4, 1), (4, 8, 0),
                                (8, 16, 1)])

    def test_svg_is_xml(self):
        durs = nt.select_durations(nt.build(load("write.trace")), ["nvmev_*"])
        self.assertEqual(len(durs), 10)
        svg = nt.hist_svg(nt.log2_hist(durs), "t <&>")
        root = ET.fromstring(svg)
        self.assertTrue(root.tag.endswith("svg"))
        self.assertGreater(len(root.findall("{http://www.w3.org/2000/svg}rect")), 2)


class CliTest(unittest.TestCase):
    def run_main(self, *argv):
        old = sys.stdout
        sys.stdout = io.StringIO()
        try:
            rc = nt.main(list(argv))
            return rc, sys.stdout.getvalue()
        finally:
            sys.stdout = old

    def test_commands(self):
        f = os.path.join(DATA, "write.trace")
        with tempfile.TemporaryDirectory() as d:
            rc, out = self.run_main("tree", f)
            self.assertEqual(rc, 0)
            self.assertIn("nvmev_io_execute() {", out)
            rc, out = self.run_main("tree", "--cmd", "4/8704", f)
            self.assertNotIn("process_admin_sq", out)
            self.assertIn("nvmev_io_execute() {", out)
            self.assertIn("process_io_sq() {", out)
            rc, out = self.run_main("summary", "-x", "nvmev_*", f)
            self.assertNotIn("nvmev_prp_walk", out)
            self.assertIn("identify", out)
            rc, out = self.run_main("summary", "--json", f)
            self.assertEqual(json.loads(out)[0]["fn"], "nvmev_io_execute")
            pj = os.path.join(d, "t.json")
            old = sys.stderr
            sys.stderr = io.StringIO()
            try:
                rc, _ = self.run_main("perfetto", "-o", pj, f)
                svg = os.path.join(d, "h.svg")
                rc2, out = self.run_main("hist", "-f", "nvmev_prp_walk",
                                         "-o", svg, f)
            finally:
                sys.stderr = old
            self.assertEqual(rc, 0)
            with open(pj) as fh:
                self.assertIn("traceEvents", json.load(fh))
            self.assertEqual(rc2, 0)
            self.assertIn("nvmev_prp_walk latency (2 calls)", out)
            self.assertTrue(os.path.getsize(svg) > 200)
            rc, out = self.run_main("check", f)
            self.assertEqual(rc, 0)
            bad = os.path.join(d, "bad.trace")
            with open(bad, "w") as fh:
                fh.writelines(BrokenTraceTest.LINES)
            rc, out = self.run_main("check", bad)
            self.assertEqual(rc, 1)
            self.assertIn("FAIL", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)


class TimelineTest(unittest.TestCase):
    """nvmev_trace.py timeline on one 4 KiB read recorded by
    nvmev-record.sh in the VM (trace-cmd report -t, kernel 6.12)."""

    def join(self):
        meta = nt.timeline_read_meta(os.path.join(DATA, "timeline_read.meta"))
        with open(os.path.join(DATA, "timeline_read.txt")) as f:
            evs = nt.timeline_parse(f.readlines())
        return nt.timeline_join(evs, meta.get("disk"), meta.get("devt"))

    def test_one_read_every_stage(self):
        cmds, _ = self.join()
        self.assertEqual(len(cmds), 1)
        c = cmds[0]
        self.assertTrue(c.complete())
        self.assertEqual((c.qid, c.op, c.sector, c.nr), (4, "read", 8000, 8))
        st = c.stages()
        self.assertTrue(all(v is not None and v >= 0 for v in st))
        self.assertEqual(sum(st), c.host_ns())
        # the dispatcher slept: the fetch stage is the longest
        self.assertEqual(max(range(len(st)), key=lambda i: st[i]), 2)
        out = io.StringIO()
        self.assertTrue(nt.timeline_check(cmds, out))

    def test_perfetto_flows(self):
        cmds, other = self.join()
        doc = json.loads(json.dumps(nt.timeline_perfetto(cmds, other)))
        flows = [e["ph"] for e in doc["traceEvents"] if e.get("cat") == "cmd"]
        self.assertEqual(flows.count("s"), 1)
        self.assertEqual(flows.count("t"), len(nt.TL_STAGES) - 2)
        self.assertEqual(flows.count("f"), 1)
        slices = [e for e in doc["traceEvents"] if e["ph"] == "X"]
        self.assertEqual(len(slices), len(nt.TL_STAGES))

    def test_misordered_marks_fail_the_check(self):
        cmds, _ = self.join()
        c = cmds[0]
        c.t["ftl"], c.t["dstart"] = c.t["dstart"], c.t["ftl"]
        self.assertFalse(nt.timeline_check(cmds, io.StringIO()))

    def test_hist_svg(self):
        cmds, _ = self.join()
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "h.svg")
            nt.timeline_hist(cmds, p)
            ET.parse(p)

    def test_host_reaps_before_the_complete_mark(self):
        # nvmev_cmd_complete follows the CQ entry write: a host woken by an
        # earlier interrupt may complete the command before it fires
        meta = nt.timeline_read_meta(os.path.join(DATA, "timeline_read.meta"))
        with open(os.path.join(DATA, "timeline_read.txt")) as f:
            evs = nt.timeline_parse(f.readlines())
        hc = [e for e in evs if e[2] == "nvme_complete_rq"][0][0]
        moved = []
        for e in evs:
            if e[2] in ("nvmev_cmd_complete", "nvmev_irq"):
                e = (hc + 500 + len(moved),) + e[1:]
                moved.append(e)
        evs = sorted([e for e in evs if e[2] not in ("nvmev_cmd_complete",
                                                    "nvmev_irq")] + moved,
                     key=lambda e: e[0])
        cmds, _ = nt.timeline_join(evs, meta.get("disk"), meta.get("devt"))
        c = cmds[0]
        self.assertTrue(c.late)
        self.assertEqual(c.t["cqe"], c.t["hcomp"])
        self.assertTrue(nt.timeline_check(cmds, io.StringIO()))
