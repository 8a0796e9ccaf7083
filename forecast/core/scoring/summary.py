"""Per-forecaster summaries: the documented JSON shape (docs/scoring.md)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import numpy as np

from forecast.core.errors import InvalidInput
from forecast.core.scoring.brier import p_logit
from forecast.core.scoring.calibration import Bins, WeightedRows
from forecast.core.scoring.engine import Scores
from forecast.core.scoring.parallel import pmap
from forecast.core.scoring.regression import GroupFit, fit_logistic, verdict
from forecast.core.scoring.segments import distinct

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


def metric_dict(metrics: dict, i: int) -> dict:
    out = {}
    for key, arr in metrics.items():
        v = arr[i]
        out[key] = int(v) if arr.dtype.kind in "iu" else num(v)
    for key in ("baseline_total", "peer_total"):
        if out["n_questions"] == 0:
            out[key] = None
    return out


def summarize(scores: Scores, names: Iterable[str] | None = None) -> dict:
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
    decomposition = bins.decomposition()

    people, teams = [], []
    for i, gi in enumerate(sel):
        entry = {"name": scores.names[gi], **metric_dict(metrics, i)}
        entry["calibration"] = tables[i]
        entry["decomposition"] = {key: num(v[i]) for key, v in decomposition.items()}
        entry["regression"] = _regression_dict(fits, i)
        (people if human[i] else teams).append(entry)
    tl = scores.tl
    return {
        "unit": scores.unit,
        "bin_width": scores.bin_width,
        "questions": {
            "scored": int(tl.scored.sum()),
            "not_scored": int(np.isnan(tl.inp.outcome).sum()),
            "empty_window": int(tl.empty_window.sum()),
        },
        "forecasters": people,
        "aggregates": teams,
        "overall": {
            "calibration": tables[k],
            "decomposition": {key: num(v[k]) for key, v in decomposition.items()},
            "regression": _regression_dict(pooled_fit, 0),
        },
        "extremizing": scores.extremizing.as_dict(),
    }


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


def _bin_tables(bins: Bins, width: float) -> list[list[dict]]:
    edges = (np.arange(bins.n_bins + 1) / bins.n_bins).tolist()
    lo, hi = bins.wilson()
    columns = {
        "weight": bins.weight, "count": bins.count, "mean_forecast": bins.mean_forecast(),
        "observed": bins.observed(), "n_eff": bins.n_eff(), "ci_low": lo, "ci_high": hi,
    }  # fmt: skip
    values = {k: v.tolist() for k, v in columns.items()}  # NaN (empty bin) becomes None below
    tables = []
    for gi in range(bins.weight.shape[0]):
        rows = [{"lo": edges[b], "hi": edges[b + 1]} for b in range(bins.n_bins)]
        for key, table in values.items():
            for row, v in zip(rows, table[gi], strict=True):
                row[key] = v if v == v else None
        tables.append(rows)
    return tables


def _regression_dict(fit: GroupFit, i: int) -> dict:
    if not fit.ok[i]:
        return {
            "n": int(fit.n[i]), "intercept": None, "intercept_ci": None, "slope": None, "slope_ci": None,
            "verdict": None, "reason": "not estimable: needs both outcomes, varied forecasts and no perfect separation",
        }  # fmt: skip
    lo, hi = fit.ci()
    a, b = fit.params[i]
    return {
        "n": int(fit.n[i]),
        "intercept": float(a),
        "intercept_ci": [float(lo[i, 0]), float(hi[i, 0])],
        "slope": float(b),
        "slope_ci": [float(lo[i, 1]), float(hi[i, 1])],
        "verdict": verdict(float(b), float(lo[i, 1]), float(hi[i, 1])),
        "reason": None,
    }
