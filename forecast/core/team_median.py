"""The team median: one definition for the questions table, the sparklines, the detail chart and scoring.

Each forecaster's latest forecast stands; the median of n standing forecasts is the mean of the order
statistics at (n - 1) // 2 and n // 2. `middle` gives those two apart, because the scoring engine takes
medians of monotone transforms (a Brier score given the outcome) from them (core/scoring/medians.py).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Hashable, Iterable, Sequence

import numpy as np


def middle(ordered: Sequence[float]) -> tuple[float, float]:
    """The lower and upper middle values of a non-empty sequence in ascending order."""
    n = len(ordered)
    return ordered[(n - 1) // 2], ordered[n // 2]


def median(values: Iterable[float]) -> float:
    """The median of the values (NaN for none)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    lo, hi = middle(ordered)
    return (lo + hi) / 2.0


class RunningMedian:
    """The team median as forecasts arrive in time order: a forecaster's new forecast replaces their last."""

    def __init__(self) -> None:
        self._standing: dict[Hashable, float] = {}
        self._ordered: list[float] = []

    def update(self, forecaster: Hashable, p: float) -> float:
        """Record `forecaster`'s forecast `p`; the median of the forecasts standing after it."""
        old = self._standing.get(forecaster)
        if old is not None:
            del self._ordered[bisect_left(self._ordered, old)]
        self._standing[forecaster] = p
        insort(self._ordered, p)
        return self.value

    @property
    def value(self) -> float:
        if not self._ordered:
            return float("nan")
        lo, hi = middle(self._ordered)
        return (lo + hi) / 2.0

    def __len__(self) -> int:
        return len(self._ordered)


def grouped_medians(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each distinct key, in ascending order: the key, how many values it has, and their median."""
    if len(keys) == 0:
        return keys[:0], np.zeros(0, dtype=np.int64), np.zeros(0)
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    return k[starts], sizes, (v[starts + (sizes - 1) // 2] + v[starts + sizes // 2]) / 2.0
