"""The scores of core/scoring/kinds.py on whole arrays: every forecast of every question of a kind at once.

core/scoring/kinds.py defines the scores one forecast and one question at a time (its docstring has the
definitions, docs/scoring.md the worked examples). Scoring a database that way costs tens of microseconds
of Python per forecast; here the same formulas run as numpy operations over matrices of vectors (one row
per forecast), so `forecast score` on 100,000 continuous forecasts takes a fraction of a second. Tests
(tests/kinds/test_kind_arrays.py) check every function against its per-forecast counterpart.

Conventions: a choice question's outcome is its option index; a continuous question's is its PMF bucket
(0 below the range, 1..INBOUND_BUCKETS inside, INBOUND_BUCKETS + 1 above) with `u_o` its location on the
range scaled to [0, 1] (-1 below, 2 above, as score_continuous sets them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.core.kinds import INBOUND_BUCKETS
from forecast.core.scoring.brier import P_MAX, P_MIN
from forecast.core.scoring.calibration import bin_index
from forecast.core.scoring.kinds import BASELINE_OUT_OF_RANGE
from forecast.core.scoring.segments import LocalPrefix, starts_of

_GRID = np.linspace(0.0, 1.0, INBOUND_BUCKETS + 1)
_CHUNK = 8192  # rows of a CDF matrix per step of the CRPS: keeps the temporaries in cache-sized pieces


# ---- per forecast -------------------------------------------------------------------------------


def choice_rows(pmf: np.ndarray, outcome: np.ndarray) -> dict[str, np.ndarray]:
    """p_o, brier2, log and baseline of each row of `pmf` (forecasts x options) for its outcome index."""
    pmf = np.asarray(pmf, dtype=np.float64)
    rows = np.arange(len(pmf))
    n = pmf.shape[1]
    p_o = pmf[rows, outcome]
    diff = pmf.copy()
    diff[rows, outcome] -= 1.0
    clamped = np.clip(p_o, P_MIN, P_MAX)
    return {
        "p_o": p_o,
        "brier2": np.sum(diff * diff, axis=1),
        "log": np.log(clamped),
        "baseline": 100.0 * np.log(clamped * n) / np.log(n),
    }


def continuous_rows(cdf: np.ndarray, bucket: np.ndarray, u_o: np.ndarray, open_bounds: np.ndarray) -> dict[str, np.ndarray]:
    """p_o (the outcome bucket's mass), log, crps, baseline and pit of each row of `cdf` (forecasts x grid)."""
    cdf = np.asarray(cdf, dtype=np.float64)
    rows = np.arange(len(cdf))
    top = INBOUND_BUCKETS + 1
    inside = (bucket > 0) & (bucket < top)
    hi = np.where(bucket == top, 1.0, cdf[rows, np.minimum(bucket, INBOUND_BUCKETS)])
    lo = np.where(bucket == 0, 0.0, cdf[rows, np.maximum(bucket - 1, 0)])
    p_o = np.where(bucket == 0, cdf[:, 0], np.where(bucket == top, 1.0 - cdf[:, -1], hi - lo))
    with np.errstate(divide="ignore"):
        log = np.where(inside, np.log(INBOUND_BUCKETS * p_o), np.log(p_o))
        base = np.where(inside, (1.0 - BASELINE_OUT_OF_RANGE * open_bounds) / INBOUND_BUCKETS, BASELINE_OUT_OF_RANGE)
        baseline = 100.0 * np.log(p_o / base) / 2.0
    return {"p_o": p_o, "log": log, "crps": crps_rows(cdf, u_o), "baseline": baseline, "pit": pit_rows(cdf, bucket, u_o)}


def _piece(a: np.ndarray, b: np.ndarray, step, width) -> np.ndarray:
    """The integral of (g - step)^2 for g linear from a to b over `width`."""
    da, db = a - step, b - step
    return width * (da * da + da * db + db * db) / 3.0


def crps_rows(cdf: np.ndarray, u_o: np.ndarray) -> np.ndarray:
    """kinds.crps of each row for its outcome location: the grid's pieces, the one holding u_o split in two."""
    out = np.empty(len(cdf))
    width = 1.0 / INBOUND_BUCKETS
    for lo in range(0, len(cdf), _CHUNK):
        f = cdf[lo : lo + _CHUNK]
        u = u_o[lo : lo + _CHUNK]
        a, b = f[:, :-1], f[:, 1:]
        step = _GRID[None, :-1] >= u[:, None]  # H(u - u_o) on each piece, from its left end
        total = np.sum(_piece(a, b, step, width), axis=1)
        # the piece with g_j < u_o < g_j+1 was integrated with step 0 throughout: put its right part at step 1
        j = np.clip(np.floor(u * INBOUND_BUCKETS).astype(np.int64), 0, INBOUND_BUCKETS - 1)
        split = (u > _GRID[j]) & (u < _GRID[j + 1])
        if split.any():
            r = np.flatnonzero(split)
            uj, gj, gk = u[r], _GRID[j[r]], _GRID[j[r] + 1]
            fa, fb = f[r, j[r]], f[r, j[r] + 1]
            fm = fa + (fb - fa) * (uj - gj) / (gk - gj)
            total[r] += (-_piece(fa, fb, 0.0, gk - gj) + _piece(fa, fm, 0.0, uj - gj) + _piece(fm, fb, 1.0, gk - uj))
        out[lo : lo + _CHUNK] = total
    return out


def pit_rows(cdf: np.ndarray, bucket: np.ndarray, u_o: np.ndarray) -> np.ndarray:
    """kinds.pit of each row: F(outcome), the middle of the mass beyond a bound for an outcome beyond it."""
    rows = np.arange(len(cdf))
    x = np.clip(u_o, 0.0, 1.0) * INBOUND_BUCKETS
    k = np.minimum(np.floor(x).astype(np.int64), INBOUND_BUCKETS - 1)
    fa, fb = cdf[rows, k], cdf[rows, k + 1]
    inside = fa + (fb - fa) * (x - k)
    return np.where(bucket == 0, cdf[:, 0] / 2.0, np.where(bucket == INBOUND_BUCKETS + 1, (1.0 + cdf[:, -1]) / 2.0, inside))


# ---- over time ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PairScores:
    """Time-weighted scores per (question, forecaster) pair, and which forecasts stood (the spans)."""

    q: np.ndarray  # per pair: question index
    f: np.ndarray  # per pair: forecaster code
    n_forecasts: np.ndarray
    coverage: np.ndarray  # standing time over the window (opens to the actual end), as binary coverage is
    values: dict[str, np.ndarray]  # each per-forecast value averaged over the pair's standing time
    baseline: np.ndarray
    peer: np.ndarray
    span_row: np.ndarray  # per span: the forecast (index into the input rows) that stood
    span_pair: np.ndarray  # per span: its pair
    span_weight: np.ndarray  # per span: its share of the pair's standing time
    span_last: np.ndarray  # per span: whether it is the pair's last (the one standing at the end)
    span_horizon: np.ndarray  # per span: its standing time over the scheduled horizon (what baseline weighs)


def time_weighted(q: np.ndarray, f: np.ndarray, t: np.ndarray, tie: np.ndarray, *, opens: np.ndarray,
                  closes: np.ndarray, resolved_at: np.ndarray, p_o: np.ndarray, values: dict[str, np.ndarray],
                  baseline: np.ndarray, clamp: bool, halve: bool) -> PairScores:  # fmt: skip
    """score_choice (clamp, not halve) or score_continuous (halve, not clamp) over many questions at once.

    q, f, t, tie: per forecast, its question index (into opens/closes/resolved_at), forecaster code, time
    made, and the order among one forecaster's forecasts at one instant (the later stands, as the later
    one in the list does for kinds.score_choice).
    """
    q, f, t, tie = (np.asarray(a, dtype=np.int64) for a in (q, f, t, tie))
    order = np.lexsort((tie, t, f, q))
    qs, fs, ts = q[order], f[order], t[order]
    same_next = np.zeros(len(order), dtype=bool)
    if len(order) > 1:
        same_next[:-1] = (qs[1:] == qs[:-1]) & (fs[1:] == fs[:-1])
    nxt = np.append(ts[1:], 0)
    close = np.minimum(closes, resolved_at)[qs]
    start = np.maximum(ts, opens[qs])
    stop = np.where(same_next, np.minimum(nxt, close), close)
    keep = stop > start
    rows, sq, sf, start, stop = order[keep], qs[keep], fs[keep], start[keep], stop[keep]
    horizon = (closes - opens).astype(np.float64)[sq]
    d = (stop - start).astype(np.float64)
    p = p_o[rows]
    logs = np.log(np.clip(p, P_MIN, P_MAX) if clamp else p)
    peer = _peer(sq, start, stop, logs, horizon) * (0.5 if halve else 1.0)

    first = np.flatnonzero(starts_of(sq, sf))
    span_pair = np.cumsum(starts_of(sq, sf)) - 1 if len(sq) else np.zeros(0, np.int64)
    n_pairs = len(first)

    def total(v: np.ndarray) -> np.ndarray:
        return np.add.reduceat(v, first) if n_pairs else np.zeros(0)

    d_sum = total(d)
    h = horizon[first] if n_pairs else np.zeros(0)
    # kinds.ForecasterScore.coverage is over the scheduled horizon; here it is the binary engine's, over the
    # window that was actually open (docs/scoring.md), so the `coverage` columns of all kinds mean one thing
    window = (close[keep] - opens[sq]).astype(np.float64)[first] if n_pairs else np.zeros(0)
    last = np.zeros(len(sq), dtype=bool)
    if n_pairs:
        last[np.append(first[1:], len(sq)) - 1] = True
    return PairScores(
        q=sq[first], f=sf[first], n_forecasts=np.diff(np.append(first, len(sq))), coverage=d_sum / window,
        values={k: total(v[rows] * d) / d_sum for k, v in values.items()}, baseline=total(baseline[rows] * d) / h,
        peer=total(peer), span_row=rows, span_pair=span_pair, span_weight=d / d_sum[span_pair] if n_pairs else d,
        span_last=last, span_horizon=d / horizon,
    )  # fmt: skip


def _peer(q: np.ndarray, start: np.ndarray, stop: np.ndarray, logs: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """Metaculus's peer score of each span: 100 n/(n-1) (ln p - mean ln p) over the instants it stands with n >= 2.

    The standing set only changes at a span's start or stop (a cut); between two cuts of a question it is
    constant, so n and sum ln p there are running sums of +-1 and +-ln p over the question's cuts, and a
    span's score is ln p times the sum of n/(n-1) dt/h over its cuts minus the sum of (sum ln p)/(n-1) dt/h.
    """
    m = len(q)
    if m == 0:
        return np.zeros(0)
    cq = np.concatenate((q, q))
    ct = np.concatenate((start, stop))
    order = np.lexsort((ct, cq))
    distinct = starts_of(cq[order], ct[order])
    cut_of = np.empty(2 * m, dtype=np.int64)
    cut_of[order] = np.cumsum(distinct) - 1
    n_cuts = int(distinct.sum())
    cut_q, cut_t = cq[order][distinct], ct[order][distinct]
    dn = np.bincount(cut_of, weights=np.concatenate((np.ones(m), -np.ones(m))), minlength=n_cuts)
    dl = np.bincount(cut_of, weights=np.concatenate((logs, -logs)), minlength=n_cuts)
    first = starts_of(cut_q)
    n = np.rint(np.cumsum(dn)).astype(np.int64)  # integers: exact, back to 0 at every question's last cut
    s = LocalPrefix(dl, first).inclusive
    dt = np.zeros(n_cuts)
    same = cut_q[1:] == cut_q[:-1]
    dt[:-1] = np.where(same, (cut_t[1:] - cut_t[:-1]).astype(np.float64), 0.0)
    h = np.zeros(n_cuts)
    h[cut_of[:m]] = horizon
    h[cut_of[m:]] = horizon
    crowd = n >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(crowd, n / (n - 1) * dt / h, 0.0)
        b = np.where(crowd, s / (n - 1) * dt / h, 0.0)
    sa, sb = LocalPrefix(a, first), LocalPrefix(b, first)
    i, j = cut_of[:m], cut_of[m:]
    return 100.0 * (logs * sa.between(i, j) - sb.between(i, j))


# ---- calibration --------------------------------------------------------------------------------


def unit_weights(pairs: PairScores, unit: str) -> np.ndarray:
    """What each span weighs in calibration: its share of its pair's time (time), 1 (forecast), or 1 for
    the pair's final forecast only (final): the binary engine's units."""
    if unit == "time":
        return pairs.span_weight
    if unit == "forecast":
        return np.ones(len(pairs.span_row))
    return pairs.span_last.astype(np.float64)


def weighted_bins(group: np.ndarray, p: np.ndarray, hit: np.ndarray, w: np.ndarray, n_groups: int,
                  n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(count, weight, sum w p, sum w hit) per (group, bin), each n_groups x n_bins; zero weights left out."""
    on = w > 0
    key = group[on] * n_bins + bin_index(p[on], n_bins)
    size = n_groups * n_bins

    def agg(x):
        return np.bincount(key, weights=x, minlength=size).reshape(n_groups, n_bins)

    return agg(np.ones(int(on.sum()))), agg(w[on]), agg(w[on] * p[on]), agg(w[on] * hit[on])


EXACT_KS_GROUPS = 100  # up to this many groups get exact p-values; kstwo.sf costs up to 1-2 ms per group


def ks_uniform(group: np.ndarray, values: np.ndarray, n_groups: int,
               exact: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """kinds.pit_uniformity of each group's values at once: (n, KS statistic, p-value), NaN for an empty group.

    D = max_i max(i/n - x_(i), x_(i) - (i-1)/n) over each group's sorted values, and the p-value is
    scipy's kstwo.sf(D, n), as kstest computes them (its "exact" mode, which it always picks), one
    vectorised call instead of one kstest per forecaster. `exact=False`: the asymptotic Kolmogorov
    distribution with Stephens' small-sample correction, kstwobign.sf(D (sqrt n + 0.12 + 0.11 / sqrt n)),
    within about 0.02 of the exact p-value and a thousand times cheaper.
    """
    n = np.bincount(group, minlength=n_groups)
    d = np.full(n_groups, np.nan)
    p = np.full(n_groups, np.nan)
    if len(values) == 0:
        return n, d, p
    order = np.lexsort((values, group))
    g, x = group[order], values[order]
    first = np.flatnonzero(starts_of(g))
    rank = np.arange(len(x)) - np.repeat(first, np.diff(np.append(first, len(x))))  # 0-based within the group
    size = n[g].astype(np.float64)
    gap = np.maximum((rank + 1) / size - x, x - rank / size)
    present = g[first]
    d[present] = np.maximum.reduceat(gap, first)
    if exact:
        from scipy.stats import kstwo

        p[present] = np.clip(kstwo.sf(d[present], n[present]), 0.0, 1.0)
    else:
        from scipy.stats import kstwobign

        root = np.sqrt(n[present])
        p[present] = np.clip(kstwobign.sf(d[present] * (root + 0.12 + 0.11 / root)), 0.0, 1.0)
    return n, d, p


__all__ = [
    "PairScores",
    "choice_rows",
    "continuous_rows",
    "crps_rows",
    "ks_uniform",
    "pit_rows",
    "time_weighted",
    "unit_weights",
    "weighted_bins",
]
