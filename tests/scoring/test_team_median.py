"""One team median: core/team_median.py, and the scoring engine's running medians agree with it."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.scoring import ScoringInput
from forecast.core.scoring.timeline import build
from forecast.core.team_median import RunningMedian, grouped_medians, median

forecasts = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from("abcdef"), st.sampled_from([0.05, 0.2, 0.5, 0.51, 0.9]) | st.floats(0, 1)),
    min_size=1,
    max_size=40,
)


def test_the_rule():
    assert median([0.3]) == 0.3
    assert median([0.9, 0.1]) == 0.5
    assert median([0.9, 0.1, 0.2]) == 0.2
    assert math.isnan(median([]))
    team = RunningMedian()
    assert [team.update(*f) for f in [("a", 0.2), ("b", 0.6), ("a", 0.8), ("c", 0.1)]] == [0.2, 0.4, 0.7, 0.6]
    assert len(team) == 3


@settings(max_examples=150, deadline=None)
@given(forecasts)
def test_running_grouped_and_scoring_medians_agree(rows):
    # Forecast i is made at time i + 1 (distinct times: no tie order to decide).
    latest: dict[int, dict[str, float]] = {}
    running: dict[int, RunningMedian] = {}
    after: list[float] = []
    for q, who, p in rows:
        latest.setdefault(q, {})[who] = p
        after.append(running.setdefault(q, RunningMedian()).update(who, p))
    for q, standing in latest.items():
        assert running[q].value == median(standing.values())

    keys = np.array([q for q, s in latest.items() for _ in s], dtype=np.int64)
    values = np.array([p for s in latest.values() for p in s.values()])
    got_q, sizes, meds = grouped_medians(keys, values)
    assert got_q.tolist() == sorted(latest)
    assert sizes.tolist() == [len(latest[q]) for q in sorted(latest)]
    assert meds.tolist() == [median(latest[q].values()) for q in sorted(latest)]

    inp = ScoringInput.from_rows(
        [{"opens": 0, "closes": 1000, "outcome": 1} for _ in range(3)],
        [(q, who, i + 1, p) for i, (q, who, p) in enumerate(rows)],
    )
    tl = build(inp)
    engine = dict(zip(zip(tl.ev_q.tolist(), tl.ev_t.tolist(), strict=True), ((tl.ev_lo + tl.ev_hi) / 2).tolist(), strict=True))
    for i, (q, _who, _p) in enumerate(rows):
        assert engine[(q, i + 1)] == after[i]


def test_the_screens_and_lists_agree_on_a_database(session):
    """The questions table's team column, the sparkline fallback, the detail chart and its header line."""
    from datetime import UTC, datetime, timedelta

    from forecast.services.questions import table as question_table
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.services.questions.detail import show_question
    from forecast.services.questions.authoring import QuestionDraft, add_question
    from forecast.tui.detail_model import chart_data

    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    now = t0 + timedelta(days=30)
    draft = QuestionDraft(title="Team median agreement", opens_at=t0, closes_at=t0 + timedelta(days=90))
    q = add_question(session, draft, now=now)
    updates = [("ann", 0.2), ("bo", 0.7), ("cy", 0.4), ("ann", 0.9), ("di", 0.35), ("bo", 0.1)]
    team = RunningMedian()
    expected = []
    for i, (who, p) in enumerate(updates):
        record_forecast(session, ForecastRequest(q.slug, p, who, at=t0 + timedelta(days=i + 1)), now=now)
        expected.append(team.update(who, p))

    cols = question_table.load_columns(session, forecaster="nobody")
    team_cols = question_table.load_team(session, cols.ids)
    spark, own = question_table.sparklines(session, [q.id], forecaster="nobody", points=len(updates))[q.id]
    data = show_question(session, q.slug, now=now)
    chart = chart_data(data, me="nobody", now=now, tz="UTC")
    (series,) = chart.series

    assert not own and list(spark) == expected
    assert list(series.values) == expected
    assert team_cols.median[0] == expected[-1] == median(data.latest.values())
    assert team_cols.forecasters[0] == 4
