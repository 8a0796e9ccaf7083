"""Helpers for arrays sorted into contiguous segments (one per question, per pair, ...)."""

from __future__ import annotations

import numpy as np


def distinct(a: np.ndarray) -> np.ndarray:
    """The sorted distinct values of `a`, as `np.unique(a)` computes them (sort, keep each first of a run):
    numpy 2.4's `np.unique` without return_* options imports numpy.ma on its first call, 40 ms of a command."""
    s = np.sort(a)
    if len(s) < 2:
        return s
    return s[np.r_[True, s[1:] != s[:-1]]]


_HASH = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the golden ratio times 2^64, odd


def unique_inverse(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(a, return_inverse=True)` of a one-dimensional float64 or int64 array without NaN: the sorted
    distinct values and each element's index among them.

    np.unique finds the inverse by an argsort, which numpy does without the vector sort it has for a plain
    sort (15-30 ms for a million values, against 2 ms). With few distinct values (the calibration rows of a
    team aggregate: a few hundred to a few ten thousand in a million), the values come from a plain sort and the
    indices from a hash table of them, looked up by the values' bits (distinct values have distinct bits: the
    one exception, 0.0 beside -0.0, goes to np.unique).
    """
    n = len(a)
    if n < 4096 or a.dtype not in (np.float64, np.int64):
        values, inv = np.unique(a, return_inverse=True)
        return values, inv.reshape(-1)
    s = np.sort(a)
    values = s[np.r_[True, s[1:] != s[:-1]]]
    signs = np.signbit(a[a == 0]) if a.dtype == np.float64 and (values == 0).any() else np.zeros(0, bool)
    if len(values) * 8 > n or (signs.any() and not signs.all()):  # 0.0 and -0.0: one value, two bit patterns
        values, inv = np.unique(a, return_inverse=True)
        return values, inv.reshape(-1)
    bits = max((2 * len(values) - 1).bit_length(), 4)  # a table at least twice as large as the values
    mask = np.int64((1 << bits) - 1)
    shift = np.uint64(64 - bits)

    def slot(keys: np.ndarray) -> np.ndarray:
        return ((keys * _HASH) >> shift).view(np.int64)

    keys = values.view(np.uint64)
    table_key = np.zeros(1 << bits, dtype=np.uint64)
    table_index = np.full(1 << bits, -1, dtype=np.int64)
    todo, at = np.arange(len(values)), slot(keys)
    while len(todo):  # open addressing, linear probing: each round places one value per free slot wanted
        free = table_index[at] < 0
        table_index[at[free]] = todo[free]  # of several values wanting one slot, the last written has it
        placed = free & (table_index[at] == todo)
        table_key[at[placed]] = keys[todo[placed]]
        todo, at = todo[~placed], (at[~placed] + 1) & mask
    mine = a.view(np.uint64)
    at = slot(mine)
    inv = table_index[at]
    todo = np.flatnonzero(table_key[at] != mine)  # the elements whose value was placed further on
    at = at[todo]
    while len(todo):
        at = (at + 1) & mask
        found = table_key[at] == mine[todo]
        inv[todo[found]] = table_index[at[found]]
        todo, at = todo[~found], at[~found]
    return values, inv


def sort_order(major: np.ndarray, minor: np.ndarray, tie: np.ndarray | None = None) -> np.ndarray:
    """Indices that sort by (major, minor, tie, position): a stable sort.

    Same result as np.lexsort((tie, minor, major)), but one quicksort of a combined key (several times
    faster), with runs of equal (major, minor) put in tie order afterwards.
    """
    n = len(major)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if int(major.min()) < 0:
        return np.lexsort((np.arange(n) if tie is None else tie, minor, major))
    lo, span = int(minor.min()), int(minor.max()) - int(minor.min()) + 1
    step = 1
    if (int(major.max()) + 1) * span >= 2**62 and span > 1:  # times in whole seconds are microseconds * 10^6
        step = int(np.gcd.reduce(minor - lo))
    if (int(major.max()) + 1) * ((span - 1) // step + 1) < 2**62:  # small enough to combine as they are
        key = major * ((span - 1) // step + 1) + (minor - lo) // step
    else:
        ranks, minor_rank = np.unique(minor, return_inverse=True)
        if (int(major.max()) + 1) * len(ranks) >= 2**62:
            return np.lexsort((np.arange(n) if tie is None else tie, minor, major))
        key = major * len(ranks) + minor_rank.reshape(-1)
    order = np.argsort(key)
    sorted_key = key[order]
    dup = sorted_key[1:] == sorted_key[:-1]
    if dup.any():
        involved = np.zeros(n, dtype=bool)
        involved[1:] |= dup
        involved[:-1] |= dup
        sub = order[involved]
        keys = (sub, key[sub]) if tie is None else (sub, tie[sub], key[sub])
        order[involved] = sub[np.lexsort(keys)]
    return order


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


class Carry:
    """Where `segment_cumsum` of one long array stopped, so that the array can be summed in consecutive chunks
    that each begin a segment (the scoring stream, core/scoring/stream.py) with results equal to the bit to
    those of the whole array: the running sum and the last segment's total."""

    __slots__ = ("running", "total")

    def __init__(self) -> None:
        self.running: float | None = None  # None: nothing summed yet
        self.total = 0.0


def segment_cumsum(values: np.ndarray, first: np.ndarray, carry: Carry | None = None) -> np.ndarray:
    """Inclusive cumulative sum along the last axis, restarting at each `first` flag.

    A plain cumsum minus the running total at each segment start would carry the rounding error of the
    whole array's total into every segment. Instead each segment start subtracts the previous segment's
    total (summed on its own), so the running sum returns to about zero at every boundary, and the small
    drift left there is removed at the end: results are as precise as each segment's own sums.

    With `carry` (one-dimensional values whose first element starts a segment), the values continue the
    array summed by the earlier calls with the same carry: the cumulative sum picks up where it stopped,
    so that the results are those of one call on all the chunks concatenated.
    """
    n = values.shape[-1]
    if n == 0:
        return np.zeros(values.shape, dtype=np.float64)
    starts = np.flatnonzero(first)
    totals = np.add.reduceat(values, starts, axis=-1)
    shifted = values.astype(np.float64, copy=True)
    shifted[..., starts[1:]] -= totals[..., :-1]
    if carry is not None:
        if carry.running is not None:  # what the whole array's cumsum holds at this element
            shifted[0] = (shifted[0] - carry.total) + carry.running
        running = np.cumsum(shifted)
        carry.running, carry.total = running[-1], totals[-1]
    else:
        running = np.cumsum(shifted, axis=-1)
    drift = running[..., starts] - values[..., starts]
    return running - np.repeat(drift, np.diff(np.append(starts, n)), axis=-1)


def int_segment_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Exact inclusive cumulative sum of integers restarting at each `first` flag."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    total = np.cumsum(values, dtype=np.int64)
    before = total - values
    offset = np.maximum.accumulate(np.where(first, np.arange(len(values)), 0))
    return total - before[offset]


class LocalPrefix:
    """Sums of `values` over index ranges [a, b) that never cross a segment boundary.

    Prefix sums restart at each segment, so they stay as small as one segment's total and the
    difference of two keeps full float64 precision however long the array.
    """

    def __init__(self, values: np.ndarray, first: np.ndarray, carry: Carry | None = None) -> None:
        self.values = values
        self.inclusive = segment_cumsum(values, first, carry)

    def between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        last = b - 1
        return self.inclusive[last] - (self.inclusive[a] - self.values[a])


def sums(values: np.ndarray, first_idx: np.ndarray) -> np.ndarray:
    """Sum of each segment, segments starting at `first_idx` (sorted, non-empty segments)."""
    if len(first_idx) == 0:
        return np.zeros(0, dtype=np.float64)
    return np.add.reduceat(values, first_idx)
