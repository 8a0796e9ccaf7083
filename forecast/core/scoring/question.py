"""One question in detail: each forecaster's scores and each forecast's Brier and contribution.

`question_detail` returns frozen records of plain Python values, times as UTC-aware datetimes; the JSON of
`forecast score QUESTION --json` is shaped from them by the CLI (forecast/cli/score_json.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from forecast.core.errors import InvalidInput
from forecast.core.scoring import aggregate
from forecast.core.scoring.arrays import NO_TIME, ScoringInput
from forecast.core.scoring.brier import brier
from forecast.core.scoring.pairs import Crowd, RowSet, reduce_pairs, score_rows
from forecast.core.scoring.summary import num
from forecast.core.scoring.timeline import build
from forecast.core.time_range import MAX_MICROS, MIN_MICROS
from forecast.core.timeparse import from_micros


@dataclass(frozen=True, slots=True)
class DetailQuestion:
    """The question scored: its window and whether (or why not) it was scored."""

    index: int  # into the input's question arrays
    id: int
    label: str | None
    outcome: float | None  # 1.0 YES, 0.0 NO, None unresolved
    opens: datetime
    closes: datetime
    resolved_at: datetime | None
    end: datetime  # the end of the scoring window
    scored: bool
    reason: str | None  # why not scored
    n_forecasters: int


@dataclass(frozen=True, slots=True)
class DetailForecast:
    """One forecast: its Brier, and when it stood inside the window (scored only) its share and contributions."""

    id: int  # the forecast's index in the input, or its id from `question_detail(..., ids=)`
    made_at: datetime
    p: float
    status: str  # scored | late | replaced | not scored
    brier: float | None
    starts: datetime | None = None  # the rest: None unless scored
    stops: datetime | None = None
    weight: float | None = None
    contribution: float | None = None
    baseline: float | None = None
    peer: float | None = None


@dataclass(frozen=True, slots=True)
class DetailScores:
    """An aggregate's scores on the question (None: undefined)."""

    name: str
    brier: float | None
    brier2: float | None
    log_score: float | None
    baseline: float | None
    peer: float | None
    relative_brier: float | None
    coverage: float | None


@dataclass(frozen=True, slots=True)
class DetailForecaster:
    """A forecaster's scores on the question and each of their forecasts."""

    name: str
    n_forecasts: int  # scored
    n_late: int
    brier: float | None
    brier2: float | None
    log_score: float | None
    baseline: float | None
    peer: float | None
    relative_brier: float | None
    coverage: float | None
    forecasts: tuple[DetailForecast, ...]


@dataclass(frozen=True, slots=True)
class QuestionDetail:
    question: DetailQuestion
    forecasters: tuple[DetailForecaster, ...]  # in input order of the forecasters
    aggregates: tuple[DetailScores, ...]


def question_detail(inp: ScoringInput, qi: int, ids: np.ndarray | None = None) -> QuestionDetail:
    """Scores on question `qi` (an index into the question arrays); `ids`: each input forecast's id (default:
    its index).

    Each scored forecast reports `weight` (its share of the forecaster's span) and `contribution`
    (its Brier times that weight: they add up to the forecaster's time-weighted Brier), plus its
    baseline and peer contributions (they add up to the forecaster's baseline and peer scores).
    """
    if not 0 <= qi < inp.n_questions:
        raise InvalidInput("no such question")
    tl = build(inp)
    crowd = Crowd.of_timeline(tl)
    rs = RowSet.of_timeline(tl)
    sc = score_rows(tl, crowd, rs)
    pairs = reduce_pairs(tl, crowd, rs, sc)
    pair_of_row = rs.pair_of_row()

    status = np.full(inp.n_forecasts, "not scored", dtype=object)
    status[tl.late_src] = "late"
    status[tl.dropped_src] = "replaced"
    status[tl.src] = "scored"
    row_of_src = np.full(inp.n_forecasts, -1, dtype=np.int64)
    row_of_src[tl.src] = np.arange(len(tl.src))

    mine = np.flatnonzero(inp.q_idx == qi)
    mine = mine[np.lexsort((mine, inp.t[mine], inp.f_idx[mine]))]
    o = float(inp.outcome[qi])
    made = dict(zip(mine.tolist(), _datetimes(inp.t[mine]), strict=True))
    in_window = row_of_src[mine][row_of_src[mine] >= 0]
    starts = dict(zip(in_window.tolist(), _datetimes(tl.te[in_window]), strict=True))
    stops = dict(zip(in_window.tolist(), _datetimes(tl.stop[in_window]), strict=True))
    times = (made, starts, stops)
    people = []
    for f in np.unique(inp.f_idx[mine]).tolist():
        rows = mine[inp.f_idx[mine] == f]
        forecasts = tuple(_forecast_entry(s, status[s], int(row_of_src[s]), inp, sc, pairs, pair_of_row, ids, times)
                          for s in rows.tolist())  # fmt: skip
        pair = np.flatnonzero((pairs.q == qi) & (pairs.f == f))
        people.append(DetailForecaster(inp.forecasters[f], sum(x.status == "scored" for x in forecasts),
                                       sum(x.status == "late" for x in forecasts),
                                       *_pair_values(pairs, int(pair[0]) if len(pair) else None), forecasts))  # fmt: skip

    teams = []
    if tl.scored[qi] and tl.width[qi] > 0:
        a, b = np.searchsorted(tl.ev_q, [qi, qi + 1])
        for name, p in aggregate.series(tl).items():
            agg = aggregate.rowset(tl, p, -1)
            part = RowSet(agg.q[a:b], agg.f[a:b], agg.p[a:b], agg.dur[a:b], agg.e_start[a:b], agg.e_stop[a:b],
                          np.array([0]))  # fmt: skip
            table = reduce_pairs(tl, crowd, part, score_rows(tl, crowd, part))
            teams.append(DetailScores(name, *_pair_values(table, 0)))

    reason = None
    if np.isnan(o):
        reason = "not resolved YES or NO"
    elif tl.empty_window[qi]:
        reason = "empty scoring window (closes or resolves before it opens)"
    head = DetailQuestion(
        index=qi,
        id=int(inp.q_id[qi]),
        label=inp.labels[qi] if inp.labels is not None else None,
        outcome=num(o),
        opens=from_micros(inp.opens[qi]),
        closes=from_micros(inp.closes[qi]),
        resolved_at=None if inp.resolved_at[qi] == NO_TIME else from_micros(inp.resolved_at[qi]),
        end=from_micros(tl.end[qi]),
        scored=bool(tl.scored[qi]),
        reason=reason,
        n_forecasters=int(tl.width[qi]),
    )
    return QuestionDetail(head, tuple(people), tuple(teams))


def _pair_values(pairs, i: int | None) -> tuple:
    """brier, brier2, log_score, baseline, peer, relative_brier, coverage of pair `i` (None: all None)."""
    if i is None:
        return (None,) * 7
    return (
        num(pairs.brier[i]),
        num(2 * pairs.brier[i]),
        num(pairs.log[i]),
        num(pairs.baseline[i]),
        num(pairs.peer[i]),
        num(pairs.relative[i]),
        num(pairs.coverage[i]),
    )


def _datetimes(us: np.ndarray) -> list[datetime]:
    """from_micros over an array: numpy's conversion when every value is in range (the usual case)."""
    if len(us) == 0 or us.min() < MIN_MICROS or us.max() > MAX_MICROS:
        return [from_micros(v) for v in us.tolist()]
    return [d.replace(tzinfo=UTC) for d in us.astype("datetime64[us]").astype(object).tolist()]


def _forecast_entry(s: int, status: str, row: int, inp, sc, pairs, pair_of_row, ids, times) -> DetailForecast:
    made, starts, stops = times
    o = inp.outcome[inp.q_idx[s]]
    head = (s if ids is None else int(ids[s]), made[s], float(inp.p[s]), status, num(brier(inp.p[s], o)))
    if row < 0:
        return DetailForecast(*head)
    weight = sc.u[row] / pairs.coverage[pair_of_row[row]]
    return DetailForecast(
        *head,
        starts=starts[row],
        stops=stops[row],
        weight=num(weight),
        contribution=num(sc.brier[row] * weight),
        baseline=num(sc.baseline[row]),
        peer=num(sc.peer[row]),
    )
