#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host tests of the benchmark's statistics and report.

  ~/.cache/mptcp-rs/tools/venv/bin/python selftests/bench/test_report.py
  .../python selftests/bench/test_report.py synthetic FILE [REPS]

The second form only writes a synthetic bench.jsonl covering every
scenario, for trying report.py without a guest.
"""

import json
import math
import os
import random
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import benchstats as bs  # noqa: E402
import report  # noqa: E402

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30


def synthetic(path, reps=10, seed=1, quick=False):
    """Writes measurements like bench.py's, for every scenario, with known
    effects: rs_blest 1.25x C's goodput in S8a and S8b, rs_backup 0.4x C's
    S5 gap, rs_rr 1.3x C's 80 KiB time in S2c, the rest alike up to 2%
    noise; one failed rs_ecf transfer in S1a."""
    rng = random.Random(seed)
    sizes = [80 * KIB, MIB, (4 if quick else 16) * MIB]
    rows = []

    def noisy(v, spread=0.02):
        return v * math.exp(rng.gauss(0, spread))

    for name, sc in bench.SCENARIOS.items():
        p1, p2 = sc["paths"]
        for rep in range(reps):
            if sc.get("web"):
                for s in bench.SCHEDULERS:
                    obj = [noisy(20 + sz / 2e3) for sz in bench.WEB_SIZES]
                    rows.append({"scenario": name, "variant": s, "rep": rep,
                                 "seconds": sum(obj) / 1000 + 0.05, "objects": len(obj),
                                 "object_ms": obj, "busy": 0.3, "discarded": []})
                continue
            if not sc.get("failure"):
                for v, rate in (("tcp1", p1["rate"]), ("tcp2", p2["rate"])):
                    g = noisy(rate * 0.95)
                    rows.append({"scenario": name, "variant": v, "rep": rep, "size": 4 * MIB,
                                 "seconds": 4 * MIB * 8 / g / 1e6, "goodput_mbps": g,
                                 "srv_rcvbuf": 2 * sc.get("rcvbuf", 65536), "busy": 0.2,
                                 "discarded": []})
            for s in bench.SCHEDULERS:
                one = s in bench.ONE_PATH
                rate = (p1["rate"] if one else p1["rate"] + p2["rate"]) * 0.93
                if sc.get("rcvbuf"):
                    rate *= 1.0 if s == "rs_blest" else 0.8
                for size in ([8 * MIB] if sc.get("failure") else sizes):
                    if name == "S1a" and s == "rs_ecf" and rep == 0 and size == MIB:
                        rows.append({"scenario": name, "variant": s, "rep": rep, "size": size,
                                     "error": "RuntimeError: server got 4096 of 1048576 bytes"})
                        continue
                    t = 0.05 + size * 8 / (rate * 1e6)
                    if name == "S2c" and s == "rs_rr" and size == 80 * KIB:
                        t *= 1.3
                    t = noisy(t)
                    gap = noisy(400 if s == "rs_backup" else 1000, 0.1)
                    rows.append({"scenario": name, "variant": s, "rep": rep, "size": size,
                                 "seconds": t, "goodput_mbps": size * 8 / t / 1e6,
                                 "gap_ms": gap, "srv_rcvbuf": 2 * sc.get("rcvbuf", 65536),
                                 "ofo_per_mb": noisy(200, 0.2), "rtx_per_mb": noisy(1, 0.5),
                                 "sched_calls": 1000, "busy": noisy(0.3), "discarded": []})
    for rep in range(reps):
        for s in bench.SCHEDULERS:
            g = noisy(300 if s == "rs_backup" else 1500, 0.05)
            t = GIB * 8 / g / 1e6
            cpu = noisy(9.0, 0.05)
            ours = s != "default"
            rows.append({"scenario": "S6", "variant": s, "rep": rep, "size": GIB,
                         "seconds": t, "goodput_mbps": g, "cpu_source": "task-clocks",
                         "cpu_window_s": t + 0.01, "cpu_s": cpu, "cpu_s_per_gb": cpu,
                         "cpu_s_procstat": cpu * 1.02, "cpu_s_per_gb_procstat": cpu * 1.02,
                         "busy": 0.9,
                         "sched_calls_per_gb": noisy(17000) if ours else None,
                         "send_none_per_gb": noisy(300) if ours else None,
                         "wait_fast_per_gb": noisy(20) if s in ("rs_blest", "rs_ecf") else
                         (0 if ours else None),
                         "mptcp_rtx_per_gb": float(rng.choice([0, 0, 0, 16, 32]))
                         if s != "rs_backup" else noisy(500)})
        for v in ("kernel+default", "rs_kernel+rs_default"):
            r = noisy(1000 if v.startswith("kernel") else 850, 0.05)
            rows.append({"scenario": "S7", "variant": v, "rep": rep, "conns": 1000,
                         "seconds": 1000 / r, "setup_per_s": r, "joined": 1000,
                         "connected": 1000, "kib_per_conn": noisy(14.8, 0.01)})
    checks = [{"kind": "check", "what": "rcvbuf", "scenario": n, "variant": "default",
               "set": sc["rcvbuf"], "lane_pid": 1,
               "ss": {"subflows": [2 * sc["rcvbuf"]] * 2, "mptcp": [2 * sc["rcvbuf"]]}}
              for n, sc in bench.SCENARIOS.items() if sc.get("rcvbuf")]
    meta = {"kind": "meta", "reps": reps, "sizes": sizes, "quick": quick, "seed": seed,
            "kernel": "7.3.4", "cpus": 2, "schedulers": bench.SCHEDULERS,
            "scenarios": bench.SCENARIOS, "web_sizes": bench.WEB_SIZES,
            "web_seed": bench.WEB_SEED, "s6_size": GIB, "seconds": 2400,
            "failed_lanes": [], "errors": 1}
    rng.shuffle(rows)
    with open(path, "w") as f:
        for r in rows + checks + [meta]:
            f.write(json.dumps(r) + "\n")


class Statistics(unittest.TestCase):
    def test_known_difference_is_found(self):
        g = np.random.default_rng(11)
        base = g.normal(10.0, 0.2, 10)
        ours = g.normal(11.0, 0.2, 10)
        c = bs.compare(ours, base)
        self.assertAlmostEqual(c["ratio"], np.median(ours) / np.median(base))
        self.assertGreater(c["low"], 1.0, c)
        self.assertLess(c["low"], c["ratio"])
        self.assertGreater(c["high"], c["ratio"])
        self.assertLess(c["high"], 1.25, c)
        self.assertLess(c["p"], 0.01, c)
        self.assertEqual(c["coverage"], 0.95)

    def test_same_distribution_contains_one(self):
        g = np.random.default_rng(12)
        base = g.normal(10.0, 0.5, 10)
        ours = g.normal(10.0, 0.5, 10)
        c = bs.compare(ours, base)
        self.assertLessEqual(c["low"], 1.0, c)
        self.assertGreaterEqual(c["high"], 1.0, c)
        self.assertGreater(c["p"], 0.05, c)

    def test_reproducible(self):
        g = np.random.default_rng(13)
        a, b = g.normal(5, 1, 10), g.normal(5, 1, 10)
        self.assertEqual(bs.compare(a, b), bs.compare(a, b))

    def test_identical_samples(self):
        c = bs.compare([9.39] * 10, [9.39] * 10)
        self.assertEqual((c["ratio"], c["low"], c["high"]), (1.0, 1.0, 1.0))
        self.assertEqual(c["p"], 1.0)

    def test_degenerate_inputs(self):
        # C's median 0: no ratio, but still a test.
        c = bs.compare([3.0, 4.0, 5.0], [0.0, 0.0, 1.0])
        self.assertIsNone(c["ratio"])
        self.assertIsNone(c["low"])
        self.assertIsNotNone(c["p"])
        # Resamples with a C median of 0 make the interval unbounded.
        c = bs.compare([1.0, 2.0, 2.0, 3.0, 1.0], [0.0, 0.0, 1.0, 2.0, 3.0])
        self.assertTrue(math.isinf(c["high"]), c)
        # One value: a point, no interval.
        c = bs.compare([2.0], [1.0])
        self.assertEqual(c["ratio"], 2.0)
        self.assertIsNone(c["low"])
        self.assertIsNone(c["p"])
        self.assertIsNone(bs.compare([], [1.0])["ratio"])

    def test_three_repetitions(self):
        self.assertAlmostEqual(bs.level(3), 0.75)
        self.assertEqual(bs.label(bs.level(3)), "75% interval")
        self.assertEqual(bs.label(bs.level(10)), "95% CI")
        self.assertEqual(bs.label(bs.level(5)), "93.8% interval")
        c = bs.compare([11.0, 11.2, 10.9], [10.0, 10.1, 9.9])
        self.assertAlmostEqual(c["coverage"], 0.75)
        # Three against three: 20 partitions, two of which give the most
        # extreme difference of medians ({a3,a5,a6} has the median of
        # {a4,a5,a6}): the smallest two-sided p is 2 * 2/20.
        self.assertAlmostEqual(c["p"], 0.2)
        m = bs.median_ci([3.0, 1.0, 2.0])
        self.assertEqual(m[:3], (2.0, 1.0, 3.0))
        self.assertAlmostEqual(m[3], 0.75)

    def test_median_interval_of_ten(self):
        med, lo, hi, cover = bs.median_ci(list(range(1, 11)))
        self.assertEqual((med, lo, hi), (5.5, 2, 9))
        self.assertAlmostEqual(cover, 1 - 2 * 11 / 1024)

    def test_verdicts(self):
        v = bs.verdict
        self.assertEqual(v(0.96, 1.02, ">=", 0.95), bs.MET)
        self.assertEqual(v(0.95, 1.02, ">=", 0.95), bs.MET)
        self.assertEqual(v(0.90, 0.94, ">=", 0.95), bs.MISSED)
        self.assertEqual(v(0.94, 0.99, ">=", 0.95), bs.INCONCLUSIVE)
        self.assertEqual(v(0.40, 0.50, "<=", 0.5), bs.MET)
        self.assertEqual(v(0.51, 0.70, "<=", 0.5), bs.MISSED)
        self.assertEqual(v(0.45, 0.55, "<=", 0.5), bs.INCONCLUSIVE)
        self.assertEqual(v(0.9, math.inf, "<=", 1.0), bs.INCONCLUSIVE)
        self.assertEqual(v(None, None, ">=", 1.0), bs.INCONCLUSIVE)
        with self.assertRaises(ValueError):
            v(1, 2, ">", 1)

    def test_combinations(self):
        M, X, I = bs.MET, bs.MISSED, bs.INCONCLUSIVE
        self.assertEqual(bs.any_of([X, I, M]), M)
        self.assertEqual(bs.any_of([X, X]), X)
        self.assertEqual(bs.any_of([X, I]), I)
        self.assertEqual(bs.all_of([M, M]), M)
        self.assertEqual(bs.all_of([M, I]), I)
        self.assertEqual(bs.all_of([M, I, X]), X)
        self.assertEqual(bs.all_of([]), I)


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        src = os.path.join(cls.dir.name, "bench.jsonl")
        synthetic(src)
        cls.d, cls.targets, cls.plots = report.report(src, cls.dir.name)
        with open(os.path.join(cls.dir.name, "bench.md")) as f:
            cls.md = f.read()
        with open(os.path.join(cls.dir.name, "results.json")) as f:
            cls.results = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def verdicts(self):
        return {t.name: t for t in self.targets}

    def test_every_scenario_reported(self):
        for sc in bench.SCENARIOS:
            if sc != "W":
                self.assertIn(f"\n| {sc} | ", self.md, sc)
        for head in ("### S5:", "### S6:", "### S7:", "### W: web-like"):
            self.assertIn(head, self.md)
        self.assertIn("### S8: the receive buffer in effect", self.md)
        self.assertIn(", ".join(map(str, bench.WEB_SIZES)), self.md)

    def test_plots(self):
        self.assertEqual(len(self.plots), 4)
        for p in self.plots:
            with open(os.path.join(self.dir.name, p)) as f:
                svg = f.read()
            self.assertIn("<svg", svg)
            self.assertIn(f"![{p}]({p})", self.md)

    def test_targets_follow_the_effects(self):
        t = self.verdicts()
        self.assertEqual(sorted(t), [f"T{i}" for i in range(1, 9)])
        self.assertEqual(t["T4"].verdict, bs.MET)    # rs_blest 1.25x in S8a, S8b
        self.assertEqual(t["T3"].verdict, bs.MET)    # rs_backup: half the gap
        self.assertEqual(t["T5"].verdict, bs.MISSED)  # 0.85x the C pair's setup
        self.assertEqual(t["T1"].verdict, bs.MISSED)  # rs_backup's S6 goodput
        # rs_rr 1.3x on S2c 80 KiB; rs_ecf's failed transfer leaves 9 of 10.
        cells = [r["cell"] for r in t["T8"].rows if r["verdict"] == bs.MISSED]
        self.assertIn("S2c 80 KiB `rs_rr`", cells)
        self.assertNotEqual(t["T8"].verdict, bs.MET)
        self.assertIn("RuntimeError: server got 4096", self.md)

    def test_results_json(self):
        st = self.results["stats"]
        c = st["S8a"]["goodput_mbps"][str(16 * MIB)]["rs_blest"]["vs_default"]
        self.assertGreater(c["low"], 1.15)
        self.assertEqual(len(self.results["stats"]["targets"]), 8)
        self.assertTrue(self.results["measurements"])


class Quick(unittest.TestCase):
    def test_labels_with_three_repetitions(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "bench.jsonl")
            synthetic(src, reps=3, quick=True)
            d, ts, plots = report.report(src, tmp)
            with open(os.path.join(tmp, "bench.md")) as f:
                md = f.read()
            self.assertIn("75% interval", md)
            self.assertNotIn("95% CI", md)
            for p in plots:
                with open(os.path.join(tmp, p)) as f:
                    self.assertIn("75% interval", f.read(), p)
            self.assertIn("75% interval", report.targets_text(d, ts))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "synthetic":
        synthetic(sys.argv[2], reps=int(sys.argv[3]) if len(sys.argv) > 3 else 10,
                  quick=len(sys.argv) > 3 and int(sys.argv[3]) < 10)
        sys.exit(0)
    unittest.main()
