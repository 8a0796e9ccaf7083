"""Brier and log scores of single forecasts, and time-weighting over a forecaster's span."""

from __future__ import annotations

import numpy as np

# Log-based scores (log score, baseline, peer, geometric aggregates, logit regressions) clamp p here,
# as Metaculus bounds binary forecasts, so that 0 and 1 give finite scores.
P_MIN, P_MAX = 0.001, 0.999


def brier(p: np.ndarray, o: np.ndarray) -> np.ndarray:
    """(p - o)^2 on the 0-1 scale; `brier2` is twice this (the 0-2 scale of GJOpen and Fatebook)."""
    return (p - o) ** 2


def clamp(p: np.ndarray) -> np.ndarray:
    return np.clip(p, P_MIN, P_MAX)


def outcome_prob(p: np.ndarray, o: np.ndarray) -> np.ndarray:
    """The clamped probability given to what happened."""
    pc = clamp(p)
    return np.where(o == 1.0, pc, 1.0 - pc)


def outcome_log_prob(p: np.ndarray, o: np.ndarray) -> np.ndarray:
    return np.log(outcome_prob(p, o))


def p_logit(p: np.ndarray) -> np.ndarray:
    pc = clamp(p)
    return np.log(pc) - np.log1p(-pc)


def expit(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def time_weighted(values: np.ndarray, weights: np.ndarray, first_idx: np.ndarray) -> np.ndarray:
    """Per segment: sum(values * weights) / sum(weights); segments start at `first_idx`."""
    if len(first_idx) == 0:
        return np.zeros(0)
    return np.add.reduceat(values * weights, first_idx) / np.add.reduceat(weights, first_idx)
