"""Breakdowns of the summary metrics by tag, question, and month, quarter or year of resolution."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from forecast.core.errors import InvalidInput
from forecast.core.scoring.arrays import NO_TIME
from forecast.core.scoring.engine import Scores
from forecast.core.scoring.results import BreakdownRow
from forecast.core.scoring.summary import group_metrics, metric_columns, positions, selection

BREAKDOWNS = ("tag", "question", "month", "quarter", "year")


def breakdown(scores: Scores, by: str, names: Iterable[str] | None = None) -> tuple[BreakdownRow, ...]:
    """One row per (group, forecaster) with the summary metrics (no calibration)."""
    if by not in BREAKDOWNS:
        raise InvalidInput(f"unknown breakdown {by!r} (use {', '.join(BREAKDOWNS)})")
    sel = selection(scores, names)
    pos = positions(scores, sel)
    k = len(sel)
    pt = scores.pairs
    pair_idx = np.flatnonzero(pos[pt.f] >= 0)
    late_idx = np.flatnonzero(pos[scores.late_f] >= 0)
    labels, pair_idx, pair_key = _keys(scores, by, pair_idx, pt.q[pair_idx])
    _, late_idx, late_key = _keys(scores, by, late_idx, scores.late_q[late_idx])
    code = pair_key * k + pos[pt.f[pair_idx]]
    late_code = late_key * k + pos[scores.late_f[late_idx]]
    used, compact = np.unique(np.concatenate([code, late_code]), return_inverse=True)  # sorted: key, then name
    metrics = group_metrics(scores, pair_idx, compact[: len(code)], len(used), compact[len(code) :])
    group_names = [scores.names[g] for g in sel.tolist()]
    return tuple(
        BreakdownRow(*values, by=by, key=labels[c // k], name=group_names[c % k])
        for c, values in zip(used.tolist(), metric_columns(metrics), strict=True)
    )


def _keys(scores: Scores, by: str, idx: np.ndarray, q: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Group labels (in display order) and, per entry, its key; tags may repeat an entry."""
    inp = scores.tl.inp
    if by == "question":
        labels = list(inp.labels) if inp.labels is not None else [str(i) for i in inp.q_id]
        return labels, idx, q
    if by == "tag":
        order = np.argsort(np.array(inp.tags, dtype=object), kind="stable") if inp.tags else np.zeros(0, np.int64)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        by_q = np.argsort(inp.tag_q, kind="stable")
        tq, tid = inp.tag_q[by_q], inp.tag_id[by_q]
        a, b = np.searchsorted(tq, q, "left"), np.searchsorted(tq, q, "right")
        counts = b - a
        reps = np.repeat(np.arange(len(idx)), counts)
        offsets = np.arange(len(reps)) - np.repeat(np.cumsum(counts) - counts, counts)
        tags = tid[np.repeat(a, counts) + offsets]
        return [inp.tags[i] for i in order], idx[reps], rank[tags]
    when = np.where(inp.resolved_at == NO_TIME, inp.closes, inp.resolved_at)
    months = when.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    if by == "month":
        period = months
    elif by == "quarter":
        period = months // 3
    else:
        period = months // 12
    uniq, inv = np.unique(period, return_inverse=True)
    labels = [_period_label(by, int(u)) for u in uniq]
    return labels, idx, inv[q]


def _period_label(by: str, n: int) -> str:
    if by == "month":
        return f"{1970 + n // 12:04d}-{n % 12 + 1:02d}"
    if by == "quarter":
        return f"{1970 + n // 4:04d}-Q{n % 4 + 1}"
    return f"{1970 + n:04d}"
