"""Running medians of the standing forecasts on each question, one per event.

The median of n values is the mean of the order statistics at (n - 1) // 2 and n // 2 (core/team_median.py,
the one definition); both are returned so that medians of monotone transforms (such as the Brier score
given the outcome) follow.

Questions are handled in batches of equal width W (forecasters on the question, rounded up to a power
of two up to 32): each event is a column of a W x events matrix holding the standing forecasts in
rows 0 .. n-1 and +inf below. A sorting network (Batcher's odd-even merge sort: min/max of whole rows)
sorts every column at once. Wider questions are sorted with np.sort; questions whose matrix would be
large use a sorted list instead.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable
from functools import cache, partial

import numpy as np

from forecast.core.scoring.segments import distinct
from forecast.core.team_median import middle

_CELLS_PER_BATCH = 1 << 22
_CELLS_PER_QUESTION = 1 << 20
_NETWORK_MAX = 32


def running_medians(
    *,
    ev_q: np.ndarray,
    ev_n: np.ndarray,
    width: np.ndarray,
    q: np.ndarray,
    column: np.ndarray,
    p: np.ndarray,
    prev_p: np.ndarray,
    e_start: np.ndarray,
    eorder: np.ndarray,
    parts: int = 1,
) -> tuple[np.ndarray, np.ndarray, list[Callable[[], None]]]:
    """Lower and upper middle order statistics of the standing p at each event: the arrays, and `parts`
    jobs of about equal size that fill disjoint parts of them (run them all, in any order or at once).

    Rows are sorted by question; `eorder` lists them by (question, start); `prev_p` is the forecast
    each row replaces (NaN for a forecaster's first); `column` ranks the forecasters of a question by
    their first forecast, so that the n standing at an event are columns 0 .. n-1.
    """
    n_ev = len(ev_q)
    lo = np.empty(n_ev)
    hi = np.empty(n_ev)
    if n_ev == 0:
        return lo, hi, []
    ev_count = np.bincount(ev_q, minlength=len(width))
    big = ev_count * width > _CELLS_PER_QUESTION
    bucket = np.where(big, 0, _bucket(width))  # 0: handled by the sorted-list path
    ev_w = bucket[ev_q]
    events_per_width = np.bincount(ev_w)
    work = [(w, int(events_per_width[w]) * w) for w in np.flatnonzero(events_per_width).tolist() if w]
    shares: list[list[int]] = [[] for _ in range(parts)]
    load = [0] * parts
    for w, cells in sorted(work, key=lambda item: -item[1]):  # the biggest bucket to the least loaded part
        i = load.index(min(load))
        shares[i].append(w)
        load[i] += cells
    big_questions = np.flatnonzero(big).tolist()

    def job(widths: list[int], with_big: bool) -> None:
        row_w = bucket[q]
        local = np.empty(n_ev, dtype=np.int64)
        for w in widths:
            evs = np.flatnonzero(ev_w == w)
            rows = np.flatnonzero(row_w == w)
            for ev_slice, row_slice in _batches(ev_q[evs], q[rows], w):
                ev_b, rows_b = evs[ev_slice], rows[row_slice]
                local[ev_b] = np.arange(len(ev_b))
                lo[ev_b], hi[ev_b] = _matrix_medians(w, ev_n[ev_b], local[e_start[rows_b]], column[rows_b], p[rows_b])
        if with_big:
            q_by_ev = q[eorder]
            for qi in big_questions:
                a, b = np.searchsorted(q_by_ev, [qi, qi + 1])
                rows = eorder[a:b]
                _sorted_list_medians(e_start[rows], p[rows], prev_p[rows], lo, hi)

    jobs = [partial(job, widths, i == parts - 1 and bool(big_questions)) for i, widths in enumerate(shares)]
    return lo, hi, [j for j, widths in zip(jobs, shares, strict=True) if widths or j.args[1]]


def _bucket(width: np.ndarray) -> np.ndarray:
    """Matrix height per question: the next power of two up to 32, the width itself beyond."""
    pow2 = np.left_shift(1, np.ceil(np.log2(np.maximum(width, 1))).astype(np.int64))
    return np.where(width <= _NETWORK_MAX, pow2, width)


def _batches(ev_q: np.ndarray, row_q: np.ndarray, m: int):
    """Slices of events and rows covering whole questions, about _CELLS_PER_BATCH cells each."""
    q_start = np.flatnonzero(np.r_[True, ev_q[1:] != ev_q[:-1]])
    per_batch = max(_CELLS_PER_BATCH // m, 1)
    cut = distinct(q_start[np.searchsorted(q_start, np.arange(0, len(ev_q), per_batch), side="right") - 1])
    bounds = np.append(cut, len(ev_q))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        ra, rb = np.searchsorted(row_q, [ev_q[a], ev_q[b - 1] + 1])
        yield slice(a, b), slice(ra, rb)


def _matrix_medians(
    m: int, n: np.ndarray, local_start: np.ndarray, column: np.ndarray, p: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Events of one batch as columns of an (m x events) matrix; see the module docstring.

    Each forecast is written where it starts and carried forward along its row: for the n forecasters
    standing at an event, the latest start at or before it is their standing forecast. Rows from n on
    are padding (+inf), so after sorting each column the middle values sit at rows (n-1)//2 and n//2.
    """
    k = len(n)
    latest = np.full((m, k), -1, dtype=np.int32 if len(p) < 2**31 - 1 else np.int64)
    latest[column, local_start] = np.arange(len(p), dtype=latest.dtype)
    np.maximum.accumulate(latest, axis=1, out=latest)
    mat = np.append(p, np.nan)[latest]  # index -1 (no forecast yet) only ever lands in the padding
    mat[np.arange(m)[:, None] >= n] = np.inf
    if m <= _NETWORK_MAX:
        rows = list(mat)
        spare = np.empty(k)
        for i, j in _network(m):  # compare-exchange: row i gets the minima, row j the maxima
            np.minimum(rows[i], rows[j], out=spare)
            np.maximum(rows[i], rows[j], out=rows[j])
            rows[i], spare = spare, rows[i]
        mat = np.stack(rows)
    else:
        mat.sort(axis=0)
    col = np.arange(k)
    return mat[(n - 1) // 2, col], mat[n // 2, col]


@cache
def _network(n: int) -> tuple[tuple[int, int], ...]:
    """Compare-exchange pairs of Batcher's odd-even merge sort for n a power of two."""
    pairs = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return tuple(pairs)


def _sorted_list_medians(
    e_start: np.ndarray, p: np.ndarray, prev_p: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> None:
    """One question, rows in event order: keep the standing forecasts in a sorted list."""
    standing: list[float] = []
    es, ps, prevs = e_start.tolist(), p.tolist(), prev_p.tolist()
    last = len(es) - 1
    for i, (e, pv, prev) in enumerate(zip(es, ps, prevs, strict=True)):
        if prev == prev:  # not NaN: the forecaster's previous forecast stops standing
            del standing[bisect_left(standing, prev)]
        insort(standing, pv)
        if i == last or es[i + 1] != e:
            lo[e], hi[e] = middle(standing)
