"""Choice, numeric and date questions scored through the service (services/kind_scores.py) and `score_database`,
on SQLite and PostgreSQL: hand-worked cases, filters, --by, and two options scoring exactly like binary."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.cli.score_json import kind_forecaster_json, summary_json
from forecast.core.kind_spec import choice_spec, continuous_spec, date_seconds
from forecast.core.model import Kind, Resolution
from forecast.core.scoring.kinds import KindForecast, score_continuous
from forecast.core.scoring.results import QuestionCounts
from forecast.services import resolution as res
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.kind_scores import kind_scores
from forecast.services.questions.authoring import QuestionDraft, add_question
from forecast.services.scoring import ScoreFilter, score_database
from tests.scoring.read_models import assert_plain_records

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
NOW = datetime(2025, 1, 1, tzinfo=UTC)
KIM = ("kim=Kim Jong Un", "moon=Moon Jae-in", "other=Other")


def question(session, slug, spec, *, tags=(), days=100):
    add_question(session, QuestionDraft(title=f"Question {slug}?", opens_at=T0, closes_at=T0 + days * DAY, tags=tags,
                                        slug=slug, spec=spec), now=T0)  # fmt: skip


def predict(session, slug, who, text, day):
    at = T0 + day * DAY
    return record_forecast(session, ForecastRequest(slug, text, who, at=at), now=at)


def resolve(session, slug, outcome, day):
    res.resolve(session, slug, outcome, actor="t", at=T0 + day * DAY, now=NOW)


@pytest.fixture
def world(session):
    question(session, "leader", choice_spec(KIM), tags=("korea",))
    predict(session, "leader", "alice", "kim=50% moon=30% other=20%", 0)
    predict(session, "leader", "bob", "kim=20% moon=40% other=40%", 50)
    resolve(session, "leader", "kim", 100)
    question(session, "launches", continuous_spec(Kind.NUMERIC, "0..100"))
    predict(session, "launches", "alice", "p10=12 p50=30 p90=75", 0)
    resolve(session, "launches", "42", 100)
    question(session, "open-one", choice_spec(KIM))  # unresolved: counted, not scored
    session.flush()
    return session


def by_name(block):
    return {f.name: f for f in block.forecasters}


def counts(block) -> tuple[int, int, int]:
    return block.scored, block.not_scored, block.empty_window


def test_hand_worked_choice_and_numeric(world):
    out = score_database(world)
    assert out.questions == QuestionCounts(0, 0, 0)  # no binary question at all
    choice = out.kinds.get(Kind.CHOICE)
    assert counts(choice) == (1, 1, 0)
    a, b = by_name(choice)["alice"], by_name(choice)["bob"]
    # alice stands all 100 days; bob from day 50
    assert a.brier2 == pytest.approx(0.38) and a.brier == pytest.approx(0.19)
    assert a.log_score == pytest.approx(math.log(0.5))
    assert a.baseline == pytest.approx(100 * math.log(1.5) / math.log(3))
    assert b.brier2 == pytest.approx(0.64 + 0.16 + 0.16) and b.coverage == pytest.approx(0.5)
    assert b.baseline == pytest.approx(100 * math.log(0.6) / math.log(3) * 0.5)
    # peer on [50, 100): 100 * 2/1 * (ln 0.5 - (ln 0.5 + ln 0.2) / 2) * 0.5 = 50 ln 2.5
    assert a.peer == pytest.approx(50 * math.log(2.5)) and b.peer == pytest.approx(-50 * math.log(2.5))
    assert sum(x.count for x in a.calibration) == 3  # every option of the forecast that stood
    assert a.crps is None and a.pit is None
    shaped = kind_forecaster_json(a, choice=True)  # as `score --json` writes it: the kind's own columns
    assert set(shaped) >= {"n_questions", "n_forecasts", "baseline_total", "peer_total"} and "crps" not in shaped
    numeric = out.kinds.get(Kind.NUMERIC)
    n = by_name(numeric)["alice"]
    # docs/scoring.md's worked example: p10=12 p50=30 p90=75 on 0..100, outcome 42
    assert n.log_score == pytest.approx(math.log(200 * (0.99 * 0.4 / 90 + 0.01 / 200)))
    assert n.baseline == pytest.approx(-5.83, abs=0.005)
    assert n.crps == pytest.approx(0.0783, abs=5e-5)
    assert n.pit.n == 1 and n.pit.bins[6].count == 1  # F(42) = 0.5 + 0.4 * 12/45 + standardising
    assert n.brier is None and "brier" not in kind_forecaster_json(n, choice=False)
    assert out.kinds.get(Kind.DATE) is None


def test_the_service_returns_frozen_records_with_no_dict_inside(world):
    out = score_database(world, breakdown="tag")
    assert [k.kind for k in out.kinds.kinds] == [Kind.CHOICE, Kind.NUMERIC]
    assert all(k.pairs is None for k in out.kinds.kinds)  # the per-pair arrays are kept for exports only
    assert assert_plain_records(out, "score") > 100


def test_date_question_against_the_core(session):
    spec = continuous_spec(Kind.DATE, "2019-03-16..2021-12-31", open_upper=True)
    question(session, "launch-date", spec)
    predict(session, "launch-date", "alice", "p10=2019-06-01 p50=2020-06-01 p90=2021-06-01", 0)
    predict(session, "launch-date", "bob", "normal(2020-01-01, 100)", 10)
    resolve(session, "launch-date", "after", 80)
    session.flush()
    got = by_name(score_database(session).kinds.get(Kind.DATE))
    fs = []
    for who, text, day in (("alice", "p10=2019-06-01 p50=2020-06-01 p90=2021-06-01", 0),
                           ("bob", "normal(2020-01-01, 100)", 10)):  # fmt: skip
        fs.append(KindForecast(who, day, spec.pmf(spec.parse_forecast(text)[1])))
    want = {s.forecaster: s for s in score_continuous(fs, spec.range, opens=0, closes=100, resolved_at=80,
                                                      outcome="above")}  # fmt: skip
    for who, s in want.items():
        g = got[who]
        assert g.log_score == pytest.approx(s.log, abs=1e-12)
        assert g.crps == pytest.approx(s.crps, abs=1e-12)
        assert g.baseline == pytest.approx(s.baseline, abs=1e-9)
        assert g.peer == pytest.approx(s.peer, abs=1e-9)
        assert g.coverage == pytest.approx(s.coverage * 100 / 80, abs=1e-12)  # over the window, as binary


def test_filters_and_by(world):
    assert score_database(world, ScoreFilter(tag="korea", since=NOW)).kinds is None  # nothing resolved since
    only = score_database(world, ScoreFilter(tag="korea")).kinds
    assert [k.kind for k in only.kinds] == [Kind.CHOICE] and only.get(Kind.CHOICE).not_scored == 0
    bob = score_database(world, ScoreFilter(forecasters=("bob",))).kinds
    assert [f.name for f in bob.get(Kind.CHOICE).forecasters] == ["bob"]
    assert bob.get(Kind.CHOICE).forecasters[0].peer == pytest.approx(-50 * math.log(2.5))  # the crowd stays
    assert [f.name for f in bob.get(Kind.NUMERIC).forecasters] == ["bob"]
    assert bob.get(Kind.NUMERIC).forecasters[0].n_questions == 0


def test_binary_output_unchanged_without_other_kinds(session):
    question(session, "rain", choice_spec(KIM))  # a non-binary question changes the output only once present
    session.rollback()
    add_question(session, QuestionDraft(title="Rain?", opens_at=T0, closes_at=T0 + 100 * DAY, slug="rain"), now=T0)
    record_forecast(session, ForecastRequest("rain", 0.7, "alice", at=T0), now=T0)
    res.resolve(session, "rain", Resolution.YES, actor="t", at=T0 + 100 * DAY, now=NOW)
    session.flush()
    out = score_database(session)
    assert out.kinds is None and out.questions == QuestionCounts(scored=1, not_scored=0, empty_window=0)
    assert "kinds" not in summary_json(out)
    assert not kind_scores(session)


def test_superseded_and_backfilled(session):
    question(session, "leader", choice_spec(KIM))
    first = predict(session, "leader", "alice", "kim=10% moon=80% other=10%", 0)
    record_forecast(session, ForecastRequest("leader", "kim=50% moon=30% other=20%", "alice", at=T0,
                                             corrects=first.id), now=T0 + 0.5 * DAY)  # fmt: skip
    late = T0 + 40 * DAY
    record_forecast(session, ForecastRequest("leader", "kim=90% moon=5% other=5%", "alice", at=late), now=NOW)
    resolve(session, "leader", "kim", 100)
    session.flush()
    a = score_database(session).kinds.get(Kind.CHOICE).forecasters[0]
    assert a.brier2 == pytest.approx((0.38 * 40 + (0.01 + 0.0025 + 0.0025) * 60) / 100)
    out = score_database(session, ScoreFilter(exclude_backfilled=True))
    assert out.kinds.get(Kind.CHOICE).forecasters[0].brier2 == pytest.approx(0.38)
    assert score_database(session).backfilled.included == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["ann", "bo", "cy"]), st.integers(0, 99), st.integers(1, 999)),
                     min_size=1, max_size=8),
       yes=st.booleans(), end=st.integers(30, 100))  # fmt: skip
def test_two_options_score_like_the_binary_question(session, rows, yes, end):
    """Through the whole service: a yes/no choice question scores as the binary question with the same forecasts."""
    session.rollback()
    add_question(session, QuestionDraft(title="Binary?", opens_at=T0, closes_at=T0 + 100 * DAY, slug="bin"), now=T0)
    question(session, "two", choice_spec(("no=No", "yes=Yes")))
    for who, day, permille in rows:
        p = permille / 1000
        at = T0 + day * DAY
        record_forecast(session, ForecastRequest("bin", p, who, at=at), now=at)
        record_forecast(session, ForecastRequest("two", f"no={(1000 - permille) / 1000} yes={p}", who, at=at),
                        now=at)  # fmt: skip
    at = T0 + end * DAY
    res.resolve(session, "bin", Resolution.YES if yes else Resolution.NO, actor="t", at=at, now=NOW)
    res.resolve(session, "two", "yes" if yes else "no", actor="t", at=at, now=NOW)
    session.flush()
    out = score_database(session)
    binary = {f.name: f for f in out.forecasters if f.n_questions}
    choice = by_name(out.kinds.get(Kind.CHOICE))
    assert set(binary) == set(choice)
    for name, b in binary.items():
        c = choice[name]
        assert c.brier == pytest.approx(b.brier, abs=1e-12)
        assert c.brier2 == pytest.approx(b.brier2, abs=1e-12)
        assert c.log_score == pytest.approx(b.log_score, abs=1e-12)
        assert c.baseline == pytest.approx(b.baseline, abs=1e-9)
        assert c.peer == pytest.approx(b.peer, abs=1e-9)
        assert c.coverage == pytest.approx(b.coverage, abs=1e-12)
    session.rollback()


def test_vectors_decode_exactly(world):
    """The service's joined decode gives the stored vectors bit for bit (what decode_vector gives)."""
    from forecast.core.kind_spec import decode_vector
    from forecast.services import kind_scores as ks
    from forecast.store import bulk

    where, params = ks._question_where(world, ScoreFilter())
    fc = ks._forecasts(world, where, params, ScoreFilter(), np.zeros(100, dtype=np.int64))[0]  # all in one group
    stored = [decode_vector(r[0]) for r in bulk.rows(world.connection(),
              "SELECT vector FROM forecast WHERE vector IS NOT NULL ORDER BY id")]  # fmt: skip
    assert len(stored) == len(fc.width)
    for i, v in enumerate(stored):
        assert np.array_equal(fc.flat[fc.start[i] : fc.start[i] + fc.width[i]], v)
    assert date_seconds("2020-01-01") == 1577836800.0
