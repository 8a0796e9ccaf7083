"""Per-forecaster summaries as typed records (core/scoring/results.py; the JSON shape is docs/scoring.md's)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from functools import partial

import numpy as np

from forecast.core.errors import InvalidInput
from forecast.core.scoring.brier import p_logit
from forecast.core.scoring.calibration import Bins, WeightedRows
from forecast.core.scoring.engine import Scores
from forecast.core.scoring.parallel import pmap
from forecast.core.scoring.regression import GroupFit, fit_logistic, verdict
from forecast.core.scoring.results import (
    METRIC_FIELDS,
    CalibrationBin,
    Decomposition,
    ForecasterScores,
    PooledScores,
    QuestionCounts,
    Regression,
    Summary,
)
from forecast.core.scoring.segments import distinct

DECOMPOSITION_FIELDS = tuple(f.name for f in fields(Decomposition))


def num(x) -> float | None:
    """A JSON-safe float: None for NaN and infinities."""
    x = float(x)
    return x if np.isfinite(x) else None


def selection(scores: Scores, names: Iterable[str] | None) -> np.ndarray:
    """Indices into scores.names: the named forecasters (all when None), then every aggregate."""
    n_f = scores.n_forecasters
    if names is None:
        return np.arange(len(scores.names))
    index = {name: i for i, name in enumerate(scores.names[:n_f])}
    wanted = list(dict.fromkeys(names))
    missing = [n for n in wanted if n not in index]
    if missing:
        raise InvalidInput(f"no forecaster named {missing[0]!r}")
    return np.array(sorted(index[n] for n in wanted) + list(range(n_f, len(scores.names))), dtype=np.int64)


def positions(scores: Scores, sel: np.ndarray) -> np.ndarray:
    pos = np.full(len(scores.names), -1, dtype=np.int64)
    pos[sel] = np.arange(len(sel))
    return pos


def group_metrics(scores: Scores, pair_idx: np.ndarray, code: np.ndarray, n_codes: int, late_code: np.ndarray) -> dict:
    """Means over questions (and sums) of the pair scores, per group code."""
    pt = scores.pairs

    def total(v):
        return np.bincount(code, weights=v[pair_idx], minlength=n_codes)

    nq = np.bincount(code, minlength=n_codes)
    n_fc = total(pt.n_forecasts.astype(np.float64))
    defined = ~np.isnan(pt.relative[pair_idx])
    n_rel = np.bincount(code[defined], minlength=n_codes)
    with np.errstate(divide="ignore", invalid="ignore"):
        brier = total(pt.brier) / nq
        out = {
            "n_questions": nq,
            "n_forecasts": n_fc.astype(np.int64),
            "n_late": np.bincount(late_code, minlength=n_codes),
            "brier": brier,
            "brier_forecasts": total(pt.brier_sum) / n_fc,
            "brier2": 2.0 * brier,
            "log_score": total(pt.log) / nq,
            "baseline": total(pt.baseline) / nq,
            "baseline_total": total(pt.baseline),
            "peer": total(pt.peer) / nq,
            "peer_total": total(pt.peer),
            "relative_brier": np.bincount(
                code[defined], weights=pt.relative[pair_idx][defined], minlength=n_codes
            ) / n_rel,
            "n_relative": n_rel,
            "coverage": total(pt.coverage) / nq,
        }
    return out


def metric_columns(metrics: dict) -> list[tuple]:
    """Per group, its metrics in Metrics field order as Python numbers (None for NaN and infinities, and for
    the totals of a group without questions), read off the arrays a column at a time."""
    no_questions = metrics["n_questions"] == 0
    columns = []
    for key in METRIC_FIELDS:
        arr = metrics[key]
        total = key in ("baseline_total", "peer_total")
        if arr.dtype.kind in "iu" and not total:
            columns.append(arr.tolist())
            continue
        undefined = ~np.isfinite(arr)
        columns.append(_values(arr, undefined | no_questions if total else undefined))
    return list(zip(*columns, strict=True))


def _values(arr: np.ndarray, undefined: np.ndarray) -> list:
    """The array as (nested) lists of Python numbers, None where `undefined`."""
    out = arr.astype(object)
    out[undefined] = None
    return out.tolist()


def summarize(scores: Scores, names: Iterable[str] | None = None) -> Summary:
    sel = selection(scores, names)
    pos = positions(scores, sel)
    k = len(sel)
    pt = scores.pairs
    pair_idx = np.flatnonzero(pos[pt.f] >= 0)
    late_idx = np.flatnonzero(pos[scores.late_f] >= 0)
    metrics = group_metrics(scores, pair_idx, pos[pt.f[pair_idx]], k, pos[scores.late_f[late_idx]])

    human = sel < scores.n_forecasters
    bins, fits, pooled_fit = _calibration(scores, sel, human)
    tables = _bin_tables(bins, scores.bin_width)
    decompositions = _decompositions(bins.decomposition())
    regressions = _regressions(fits)

    people, teams = [], []
    for i, (gi, values) in enumerate(zip(sel.tolist(), metric_columns(metrics), strict=True)):
        entry = ForecasterScores(*values, name=scores.names[gi], calibration=tables[i],
                                 decomposition=decompositions[i], regression=regressions[i])  # fmt: skip
        (people if human[i] else teams).append(entry)
    tl = scores.tl
    return Summary(
        unit=scores.unit,
        bin_width=scores.bin_width,
        questions=QuestionCounts(
            scored=int(tl.scored.sum()),
            not_scored=int(np.isnan(tl.inp.outcome).sum()),
            empty_window=int(tl.empty_window.sum()),
        ),
        forecasters=tuple(people),
        aggregates=tuple(teams),
        overall=PooledScores(tables[k], decompositions[k], _regressions(pooled_fit)[0]),
        extremizing=scores.extremizing,
    )


def _calibration(scores: Scores, sel: np.ndarray, human: np.ndarray) -> tuple[Bins, GroupFit, GroupFit]:
    """Bins (with one more group: the selected forecasters pooled) and calibration regressions per selected name,
    and the pooled regression: the forecasters in one grouped fit, each aggregate alone, concurrently."""
    k = len(sel)
    pos = positions(scores, sel)
    parts = []  # (rows with g = position in sel, positions covered)
    for rows in scores.calibration_parts:
        if len(rows.g) == 0:
            continue
        if rows.g[0] == rows.g[-1] and not np.any(rows.g != rows.g[0]):  # one group (an aggregate)
            if pos[rows.g[0]] >= 0:
                parts.append((rows, pos[rows.g[:1]]))
            continue
        keep = pos[rows.g] >= 0
        part = rows if keep.all() else rows.select(keep)
        part = WeightedRows(pos[part.g], part.p, part.o, part.w, part.w2, part.count)
        covered = distinct(part.g)
        if len(covered):
            parts.append((part, covered))
    parts.sort(key=lambda item: -len(item[0].p))  # largest first, so that the two threads finish together

    def one(item: tuple[WeightedRows, np.ndarray]) -> tuple[Bins, GroupFit]:
        rows, covered = item
        local = np.zeros(len(rows.g), np.int64) if len(covered) == 1 else np.searchsorted(covered, rows.g)
        fit = fit_logistic(p_logit(rows.p), rows.o, rows.w, local, len(covered))
        return Bins.of(WeightedRows(local, rows.p, rows.o, rows.w, rows.w2, rows.count), len(covered), scores.n_bins), fit

    def pooled() -> GroupFit:
        mine = [rows.select(human[rows.g]) for rows, covered in parts if human[covered].any()]
        p, o, w = (np.concatenate([getattr(m, key) for m in mine]) if mine else np.zeros(0) for key in "pow")
        merged = WeightedRows.of(np.zeros(len(p), np.int64), p, o, w)
        return fit_logistic(p_logit(merged.p), merged.o, merged.w, merged.g, 1)

    pooled_fit, *done = pmap(lambda job: job(), [pooled] + [partial(one, item) for item in parts])
    params, bse = np.full((k, 2), np.nan), np.full((k, 2), np.nan)
    ok, n = np.zeros(k, dtype=bool), np.zeros(k, dtype=np.int64)
    bins = Bins.empty(k, scores.n_bins)
    for (_, covered), (b, f) in zip(parts, done, strict=True):
        params[covered], bse[covered], ok[covered], n[covered] = f.params, f.bse, f.ok, f.n
        bins.put(covered, b)
    return bins.take(np.arange(k), pooled=human), GroupFit(params, bse, ok, n), pooled_fit


def _bin_tables(bins: Bins, width: float) -> list[tuple[CalibrationBin, ...]]:
    edges = (np.arange(bins.n_bins + 1) / bins.n_bins).tolist()
    lo, hi = bins.wilson()
    columns = (bins.weight, bins.count, bins.mean_forecast(), bins.observed(), bins.n_eff(), lo, hi)
    values = [_values(arr, np.isnan(arr)) for arr in columns]  # NaN (an empty bin) becomes None
    lows, highs = edges[:-1], edges[1:]
    return [tuple(map(CalibrationBin, lows, highs, *(v[g] for v in values))) for g in range(bins.weight.shape[0])]


def _decompositions(columns: dict[str, np.ndarray]) -> list[Decomposition]:
    values = [_values(columns[key], ~np.isfinite(columns[key])) for key in DECOMPOSITION_FIELDS]
    return list(map(Decomposition, *values))


NOT_ESTIMABLE = "not estimable: needs both outcomes, varied forecasts and no perfect separation"


def _regressions(fit: GroupFit) -> list[Regression]:
    lo, hi = fit.ci()
    out = []
    for n, ok, (a, b), (a_lo, b_lo), (a_hi, b_hi) in zip(fit.n.tolist(), fit.ok.tolist(), fit.params.tolist(),
                                                        lo.tolist(), hi.tolist(), strict=True):  # fmt: skip
        if not ok:
            out.append(Regression(n, None, None, None, None, None, NOT_ESTIMABLE))
        else:
            out.append(Regression(n, a, (a_lo, a_hi), b, (b_lo, b_hi), verdict(b, b_lo, b_hi), None))
    return out
