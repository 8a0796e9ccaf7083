"""What `Scores.summary()` and `Scores.breakdown()` return: frozen records of plain Python numbers.

Every figure is a float or an int, None where it is undefined (no scored question, an empty bin, a regression
with no finite estimate). The names are the glossary's (docs/scoring.md); `forecast score --json` is shaped
from these records by the CLI (forecast/cli/score_json.py), in the documented key order.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from forecast.core.scoring.aggregate import Extremizing


@dataclass(frozen=True, slots=True)
class Metrics:
    """The summary metrics of a forecaster, an aggregate, or a breakdown group (means over its questions)."""

    n_questions: int
    n_forecasts: int  # forecasts that stood inside the window (an aggregate: its updates)
    n_late: int
    brier: float | None  # the time-weighted headline
    brier_forecasts: float | None  # the plain mean per forecast
    brier2: float | None
    log_score: float | None
    baseline: float | None
    baseline_total: float | None
    peer: float | None
    peer_total: float | None
    relative_brier: float | None
    n_relative: int  # questions where relative_brier is defined
    coverage: float | None


METRIC_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Metrics))


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """One bin [lo, hi) ([lo, 1] for the last) of the calibration table; the means are None when it is empty."""

    lo: float
    hi: float
    weight: float
    count: int
    mean_forecast: float | None
    observed: float | None
    n_eff: float | None
    ci_low: float | None  # 95% Wilson interval of `observed` on n_eff trials
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class Decomposition:
    """Murphy's decomposition over the bins: reliability - resolution + uncertainty + within = brier."""

    brier: float | None
    reliability: float | None
    resolution: float | None
    uncertainty: float | None
    within: float | None
    within_variance: float | None
    within_covariance: float | None


@dataclass(frozen=True, slots=True)
class Regression:
    """The calibration regression logit P(YES) = intercept + slope logit p; None throughout (with `reason`) when
    it has no finite estimate."""

    n: int  # rows of the fit
    intercept: float | None
    intercept_ci: tuple[float, float] | None
    slope: float | None
    slope_ci: tuple[float, float] | None
    verdict: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class PooledScores:
    """Calibration, decomposition and regression of the shown forecasters' forecasts pooled (`overall`)."""

    calibration: tuple[CalibrationBin, ...]
    decomposition: Decomposition
    regression: Regression


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecasterScores(Metrics):
    """A forecaster's or a team aggregate's scores (the metrics come first, positionally)."""

    name: str
    calibration: tuple[CalibrationBin, ...]
    decomposition: Decomposition
    regression: Regression


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakdownRow(Metrics):
    """The metrics of one forecaster or aggregate on one group: a tag, a question, a month, quarter or year."""

    by: str  # tag | question | month | quarter | year
    key: str  # the group: a tag name, a question label, "2024-03", "2024-Q1", "2024"
    name: str


@dataclass(frozen=True, slots=True)
class QuestionCounts:
    scored: int
    not_scored: int  # unresolved or annulled
    empty_window: int  # resolved, but the scoring window is empty


@dataclass(frozen=True, slots=True)
class Summary:
    """Per forecaster (by name) and per team aggregate, with the pooled calibration and the extremizing fit."""

    unit: str
    bin_width: float
    questions: QuestionCounts
    forecasters: tuple[ForecasterScores, ...]
    aggregates: tuple[ForecasterScores, ...]
    overall: PooledScores
    extremizing: Extremizing
