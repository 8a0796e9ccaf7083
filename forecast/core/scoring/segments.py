"""Helpers for arrays sorted into contiguous segments (one per question, per pair, ...)."""

from __future__ import annotations

import numpy as np


def starts_of(*keys: np.ndarray) -> np.ndarray:
    """Boolean flags marking the first element of each run of equal keys (keys already sorted)."""
    n = len(keys[0])
    flags = np.ones(n, dtype=bool)
    if n > 1:
        change = np.zeros(n - 1, dtype=bool)
        for k in keys:
            change |= k[1:] != k[:-1]
        flags[1:] = change
    return flags


def last_of(first_idx: np.ndarray, n: int) -> np.ndarray:
    """Index of the last element of each segment, given the segments' first indices."""
    if len(first_idx) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.append(first_idx[1:], n) - 1


def segment_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum restarting at each `first` flag.

    Accumulates in extended precision so that long arrays do not leak rounding error across segments.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.float64)
    total = np.cumsum(values, dtype=np.longdouble)
    before = total - values
    offset = np.maximum.accumulate(np.where(first, np.arange(len(values)), 0))
    return (total - before[offset]).astype(np.float64)


def int_segment_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Exact inclusive cumulative sum of integers restarting at each `first` flag."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    total = np.cumsum(values, dtype=np.int64)
    before = total - values
    offset = np.maximum.accumulate(np.where(first, np.arange(len(values)), 0))
    return total - before[offset]


def prefix(values: np.ndarray) -> np.ndarray:
    """Exclusive prefix sums of length len + 1 (extended precision), so a range sum is P[b] - P[a]."""
    out = np.zeros(len(values) + 1, dtype=np.longdouble)
    np.cumsum(values, dtype=np.longdouble, out=out[1:])
    return out


def range_sum(pre: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (pre[b] - pre[a]).astype(np.float64)


def sums(values: np.ndarray, first_idx: np.ndarray) -> np.ndarray:
    """Sum of each segment, segments starting at `first_idx` (sorted, non-empty segments)."""
    if len(first_idx) == 0:
        return np.zeros(0, dtype=np.float64)
    return np.add.reduceat(values, first_idx)
