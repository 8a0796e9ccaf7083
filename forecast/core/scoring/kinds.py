"""Scores of choice, numeric and date questions, per forecast and time-weighted per forecaster.

Every score is a function of the forecast's probability vector over the question's buckets (the
options of a choice question; for a continuous one the PMF of its CDF: below the range, the
INBOUND_BUCKETS inbound buckets, above) and the bucket the outcome fell in:

- brier: half the multi-category Brier score, sum_i (p_i - o_i)^2 / 2, so that it is on the binary
  0-1 scale (a two-option question scores exactly as the binary one); brier2 is the sum itself (0-2).
  Choice questions only.
- log: ln p_o, the natural log of the probability given to the outcome (clamped to [0.001, 0.999] as
  for binary). Continuous: ln pdf(outcome), the density on the range scaled to [0, 1], i.e.
  ln(INBOUND_BUCKETS * p_o); outside the range, ln of the mass beyond the bound, "scored like a
  binary question" (Metaculus scores FAQ).
- crps: the continuous ranked probability score, the integral over u in [0, 1] of (F(u) - 1{u >= u_o})^2
  for the piecewise-linear CDF F (range units: a fraction of the range, 0 best). Continuous only.
- baseline and peer: Metaculus's definitions (scoring/score_math.py, evaluate_forecasts_baseline_accuracy
  and evaluate_forecasts_peer_accuracy): choice 100 ln(n p_o) / ln n with n options; continuous
  100 ln(p_o / b) / 2 with b = 0.05 for an out-of-range bucket and (1 - 0.05 * open bounds) / buckets
  inside; peer 100 n/(n-1) ln(p_o / GM) (halved for continuous) against the geometric mean of the
  standing forecasts' p_o. Both are weighted by standing time over the scheduled horizon (so coverage
  counts), as for binary questions.

Time weighting is the binary engine's: a forecast stands from max(made, opens) until the same
forecaster's next one or the question's actual close, min(closes, resolved_at); brier, log and crps are
averages over the forecaster's standing time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forecast.core.kinds import INBOUND_BUCKETS, ContinuousRange
from forecast.core.scoring.brier import P_MAX, P_MIN

BASELINE_OUT_OF_RANGE = 0.05


@dataclass(frozen=True, slots=True)
class KindForecast:
    forecaster: str
    t: int  # made at, any one time unit shared with the question's times
    pmf: np.ndarray  # probability per bucket (choice: per option; continuous: to_pmf(cdf))


@dataclass(frozen=True, slots=True)
class ForecasterScore:
    forecaster: str
    n_forecasts: int
    coverage: float  # standing time over the scheduled horizon
    log: float
    baseline: float
    peer: float
    brier: float | None = None  # choice questions
    brier2: float | None = None
    crps: float | None = None  # continuous questions


# ---- per forecast -------------------------------------------------------------------------------


def choice_brier2(pmf: np.ndarray, outcome: int) -> float:
    o = np.zeros(len(pmf))
    o[outcome] = 1.0
    return float(np.sum((np.asarray(pmf) - o) ** 2))


def choice_log(pmf: np.ndarray, outcome: int) -> float:
    return math.log(min(max(float(pmf[outcome]), P_MIN), P_MAX))


def choice_baseline(pmf: np.ndarray, outcome: int) -> float:
    n = len(pmf)
    return 100.0 * math.log(min(max(float(pmf[outcome]), P_MIN), P_MAX) * n) / math.log(n)


def continuous_log(pmf: np.ndarray, bucket: int) -> float:
    p = float(pmf[bucket])
    return math.log(p) if bucket in (0, len(pmf) - 1) else math.log(INBOUND_BUCKETS * p)


def continuous_baseline(pmf: np.ndarray, bucket: int, rng: ContinuousRange) -> float:
    if bucket in (0, len(pmf) - 1):
        base = BASELINE_OUT_OF_RANGE
    else:
        base = (1.0 - BASELINE_OUT_OF_RANGE * rng.open_bounds) / (len(pmf) - 2)
    return 100.0 * math.log(float(pmf[bucket]) / base) / 2.0


def crps(cdf: np.ndarray, u_outcome: float) -> float:
    """Exact integral over [0, 1] of (F(u) - H(u - u_o))^2 for F linear between the grid points."""
    cdf = np.asarray(cdf, dtype=np.float64)
    grid = np.linspace(0.0, 1.0, len(cdf))
    knots = np.union1d(grid, [min(max(u_outcome, 0.0), 1.0)])
    f = np.interp(knots, grid, cdf)
    a, b = f[:-1], f[1:]
    width = np.diff(knots)
    step = (knots[:-1] >= u_outcome).astype(np.float64)  # H is constant on each piece
    # the integral of (g - s)^2 for g linear from a to b over the piece: width * (A^2 + AB + B^2) / 3
    da, db = a - step, b - step
    return float(np.sum(width * (da * da + da * db + db * db) / 3.0))


def pit(cdf: np.ndarray, rng: ContinuousRange, outcome: float | str) -> float:
    """The probability integral transform F(outcome); the middle of the mass at a bound's edge."""
    from forecast.core.kinds import ABOVE, BELOW

    cdf = np.asarray(cdf, dtype=np.float64)
    if outcome == BELOW:
        return float(cdf[0]) / 2.0
    if outcome == ABOVE:
        return (1.0 + float(cdf[-1])) / 2.0
    u = rng.unscaled(float(outcome))
    if u < 0:
        return float(cdf[0]) / 2.0
    if u > 1:
        return (1.0 + float(cdf[-1])) / 2.0
    return float(np.interp(u, np.linspace(0.0, 1.0, len(cdf)), cdf))


def pit_uniformity(values: Sequence[float]) -> tuple[float, float]:
    """(KS statistic, p-value) of PIT values against the uniform distribution on [0, 1]."""
    from scipy.stats import kstest

    result = kstest(np.asarray(values, dtype=np.float64), "uniform")
    return float(result.statistic), float(result.pvalue)


# ---- over time ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Span:
    forecaster: str
    start: int
    stop: int
    p_o: float
    forecast: KindForecast


def _spans(forecasts: Sequence[KindForecast], bucket: int, opens: int, close: int) -> list[_Span]:
    """Standing spans; among forecasts at the same instant by one forecaster the later one in the list stands."""
    order = sorted(range(len(forecasts)), key=lambda i: (forecasts[i].forecaster, forecasts[i].t, i))
    out = []
    for pos, i in enumerate(order):
        f = forecasts[i]
        nxt = forecasts[order[pos + 1]] if pos + 1 < len(order) else None
        end = nxt.t if nxt is not None and nxt.forecaster == f.forecaster else None
        start = max(f.t, opens)
        stop = close if end is None else min(end, close)
        if stop > start:
            out.append(_Span(f.forecaster, start, stop, float(f.pmf[bucket]), f))
    return out


def _peer(spans: list[_Span], clamp, horizon: float, halve: bool) -> dict[int, float]:
    """Metaculus's peer score per span (keyed by position), from the crowd's geometric means."""
    cuts = sorted({s.start for s in spans} | {s.stop for s in spans})
    out = dict.fromkeys(range(len(spans)), 0.0)
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        standing = [k for k, s in enumerate(spans) if s.start <= lo < s.stop]
        n = len(standing)
        if n < 2:
            continue
        logs = {k: math.log(clamp(spans[k].p_o)) for k in standing}
        mean_log = sum(logs.values()) / n
        for k in standing:
            term = 100.0 * n / (n - 1) * (logs[k] - mean_log) * (hi - lo) / horizon
            out[k] += term / 2.0 if halve else term
    return out


def _by_forecaster(spans: list[_Span], values: dict[str, list[float]], baseline: list[float], peer: dict[int, float],
                   horizon: float) -> list[ForecasterScore]:  # fmt: skip
    names = sorted({s.forecaster for s in spans})
    out = []
    for name in names:
        mine = [k for k, s in enumerate(spans) if s.forecaster == name]
        d = np.array([spans[k].stop - spans[k].start for k in mine], dtype=np.float64)

        def avg(key: str) -> float | None:
            if key not in values:
                return None
            return float(np.sum(np.array([values[key][k] for k in mine]) * d) / d.sum())

        out.append(
            ForecasterScore(
                forecaster=name,
                n_forecasts=len({id(spans[k].forecast) for k in mine}),
                coverage=float(d.sum() / horizon),
                log=avg("log"),
                baseline=float(sum(baseline[k] * (spans[k].stop - spans[k].start) / horizon for k in mine)),
                peer=float(sum(peer[k] for k in mine)),
                brier=None if "brier2" not in values else avg("brier2") / 2.0,
                brier2=avg("brier2"),
                crps=avg("crps"),
            )
        )
    return out


def score_choice(forecasts: Sequence[KindForecast], *, opens: int, closes: int, resolved_at: int,
                 outcome: int) -> list[ForecasterScore]:  # fmt: skip
    """Time-weighted scores of each forecaster on one resolved choice question (`outcome`: option index)."""
    close = min(closes, resolved_at)
    horizon = float(closes - opens)
    spans = _spans(forecasts, outcome, opens, close)
    values = {
        "brier2": [choice_brier2(s.forecast.pmf, outcome) for s in spans],
        "log": [choice_log(s.forecast.pmf, outcome) for s in spans],
    }
    baseline = [choice_baseline(s.forecast.pmf, outcome) for s in spans]
    peer = _peer(spans, lambda p: min(max(p, P_MIN), P_MAX), horizon, halve=False)
    return _by_forecaster(spans, values, baseline, peer, horizon)


def score_continuous(forecasts: Sequence[KindForecast], rng: ContinuousRange, *, opens: int, closes: int,
                     resolved_at: int, outcome: float | str) -> list[ForecasterScore]:  # fmt: skip
    """Time-weighted scores on one resolved numeric or date question; `pmf` of each forecast from its CDF."""
    bucket = rng.bucket(outcome)
    u_o = {0: -1.0, INBOUND_BUCKETS + 1: 2.0}.get(bucket)
    if u_o is None:
        u_o = rng.unscaled(float(outcome))
    close = min(closes, resolved_at)
    horizon = float(closes - opens)
    spans = _spans(forecasts, bucket, opens, close)
    values = {
        "log": [continuous_log(s.forecast.pmf, bucket) for s in spans],
        "crps": [crps(np.cumsum(s.forecast.pmf)[:-1], u_o) for s in spans],
    }
    baseline = [continuous_baseline(s.forecast.pmf, bucket, rng) for s in spans]
    peer = _peer(spans, lambda p: p, horizon, halve=True)
    return _by_forecaster(spans, values, baseline, peer, horizon)


def choice_calibration(pmfs: Sequence[np.ndarray], outcomes: Sequence[int], bin_width: float = 0.1) -> list[dict]:
    """Per-option reliability: every (forecast, option) is a binary forecast that the option wins."""
    from forecast.core.scoring.calibration import bin_index

    n_bins = round(1.0 / bin_width)
    counts = np.zeros(n_bins)
    hits = np.zeros(n_bins)
    sums = np.zeros(n_bins)
    for pmf, outcome in zip(pmfs, outcomes, strict=True):
        for i, p in enumerate(pmf):
            b = int(bin_index(np.float64(p), n_bins))  # the binary bins' rule: 0.3 starts [0.3, 0.4)
            counts[b] += 1
            sums[b] += p
            hits[b] += 1.0 if i == outcome else 0.0
    return [
        {"bin": i, "n": int(counts[i]), "mean_p": sums[i] / counts[i], "observed": hits[i] / counts[i]}
        for i in range(n_bins)
        if counts[i]
    ]


__all__ = [
    "ForecasterScore",
    "KindForecast",
    "choice_baseline",
    "choice_brier2",
    "choice_calibration",
    "choice_log",
    "continuous_baseline",
    "continuous_log",
    "crps",
    "pit",
    "pit_uniformity",
    "score_choice",
    "score_continuous",
]
