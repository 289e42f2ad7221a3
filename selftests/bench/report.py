#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mptcp-rs benchmark, host side: from the guest's measurements to a report.

  report.py <bench.jsonl> <out-dir>

Runs in the tools venv (numpy, scipy and matplotlib, pinned in
kernel/scripts/env.sh).  Writes to <out-dir>: results.json (the measurements
and every statistic computed from them), bench.md (the tables and the
targets, each with its verdict) and SVG plots; prints the targets table.

Medians come with a distribution-free interval (order statistics).  Every
ratio to C `default` (same boot) comes with a bootstrap percentile interval
of the ratio of medians and the p-value of a two-sided permutation test of
the difference of medians (benchstats.py).  Intervals are 95% ones; with
too few repetitions for that, each is labelled with its real coverage (75%
for 3 repetitions).  A target is MET only when its whole interval meets
the bound, MISSED when the whole interval misses it, INCONCLUSIVE otherwise.
"""

import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchstats as bs  # noqa: E402

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
NOMINAL = {  # Mbit/s of the two paths, for the fraction of nominal
    "S1a": 20, "S1b": 20, "S2a": 13, "S2b": 13, "S2c": 13, "S3a": 20, "S3b": 30,
    "S4a": 20, "S4b": 20, "S5": 10, "S8a": 20, "S8b": 30,
}
GOODPUT_SCENARIOS = ["S1a", "S1b", "S2a", "S2b", "S2c", "S3a", "S3b", "S4a", "S4b",
                     "S8a", "S8b"]
HOL_SCENARIOS = ["S8a", "S8b"]
WEB = "W"
BASE = "default"
ONE_PATH = ("rs_redundant", "rs_backup")
COLOURS = {"default": "#555555", "rs_default": "#1f77b4", "rs_minrtt": "#ff7f0e",
           "rs_rr": "#2ca02c", "rs_redundant": "#d62728", "rs_blest": "#9467bd",
           "rs_ecf": "#8c564b", "rs_backup": "#e377c2"}
MARKERS = {"rs_default": "o", "rs_minrtt": "s", "rs_rr": "^", "rs_redundant": "v",
           "rs_blest": "D", "rs_ecf": "P", "rs_backup": "X"}


# --- formatting -------------------------------------------------------------------------

def fmt(v, digits=2):
    if v is None:
        return "-"
    if math.isinf(v):
        return "inf"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def fmt_p(p):
    if p is None:
        return "-"
    return f"{p:.2g}" if p >= 0.001 else f"{p:.1e}"


def size_name(size):
    return f"{size // KIB} KiB" if size < MIB else f"{size // MIB} MiB"


class Cover:
    """The coverage the intervals of a table have, for its heading; a cell
    whose coverage differs (fewer measurements) carries its own label."""

    def __init__(self, reps):
        self.level = bs.level(reps)

    def head(self):
        return bs.label(self.level)

    def note(self, coverage):
        if coverage is None or abs(coverage - self.level) < 1e-9 or (
                coverage >= bs.CONFIDENCE and self.level >= bs.CONFIDENCE):
            return ""
        return f" ({bs.label(coverage)})"


# --- the data -------------------------------------------------------------------------

class Data:
    def __init__(self, records):
        self.meta = next((r for r in records if r.get("kind") == "meta"), {})
        self.checks = [r for r in records if r.get("kind") == "check"]
        self.rows = [r for r in records if not r.get("kind")]
        self.errors = [r for r in self.rows if "error" in r]
        self.schedulers = self.meta.get("schedulers") or sorted(
            {r["variant"] for r in self.rows
             if not r["variant"].startswith("tcp") and r["scenario"] != "S7"})
        self.ours = [s for s in self.schedulers if s != BASE]
        self.sizes = self.meta.get("sizes") or [80 * KIB, MIB, 16 * MIB]
        self.cover = Cover(self.meta.get("reps") or 10)
        self._cmp = {}

    def values(self, scenario, variant, key, size=None):
        return [r[key] for r in self.rows
                if r["scenario"] == scenario and r["variant"] == variant
                and (size is None or r.get("size") == size) and r.get(key) is not None]

    def web_p95(self, variant):
        return [bs.percentile(r["object_ms"], 95) for r in self.rows
                if r["scenario"] == WEB and r["variant"] == variant and r.get("object_ms")]

    def series(self, scenario, variant, key, size=None):
        if key == "p95_ms":
            return self.web_p95(variant)
        return self.values(scenario, variant, key, size)

    def median_ci(self, *args):
        return bs.median_ci(self.series(*args))

    def median(self, *args):
        m = self.median_ci(*args)
        return m[0] if m else None

    def compare(self, scenario, variant, key, size=None, base=BASE):
        """Ours against C `default` (or `base`) in one cell, cached."""
        k = (scenario, variant, key, size, base)
        if k not in self._cmp:
            self._cmp[k] = bs.compare(self.series(scenario, variant, key, size),
                                      self.series(scenario, base, key, size))
        return self._cmp[k]

    def sizes_of(self, scenario):
        """The transfer sizes measured with MPTCP in a scenario, smallest
        first (S5 has one of its own)."""
        return sorted({r["size"] for r in self.rows if r["scenario"] == scenario
                       and "size" in r and not r["variant"].startswith("tcp")})

    def scenarios(self):
        seen = []
        for r in self.rows:
            if r["scenario"] not in seen:
                seen.append(r["scenario"])
        return sorted(seen, key=lambda s: (s[:1] != "S", s[:2], s))

    def has(self, scenario):
        return any(r["scenario"] == scenario and "error" not in r for r in self.rows)


def cell(d, m, digits=2):
    """A median and its interval."""
    if not m:
        return "-"
    return f"{fmt(m[0], digits)} [{fmt(m[1], digits)}, {fmt(m[2], digits)}]{d.cover.note(m[3])}"


def ratio_cell(d, c, digits=3, br="<br>"):
    """A ratio to C `default`, its interval and p-value."""
    if c["ratio"] is None:
        return "C median 0" if c["median_base"] == 0 else "-"
    interval = (f" [{fmt(c['low'], digits)}, {fmt(c['high'], digits)}]"
                f"{d.cover.note(c['coverage'])}" if c["low"] is not None else "")
    return f"x{fmt(c['ratio'], digits)}{interval}{br}p={fmt_p(c['p'])}"


def store(stats, d, scenario, metric, key, size=None, scheds=None):
    """Medians and comparisons of a metric, into results.json's stats."""
    out = stats.setdefault(scenario, {}).setdefault(metric, {})
    if size is not None:
        out = out.setdefault(str(size), {})
    for s in scheds or d.schedulers:
        m = d.median_ci(scenario, s, key, size)
        entry = {"median": m[0] if m else None, "ci": [m[1], m[2]] if m else None,
                 "coverage": m[3] if m else None, "n": len(d.series(scenario, s, key, size))}
        if s != BASE:
            entry["vs_default"] = d.compare(scenario, s, key, size)
        out[s] = entry


# --- tables -------------------------------------------------------------------------

def goodput_tables(d, lines, stats):
    big = d.sizes[-1]
    scs = [s for s in GOODPUT_SCENARIOS if d.has(s)]
    if not scs:
        return
    lab = d.cover.head()
    lines.append(f"### Goodput, {size_name(big)} transfers (Mbit/s, median [{lab}])\n")
    lines.append("*TCP sum* is the sum of the two paths' single-path TCP goodputs measured "
                 "in the same boot and lane, *nominal* the sum of the configured rates.\n")
    lines.append("| scenario | TCP path 1 | TCP path 2 | " + " | ".join(
        f"`{s}`" for s in d.schedulers) + " |")
    lines.append("|" + "---|" * (3 + len(d.schedulers)))
    for sc in scs:
        t1, t2 = d.median(sc, "tcp1", "goodput_mbps"), d.median(sc, "tcp2", "goodput_mbps")
        tcp_sum = (t1 or 0) + (t2 or 0)
        stats.setdefault(sc, {})["tcp_sum_mbps"] = tcp_sum
        row = [sc, cell(d, d.median_ci(sc, "tcp1", "goodput_mbps")),
               cell(d, d.median_ci(sc, "tcp2", "goodput_mbps"))]
        for s in d.schedulers:
            m = d.median_ci(sc, s, "goodput_mbps", big)
            extra = ""
            if m:
                extra = (f"<br>{fmt(m[0] / tcp_sum if tcp_sum else None)} of TCP sum, "
                         f"{fmt(m[0] / NOMINAL[sc])} of nominal")
            row.append(cell(d, m) + extra)
        lines.append("| " + " | ".join(row) + " |")
        store(stats, d, sc, "goodput_mbps", "goodput_mbps", big)
    lines.append("")
    lines.append(f"#### Goodput ratio to C `default` (ratio of medians [{lab}], permutation p)\n")
    lines.append("| scenario | " + " | ".join(f"`{s}`" for s in d.ours) + " |")
    lines.append("|" + "---|" * (1 + len(d.ours)))
    for sc in scs:
        lines.append(f"| {sc} | " + " | ".join(
            ratio_cell(d, d.compare(sc, s, "goodput_mbps", big)) for s in d.ours) + " |")
    lines.append("")


def completion_table(d, lines, stats):
    scs = [sc for sc in d.scenarios() if sc not in ("S6", "S7", WEB) and d.sizes_of(sc)]
    if not scs:
        return
    lab = d.cover.head()
    lines.append(f"### Completion time: ratio to C `default` (ratio of medians [{lab}], "
                 "permutation p)\n")
    lines.append("Below 1: faster than C `default`.  The C column is its median in "
                 f"seconds [{lab}].\n")
    lines.append("| scenario | size | `default` (s) | " + " | ".join(
        f"`{s}`" for s in d.ours) + " |")
    lines.append("|" + "---|" * (3 + len(d.ours)))
    for sc in scs:
        for size in d.sizes_of(sc):
            base = d.median_ci(sc, BASE, "seconds", size)
            row = [sc, size_name(size), cell(d, base, 3)]
            row += [ratio_cell(d, d.compare(sc, s, "seconds", size)) for s in d.ours]
            lines.append("| " + " | ".join(row) + " |")
            store(stats, d, sc, "seconds", "seconds", size)
    lines.append("")


def counters_table(d, lines):
    big = d.sizes[-1]
    scs = [sc for sc in GOODPUT_SCENARIOS + ["S5"] if d.has(sc)]
    if not scs:
        return
    s5 = f" (S5: {size_name(d.sizes_of('S5')[-1])})" if "S5" in scs else ""
    lines.append(f"### Out-of-order and retransmissions per MB, {size_name(big)} "
                 f"transfers{s5}, median\n")
    lines.append("Out of order: `MPTcpExtOFOQueue` at the receiver; retransmissions: "
                 "`TcpRetransSegs` plus `MPTcpExtMPTCPRetrans` at the sender.\n")
    lines.append("| scenario | " + " | ".join(f"`{s}` ofo / rtx" for s in d.schedulers) + " |")
    lines.append("|" + "---|" * (1 + len(d.schedulers)))
    for sc in scs:
        size = d.sizes_of(sc)[-1]
        row = [sc] + [f"{fmt(d.median(sc, s, 'ofo_per_mb', size), 1)} / "
                      f"{fmt(d.median(sc, s, 'rtx_per_mb', size), 1)}" for s in d.schedulers]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")


def hol_check(d, lines, stats):
    scs = [sc for sc in HOL_SCENARIOS if d.has(sc)]
    if not scs:
        return
    lines.append("### S8: the receive buffer in effect\n")
    lines.append("SO_RCVBUF is set on the server's listening socket before `listen()`; the "
                 "kernel doubles the value for its bookkeeping.  *accepted*: SO_RCVBUF of the "
                 "accepted sockets, as the server read it after `accept()`; *ss*: the receive "
                 "buffers (`rb`) `ss -m` showed for the server's TCP subflows and MPTCP "
                 "sockets 1 s into a transfer.\n")
    lines.append("| scenario | set (bytes) | accepted | ss: subflows | ss: MPTCP sockets |")
    lines.append("|---|---|---|---|---|")
    for sc in scs:
        want = d.meta.get("scenarios", {}).get(sc, {}).get("rcvbuf")
        got = sorted({r["srv_rcvbuf"] for r in d.rows
                      if r["scenario"] == sc and r.get("srv_rcvbuf") is not None})
        chk = next((c for c in d.checks if c["scenario"] == sc and c["what"] == "rcvbuf"), None)
        ss = chk["ss"] if chk else {}
        lines.append(f"| {sc} | {fmt(want)} | {', '.join(map(str, got)) or '-'} | "
                     f"{', '.join(map(str, ss.get('subflows', []))) or '-'} | "
                     f"{', '.join(map(str, ss.get('mptcp', []))) or '-'} |")
        stats.setdefault(sc, {})["rcvbuf"] = {"set": want, "accepted": got, "ss": ss}
    lines.append("")


def web_table(d, lines, stats):
    if not d.has(WEB):
        return
    sizes = d.meta.get("web_sizes") or []
    lab = d.cover.head()
    lines.append(f"### W: web-like, {len(sizes)} objects in sequence on one connection\n")
    if sizes:
        big = sum(1 for s in sizes if s > 256 * KIB)
        lines.append(f"Object sizes (bytes, in the order sent; lognormal, median 16 KiB, "
                     f"seed {d.meta.get('web_seed')}; {big} of {len(sizes)} over 256 KiB, "
                     f"median {fmt(float(np.median(sizes)) / KIB, 1)} KiB, "
                     f"{fmt(sum(sizes) / MIB)} MiB in all): "
                     + ", ".join(map(str, sizes)) + ".\n")
    lines.append(f"Total: connect to the last acknowledgement; p95: the 95th percentile of "
                 f"the per-object times of one measurement.  Median [{lab}]; ratios to C "
                 f"`default` [{lab}] with permutation p.\n")
    lines.append("| | " + " | ".join(f"`{s}`" for s in d.schedulers) + " |")
    lines.append("|" + "---|" * (1 + len(d.schedulers)))
    for key, what, digits in (("seconds", "total (s)", 3), ("p95_ms", "p95 per object (ms)", 1)):
        lines.append(f"| {what} | " + " | ".join(
            cell(d, d.median_ci(WEB, s, key), digits) for s in d.schedulers) + " |")
        lines.append(f"| {what}: ratio | - | " + " | ".join(
            ratio_cell(d, d.compare(WEB, s, key)) for s in d.ours) + " |")
        store(stats, d, WEB, key, key)
    stats[WEB]["sizes"] = sizes
    lines.append("")


def failure_table(d, lines, stats):
    if not d.has("S5"):
        return
    big = d.sizes_of("S5")[-1]
    lab = d.cover.head()
    reps = d.meta.get("reps")
    lines.append(f"### S5: path 1 down mid-transfer, path 2 a backup ({size_name(big)})\n")
    lines.append(f"Median [{lab}]; ratio to C `default` [{lab}] with permutation p.  "
                 "*Intact*: transfers whose every byte reached the server, of those "
                 "planned.\n")
    lines.append("| | " + " | ".join(f"`{s}`" for s in d.schedulers) + " |")
    lines.append("|" + "---|" * (1 + len(d.schedulers)))
    gaps = [cell(d, bs.median_ci([v / 1000 for v in d.values("S5", s, "gap_ms", big)]))
            for s in d.schedulers]
    lines.append("| longest receive gap (s) | " + " | ".join(gaps) + " |")
    lines.append("| gap: ratio | - | " + " | ".join(
        ratio_cell(d, d.compare("S5", s, "gap_ms", big)) for s in d.ours) + " |")
    lines.append("| completion (s) | " + " | ".join(
        cell(d, d.median_ci("S5", s, "seconds", big)) for s in d.schedulers) + " |")
    lines.append("| intact | " + " | ".join(
        f"{len(d.values('S5', s, 'seconds', big))}/{reps}" for s in d.schedulers) + " |")
    store(stats, d, "S5", "gap_ms", "gap_ms", big)
    store(stats, d, "S5", "seconds", "seconds", big)
    lines.append("")


def cpu_table(d, lines, stats):
    if not d.has("S6"):
        return
    rows = [r for r in d.rows if r["scenario"] == "S6" and "error" not in r]
    size = rows[0]["size"]
    windows = [r["cpu_window_s"] for r in rows if r.get("cpu_window_s")]
    scan = max((r.get("cpu_scan_s") or 0 for r in rows), default=0)
    # Bound on the error of one measurement's CPU time from the clock
    # reads: each of the two scans can miss or add the run time of a task
    # on every other CPU.
    bound = 2 * scan * max((d.meta.get("cpus") or 2) - 1, 1)
    source = sorted({r.get("cpu_source", "proc-stat") for r in rows})
    lab = d.cover.head()
    lines.append(f"### S6: CPU cost, unshaped veth, {size / GIB:g} GiB per transfer\n")
    lines.append(
        f"CPU time: the sum over all CPUs of busy time, read as every task's CPU-time clock "
        f"(`{', '.join(source)}`: the scheduler's per-task run time in ns, softirq work done "
        f"in a task's context included), per GiB moved, both ends; measurement windows "
        f"{fmt(min(windows, default=None), 1)} to {fmt(max(windows, default=None), 1)} s; "
        f"reading the clocks took at most {scan * 1000:.1f} ms, which bounds the error of one "
        f"measurement to {bound * 1000:.1f} ms of CPU ({bound / (size / GIB):.4f} s per "
        f"GiB).  "
        f"The `/proc/stat` row is the tick-based cross-check (10 ms units).  Scheduler calls "
        f"(`MPTcpRsSchedSend` + `SchedRetrans`) and refusals (`SchedSendNone`: no subflow "
        f"for new data; `SchedWaitFast`: waiting for the fast subflow) come from the "
        f"module's counters at the sender, which C `default` does not have; "
        f"`MPTcpExtMPTCPRetrans` is the core's, for every scheduler.  Median [{lab}]; "
        f"ratios [{lab}] with permutation p.\n")
    lines.append("| | " + " | ".join(f"`{s}`" for s in d.schedulers) + " |")
    lines.append("|" + "---|" * (1 + len(d.schedulers)))
    metrics = [("goodput_mbps", "goodput (Mbit/s)", 0, True),
               ("cpu_s_per_gb", "CPU s per GiB", 2, True),
               ("cpu_s_per_gb_procstat", "CPU s per GiB, `/proc/stat`", 2, False),
               ("sched_calls_per_gb", "scheduler calls per GiB", 0, False),
               ("send_none_per_gb", "`SchedSendNone` per GiB", 0, False),
               ("wait_fast_per_gb", "`SchedWaitFast` per GiB", 0, False),
               ("mptcp_rtx_per_gb", "`MPTcpExtMPTCPRetrans` per GiB", 1, True)]
    for key, what, digits, ratio in metrics:
        lines.append(f"| {what} | " + " | ".join(
            cell(d, d.median_ci("S6", s, key), digits) for s in d.schedulers) + " |")
        if ratio:
            lines.append(f"| {what}: ratio | - | " + " | ".join(
                ratio_cell(d, d.compare("S6", s, key)) for s in d.ours) + " |")
        store(stats, d, "S6", key, key)
    stats["S6"]["cpu_source"] = source
    stats["S6"]["cpu_window_s"] = [min(windows, default=None), max(windows, default=None)]
    stats["S6"]["cpu_error_bound_s"] = bound
    lines.append("")


S7_BASE, S7_OURS = "kernel+default", "rs_kernel+rs_default"


def scale_table(d, lines, stats):
    if not d.has("S7"):
        return
    variants = sorted({r["variant"] for r in d.rows if r["scenario"] == "S7"})
    conns = next(r["conns"] for r in d.rows if r["scenario"] == "S7")
    lab = d.cover.head()
    lines.append(f"### S7: {conns} concurrent two-subflow connections\n")
    lines.append("Setup rate: connections opened per second until each has its second "
                 "subflow; memory: slab growth with all of them open, both ends, per "
                 f"connection.  Median [{lab}].\n")
    lines.append("| path manager + scheduler | setup (conn/s) | ratio to C | KiB per connection "
                 "| all joined |")
    lines.append("|---|---|---|---|---|")
    for v in variants:
        rows = [r for r in d.rows if r["scenario"] == "S7" and r["variant"] == v]
        joined = all(r["joined"] == r["conns"] for r in rows)
        c = d.compare("S7", v, "setup_per_s", base=S7_BASE)
        lines.append(f"| `{v}` | {cell(d, d.median_ci('S7', v, 'setup_per_s'), 0)} | "
                     f"{ratio_cell(d, c, br=', ') if v != S7_BASE else '-'} | "
                     f"{cell(d, d.median_ci('S7', v, 'kib_per_conn'), 1)} | "
                     f"{'yes' if joined else 'no'} |")
        st = stats.setdefault("S7", {}).setdefault(v, {})
        for key in ("setup_per_s", "kib_per_conn"):
            m = d.median_ci("S7", v, key)
            st[key] = {"median": m[0], "ci": [m[1], m[2]], "coverage": m[3]}
        if v != S7_BASE:
            st["setup_vs_default"] = c
    lines.append("")


def cpu_check(d, lines, stats):
    rows = [r for r in d.rows if "busy" in r]
    rerun = sum(len(r.get("discarded") or []) for r in rows)
    saturated = sum(1 for r in rows if r.get("busy", 0) >= 0.95 and r["scenario"] != "S6")
    peak = max((r.get("busy", 0) for r in rows if r["scenario"] != "S6"), default=0)
    lines.append("### CPU check\n")
    lines.append(f"Every measurement records the guest's CPU load over its duration.  "
                 f"{len(rows)} measurements; {rerun} were discarded and taken again because "
                 f"the CPUs were saturated (under 5% idle); {saturated} stayed saturated after "
                 f"two retries (kept, and marked in results.json); the highest load kept "
                 f"outside S6 (CPU-bound by design) was {peak * 100:.0f}%.\n")
    stats["cpu_check"] = {"measurements": len(rows), "rerun": rerun,
                          "still_saturated": saturated, "peak_busy": peak}


def error_list(d, lines):
    if not d.errors and not d.meta.get("failed_lanes"):
        return
    lines.append("### Failed measurements\n")
    if d.meta.get("failed_lanes"):
        lines.append(f"Lanes that did not finish: {', '.join(d.meta['failed_lanes'])}.\n")
    for r in d.errors:
        lines.append(f"- {r['scenario']} `{r['variant']}` repetition {r.get('rep')}"
                     f"{', ' + size_name(r['size']) if r.get('size') else ''}: {r['error']}")
    lines.append("")


# --- targets ------------------------------------------------------------------------

class Target:
    def __init__(self, name, text):
        self.name, self.text = name, text
        self.rows = []      # (cell, point, interval, p, verdict)
        self.verdict = bs.INCONCLUSIVE
        self.note = ""

    def add(self, what, c, op, bound):
        """A ratio cell judged on its interval."""
        v = bs.verdict(c["low"], c["high"], op, bound) if c["ratio"] is not None \
            else bs.INCONCLUSIVE
        self.rows.append({"cell": what, "point": c["ratio"], "low": c["low"],
                          "high": c["high"], "coverage": c["coverage"], "p": c["p"],
                          "verdict": v, "n": c["n"], "n_base": c["n_base"]})
        return v

    def add_plain(self, what, text, verdict):
        self.rows.append({"cell": what, "text": text, "verdict": verdict})
        return verdict

    def json(self):
        return {"target": self.name, "text": self.text, "verdict": self.verdict,
                "note": self.note, "cells": self.rows}


def interval_text(r, cover=None):
    if r.get("text"):
        return r["text"]
    if r["low"] is None:
        return "-"
    note = cover.note(r["coverage"]) if cover else ""
    return f"[{fmt(r['low'], 3)}, {fmt(r['high'], 3)}]{note}"


def targets(d):
    out = []
    s6 = d.has("S6")
    s6_scheds = [s for s in d.ours if s != "rs_redundant"]

    t = Target("T1", "S6: every `rs_*` but `rs_redundant` >= 0.95x C `default` goodput")
    if s6:
        t.verdict = bs.all_of(t.add(f"S6 `{s}`", d.compare("S6", s, "goodput_mbps"),
                                    ">=", 0.95) for s in s6_scheds)
        out.append(t)

    t = Target("T2", "S6: `MPTcpExtMPTCPRetrans` per GiB of every `rs_*` but `rs_redundant` "
                     "no higher than C `default`'s (ratio interval <= 1; if C's median is "
                     "0, ours must be 0)")
    if s6:
        vs = []
        base = d.median("S6", BASE, "mptcp_rtx_per_gb")
        for s in s6_scheds:
            if base == 0:
                m = d.median_ci("S6", s, "mptcp_rtx_per_gb")
                v = (bs.MET if m and m[0] == 0 else
                     bs.MISSED if m and m[1] > 0 else bs.INCONCLUSIVE)
                vs.append(t.add_plain(
                    f"S6 `{s}`", f"C median 0; ours {fmt(m[0], 1)} [{fmt(m[1], 1)}, "
                    f"{fmt(m[2], 1)}]" if m else "no data", v))
            else:
                vs.append(t.add(f"S6 `{s}`", d.compare("S6", s, "mptcp_rtx_per_gb"),
                                "<=", 1.0))
        t.verdict = bs.all_of(vs)
        out.append(t)

    t = Target("T3", "S5: `rs_backup` longest receive gap <= 0.5x C `default`'s, "
                     "and its data intact")
    if d.has("S5"):
        big = d.sizes_of("S5")[-1]
        v1 = t.add("S5 `rs_backup` gap", d.compare("S5", "rs_backup", "gap_ms", big),
                   "<=", 0.5)
        ok = len(d.values("S5", "rs_backup", "seconds", big))
        bad = sum(1 for r in d.errors if r["scenario"] == "S5" and r["variant"] == "rs_backup")
        reps = d.meta.get("reps", ok)
        v2 = t.add_plain("S5 `rs_backup` intact", f"{ok} of {reps} transfers complete, "
                         f"{bad} failed", bs.MET if ok == reps and not bad else bs.MISSED)
        t.verdict = bs.all_of([v1, v2])
        out.append(t)

    t = Target("T4", "HoL: in each of S8a and S8b, `rs_blest` or `rs_ecf` >= 1.15x C "
                     f"`default` goodput ({size_name(d.sizes[-1])}) or <= 0.8x its 1 MiB "
                     "completion time (any one of the four suffices in a scenario; both "
                     "scenarios must meet it)")
    per = []
    for sc in HOL_SCENARIOS:
        if not d.has(sc):
            continue
        vs = []
        for s in ("rs_blest", "rs_ecf"):
            vs.append(t.add(f"{sc} `{s}` goodput", d.compare(sc, s, "goodput_mbps",
                                                              d.sizes[-1]), ">=", 1.15))
            vs.append(t.add(f"{sc} `{s}` 1 MiB completion", d.compare(sc, s, "seconds", MIB),
                            "<=", 0.8))
        v = bs.any_of(vs)
        per.append(v)
        t.add_plain(f"**{sc}**", "any of the four above", v)
    if per:
        missing = [sc for sc in HOL_SCENARIOS if not d.has(sc)]
        t.verdict = bs.all_of(per + [bs.INCONCLUSIVE] * len(missing))
        if missing:
            t.note = f"not measured: {', '.join(missing)}"
        out.append(t)

    t = Target("T5", "S7: `rs_kernel`+`rs_default` setup rate >= 0.98x the C pair "
                     "(`kernel`+`default`)")
    if d.has("S7"):
        t.verdict = t.add("S7 setup rate", d.compare("S7", S7_OURS, "setup_per_s",
                                                      base=S7_BASE), ">=", 0.98)
        out.append(t)

    t = Target("T6", "S6: `rs_default` CPU per GiB <= 1.02x C `default`")
    if s6:
        t.verdict = t.add("S6 `rs_default` CPU", d.compare("S6", "rs_default", "cpu_s_per_gb"),
                          "<=", 1.02)
        out.append(t)

    t = Target("T7", "`rs_default` goodput >= 0.99x C `default` in every goodput scenario "
                     f"(S1-S4, S8: {size_name(d.sizes[-1])}; S6)")
    vs = []
    for sc in GOODPUT_SCENARIOS + ["S6"]:
        if d.has(sc):
            size = None if sc == "S6" else d.sizes[-1]
            vs.append(t.add(sc, d.compare(sc, "rs_default", "goodput_mbps", size), ">=", 0.99))
    if vs:
        t.verdict = bs.all_of(vs)
        out.append(t)

    t = Target("T8", "no `rs_*` but `rs_redundant` and `rs_backup` worse than 1.05x C "
                     "`default`'s completion time on 80 KiB and 1 MiB in any scenario, nor on "
                     "W's total time (only the cells not met are listed)")
    vs, met = [], 0
    cells = [(sc, size) for sc in GOODPUT_SCENARIOS if d.has(sc) for size in (80 * KIB, MIB)]
    if d.has(WEB):
        cells.append((WEB, None))
    for sc, size in cells:
        for s in d.ours:
            if s in ONE_PATH:
                continue
            c = d.compare(sc, s, "seconds", size)
            v = bs.verdict(c["low"], c["high"], "<=", 1.05) if c["ratio"] is not None \
                else bs.INCONCLUSIVE
            vs.append(v)
            if v == bs.MET:
                met += 1
            else:
                t.add(f"{sc} {size_name(size) if size else 'total'} `{s}`", c, "<=", 1.05)
    if vs:
        t.verdict = bs.all_of(vs)
        t.note = f"{met} of {len(vs)} cells met"
        out.append(t)
    return out


def targets_md(d, ts, lines):
    lab = d.cover.head()
    lines.append("### Targets\n")
    lines.append(f"Judged on the interval ({lab}), not the point: a `>=` target is MET only "
                 "if the whole interval is at or above the bound, MISSED if it is wholly "
                 "below, INCONCLUSIVE (not met) otherwise; `<=` mirrors it.  Points are ratios "
                 "of medians to C `default` (same boot); p: two-sided permutation test of "
                 "the difference of the medians.\n")
    lines.append("| target | verdict |")
    lines.append("|---|---|")
    for t in ts:
        note = f" ({t.note})" if t.note else ""
        lines.append(f"| {t.name}: {t.text}{note} | **{t.verdict}** |")
    lines.append("")
    lines.append("| target | cell | point | interval | p | verdict |")
    lines.append("|---|---|---|---|---|---|")
    for t in ts:
        for r in t.rows:
            point = f"x{fmt(r['point'], 3)}" if r.get("point") is not None else "-"
            lines.append(f"| {t.name} | {r['cell']} | {point} | {interval_text(r, d.cover)} | "
                         f"{fmt_p(r.get('p'))} | {r['verdict']} |")
    lines.append("")


def targets_text(d, ts):
    """The targets table as plain text, for the terminal."""
    out = [f"Targets (judged on the {d.cover.head()}: MET only if the whole interval meets "
           f"the bound)"]
    for t in ts:
        note = f" ({t.note})" if t.note else ""
        text = t.text.replace("`", "")
        out.append(f"{t.name} {t.verdict:<12} {text}{note}")
        for r in t.rows:
            point = f"x{fmt(r['point'], 3)}" if r.get("point") is not None else ""
            p = f"p={fmt_p(r['p'])}" if r.get("p") is not None else ""
            out.append(f"     {r['cell'].replace('`', '').replace('**', ''):<34} {point:>8} "
                       f"{interval_text(r, d.cover):<24} {p:<10} {r['verdict']}")
    return "\n".join(out)


# --- plots ----------------------------------------------------------------------------

RATIO_TICKS = [0.25, 0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 4.0]


def ratio_axis(ax, points, ylabel="ratio to C default"):
    """A log-scaled ratio axis wide enough for every point and whisker."""
    finite = [v for v in points if v is not None and math.isfinite(v) and v > 0]
    lo = min(finite + [0.9]) / 1.05
    hi = max(finite + [1.1]) * 1.05
    ax.set_yscale("log")
    ax.set_ylim(lo, hi)
    ticks = [t for t in RATIO_TICKS if lo <= t <= hi]
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    return lo, hi


def draw_ratios(ax, d, xs, comps, sched, offset):
    """One scheduler's ratios with their interval as whiskers; an unbounded
    whisker runs to the top of the axes."""
    pts = [(x + offset, c) for x, c in zip(xs, comps) if c["ratio"] is not None]
    if not pts:
        return
    top = ax.get_ylim()[1]
    x = [p[0] for p in pts]
    y = [p[1]["ratio"] for p in pts]
    low = [y0 - (c["low"] if c["low"] is not None else y0) for y0, (_, c) in zip(y, pts)]
    high = [(min(c["high"], top) if c["high"] is not None else y0) - y0
            for y0, (_, c) in zip(y, pts)]
    ax.errorbar(x, y, yerr=[low, high], fmt=MARKERS.get(sched, "o"), color=COLOURS.get(sched),
                markersize=6, capsize=3, linewidth=1.2, label=sched)


def scenario_plot(d, path, title, cells, threshold=None):
    """Ratios to C default per scenario: one marker per rs_* scheduler."""
    scs = [sc for sc, _ in cells]
    comps = {s: [d.compare(sc, s, key, size) for sc, (key, size) in cells] for s in d.ours}
    allv = [v for cs in comps.values() for c in cs for v in (c["ratio"], c["low"], c["high"])]
    fig, ax = plt.subplots(figsize=(max(7.5, 0.9 * len(scs) + 3), 5.4))
    ratio_axis(ax, allv)
    width = 0.8 / len(d.ours)
    for i, s in enumerate(d.ours):
        draw_ratios(ax, d, range(len(scs)), comps[s], s, (i - (len(d.ours) - 1) / 2) * width)
    if threshold:
        ax.axhline(threshold[0], color="#aa3333", linestyle=":", linewidth=1,
                   label=threshold[1])
    ax.set_xticks(range(len(scs)))
    ax.set_xticklabels(scs)
    ax.set_xlabel("scenario")
    ax.set_xlim(-0.6, len(scs) - 0.4)
    for x in range(len(scs) - 1):
        ax.axvline(x + 0.5, color="#eeeeee", linewidth=0.8)
    ax.set_title(f"{title}\nmedian ratio to C default; whiskers: {d.cover.head()} (bootstrap)",
                 fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def panel(ax, d, title, scenario, key, size=None, scheds=None, threshold=None, base=BASE):
    scheds = scheds or d.ours
    comps = [d.compare(scenario, s, key, size, base) for s in scheds]
    allv = [v for c in comps for v in (c["ratio"], c["low"], c["high"])]
    ratio_axis(ax, allv, ylabel="ratio to C")
    for i, (s, c) in enumerate(zip(scheds, comps)):
        draw_ratios(ax, d, [i], [c], s, 0)
    if threshold:
        line = ax.axhline(threshold[0], color="#aa3333", linestyle=":", linewidth=1,
                          label=threshold[1])
        ax.legend(handles=[line], loc="best", fontsize=8, frameon=False)
    scheduler_axis(ax, scheds)
    ax.set_title(title, fontsize=10)


def scheduler_axis(ax, scheds):
    ax.set_xticks(range(len(scheds)))
    ax.set_xticklabels(scheds, rotation=35, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(scheds) - 0.4)


def absolute_panel(ax, d, title, scenario, key, ylabel):
    """Medians with their order-statistic interval, C `default` included:
    for a metric whose C median may be 0, where no ratio exists."""
    for i, s in enumerate(d.schedulers):
        m = d.median_ci(scenario, s, key)
        if not m:
            continue
        ax.errorbar([i], [m[0]], yerr=[[m[0] - m[1]], [m[2] - m[0]]],
                    fmt=MARKERS.get(s, "o"), color=COLOURS.get(s), markersize=6, capsize=3)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    scheduler_axis(ax, d.schedulers)
    ax.set_title(title, fontsize=10)


def other_plot(d, path):
    panels = []
    if d.has("S5"):
        panels.append(("S5: longest receive gap", "S5", "gap_ms", d.sizes_of("S5")[-1],
                       (0.5, "rs_backup target: 0.5")))
    if d.has("S6"):
        panels.append(("S6: goodput", "S6", "goodput_mbps", None, (0.95, "target: 0.95")))
        panels.append(("S6: CPU per GiB", "S6", "cpu_s_per_gb", None,
                       (1.02, "rs_default target: 1.02")))
        panels.append(("S6: MPTCP retransmissions per GiB (median, absolute)", "S6",
                       "mptcp_rtx_per_gb", None, "absolute"))
    if d.has(WEB):
        panels.append(("W: total time", WEB, "seconds", None, (1.05, "target: 1.05")))
        panels.append(("W: p95 per-object time", WEB, "p95_ms", None, None))
    if not panels:
        return False
    cols = 3
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(13, 4.3 * rows), squeeze=False)
    for ax, (title, sc, key, size, thr) in zip(axes.flat, panels):
        if thr == "absolute":
            absolute_panel(ax, d, title, sc, key, "MPTcpExtMPTCPRetrans per GiB")
        else:
            panel(ax, d, title, sc, key, size, threshold=thr)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(f"Median ratio to C default, whiskers: {d.cover.head()} (bootstrap; "
                 f"absolute panels: order statistics).  Below 1: less time, gap, CPU or "
                 f"goodput than C default", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
    return True


def plots(d, out_dir):
    plt.rcParams["svg.hashsalt"] = "mptcp-rs-bench"
    made = []
    scs = [sc for sc in GOODPUT_SCENARIOS if d.has(sc)]
    if scs:
        big = d.sizes[-1]
        scenario_plot(d, os.path.join(out_dir, "ratio-goodput.svg"),
                      f"Goodput, {size_name(big)} transfers (higher is better)",
                      [(sc, ("goodput_mbps", big)) for sc in scs])
        made.append("ratio-goodput.svg")
        for size in (MIB, 80 * KIB):
            name = f"ratio-completion-{size_name(size).replace(' ', '')}.svg"
            scenario_plot(d, os.path.join(out_dir, name),
                          f"Completion time, {size_name(size)} transfers (lower is better)",
                          [(sc, ("seconds", size)) for sc in scs], (1.05, "1.05 limit"))
            made.append(name)
    if other_plot(d, os.path.join(out_dir, "ratio-s5-s6-w.svg")):
        made.append("ratio-s5-s6-w.svg")
    return made


# --- main -----------------------------------------------------------------------------

def report(src, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(src) as f:
        records = [json.loads(line) for line in f if line.strip()]
    d = Data(records)
    stats = {}
    m = d.meta
    lab = d.cover.head()
    lines = ["# mptcp-rs benchmark results\n",
             f"Kernel {m.get('kernel', '?')}, {m.get('cpus', '?')} vCPUs under TCG, "
             f"{m.get('reps', '?')} repetitions per cell, interleaved, "
             f"{'quick mode, ' if m.get('quick') else ''}"
             f"{m.get('seconds', 0) / 60:.1f} min in the guest.  Produced by `make bench` "
             f"(`selftests/bench/`); the method is in `Documentation/bench.rst`.\n",
             f"Intervals: {lab}"
             + (" (the real coverage of the widest order-statistic interval: too few "
                "repetitions for 95%)" if d.cover.level < bs.CONFIDENCE else "")
             + ".  Medians: distribution-free interval from order statistics.  Ratios to "
             f"C `default`: bootstrap percentile interval of the ratio of medians "
             f"({bs.RESAMPLES} resamples, seed {bs.SEED}); p: two-sided permutation test "
             "of the difference of medians.\n"]
    body = []
    goodput_tables(d, body, stats)
    completion_table(d, body, stats)
    hol_check(d, body, stats)
    web_table(d, body, stats)
    counters_table(d, body)
    failure_table(d, body, stats)
    cpu_table(d, body, stats)
    scale_table(d, body, stats)
    cpu_check(d, body, stats)
    error_list(d, body)
    ts = targets(d)
    targets_md(d, ts, lines)
    lines += body
    made = plots(d, out_dir)
    lines.append("### Plots\n")
    for p in made:
        lines.append(f"![{p}]({p})\n")
    stats["targets"] = [t.json() for t in ts]
    stats["method"] = {"interval": lab, "coverage": d.cover.level, "resamples": bs.RESAMPLES,
                       "seed": bs.SEED, "bootstrap": "percentile, ratio of medians",
                       "test": "permutation, difference of medians, two-sided"}
    with open(os.path.join(out_dir, "bench.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"meta": m, "stats": stats, "measurements": d.rows, "checks": d.checks},
                  f, indent=1)
    return d, ts, made


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    src, out_dir = sys.argv[1], sys.argv[2]
    d, ts, made = report(src, out_dir)
    print(targets_text(d, ts))
    print(f"report: {out_dir}/bench.md, results.json, {len(made)} plots")


if __name__ == "__main__":
    main()
