# SPDX-License-Identifier: GPL-2.0
"""Unit tests of tools/trace/fabric_join.py (nvmev_trace.py fabric-join).

A synthetic pair of traces with a known clock offset, and a slice of a real
two-VM capture (6.12, passthru: nvmev-vm fabric).
"""

import io
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import fabric_join as fj  # noqa: E402
import nvmev_trace as nt  # noqa: E402

DATA = os.path.join(HERE, "data")


def line(ts_us, ev, args, task="fio-1"):
    return "%16s [000] ..... %d.%06d: %s: %s\n" % (
        task, ts_us // 1000000, ts_us % 1000000, ev, args)


def synthetic(off_us, reads, net=False):
    """With net, packets too: host out +20, target in +90 (wire 70), target
    out +2 after nvmet's completion (an ACK of 66 bytes at +1), host in
    +286 (wire 196).
    Host and target traces of `reads` QD1 reads, target clock = host +
    off_us; per read (us): host->target 100, nvmet->nvme 10, doorbell 20,
    device 50, irq 5, nvme->nvmet 3, target->host 200."""
    h, t = [], []
    now = 10000000
    for i in range(reads):
        slba = 8 * i
        cid = 4096 + i
        rd = "cmd=(nvme_cmd_read slba=%d, len=7, ctrl=0x0)" % slba
        h.append(line(now, "nvme_setup_cmd",
                      "nvme0: disk=nvme0c0n1, qid=1, cmdid=%d, nsid=1, "
                      "flags=0x0, meta=0x0, %s" % (cid, rd)))
        tt = now + off_us + 100
        t.append(line(tt, "nvmet_req_init",
                      "nvmet1: qid=1, cmdid=%d, nsid=1, flags=0x40, "
                      "meta=0x0, cmd=(nvme_cmd_read, slba=%d, len=7)" %
                      (cid, slba)))
        t.append(line(tt + 10, "nvme_setup_cmd",
                      "nvme0: disk=nvme0n1, qid=2, cmdid=%d, nsid=1, "
                      "flags=0x0, meta=0x0, %s" % (i, rd)))
        t.append(line(tt + 30, "nvmev_cmd_fetch",
                      "qid=2 cid=%d opcode=0x02 nsid=1 slba=%d len=4096" %
                      (i, slba)))
        t.append(line(tt + 80, "nvmev_cmd_complete",
                      "qid=2 cid=%d status=0x0 target_ns=40000 "
                      "actual_ns=50000" % i))
        t.append(line(tt + 85, "nvme_complete_rq",
                      "nvme0: disk=nvme0n1, qid=2, cmdid=%d, res=0x0, "
                      "retries=0, flags=0x0, status=0x0" % i))
        t.append(line(tt + 88, "nvmet_req_complete",
                      "nvmet1: qid=1, cmdid=%d, res=0x0, status=0x0" % cid))
        if net:
            h.append(line(now + 20, "net_dev_xmit",
                          "dev=eth0 skbaddr=0 len=138 rc=0"))
            t.append(line(tt - 10, "netif_receive_skb",
                          "dev=eth0 skbaddr=0 len=138"))
            t.append(line(tt + 89, "net_dev_xmit",
                          "dev=eth0 skbaddr=0 len=66 rc=0"))
            t.append(line(tt + 90, "net_dev_xmit",
                          "dev=eth0 skbaddr=0 len=4186 rc=0"))
            h.append(line(tt + 90 - off_us + 196, "netif_receive_skb",
                          "dev=eth0 skbaddr=0 len=1514"))
        h.append(line(tt + 88 - off_us + 200, "nvme_complete_rq",
                      "nvme0: disk=nvme0c0n1, qid=1, cmdid=%d, res=0x0, "
                      "retries=0, flags=0x0, status=0x0" % cid))
        now += 1000
    return "".join(h), "".join(t)


class FabricJoinTest(unittest.TestCase):
    def files(self, host, target):
        d = tempfile.mkdtemp()
        hp, tp = os.path.join(d, "h"), os.path.join(d, "t")
        with open(hp, "w") as f:
            f.write(host)
        with open(tp, "w") as f:
            f.write(target)
        return hp, tp

    def test_synthetic_layers_and_offset(self):
        hp, tp = self.files(*synthetic(5000000, 20))
        rows, nh, nt_, nl, nd = fj.join(fj.read_ftrace(hp),
                                        fj.read_ftrace(tp))
        self.assertEqual((len(rows), nh, nt_, nl, nd), (20, 20, 20, 20, 20))
        self.assertTrue(all(lo and d for _, _, lo, d in rows))
        off, lo, hi = fj.offset(rows)
        # the true offset lies in the bounds: [off-200+88.., off+100]
        self.assertLessEqual(lo, 5000000 * 1000)
        self.assertGreaterEqual(hi, 5000000 * 1000)
        self.assertEqual(hi - lo, 300 * 1000)    # the two legs' sum
        segs, totals, net_rt, targets = fj.breakdown(rows, off)
        self.assertEqual(set(segs["nvmev device"]), {50000})
        self.assertEqual(set(segs["doorbell -> nvmev"]), {20000})
        self.assertEqual(set(segs["irq -> nvme"]), {5000})
        self.assertEqual(set(totals), {388000})
        self.assertEqual(set(net_rt), {300000})   # exact, offset-free
        self.assertEqual(set(targets), {(40000, 50000)})

    def test_synthetic_network_split(self):
        hp, tp = self.files(*synthetic(7000000, 10, net=True))
        hev, tev = fj.read_ftrace(hp), fj.read_ftrace(tp)
        rows = fj.join(hev, tev)[0]
        off, lo, hi = fj.offset(rows)
        net = (fj.net_times(hev, "net_dev_xmit"),
               fj.net_times(hev, "netif_receive_skb"),
               fj.net_times(tev, "net_dev_xmit"),
               fj.net_times(tev, "netif_receive_skb"))
        segs, totals, _, _ = fj.breakdown(rows, off, net)
        self.assertEqual(len(totals), 10)
        self.assertEqual(set(segs["host send"]), {20000})
        self.assertEqual(set(segs["target receive"]), {10000})
        self.assertEqual(set(segs["target send"]), {2000})   # not the ACK
        self.assertEqual(set(segs["host receive"]), {2000})
        # the wires: 70 and 196 us in truth, split at the offset estimate,
        # their sum exact
        w = [a + b for a, b in zip(segs["wire ->"], segs["wire <-"])]
        self.assertEqual(set(w), {266000})

    def test_command_line_and_perfetto(self):
        hp, tp = self.files(*synthetic(-3000000, 5))
        out = os.path.join(tempfile.mkdtemp(), "f.json")
        buf = io.StringIO()
        old = sys.stdout
        sys.stdout = buf
        try:
            rc = nt.main(["fabric-join", hp, tp, "-o", out])
        finally:
            sys.stdout = old
        self.assertEqual(rc, 0)
        self.assertIn("commands matched: 5 (all five layers: 5)",
                      buf.getvalue())
        with open(out) as f:
            doc = json.load(f)
        procs = {e["args"]["name"] for e in doc["traceEvents"]
                 if e.get("name") == "process_name"}
        self.assertEqual(len(procs), 2)          # one track per machine
        x = [e for e in doc["traceEvents"] if e["ph"] == "X"]
        self.assertEqual(len(x), 5 * 4)
        # aligned: each nvmet span lies inside its host span
        for i in range(5):
            h = [e for e in x if e["pid"] == 1][i]
            t = [e for e in x if e["pid"] == 2 and e["tid"] == 1][i]
            self.assertLess(h["ts"], t["ts"])
            self.assertLess(t["ts"] + t["dur"], h["ts"] + h["dur"])

    def test_real_capture_612_passthru(self):
        rows, nh, nt_, nl, nd = fj.join(
            fj.read_ftrace(os.path.join(DATA, "fabric_host_612.trace")),
            fj.read_ftrace(os.path.join(DATA, "fabric_target_612.trace")))
        self.assertGreaterEqual(len(rows), 40)
        full = [r for r in rows if r[2] is not None and r[3] is not None]
        self.assertEqual(len(full), len(rows))
        off, lo, hi = fj.offset(rows)
        self.assertLessEqual(lo, hi)             # causality holds
        for h, t, loc, d in full:
            self.assertEqual(h.slba, t.slba)
            self.assertEqual(t.slba, d.slba)
            self.assertTrue(t.start <= loc.start <= d.start <= d.end
                            <= loc.end <= t.end)


if __name__ == "__main__":
    unittest.main()
