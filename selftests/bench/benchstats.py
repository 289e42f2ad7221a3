# SPDX-License-Identifier: GPL-2.0
"""The benchmark's statistics: medians with distribution-free intervals,
ratios to C `default` with bootstrap intervals and permutation p-values,
and the verdict of a target judged on an interval.

Host side, in the tools venv (numpy, scipy); selftests/bench/test_report.py
checks it.
"""

import math

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
RESAMPLES = 9999
# Every bootstrap and permutation test starts from this seed: the same
# measurements always give the same report.
SEED = 20261204
# A resample whose C median is 0 has no finite ratio; it is given this
# value, and a bound at or above UNBOUNDED is reported as infinite.
_NO_RATIO = 1e12
UNBOUNDED = 1e6

MET, MISSED, INCONCLUSIVE = "MET", "MISSED", "INCONCLUSIVE"


def median(values):
    return float(np.median(values)) if len(values) else None


def order_coverage(n, j):
    """Probability that [x(j), x(n-1-j)] (0-based order statistics of n
    values) covers the population median: P(j < B <= n-1-j), B ~ Bin(n, 1/2)."""
    return float(stats.binom.cdf(n - 1 - j, n, 0.5) - stats.binom.cdf(j, n, 0.5))


def median_ci(values):
    """(median, low, high, coverage): the narrowest interval of order
    statistics that covers the median with at least 95%; with too few
    values for that, the whole range and its real coverage."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return None
    if n == 1:
        return xs[0], xs[0], xs[0], 0.0
    best = (0, order_coverage(n, 0))
    for j in range(1, n // 2):
        cover = order_coverage(n, j)
        if cover < CONFIDENCE:
            break
        best = (j, cover)
    j, cover = best
    return median(xs), xs[j], xs[n - 1 - j], cover


def level(n):
    """The confidence level the intervals of a cell with n repetitions
    get: 95%, or, when n is too small for a 95% order-statistic interval
    of the median, that interval's real coverage (75% for n = 3)."""
    if n < 2:
        return 0.0
    return min(CONFIDENCE, order_coverage(n, 0))


def label(coverage):
    """How an interval is named in tables and plots."""
    if coverage <= 0:
        return "no interval (one value)"
    if coverage >= CONFIDENCE:
        return "95% CI"
    return f"{coverage * 100:.3g}% interval"


def _ratio_of_medians(ours, base, axis=-1):
    num = np.median(ours, axis=axis)
    den = np.median(base, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = num / den
    # 0 / 0: no difference; x / 0: no finite ratio.
    return np.where(den != 0, r, np.where(num == 0, 1.0, _NO_RATIO))


def _difference_of_medians(a, b, axis=-1):
    return np.median(a, axis=axis) - np.median(b, axis=axis)


def compare(ours, base, coverage=None):
    """Ours against C `default`, two independent samples.

    Returns a dict: median and median_base, ratio (of the medians, None
    when C's median is 0),
    low/high (bootstrap percentile interval of that ratio, at `coverage`,
    by default level(min(n))), coverage, p (two-sided permutation test of
    the difference of the medians), n and n_base."""
    x = np.asarray(ours, dtype=float)
    y = np.asarray(base, dtype=float)
    out = {"ratio": None, "low": None, "high": None, "coverage": 0.0, "p": None,
           "n": len(x), "n_base": len(y), "median": median(x), "median_base": median(y)}
    if len(x) == 0 or len(y) == 0:
        return out
    my = out["median_base"]
    if my != 0:
        out["ratio"] = float(np.median(x)) / my
    if len(x) < 2 or len(y) < 2:
        return out
    cover = coverage if coverage is not None else level(min(len(x), len(y)))
    out["coverage"] = cover
    if my != 0:
        res = stats.bootstrap((x, y), _ratio_of_medians, n_resamples=RESAMPLES,
                              paired=False, vectorized=True, axis=-1,
                              confidence_level=cover, method="percentile",
                              rng=np.random.default_rng(SEED))
        low, high = (float(v) for v in res.confidence_interval)
        out["low"] = math.inf if low >= UNBOUNDED else low
        out["high"] = math.inf if high >= UNBOUNDED else high
    perm = stats.permutation_test((x, y), _difference_of_medians,
                                  permutation_type="independent",
                                  alternative="two-sided", n_resamples=RESAMPLES,
                                  vectorized=True, axis=-1,
                                  rng=np.random.default_rng(SEED))
    out["p"] = float(perm.pvalue)
    return out


def verdict(low, high, op, bound):
    """A target judged on an interval: for ">=", MET when the whole
    interval is at or above the bound, MISSED when it is wholly below,
    INCONCLUSIVE otherwise (or without an interval); "<=" mirrors it."""
    if low is None or high is None:
        return INCONCLUSIVE
    if op == ">=":
        if low >= bound:
            return MET
        if high < bound:
            return MISSED
    elif op == "<=":
        if high <= bound:
            return MET
        if low > bound:
            return MISSED
    else:
        raise ValueError(op)
    return INCONCLUSIVE


def any_of(verdicts):
    """Met when one is met; missed when all are missed."""
    verdicts = list(verdicts)
    if MET in verdicts:
        return MET
    if verdicts and all(v == MISSED for v in verdicts):
        return MISSED
    return INCONCLUSIVE


def all_of(verdicts):
    """Met when all are met; missed when one is missed."""
    verdicts = list(verdicts)
    if not verdicts:
        return INCONCLUSIVE
    if MISSED in verdicts:
        return MISSED
    if all(v == MET for v in verdicts):
        return MET
    return INCONCLUSIVE


def percentile(values, q):
    return float(np.percentile(values, q)) if len(values) else None
