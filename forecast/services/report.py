"""Assemble the HTML report and the plots from the scoring engine (rendering lives in forecast.export).

With many forecasters the report stays readable: the headline table lists the `max_people` with the most
scored questions, tags and questions are pooled across forecasters (means over (question, forecaster)
pairs), and the per-question table keeps the most recently resolved `max_questions` rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from forecast.core.errors import InvalidInput
from forecast.core.scoring.results import BreakdownRow, CalibrationBin, Decomposition
from forecast.export.plots import Series
from forecast.export.report import ReportData
from forecast.services.score_tables import Scored

PERIODS = ("month", "quarter", "year")
LOWESS_POINTS = 20_000  # lowess on more points draws the same curve, only slower
FEW = 5  # up to this many forecasters get their own lines and rows; more are pooled
MEAN_KEYS = ("brier", "brier2", "log_score", "baseline", "peer", "coverage")
SUM_KEYS = ("n_questions", "n_forecasts", "n_late")


def _human_index(scored: Scored) -> np.ndarray:
    sc = scored.scores
    if scored.wanted:
        return np.array(sorted(sc.names.index(n) for n in scored.wanted), dtype=np.int64)
    return np.arange(sc.n_forecasters, dtype=np.int64)


def calibration_data(scored: Scored) -> tuple[tuple[CalibrationBin, ...], tuple[np.ndarray, np.ndarray] | None,
                                              Decomposition, str]:  # fmt: skip
    """(bins, lowess curve, decomposition, title) for one forecaster, or pooled over the selected ones.

    Bins and decomposition are the engine's; the curve is a lowess fit over the same forecasts, one
    point per forecast (a random 20,000 of them when there are more).
    """
    from forecast.core.scoring import lowess_curve

    sc = scored.scores
    humans = _human_index(scored)
    names = [sc.names[i] for i in humans]
    summary = sc.summary(names)
    if len(humans) == 1:
        entry = summary.forecasters[0]
        bins, decomposition = entry.calibration, entry.decomposition
        title = f"Calibration of {names[0]}"
    else:
        bins, decomposition = summary.overall.calibration, summary.overall.decomposition
        title = f"Calibration, {len(humans):,} forecasters pooled"
    cal = sc.calibration
    rows = np.isin(cal.g, humans) & (cal.w > 0)
    count = cal.count[rows]
    p, o = np.repeat(cal.p[rows], count), np.repeat(cal.o[rows], count)
    if len(p) > LOWESS_POINTS:
        pick = np.sort(np.random.default_rng(0).choice(len(p), LOWESS_POINTS, replace=False))
        p, o = p[pick], o[pick]
    x, y = lowess_curve(p, o)
    return bins, ((x, y) if len(x) else None), decomposition, title


def _mean(items: Sequence[BreakdownRow], key: str, weight: str) -> float | None:
    vals = [(getattr(r, key), getattr(r, weight)) for r in items if getattr(r, key) is not None and getattr(r, weight)]
    return sum(v * n for v, n in vals) / sum(n for _, n in vals) if vals else None


def _sum(items: Sequence[BreakdownRow], key: str) -> float | None:
    vals = [getattr(r, key) for r in items if getattr(r, key) is not None]
    return sum(vals) if vals else None


def _pool(rows: Sequence[BreakdownRow], label: str) -> list[BreakdownRow]:
    """Pool breakdown rows over forecasters, per key: sums of counts, pair-weighted means of scores (the mean
    per forecast weighted by forecasts, relative Brier by the questions where it is defined)."""
    groups: dict[str, list[BreakdownRow]] = {}
    for r in rows:
        groups.setdefault(r.key, []).append(r)
    out = []
    for key, items in groups.items():
        sums = {s: sum(getattr(r, s) for r in items) for s in SUM_KEYS}
        means = {m: _mean(items, m, "n_questions") for m in MEAN_KEYS}
        out.append(BreakdownRow(**sums, **means, by=items[0].by, key=key, name=label,
                                brier_forecasts=_mean(items, "brier_forecasts", "n_forecasts"),
                                baseline_total=_sum(items, "baseline_total"), peer_total=_sum(items, "peer_total"),
                                relative_brier=_mean(items, "relative_brier", "n_relative"),
                                n_relative=sum(r.n_relative for r in items)))  # fmt: skip
    return out


def pick_period(scored: Scored) -> str:
    sc = scored.scores
    tl = sc.tl
    when = tl.inp.resolved_at[tl.scored]
    if len(when) == 0:
        return "quarter"
    span_days = (int(when.max()) - int(when.min())) / 86_400e6
    return "month" if span_days <= 2 * 366 else "quarter" if span_days <= 12 * 366 else "year"


def over_time(scored: Scored, period: str | None = None) -> tuple[list[Series], str]:
    """Mean Brier (time-weighted per pair) of the questions resolved in each period."""
    period = period or pick_period(scored)
    if period not in PERIODS:
        raise InvalidInput(f"period {period!r} is not one of: {', '.join(PERIODS)}")
    sc = scored.scores
    humans = _human_index(scored)
    names = [sc.names[i] for i in humans]
    keep = set(names)
    rows = [r for r in sc.breakdown(period, names) if r.name in keep]
    if len(names) > FEW:
        rows = _pool(rows, f"{len(names):,} forecasters")
        by_name = {rows[0].name: rows} if rows else {}
    else:
        by_name = {}
        for r in rows:
            by_name.setdefault(r.name, []).append(r)
    series = []
    for name, items in by_name.items():
        items = sorted(items, key=lambda r: r.key)
        series.append(
            Series(name, [r.key for r in items], [np.nan if r.brier is None else r.brier for r in items],
                   [r.n_questions for r in items])  # fmt: skip
        )
    return series, period


def _question_rows(scored: Scored, limit: int) -> tuple[list[dict], int]:
    from forecast.core.timeparse import from_micros

    sc = scored.scores
    pt = sc.pairs
    humans = _human_index(scored)
    n_real = len(sc.tl.pair_first)
    idx = np.flatnonzero(np.isin(pt.f[:n_real], humans))
    qs = scored.qs
    pooled = len(humans) > FEW
    if pooled:
        q_of = pt.q[idx]
        uq, inv = np.unique(q_of, return_inverse=True)
        count = np.bincount(inv, minlength=len(uq))

        def mean(v):
            return np.bincount(inv, weights=v[idx], minlength=len(uq)) / count

        rel = pt.relative[idx]
        ok = ~np.isnan(rel)
        rel_n = np.bincount(inv[ok], minlength=len(uq))
        with np.errstate(invalid="ignore", divide="ignore"):
            rel_mean = np.bincount(inv[ok], weights=rel[ok], minlength=len(uq)) / rel_n
        cols = {"brier": mean(pt.brier), "baseline": mean(pt.baseline), "peer": mean(pt.peer),
                "relative_brier": rel_mean, "n_forecasts": np.bincount(inv, weights=pt.n_forecasts[idx],
                                                                       minlength=len(uq))}  # fmt: skip
        keys = uq
        names = [f"{c:,} forecaster{'' if c == 1 else 's'}" for c in count.tolist()]
    else:
        keys = pt.q[idx]
        cols = {"brier": pt.brier[idx], "baseline": pt.baseline[idx], "peer": pt.peer[idx],
                "relative_brier": pt.relative[idx], "n_forecasts": pt.n_forecasts[idx]}  # fmt: skip
        names = [sc.names[f] for f in pt.f[idx].tolist()]
    qpos = scored.q_pos[keys]
    when = qs.resolved_at[qpos]
    order = np.lexsort((np.arange(len(keys)), -when))[:limit]
    out = []
    for i in order.tolist():
        qp = int(qpos[i])
        out.append({
            "slug": qs.slugs[qp], "title": qs.titles[qp], "name": names[i],
            "outcome": {1.0: "yes", 0.0: "no"}.get(float(qs.outcome[qp]), ""),
            "resolved_at": from_micros(int(when[i])).strftime("%Y-%m-%d"),
            **{k: (None if not np.isfinite(v[i]) else float(v[i])) for k, v in cols.items()},
        })  # fmt: skip
    return out, len(keys)


def build_report(
    scored: Scored, *, title: str, generated_at: str, scope: list[str], max_people: int = 25,
    max_questions: int = 2000,
) -> ReportData:  # fmt: skip
    sc = scored.scores
    humans = _human_index(scored)
    names = [sc.names[i] for i in humans]
    hidden = 0
    if len(names) > max_people:
        counts = np.bincount(sc.pairs.f[: len(sc.tl.pair_first)], minlength=len(sc.names))
        top = sorted(humans.tolist(), key=lambda i: (-counts[i], sc.names[i]))[:max_people]
        hidden = len(names) - max_people
        names = sorted(sc.names[i] for i in top)
    summary = sc.summary(names)
    people = sorted(summary.forecasters, key=lambda e: (-e.n_questions, e.name))
    bins, curve, decomposition, cal_title = calibration_data(scored)
    series, period = over_time(scored)
    all_names = [sc.names[i] for i in humans]
    keep = set(all_names)
    tags = [r for r in sc.breakdown("tag", all_names) if r.name in keep]
    if len(all_names) > FEW:
        tags = _pool(tags, f"{len(all_names):,} forecasters")
    questions, total = _question_rows(scored, max_questions)
    return ReportData(
        title=title,
        generated_at=generated_at,
        scope=scope,
        questions=summary.questions,
        people=people,
        aggregates=summary.aggregates,
        hidden_people=hidden,
        calibration_title=cal_title,
        calibration_bins=bins,
        curve=curve,
        decomposition=decomposition,
        unit=sc.unit,
        over_time=series,
        period=period,
        tag_rows=sorted(tags, key=lambda r: (r.key, r.name)),
        question_rows=questions,
        question_total=total,
    )
