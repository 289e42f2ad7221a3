#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mptcp-rs benchmark, host side: from the guest's measurements to a report.

  report.py <bench.jsonl> <out-dir>

Writes to <out-dir>: results.json (the measurements and the statistics),
bench.md (the tables, with the targets met or missed), and SVG plots
(goodput per scenario, completion-time distributions).  Medians come with a
distribution-free 95% confidence interval (order statistics of the
binomial; with too few repetitions for 95%, the whole range and its actual
coverage).  Ratios are against the kernel's C default scheduler in the same
boot.
"""

import json
import math
import os
import sys

KIB, MIB = 1 << 10, 1 << 20
NOMINAL = {  # Mbit/s of the two paths, for the fraction of nominal
    "S1a": 20, "S1b": 20, "S2a": 13, "S2b": 13, "S2c": 13, "S3a": 20, "S3b": 30,
    "S4a": 20, "S4b": 20, "S5": 10,
}
GOODPUT_SCENARIOS = ["S1a", "S1b", "S2a", "S2b", "S2c", "S3a", "S3b", "S4a", "S4b"]
COLOURS = {"default": "#555555", "rs_default": "#1f77b4", "rs_minrtt": "#ff7f0e",
           "rs_rr": "#2ca02c", "rs_redundant": "#d62728", "rs_blest": "#9467bd",
           "rs_ecf": "#8c564b", "rs_backup": "#e377c2"}


def median_ci(values):
    """(median, low, high, coverage) of the median's confidence interval."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return None
    mid = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    # P(j <= B < n - j) for B ~ Binomial(n, 1/2): the interval
    # [x(j), x(n-j-1)] (0-based) covers the median with that probability.
    pmf = [math.comb(n, k) / 2 ** n for k in range(n + 1)]
    best = (0, n - 1, sum(pmf[1:n]) if n > 1 else 0.0)
    for j in range(n // 2):
        cover = sum(pmf[j + 1:n - j])
        if cover >= 0.95:
            best = (j, n - 1 - j, cover)
        else:
            break
    lo, hi, cover = best
    return mid, xs[lo], xs[hi], cover


def fmt(v, digits=2):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def cell(values, digits=2):
    m = median_ci(values)
    if not m:
        return "-"
    return f"{fmt(m[0], digits)} [{fmt(m[1], digits)}, {fmt(m[2], digits)}]"


def ratio(a, b):
    return a / b if a is not None and b else None


class Data:
    def __init__(self, records):
        self.meta = next((r for r in records if r.get("kind") == "meta"), {})
        self.rows = [r for r in records if r.get("kind") != "meta"]
        self.schedulers = self.meta.get("schedulers") or sorted(
            {r["variant"] for r in self.rows if not r["variant"].startswith("tcp")})
        self.sizes = self.meta.get("sizes") or [80 * KIB, MIB, 16 * MIB]

    def values(self, scenario, variant, key, size=None):
        return [r[key] for r in self.rows
                if r["scenario"] == scenario and r["variant"] == variant
                and (size is None or r.get("size") == size) and r.get(key) is not None]

    def median(self, *args):
        m = median_ci(self.values(*args))
        return m[0] if m else None

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
        return sorted(seen, key=lambda s: (s[:2], s))


def goodput_table(d, lines, stats):
    big = d.sizes[-1]
    lines.append(f"### Goodput, {big // MIB} MiB transfers (Mbit/s, median [95% CI])\n")
    lines.append("Ratios against C `default`; *TCP sum* is the sum of the two paths' "
                 "single-path TCP goodputs measured in the same boot, *nominal* the "
                 "sum of the configured rates.\n")
    head = "| scenario | TCP path 1 | TCP path 2 | " + " | ".join(
        f"`{s}`" for s in d.schedulers) + " |"
    lines.append(head)
    lines.append("|" + "---|" * (3 + len(d.schedulers)))
    for sc in GOODPUT_SCENARIOS:
        if sc not in d.scenarios():
            continue
        t1, t2 = d.median(sc, "tcp1", "goodput_mbps"), d.median(sc, "tcp2", "goodput_mbps")
        base = d.median(sc, "default", "goodput_mbps", big)
        row = [sc, cell(d.values(sc, "tcp1", "goodput_mbps")),
               cell(d.values(sc, "tcp2", "goodput_mbps"))]
        st = stats.setdefault(sc, {})
        st["tcp_sum_mbps"] = (t1 or 0) + (t2 or 0)
        for s in d.schedulers:
            vals = d.values(sc, s, "goodput_mbps", big)
            m = d.median(sc, s, "goodput_mbps", big)
            frac = m / st["tcp_sum_mbps"] if m and st["tcp_sum_mbps"] else None
            nom = m / NOMINAL[sc] if m else None
            st.setdefault("goodput", {})[s] = {
                "median": m, "ci": median_ci(vals)[1:3] if vals else None,
                "ratio": ratio(m, base), "of_tcp_sum": frac, "of_nominal": nom}
            row.append(f"{cell(vals)}<br>x{fmt(ratio(m, base))}, {fmt(frac)} of TCP sum, "
                       f"{fmt(nom)} of nominal")
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")


def completion_table(d, lines, stats):
    lines.append("### Completion time (seconds, median; ratio against C `default`)\n")
    head = "| scenario | size | " + " | ".join(f"`{s}`" for s in d.schedulers) + " |"
    lines.append(head)
    lines.append("|" + "---|" * (2 + len(d.schedulers)))
    for sc in d.scenarios():
        if sc in ("S6", "S7"):
            continue
        for size in d.sizes_of(sc):
            base = d.median(sc, "default", "seconds", size)
            if base is None:
                continue
            row = [sc, f"{size // KIB} KiB" if size < MIB else f"{size // MIB} MiB"]
            for s in d.schedulers:
                m = d.median(sc, s, "seconds", size)
                stats.setdefault(sc, {}).setdefault("completion", {}).setdefault(
                    str(size), {})[s] = {"median": m, "ratio": ratio(m, base)}
                row.append(f"{fmt(m, 3)} (x{fmt(ratio(m, base))})")
            lines.append("| " + " | ".join(row) + " |")
    lines.append("")


def counters_table(d, lines):
    big = d.sizes[-1]
    s5 = f", S5: {d.sizes_of('S5')[-1] // MIB} MiB" if "S5" in d.scenarios() else ""
    lines.append(f"### Out-of-order and retransmissions per MB, {big // MIB} MiB transfers "
                 f"({s5[2:] + ', ' if s5 else ''}median)\n")
    lines.append("Out of order: `MPTcpExtOFOQueue` at the receiver; retransmissions: "
                 "`TcpRetransSegs` plus `MPTcpExtMPTCPRetrans` at the sender.\n")
    lines.append("| scenario | " + " | ".join(f"`{s}` ofo / rtx" for s in d.schedulers) + " |")
    lines.append("|" + "---|" * (1 + len(d.schedulers)))
    for sc in GOODPUT_SCENARIOS + ["S5"]:
        if sc not in d.scenarios():
            continue
        size = d.sizes_of(sc)[-1]
        row = [sc] + [f"{fmt(d.median(sc, s, 'ofo_per_mb', size), 1)} / "
                      f"{fmt(d.median(sc, s, 'rtx_per_mb', size), 1)}" for s in d.schedulers]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")


def failure_table(d, lines, stats):
    if "S5" not in d.scenarios():
        return
    big = d.sizes_of("S5")[-1]
    lines.append(f"### S5: path 1 down mid-transfer, path 2 a backup ({big // MIB} MiB)\n")
    lines.append("| | " + " | ".join(f"`{s}`" for s in d.schedulers) + " |")
    lines.append("|" + "---|" * (1 + len(d.schedulers)))
    gaps = [cell([v / 1000 for v in d.values("S5", s, "gap_ms", big)], 2) for s in d.schedulers]
    times = [cell(d.values("S5", s, "seconds", big), 2) for s in d.schedulers]
    lines.append("| longest receive gap (s) | " + " | ".join(gaps) + " |")
    lines.append("| completion (s) | " + " | ".join(times) + " |")
    for s in d.schedulers:
        stats.setdefault("S5", {}).setdefault("gap_ms", {})[s] = d.median("S5", s, "gap_ms", big)
    lines.append("")


def cpu_table(d, lines, stats):
    if "S6" not in d.scenarios():
        return
    lines.append("### S6: CPU cost, unshaped veth, one bulk transfer\n")
    lines.append("Guest CPU time (all CPUs, both ends) per GB moved; scheduler calls per "
                 "GB from the module's `MPTcpRsSchedSend`/`SchedRetrans` (not available "
                 "for C `default`).\n")
    lines.append("| | " + " | ".join(f"`{s}`" for s in d.schedulers) + " |")
    lines.append("|" + "---|" * (1 + len(d.schedulers)))
    base = d.median("S6", "default", "cpu_s_per_gb")
    cpu = [f"{cell(d.values('S6', s, 'cpu_s_per_gb'))}<br>x{fmt(ratio(d.median('S6', s, 'cpu_s_per_gb'), base))}"
           for s in d.schedulers]
    calls = [fmt(d.median("S6", s, "sched_calls_per_gb"), 0) for s in d.schedulers]
    gput = [fmt(d.median("S6", s, "goodput_mbps"), 0) for s in d.schedulers]
    lines.append("| CPU s per GB | " + " | ".join(cpu) + " |")
    lines.append("| scheduler calls per GB | " + " | ".join(calls) + " |")
    lines.append("| goodput (Mbit/s) | " + " | ".join(gput) + " |")
    for s in d.schedulers:
        m = d.median("S6", s, "cpu_s_per_gb")
        stats.setdefault("S6", {}).setdefault("cpu", {})[s] = {"median": m, "ratio": ratio(m, base)}
    lines.append("")


def scale_table(d, lines, stats):
    if "S7" not in d.scenarios():
        return
    variants = sorted({r["variant"] for r in d.rows if r["scenario"] == "S7"})
    conns = next(r["conns"] for r in d.rows if r["scenario"] == "S7")
    lines.append(f"### S7: {conns} concurrent two-subflow connections\n")
    lines.append("Setup rate: connections opened per second until each has its second "
                 "subflow; memory: slab growth with all of them open, both ends, per "
                 "connection.\n")
    lines.append("| path manager + scheduler | setup (conn/s) | KiB per connection | all joined |")
    lines.append("|---|---|---|---|")
    for v in variants:
        rows = [r for r in d.rows if r["scenario"] == "S7" and r["variant"] == v]
        joined = all(r["joined"] == r["conns"] for r in rows)
        lines.append(f"| `{v}` | {cell([r['setup_per_s'] for r in rows], 0)} | "
                     f"{cell([r['kib_per_conn'] for r in rows], 1)} | {'yes' if joined else 'no'} |")
        stats.setdefault("S7", {})[v] = {
            "setup_per_s": median_ci([r["setup_per_s"] for r in rows])[0],
            "kib_per_conn": median_ci([r["kib_per_conn"] for r in rows])[0]}
    lines.append("")


def targets(d, lines, stats):
    lines.append("### Targets\n")
    out = []
    big = d.sizes[-1]
    # rs_default >= 0.98x C default goodput everywhere, <= 1.05x CPU per GB.
    worst = None
    for sc in GOODPUT_SCENARIOS:
        g = stats.get(sc, {}).get("goodput", {}).get("rs_default")
        if g and g["ratio"] is not None and (worst is None or g["ratio"] < worst[1]):
            worst = (sc, g["ratio"])
    cpu = stats.get("S6", {}).get("cpu", {}).get("rs_default", {}).get("ratio")
    if worst:
        out.append(("`rs_default` goodput >= 0.98x C `default` in every scenario",
                    worst[1] >= 0.98, f"lowest x{fmt(worst[1], 3)} ({worst[0]})"))
    if cpu is not None:
        out.append(("`rs_default` CPU per GB <= 1.05x C `default`", cpu <= 1.05, f"x{fmt(cpu, 3)}"))
    # The best rs_* >= 0.95 of the TCP sum in S1 and S2.
    for sc in ("S1a", "S1b", "S2a", "S2b", "S2c"):
        g = stats.get(sc, {}).get("goodput", {})
        best = max(((s, v["of_tcp_sum"]) for s, v in g.items()
                    if s.startswith("rs_") and v["of_tcp_sum"] is not None),
                   key=lambda x: x[1], default=None)
        if best:
            out.append((f"best `rs_*` >= 0.95 of the TCP sum in {sc}", best[1] >= 0.95,
                        f"`{best[0]}` {fmt(best[1], 3)}"))
    # rs_blest or rs_ecf 1 MiB completion on S3 <= 0.8x C default.
    for sc in ("S3a", "S3b"):
        comp = stats.get(sc, {}).get("completion", {}).get(str(MIB), {})
        cands = [(s, comp[s]["ratio"]) for s in ("rs_blest", "rs_ecf")
                 if s in comp and comp[s]["ratio"] is not None]
        if cands:
            s, r = min(cands, key=lambda x: x[1])
            out.append((f"`rs_blest` or `rs_ecf` 1 MiB completion <= 0.8x C `default` in {sc}",
                        r <= 0.8, f"`{s}` x{fmt(r, 3)}"))
    lines.append("| target | met | measured |")
    lines.append("|---|---|---|")
    for what, met, got in out:
        lines.append(f"| {what} | {'yes' if met else '**no**'} | {got} |")
    stats["targets"] = [{"target": w, "met": m, "measured": g} for w, m, g in out]
    lines.append("")


def cpu_check(d, lines, stats):
    rows = [r for r in d.rows if "busy" in r]
    rerun = sum(len(r.get("discarded") or []) for r in rows)
    saturated = sum(1 for r in rows if r.get("busy", 0) >= 0.95)
    peak = max((r.get("busy", 0) for r in rows), default=0)
    lines.append("### CPU check\n")
    lines.append(f"Every measurement records the guest's CPU load over its duration.  "
                 f"{len(rows)} measurements; {rerun} were discarded and taken again because "
                 f"the CPUs were saturated (under 5% idle); {saturated} stayed saturated after "
                 f"two retries (kept, and marked in results.json); the highest load kept was "
                 f"{peak * 100:.0f}%.\n")
    stats["cpu_check"] = {"measurements": len(rows), "rerun": rerun,
                          "still_saturated": saturated, "peak_busy": peak}


# --- SVG ----------------------------------------------------------------------------

def svg_goodput(d, stats, path):
    scs = [s for s in GOODPUT_SCENARIOS if s in stats and "goodput" in stats[s]]
    scheds = d.schedulers
    w, h, left, top, bottom = 120 + 70 * len(scs), 360, 60, 30, 60
    plot_h = h - top - bottom
    top_val = max([1.0] + [stats[s]["goodput"][x]["of_tcp_sum"] or 0 for s in scs for x in scheds])
    top_val = math.ceil(top_val * 10) / 10
    bw = 60 / len(scheds)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 130}" height="{h}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="18" font-size="13">Goodput / sum of single-path TCP '
           f'goodputs (median, 95% CI)</text>']
    for i in range(0, int(top_val * 10) + 1, 2):
        v = i / 10
        y = top + plot_h * (1 - v / top_val)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + 70 * len(scs)}" y2="{y:.1f}" '
                   f'stroke="#ddd"/><text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">{v:.1f}</text>')
    for i, sc in enumerate(scs):
        x0 = left + 70 * i + 5
        tcp = stats[sc]["tcp_sum_mbps"] or 1
        for j, s in enumerate(scheds):
            g = stats[sc]["goodput"][s]
            if g["median"] is None:
                continue
            v = g["of_tcp_sum"] or 0
            y = top + plot_h * (1 - v / top_val)
            x = x0 + j * bw
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw - 1:.1f}" '
                       f'height="{top + plot_h - y:.1f}" fill="{COLOURS.get(s, "#999")}"/>')
            if g["ci"]:
                lo, hi = (c / tcp for c in g["ci"])
                ylo = top + plot_h * (1 - lo / top_val)
                yhi = top + plot_h * (1 - hi / top_val)
                xm = x + (bw - 1) / 2
                out.append(f'<line x1="{xm:.1f}" y1="{ylo:.1f}" x2="{xm:.1f}" y2="{yhi:.1f}" '
                           f'stroke="black"/>')
        out.append(f'<text x="{x0 + 30}" y="{top + plot_h + 15}" text-anchor="middle">{sc}</text>')
    for j, s in enumerate(scheds):
        y = top + 15 * j
        out.append(f'<rect x="{left + 70 * len(scs) + 10}" y="{y}" width="10" height="10" '
                   f'fill="{COLOURS.get(s, "#999")}"/><text x="{left + 70 * len(scs) + 25}" '
                   f'y="{y + 9}">{s}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def nice_step(raw):
    """The smallest of 1, 2 or 5 times a power of ten that is at least raw."""
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def svg_completion(d, scenario, size, path):
    scheds = d.schedulers
    series = {s: d.values(scenario, s, "seconds", size) for s in scheds}
    allv = [v for vs in series.values() for v in vs]
    if not allv:
        return False
    lo, step = 0.0, nice_step(max(allv) * 1.05 / 6)
    hi = step * math.ceil(max(allv) * 1.05 / step)
    w, h, left, top = 520, 40 + 28 * len(scheds), 110, 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 30}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="10" y="18" font-size="13">{scenario}: completion time of '
           f'{size // KIB if size < MIB else size // MIB} {"KiB" if size < MIB else "MiB"} '
           f'(s), each repetition, median marked</text>']
    scale = (w - left - 20) / (hi - lo)
    for t in range(round((hi - lo) / step) + 1):
        v = lo + step * t
        x = left + (v - lo) * scale
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{h}" stroke="#ddd"/>'
                   f'<text x="{x:.1f}" y="{h + 14}" text-anchor="middle">{v:.2f}</text>')
    for j, s in enumerate(scheds):
        y = top + 14 + 28 * j
        out.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{s}</text>')
        for v in series[s]:
            out.append(f'<circle cx="{left + (v - lo) * scale:.1f}" cy="{y}" r="3" '
                       f'fill="{COLOURS.get(s, "#999")}" fill-opacity="0.6"/>')
        m = median_ci(series[s])
        if m:
            x = left + (m[0] - lo) * scale
            out.append(f'<line x1="{x:.1f}" y1="{y - 9}" x2="{x:.1f}" y2="{y + 9}" '
                       f'stroke="black" stroke-width="2"/>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def main():
    src, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    with open(src) as f:
        records = [json.loads(line) for line in f if line.strip()]
    d = Data(records)
    stats = {}
    m = d.meta
    lines = ["# mptcp-rs benchmark results\n",
             f"Kernel {m.get('kernel', '?')}, {m.get('cpus', '?')} vCPUs under TCG, "
             f"{m.get('reps', '?')} repetitions per cell, interleaved, "
             f"{'quick mode, ' if m.get('quick') else ''}"
             f"{m.get('seconds', 0) / 60:.1f} min.  Produced by `make bench` "
             f"(`selftests/bench/`); the method is in `Documentation/bench.rst`.\n"]
    targets_at = len(lines)
    goodput_table(d, lines, stats)
    completion_table(d, lines, stats)
    counters_table(d, lines)
    failure_table(d, lines, stats)
    cpu_table(d, lines, stats)
    scale_table(d, lines, stats)
    cpu_check(d, lines, stats)
    tail = lines[targets_at:]
    lines = lines[:targets_at]
    targets(d, lines, stats)
    lines += tail
    plots = []
    svg_goodput(d, stats, os.path.join(out_dir, "goodput.svg"))
    plots.append("goodput.svg")
    for sc in ("S3a", "S3b", "S1b"):
        name = f"completion-{sc}-1MiB.svg"
        if svg_completion(d, sc, MIB, os.path.join(out_dir, name)):
            plots.append(name)
    lines.append("### Plots\n")
    for p in plots:
        lines.append(f"![{p}]({p})\n")
    with open(os.path.join(out_dir, "bench.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"meta": m, "stats": stats, "measurements": d.rows}, f, indent=1)
    print(f"report: {out_dir}/bench.md, results.json, {len(plots)} plots")


if __name__ == "__main__":
    main()
