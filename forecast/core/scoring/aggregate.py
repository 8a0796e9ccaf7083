"""Team aggregates over time, scored like forecasters: @median, @mean, @geo-odds, @extremized.

At every event the aggregate of the standing forecasts becomes the aggregate's forecast until the next
event. @geo-odds is the geometric mean of the odds (the mean of logit p, p clamped to [0.001, 0.999]);
@extremized raises that mean odds to an exponent a fitted by maximum likelihood, logit P(YES) = a *
mean logit, on the scored questions with each question weighing 1 in total, split over its events by
time (so the fit is in-sample). It is only fitted with at least 20 scored questions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.core.scoring.brier import expit
from forecast.core.scoring.pairs import Crowd, RowSet
from forecast.core.scoring.regression import fit_logistic
from forecast.core.scoring.timeline import Timeline

MEDIAN, MEAN, GEO_ODDS, EXTREMIZED = "@median", "@mean", "@geo-odds", "@extremized"
NAMES = (MEDIAN, MEAN, GEO_ODDS, EXTREMIZED)
MIN_QUESTIONS_TO_EXTREMIZE = 20


@dataclass(frozen=True)
class Extremizing:
    exponent: float | None
    n_questions: int
    ci: tuple[float, float] | None = None
    reason: str | None = None  # why there is no exponent


def series(tl: Timeline, extremizing: Extremizing | None = None) -> dict[str, np.ndarray]:
    """Each aggregate's forecast at each event."""
    n = tl.ev_n.astype(np.float64)
    mean_logit = tl.ev_slogit / n
    out = {
        MEAN: np.clip(tl.ev_sp / n, 0.0, 1.0),
        GEO_ODDS: expit(mean_logit),
    }
    if extremizing is not None and extremizing.exponent is not None:
        out[EXTREMIZED] = expit(extremizing.exponent * mean_logit)
    out[MEDIAN] = 0.5 * (tl.ev_lo + tl.ev_hi)  # last: it may wait for the medians' thread
    return {name: out[name] for name in NAMES if name in out}


def fit_extremizing(tl: Timeline, crowd: Crowd) -> Extremizing:
    return fit_extremizing_on(int(np.count_nonzero(tl.width > 0)), tl.ev_slogit / tl.ev_n, crowd.ev_o, crowd.ev_u)


def fit_extremizing_on(n_q: int, x: np.ndarray, o: np.ndarray, u: np.ndarray) -> Extremizing:
    """The fit on `n_q` questions with events: x the mean logit at each event, o its outcome, u its share of the window."""
    if n_q < MIN_QUESTIONS_TO_EXTREMIZE:
        return Extremizing(None, n_q, reason=f"needs at least {MIN_QUESTIONS_TO_EXTREMIZE} scored questions")
    fit = fit_logistic(x, o, u, np.zeros(len(x), dtype=np.int64), 1, intercept=False)
    if not fit.ok[0]:
        return Extremizing(None, n_q, reason="the maximum-likelihood fit did not converge")
    lo, hi = fit.ci()
    return Extremizing(float(fit.params[0, 0]), n_q, (float(lo[0, 0]), float(hi[0, 0])))


def rowset(tl: Timeline, p: np.ndarray, f_index: int) -> RowSet:
    """One aggregate as standing forecasts: one per event, standing until the next event."""
    e = np.arange(len(tl.ev_q), dtype=np.int64)
    return RowSet(
        q=tl.ev_q,
        f=np.full(len(e), f_index, dtype=np.int64),
        p=p,
        dur=tl.ev_len,
        e_start=e,
        e_stop=e + 1,
        pair_first=np.flatnonzero(tl.ev_qfirst),
        per_event=True,
    )
