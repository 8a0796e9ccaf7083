"""What the scores screen shows, computed by the scoring engine for a filter (forecaster, tag, period).

The engine is core/scoring; the scoring service (services/scoring.py) loads its input in bulk.
Everything here runs in a worker; the result is plain data for the screen to draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from forecast.core.backfill import DEFAULT_BACKFILL_AFTER
from forecast.tui.widgets.score_charts import Bin

if TYPE_CHECKING:
    from forecast.core.scoring.results import BreakdownRow, ForecasterScores
    from forecast.services.kind_scores import KindForecaster

PERIODS: tuple[tuple[str, int | None], ...] = (("all time", None), ("last year", 365), ("90 days", 90),
                                               ("30 days", 30))  # fmt: skip


@dataclass(frozen=True)
class ScoresFilter:
    forecaster: str | None = None
    """None: everyone (pooled calibration, every forecaster in the table)."""
    tag: str | None = None
    period: int = 0
    """Index into PERIODS."""
    exclude_backfilled: bool = False
    """Leave out forecasts recorded long after their claimed time, as `forecast score --exclude-backfilled`."""

    def narrowing(self, me: str | None = None) -> list[tuple[str, str]]:
        """(key, words) for each filter that narrows the selection; `me` names the user's own selection."""
        out = []
        if self.forecaster:
            out.append(("w", "you" if self.forecaster == me else self.forecaster))
        if self.tag:
            out.append(("t", f"questions tagged #{self.tag}"))
        if self.period:
            out.append(("p", f"resolved in the last {PERIODS[self.period][0].removeprefix('last ')}"))
        if self.exclude_backfilled:
            out.append(("b", "without backfilled forecasts"))
        return out


@dataclass
class ScoresView:
    forecasters: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    scored: int = 0
    not_scored: int = 0
    backfilled: int = 0
    """Backfilled forecasts among those scored (0 when they are left out)."""
    headline: list[ForecasterScores] = field(default_factory=list)
    """The forecasters with a scored question, most questions first (the engine's records, as `forecast score`)."""
    calibration: list[Bin] = field(default_factory=list)
    monthly: list[tuple[str, float]] = field(default_factory=list)
    by_tag: list[TagBrier] = field(default_factory=list)
    kinds: list[KindTable] = field(default_factory=list)
    """Choice, numeric and date questions, each kind with its own columns (empty with only binary questions)."""


@dataclass(frozen=True)
class TagBrier:
    """A tag's Brier score over the selected forecasters' questions (weighted by questions)."""

    tag: str
    brier: float
    n_questions: int


@dataclass(frozen=True)
class KindTable:
    """One non-binary kind's table: its forecasters' scores (services/kind_scores.py, as `forecast score`)."""

    kind: str  # choice, numeric or date
    scored: int
    not_scored: int
    forecasters: tuple[KindForecaster, ...]  # each forecaster with a scored question, most questions first


def load_scores(session, flt: ScoresFilter, *, now: datetime, backfill_after: timedelta = DEFAULT_BACKFILL_AFTER
                ) -> ScoresView:  # fmt: skip
    from forecast.core.scoring import score
    from forecast.services import scoring
    from forecast.services.kind_scores import kind_scores
    from forecast.services.lookup import forecaster_names
    from forecast.services.tags import all_tags

    forecasters = forecaster_names(session)
    tags = all_tags(session)

    days = PERIODS[flt.period][1]
    wanted = (flt.forecaster,) if flt.forecaster and flt.forecaster in forecasters else ()
    tag = flt.tag if flt.tag in tags else None
    sflt = scoring.ScoreFilter(forecasters=wanted, tag=tag, since=now - timedelta(days=days) if days else None,
                               exclude_backfilled=flt.exclude_backfilled, backfill_after=backfill_after)  # fmt: skip
    inp = scoring.load_input(session, sflt, labels=False, tags=True)
    scores = score(inp, unit="time", bin_width=0.1, aggregates=False)
    names = list(wanted) or None
    summary = scores.summary(names)
    view = ScoresView(forecasters=forecasters, tags=tags)
    view.scored = summary.questions.scored
    view.not_scored = summary.questions.not_scored
    view.backfilled = scoring.backfilled_count(inp, backfill_after)
    people = [f for f in summary.forecasters if f.n_questions]
    people.sort(key=lambda f: (-f.n_questions, f.name))
    view.headline = people
    bins = people[0].calibration if wanted and people else summary.overall.calibration
    view.calibration = [Bin(b.lo, b.hi, b.mean_forecast, b.observed, b.ci_low, b.ci_high, b.count) for b in bins]
    view.monthly = [(key, brier) for key, brier, _ in _pooled(scores.breakdown("month", names))]
    view.by_tag = [TagBrier(key, brier, n) for key, brier, n in _pooled(scores.breakdown("tag", names))]
    kinds = kind_scores(session, sflt)
    for k in kinds.kinds:  # a kind with nothing scored for the selection has no table (as binary: no headline)
        rows = tuple(sorted((f for f in k.forecasters if f.n_questions),
                            key=lambda f: (-f.n_questions, f.name)))  # the headline's order
        if rows:
            view.kinds.append(KindTable(k.kind.value, k.scored, k.not_scored, rows))
    view.backfilled += kinds.backfilled
    return view


def _pooled(rows: tuple[BreakdownRow, ...]) -> list[tuple[str, float, int]]:
    """Per group key: the Brier score over every selected forecaster's questions (weighted by questions)."""
    total: dict[str, list[float]] = {}
    for r in rows:
        if r.brier is None or not r.n_questions:
            continue
        acc = total.setdefault(r.key, [0.0, 0])
        acc[0] += r.brier * r.n_questions
        acc[1] += r.n_questions
    return [(key, s / n, int(n)) for key, (s, n) in total.items() if n]
