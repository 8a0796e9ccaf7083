"""`forecast score --json`: the scoring read models (core/scoring/results.py, services/scoring.py,
services/kind_scores.py) shaped as the documented JSON (docs/scoring.md), key order included.

The records already hold None where a figure is undefined; this only names the keys and orders them.
"""

from __future__ import annotations

from operator import attrgetter

from forecast.core.timeparse import iso_z

METRIC_KEYS = ("n_questions", "n_forecasts", "n_late", "brier", "brier_forecasts", "brier2", "log_score", "baseline",
               "baseline_total", "peer", "peer_total", "relative_brier", "n_relative", "coverage")  # fmt: skip
BIN_KEYS = ("lo", "hi", "weight", "count", "mean_forecast", "observed", "n_eff", "ci_low", "ci_high")
DECOMPOSITION_KEYS = ("brier", "reliability", "resolution", "uncertainty", "within", "within_variance",
                      "within_covariance")  # fmt: skip
BREAKDOWN_KEYS = ("by", "key", "name", *METRIC_KEYS)
_FORECASTER_HEAD = ("name", *METRIC_KEYS)

_bin_values = attrgetter(*BIN_KEYS)
_decomposition_values = attrgetter(*DECOMPOSITION_KEYS)
_breakdown_values = attrgetter(*BREAKDOWN_KEYS)
_forecaster_head = attrgetter(*_FORECASTER_HEAD)


def summary_json(s) -> dict:
    """A services.scoring.ScoreSummary: the engine's summary, then backfilled, breakdown and kinds."""
    out = engine_json(s)
    b = s.backfilled
    out["backfilled"] = {"excluded": b.excluded, "included": b.included, "after_hours": b.after.total_seconds() / 3600}
    if s.breakdown is not None:
        out["breakdown"] = breakdown_json(s.breakdown)
    if s.kinds is not None:
        out["kinds"] = kind_report_json(s.kinds)
    return out


def engine_json(s) -> dict:
    """The engine's Summary (core/scoring/results.py)."""
    q = s.questions
    return {
        "unit": s.unit,
        "bin_width": s.bin_width,
        "questions": {"scored": q.scored, "not_scored": q.not_scored, "empty_window": q.empty_window},
        "forecasters": [forecaster_json(f) for f in s.forecasters],
        "aggregates": [forecaster_json(f) for f in s.aggregates],
        "overall": pooled_json(s.overall),
        "extremizing": extremizing_json(s.extremizing),
    }


def forecaster_json(f) -> dict:
    out = dict(zip(_FORECASTER_HEAD, _forecaster_head(f), strict=True))
    out["calibration"] = bins_json(f.calibration)
    out["decomposition"] = decomposition_json(f.decomposition)
    out["regression"] = regression_json(f.regression)
    return out


def pooled_json(p) -> dict:
    return {"calibration": bins_json(p.calibration), "decomposition": decomposition_json(p.decomposition),
            "regression": regression_json(p.regression)}  # fmt: skip


def bins_json(bins) -> list[dict]:
    return [dict(zip(BIN_KEYS, _bin_values(b), strict=True)) for b in bins]


def decomposition_json(d) -> dict:
    return dict(zip(DECOMPOSITION_KEYS, _decomposition_values(d), strict=True))


def regression_json(r) -> dict:
    return {
        "n": r.n,
        "intercept": r.intercept,
        "intercept_ci": None if r.intercept_ci is None else list(r.intercept_ci),
        "slope": r.slope,
        "slope_ci": None if r.slope_ci is None else list(r.slope_ci),
        "verdict": r.verdict,
        "reason": r.reason,
    }


def extremizing_json(e) -> dict:
    return {"exponent": e.exponent, "ci": list(e.ci) if e.ci else None, "n_questions": e.n_questions,
            "reason": e.reason}  # fmt: skip


def breakdown_json(rows) -> list[dict]:
    return [dict(zip(BREAKDOWN_KEYS, _breakdown_values(r), strict=True)) for r in rows]


# ---- choice, numeric and date questions (services/kind_scores.py) --------------------------------------------


def kind_report_json(report) -> dict:
    return {k.kind.value: kind_scores_json(k) for k in report.kinds}


def kind_scores_json(k) -> dict:
    choice = k.kind.value == "choice"
    out = {
        "questions": {"scored": k.scored, "not_scored": k.not_scored, "empty_window": k.empty_window},
        "forecasters": [kind_forecaster_json(f, choice) for f in k.forecasters],
    }
    if choice:
        out["overall"] = {"calibration": [kind_bin_json(b) for b in k.overall_calibration]}
    else:
        out["overall"] = {"pit": None if k.overall_pit is None else pit_json(k.overall_pit)}
    return out


def kind_forecaster_json(f, choice: bool, *, detail: bool = True) -> dict:
    """A KindForecaster with its kind's columns; `detail`: with its calibration (choice) or PIT (continuous)."""
    out: dict = {"name": f.name, "n_questions": f.n_questions, "n_forecasts": f.n_forecasts}
    if choice:
        out.update(brier=f.brier, brier2=f.brier2)
    out["log_score"] = f.log_score
    if not choice:
        out["crps"] = f.crps
    out.update(baseline=f.baseline, baseline_total=f.baseline_total, peer=f.peer, peer_total=f.peer_total,
               coverage=f.coverage)  # fmt: skip
    if detail:
        if choice:
            out["calibration"] = [kind_bin_json(b) for b in f.calibration]
        else:
            out["pit"] = None if f.pit is None else pit_json(f.pit)
    return out


def kind_bin_json(b) -> dict:
    return {"lo": b.lo, "hi": b.hi, "count": b.count, "weight": b.weight, "mean_forecast": b.mean_forecast,
            "observed": b.observed}  # fmt: skip


def pit_json(p) -> dict:
    return {"bins": [{"lo": b.lo, "hi": b.hi, "count": b.count, "weight": b.weight, "share": b.observed}
                     for b in p.bins],
            "n": p.n, "ks_statistic": p.ks_statistic, "p_value": p.p_value, "p_method": p.p_method}  # fmt: skip


def kind_question_json(q) -> dict:
    """`forecast score QUESTION --json` for a choice, numeric or date question (services/kind_scores.KindQuestion)."""
    choice = q.kind.value == "choice"
    own = _CHOICE_OWN if choice else _CONTINUOUS_OWN
    values = attrgetter(*own)
    return {
        "question": {"id": q.id, "slug": q.slug, "title": q.title, "kind": q.kind.value, "outcome": q.outcome,
                     "opens": iso_z(q.opens), "closes": iso_z(q.closes), "resolved_at": iso_z(q.resolved_at),
                     "scored": q.scored, "reason": q.reason},
        "forecasters": [kind_forecaster_json(f, choice, detail=False) for f in q.forecasters],
        "forecasts": [{"id": r.id, "forecaster": r.forecaster, "made_at": iso_z(r.made_at), "values": r.values,
                       "status": r.status, "weight": r.weight, **dict(zip(own, values(r.scores), strict=True))}
                      for r in q.forecasts],
    }  # fmt: skip


# A forecast's own scores (services/kind_scores.KindForecastScores), in the order of their columns.
KIND_OWN_SCORES = {"choice": ("brier", "brier2", "log_score", "baseline"),
                   "numeric": ("log_score", "crps", "baseline", "pit")}  # fmt: skip
_CHOICE_OWN, _CONTINUOUS_OWN = KIND_OWN_SCORES["choice"], KIND_OWN_SCORES["numeric"]


# ---- one binary question (services/scoring.score_one_question) ------------------------------------------------

_DETAIL_METRICS = ("brier", "brier2", "log_score", "baseline", "peer", "relative_brier", "coverage")
_detail_metrics = attrgetter(*_DETAIL_METRICS)
_SCORED_KEYS = ("weight", "contribution", "baseline", "peer")
_scored_values = attrgetter(*_SCORED_KEYS)


def one_question_json(d) -> dict:
    """`forecast score QUESTION --json` for a binary question (services/scoring.OneQuestion)."""
    q = d.question
    question = {"id": q.id, "label": q.label, "outcome": q.outcome, "opens": iso_z(q.opens), "closes": iso_z(q.closes),
                "resolved_at": iso_z(q.resolved_at), "end": iso_z(q.end), "scored": q.scored, "reason": q.reason,
                "n_forecasters": q.n_forecasters, "slug": d.slug, "title": d.title}  # fmt: skip
    people = []
    for f in d.forecasters:
        entry = {"name": f.name, "n_forecasts": f.n_forecasts, "n_late": f.n_late}
        entry.update(zip(_DETAIL_METRICS, _detail_metrics(f), strict=True))
        entry["forecasts"] = [detail_forecast_json(x) for x in f.forecasts]
        people.append(entry)
    teams = [{"name": a.name, **dict(zip(_DETAIL_METRICS, _detail_metrics(a), strict=True))} for a in d.aggregates]
    return {"question": question, "forecasters": people, "aggregates": teams}


def detail_forecast_json(x) -> dict:
    """A core.scoring.question.DetailForecast: the times, weight and contributions only when it was scored."""
    out = {"made_at": iso_z(x.made_at), "p": x.p, "status": x.status, "brier": x.brier}
    if x.starts is not None:
        out.update(starts=iso_z(x.starts), stops=iso_z(x.stops))
        out.update(zip(_SCORED_KEYS, _scored_values(x), strict=True))
    out["id"] = x.id
    return out
