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
