"""Metaculus baseline and peer scores for binary questions.

They follow `evaluate_forecasts_baseline_accuracy` and `evaluate_forecasts_peer_accuracy` in
scoring/score_math.py of the Metaculus repository:
- a forecast counts from max(made_at, opens_at) until it is replaced or the question's actual close
  (end = min(closes_at, resolved_at)), and is weighted by that span over the *scheduled* duration
  closes_at - opens_at, so an early resolution leaves the rest of the horizon unscored;
- baseline: 100 * log2(2 * p_o) for the probability p_o given to the outcome;
- peer: between consecutive events, with n forecasters standing (own included) and GM the geometric
  mean of their p_o, 100 * n / (n - 1) * ln(p_o / GM), and 0 while n = 1.
Probabilities are clamped to [0.001, 0.999] first (Metaculus bounds binary forecasts the same way).
`peer_outside_crowd` is the scoring of one forecaster against a crowd they are not part of for any kind,
from what each forecast gave the outcome (the score comparison of services/tracker_scores.py uses it for
bots on choice, numeric and date questions).
"""

from __future__ import annotations

import numpy as np


def baseline(lnpo: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Each forecast's baseline score, weighted by h, its standing time as a share of the horizon."""
    return 100.0 * (lnpo / np.log(2.0) + 1.0) * h


def peer_terms(ev_n: np.ndarray, ev_slog: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per event: A = n/(n-1) * w and B = S/(n-1) * w, with w = length / horizon and S = sum ln p_o.

    A forecast standing over some events then scores 100 * (ln p_o * sum A - sum B), which is the sum
    of 100 * n/(n-1) * ln(p_o / GM) * w; both are 0 while n = 1.
    """
    crowd = ev_n > 1
    denom = np.where(crowd, ev_n - 1, 1).astype(np.float64)
    return np.where(crowd, ev_n / denom * w, 0.0), np.where(crowd, ev_slog / denom * w, 0.0)


def peer(lnpo: np.ndarray, sum_a: np.ndarray, sum_b: np.ndarray) -> np.ndarray:
    """Each forecast's peer score, already weighted by its share of the horizon."""
    return 100.0 * (lnpo * sum_a - sum_b)


def peer_against_crowd(
    own: list[tuple[int, float]],
    crowd: list[tuple[str, int, float]],
    *, opens: int, close: int, horizon_end: int, outcome: float,
) -> tuple[float, float]:  # fmt: skip
    """(peer score, coverage) of one forecaster scored against a crowd they are not part of.

    Metaculus scores bots on questions that leave bots out of the crowd this way: the geometric mean and
    the n of `100 * n / (n - 1) * ln(p_o / GM)` are the crowd's alone (`evaluate_forecasts_peer_accuracy`
    with `base_forecasts` that exclude bots, scoring/score_math.py lines 152-230 and 365-370). `own` are
    the forecaster's (t, p) and `crowd` the others' (name, t, p); each forecast stands until the same
    forecaster's next one. Times are in any one unit; `close` = min(closes, resolved_at).
    """

    def p_o(p: float) -> float:
        p = float(np.clip(p, 0.001, 0.999))
        return p if outcome == 1.0 else 1.0 - p

    return peer_outside_crowd([(t, p_o(p)) for t, p in own], [(who, t, p_o(p)) for who, t, p in crowd],
                              opens=opens, close=close, horizon_end=horizon_end)  # fmt: skip


def peer_outside_crowd(
    own: list[tuple[int, float]],
    crowd: list[tuple[str, int, float]],
    *, opens: int, close: int, horizon_end: int, halve: bool = False,
) -> tuple[float, float]:  # fmt: skip
    """`peer_against_crowd` for any kind: each forecast as p_o, what it gave the outcome (a choice
    question's option probability, a continuous question's bucket mass), so the GM is that of the crowd's
    p_o, as picking the bucket of scipy's gmean of whole PMFs is. `halve`: a continuous question's peer
    score is half the binary formula (score_math.py lines 195-196)."""

    def spans(rows: list[tuple[str, int, float]]) -> list[tuple[int, int | None, float]]:
        rows = sorted(rows, key=lambda r: (r[0], r[1]))
        out = []
        for i, (who, t, p) in enumerate(rows):
            nxt = rows[i + 1][1] if i + 1 < len(rows) and rows[i + 1][0] == who else None
            out.append((t, nxt, p))
        return [s for s in out if s[1] is None or s[1] > s[0]]

    crowd_spans = spans(crowd)
    steps = sorted({t for t, _e, _p in crowd_spans} | {e for _t, e, _p in crowd_spans if e is not None})
    gms = []  # (timestamp, GM of p_o, n) as get_geometric_means builds them, lines 28-50
    for step in steps:
        standing = [p for t, e, p in crowd_spans if t <= step and (e is None or e > step)]
        if standing:
            n = len(standing)
            gms.append((max(step, opens), float(np.exp(np.mean(np.log(standing)))), n if n > 1 else 0))
    total = horizon_end - opens
    times = [g[0] for g in gms if g[0] < close] + [close]
    score = coverage = 0.0
    for t, end, p_o in spans([("", t, p) for t, p in own]):
        start, stop = max(t, opens), close if end is None else min(end, close)
        if stop - start <= 0:
            continue
        for i in range(len(times) - 1):
            ts, gm, n = gms[i]
            if start <= ts < stop:
                part = (times[i + 1] - times[i]) / total
                interval = 100.0 * (n / (n - 1) if n else 0.0) * np.log(p_o / gm)
                if halve:
                    interval /= 2
                score += interval * part
                coverage += part
    return float(score), float(coverage)
