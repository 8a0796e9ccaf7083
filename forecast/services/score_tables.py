"""`forecast export scores|calibration`: the scoring engine's numbers as tables, at full precision.

Filters: --tag and --since/--until (by resolution time) choose the questions; --by chooses which
forecasters' rows are written, after scoring, so that peer and relative scores always compare against
the whole crowd of each question.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlmodel import Session

from forecast.export.table import Table, coded, floats, ints, text, times
from forecast.services.exports import ExportFilter, QuestionColumns, load_questions

SCORE_COLUMNS = (
    "slug", "title", "tags", "forecaster", "outcome", "resolved_at", "n_forecasts",
    "first_forecast_at", "first_probability", "last_forecast_at", "last_probability",
    "brier_last", "brier_mean", "time_weighted_brier", "brier2", "log_score",
    "baseline", "peer", "relative_brier", "coverage",
)  # fmt: skip
CALIBRATION_COLUMNS = (
    "group", "forecaster", "bin_lo", "bin_hi", "count", "weight", "mean_forecast", "observed", "n_eff",
    "ci_low", "ci_high",
)  # fmt: skip


@dataclass(eq=False)
class Scored:
    """The engine's Scores with the question metadata behind its question indices."""

    scores: object  # core.scoring.Scores
    qs: QuestionColumns
    q_pos: np.ndarray  # engine question index -> position in qs
    wanted: tuple[str, ...]  # forecasters asked for; empty means everyone
    backfilled: int = 0  # backfilled forecasts among those scored (0 when they were excluded)
    backfilled_excluded: bool = False

    @property
    def names(self) -> list[str] | None:
        return list(self.wanted) if self.wanted else None


def score_db(
    session: Session, flt: ExportFilter = ExportFilter(), *, unit: str = "time", bin_width: float = 0.1,
    aggregates: bool = False,
) -> Scored:  # fmt: skip
    """Score through the scoring service's loader (services.scoring), keeping the questions' metadata."""
    from forecast.core.scoring import score
    from forecast.services.scoring import ScoreFilter, backfilled_count, load_input

    inp = load_input(session, ScoreFilter(forecasters=flt.forecasters, tag=flt.tag, since=flt.since, until=flt.until,
                                          exclude_backfilled=flt.exclude_backfilled,
                                          backfill_after=flt.backfill_after))  # fmt: skip
    scores = score(inp, unit=unit, bin_width=bin_width, aggregates=aggregates)
    qs = load_questions(session)
    return Scored(scores=scores, qs=qs, q_pos=qs.pos[inp.q_id], wanted=tuple(dict.fromkeys(flt.forecasters)),
                  backfilled=backfilled_count(inp, flt.backfill_after),
                  backfilled_excluded=flt.exclude_backfilled)  # fmt: skip


def _selected_pairs(scored: Scored) -> np.ndarray:
    """The real forecasters' pairs to write (aggregates are not forecasters), by question slug then name."""
    sc = scored.scores
    n_real = len(sc.tl.pair_first)  # the first rows of the pair table are the timeline's pairs, in order
    idx = np.arange(n_real)
    if scored.wanted:
        want = np.zeros(len(sc.names), dtype=bool)
        want[[sc.names.index(n) for n in scored.wanted]] = True
        idx = idx[want[sc.pairs.f[:n_real]]]
    f = sc.pairs.f[idx]  # forecasters come sorted by name, so their index orders like the name
    return idx[np.lexsort((f, scored.q_pos[sc.pairs.q[idx]]))]


def scores_table(scored: Scored) -> Table:
    """One row per scored (question, forecaster) pair, by question slug then forecaster name."""
    sc = scored.scores
    tl, pt = sc.tl, sc.pairs
    idx = _selected_pairs(scored)
    q = pt.q[idx]
    qpos = scored.q_pos[q]
    first, last = tl.pair_first[idx], tl.pair_last[idx]
    o = tl.inp.outcome[q]
    n = pt.n_forecasts[idx]
    qs = scored.qs
    return Table(
        (
            coded("slug", qpos, qs.slugs),
            coded("title", qpos, qs.titles),
            coded("tags", qpos, qs.tags, kind="tags"),
            coded("forecaster", pt.f[idx], sc.names),
            ints("outcome", o.astype(np.int64)),
            times("resolved_at", qs.resolved_at[qpos]),
            ints("n_forecasts", n),
            times("first_forecast_at", tl.t[first]),
            floats("first_probability", tl.p[first]),
            times("last_forecast_at", tl.t[last]),
            floats("last_probability", tl.p[last]),
            floats("brier_last", (tl.p[last] - o) ** 2),
            floats("brier_mean", pt.brier_sum[idx] / n),
            floats("time_weighted_brier", pt.brier[idx]),
            floats("brier2", 2.0 * pt.brier[idx]),
            floats("log_score", pt.log[idx]),
            floats("baseline", pt.baseline[idx]),
            floats("peer", pt.peer[idx]),
            floats("relative_brier", pt.relative[idx]),
            floats("coverage", pt.coverage[idx]),
        )
    )


def calibration_table(scored: Scored) -> Table:
    """The engine's calibration bins: per forecaster, per aggregate, and pooled over the forecasters."""
    summary = scored.scores.summary(scored.names)
    groups = [("forecaster", e.name, e.calibration) for e in summary.forecasters]
    groups += [("aggregate", e.name, e.calibration) for e in summary.aggregates]
    groups.append(("pooled", "", summary.overall.calibration))
    rows = [(g, name, b) for g, name, bins in groups for b in bins]

    def col(key):
        values = (getattr(r[2], key) for r in rows)
        return [np.nan if v is None else v for v in values]

    return Table(
        (
            text("group", [r[0] for r in rows]),
            text("forecaster", [r[1] for r in rows]),
            floats("bin_lo", col("lo")),
            floats("bin_hi", col("hi")),
            ints("count", col("count")),
            floats("weight", col("weight")),
            floats("mean_forecast", col("mean_forecast")),
            floats("observed", col("observed")),
            floats("n_eff", col("n_eff")),
            floats("ci_low", col("ci_low")),
            floats("ci_high", col("ci_high")),
        )
    )
