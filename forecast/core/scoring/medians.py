"""Running medians of the standing forecasts on each question, one per event.

The median of n values is the mean of the order statistics at (n - 1) // 2 and n // 2; both are
returned so that medians of monotone transforms (such as the Brier score given the outcome) follow.

Questions are handled in batches of equal width m (forecasters on the question): each event is a row
of an (events x m) matrix holding the standing forecasts in columns 0 .. n-1 and padding beyond,
half -inf and half +inf, which puts the wanted order statistics at one of three fixed columns so a
single np.partition finds them. Questions whose matrix would be large use a sorted list instead.
"""

from __future__ import annotations

from bisect import bisect_left, insort

import numpy as np

_CELLS_PER_BATCH = 1 << 22
_CELLS_PER_QUESTION = 1 << 20


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
    e_stop: np.ndarray,
    eorder: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper middle order statistics of the standing p at each event.

    Rows are sorted by question; `eorder` lists them by (question, start); `prev_p` is the forecast
    each row replaces (NaN for a forecaster's first).
    """
    n_ev = len(ev_q)
    lo = np.empty(n_ev)
    hi = np.empty(n_ev)
    if n_ev == 0:
        return lo, hi
    ev_count = np.bincount(ev_q, minlength=len(width))
    big = ev_count * width > _CELLS_PER_QUESTION
    ev_w = np.where(big[ev_q], 0, width[ev_q])  # width 0: handled by the sorted-list path
    row_w = np.where(big[q], 0, width[q])
    local = np.empty(n_ev, dtype=np.int64)
    for m in np.unique(ev_w):
        if m == 0:
            continue
        evs = np.flatnonzero(ev_w == m)
        rows = np.flatnonzero(row_w == m)
        for ev_slice, row_slice in _batches(ev_q[evs], q[rows], int(m)):
            ev_b, rows_b = evs[ev_slice], rows[row_slice]
            local[ev_b] = np.arange(len(ev_b))
            lo[ev_b], hi[ev_b] = _matrix_medians(
                int(m), ev_n[ev_b], local[e_start[rows_b]], e_stop[rows_b] - e_start[rows_b],
                column[rows_b], p[rows_b],
            )  # fmt: skip
    q_by_ev = q[eorder]
    for qi in np.flatnonzero(big):
        a, b = np.searchsorted(q_by_ev, [qi, qi + 1])
        rows = eorder[a:b]
        _sorted_list_medians(e_start[rows], p[rows], prev_p[rows], lo, hi)
    return lo, hi


def _batches(ev_q: np.ndarray, row_q: np.ndarray, m: int):
    """Slices of events and rows covering whole questions, about _CELLS_PER_BATCH cells each."""
    q_start = np.flatnonzero(np.r_[True, ev_q[1:] != ev_q[:-1]])
    per_batch = max(_CELLS_PER_BATCH // m, 1)
    cut = np.unique(q_start[np.searchsorted(q_start, np.arange(0, len(ev_q), per_batch), side="right") - 1])
    bounds = np.append(cut, len(ev_q))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        ra, rb = np.searchsorted(row_q, [ev_q[a], ev_q[b - 1] + 1])
        yield slice(a, b), slice(ra, rb)


def _matrix_medians(
    m: int, n: np.ndarray, local_start: np.ndarray, count: np.ndarray, column: np.ndarray, p: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    k = len(n)
    cols = np.arange(m)
    pad_low = (m - n) // 2
    mat = np.where(cols[None, :] < (n + pad_low)[:, None], -np.inf, np.inf)
    total = int(count.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    cells = np.repeat(local_start * m + column, count) + offsets * m
    mat.ravel()[cells] = np.repeat(p, count)
    kth = sorted({c for c in (m // 2 - 1, (m - 1) // 2, m // 2) if c >= 0})
    mat.partition(kth, axis=1)
    even_pad = (m - n) % 2 == 0
    pos_lo = np.where(even_pad, (m - 1) // 2, m // 2 - 1)
    pos_hi = np.where(even_pad, m // 2, (m - 1) // 2)
    r = np.arange(k)
    return mat[r, pos_lo], mat[r, pos_hi]


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
            n = len(standing)
            lo[e] = standing[(n - 1) // 2]
            hi[e] = standing[n // 2]
