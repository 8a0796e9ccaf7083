"""The scoring service on SQLite and PostgreSQL: bulk load, filters, corrections, ties, one question."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from forecast.core.errors import NotFound
from forecast.core.model import Resolution
from forecast.core.scoring.results import QuestionCounts
from forecast.services import resolution as res
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question
from forecast.services.scoring import (
    OneQuestion,
    ScoreFilter,
    ScoreSummary,
    load_input,
    score_database,
    score_one_question,
)
from tests.scoring.read_models import assert_plain_records

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
NOW = datetime(2024, 12, 1, tzinfo=UTC)


def question(session, slug, tags=(), days=100):
    add_question(session, QuestionDraft(title=f"Question {slug}?", opens_at=T0, closes_at=T0 + days * DAY,
                                        tags=tags, slug=slug), now=T0)  # fmt: skip


def predict(session, slug, who, p, day, *, now=None, corrects=None):
    at = T0 + day * DAY
    return record_forecast(session, ForecastRequest(slug, p, who, at=at, corrects=corrects), now=now or at)


@pytest.fixture
def world(session):
    """yes-q resolves YES early (day 40); no-q resolves NO at its close; open-q stays open."""
    question(session, "yes-q", tags=("politics",))
    question(session, "no-q", tags=("economy",))
    question(session, "open-q", tags=("politics",))
    predict(session, "yes-q", "alice", 0.6, 0)
    first = predict(session, "yes-q", "alice", 0.1, 20)
    predict(session, "yes-q", "alice", 0.8, 20, now=T0 + 21 * DAY, corrects=first.id)  # a correction replaces 0.1
    predict(session, "yes-q", "bob", 0.3, 10)
    predict(session, "yes-q", "bob", 0.9, 60)  # made after the early resolution: late
    predict(session, "no-q", "alice", 0.2, 0)
    predict(session, "open-q", "carol", 0.5, 5)
    res.resolve(session, "yes-q", Resolution.YES, actor="t", at=T0 + 40 * DAY, now=NOW)
    res.resolve(session, "no-q", Resolution.NO, actor="t", at=T0 + 100 * DAY, now=NOW)
    session.flush()
    return session


def by_name(out):
    return {f.name: f for f in out.forecasters + out.aggregates}


def test_summary_from_the_database(world):
    out = score_database(world)
    assert out.questions == QuestionCounts(scored=2, not_scored=1, empty_window=0)
    f = by_name(out)
    # yes-q: window [0, 40) days; alice 0.6 for 20 days then 0.8 (the correction) for 20
    alice_yes = (0.16 * 20 + 0.04 * 20) / 40
    assert f["alice"].brier == pytest.approx((alice_yes + 0.04) / 2)
    assert f["alice"].n_questions == 2 and f["alice"].n_forecasts == 3
    assert f["bob"].brier == pytest.approx(0.49) and f["bob"].n_late == 1
    assert f["bob"].coverage == pytest.approx(30 / 40)
    assert "carol" not in f  # her only forecast is on a question not scored
    # Metaculus baseline divides by the scheduled 100 days: bob held 0.3 for 30 of them
    assert f["bob"].baseline == pytest.approx(100 * math.log2(0.6) * 0.3)
    assert "@median" in f and out.extremizing.exponent is None


def test_filters_pick_questions_and_by_picks_rows(world):
    politics = score_database(world, ScoreFilter(tag="politics"))
    assert politics.questions.scored == 1
    assert by_name(politics)["alice"].n_questions == 1
    late = score_database(world, ScoreFilter(since=T0 + 50 * DAY))
    assert late.questions.scored == 1 and by_name(late)["alice"].brier == pytest.approx(0.04)
    early = score_database(world, ScoreFilter(until=T0 + 50 * DAY))
    assert early.questions.scored == 1 and by_name(early)["bob"].n_questions == 1
    only_bob = score_database(world, ScoreFilter(forecasters=("bob",)))
    assert [f.name for f in only_bob.forecasters] == ["bob"]
    assert by_name(only_bob)["bob"].peer == by_name(score_database(world))["bob"].peer
    carol = by_name(score_database(world, ScoreFilter(forecasters=("carol",))))["carol"]
    assert carol.n_questions == 0 and carol.brier is None  # named, so shown, with nothing scored
    with pytest.raises(NotFound, match="no forecaster named 'zoe'"):
        score_database(world, ScoreFilter(forecasters=("zoe",)))
    with pytest.raises(NotFound, match="no tag named 'sports'"):
        score_database(world, ScoreFilter(tag="sports"))


def test_breakdown_and_units(world):
    out = score_database(world, unit="final", bin_width=0.5, breakdown="tag")
    alice = by_name(out)["alice"]
    assert len(alice.calibration) == 2 and sum(b.weight for b in alice.calibration) == 2
    keys = {(r.key, r.name) for r in out.breakdown}
    assert ("politics", "alice") in keys and ("economy", "alice") in keys


def test_the_service_returns_frozen_records_with_no_dict_inside(world):
    out = score_database(world, breakdown="question", flt=ScoreFilter(exclude_backfilled=True))
    assert type(out) is ScoreSummary and out.kinds is None  # binary questions only
    assert out.breakdown and out.backfilled.excluded and out.backfilled.after == timedelta(hours=24)
    assert assert_plain_records(out, "score") > 500


def test_input_columns(world):
    inp = load_input(world)
    assert inp.n_questions == 3 and inp.n_forecasts == 5  # open-q's forecast and the corrected one are not loaded
    assert inp.forecasters == ("alice", "bob")
    assert sorted(inp.labels) == ["no-q", "open-q", "yes-q"]
    assert set(inp.tags) == {"economy", "politics"}


def test_one_question_forecast_by_forecast(world):
    d = score_one_question(world, "yes-q")
    assert d.slug == "yes-q" and d.question.end == datetime(2024, 2, 10, tzinfo=UTC)
    alice, bob = d.forecasters
    assert [(x.p, x.status) for x in alice.forecasts] == [(0.6, "scored"), (0.8, "scored")]
    assert sum(x.contribution for x in alice.forecasts) == pytest.approx(alice.brier)
    assert alice.forecasts[1].starts == datetime(2024, 1, 21, tzinfo=UTC)
    assert [x.status for x in bob.forecasts] == ["scored", "late"]
    assert all(isinstance(x.id, int) for x in alice.forecasts + bob.forecasts)
    assert [a.name for a in d.aggregates] == ["@median", "@mean", "@geo-odds"]
    assert [f.name for f in score_one_question(world, "yes-q", ("bob",)).forecasters] == ["bob"]
    with pytest.raises(NotFound):
        score_one_question(world, "nope")


def test_one_question_is_frozen_records_with_datetimes_and_no_dict_inside(world):
    d = score_one_question(world, "yes-q")
    assert type(d) is OneQuestion and assert_plain_records(d, "score_one_question") > 80
    times = [d.question.opens, d.question.closes, d.question.resolved_at, d.question.end]
    times += [t for f in d.forecasters for x in f.forecasts for t in (x.made_at, x.starts, x.stops) if t is not None]
    assert all(type(t) is datetime and t.tzinfo is not None for t in times) and len(times) > 8
    unresolved = score_one_question(world, "open-q")
    assert not unresolved.question.scored and unresolved.question.resolved_at is None
    assert_plain_records(unresolved, "open-q")


def test_same_instant_forecasts_the_later_recorded_stands(session):
    question(session, "tie")
    predict(session, "tie", "alice", 0.9, 10, now=T0 + 11 * DAY)
    predict(session, "tie", "alice", 0.2, 10, now=T0 + 10 * DAY)  # same made_at, recorded earlier
    res.resolve(session, "tie", Resolution.NO, actor="t", at=T0 + 100 * DAY, now=NOW)
    session.flush()
    f = by_name(score_database(session))["alice"]
    assert f.n_forecasts == 1 and f.brier == pytest.approx(0.81)
    statuses = [x.status for x in score_one_question(session, "tie").forecasters[0].forecasts]
    assert sorted(statuses) == ["replaced", "scored"]


def test_empty_database(session):
    out = score_database(session)
    assert out.forecasters == () and out.questions == QuestionCounts(scored=0, not_scored=0, empty_window=0)


def test_large_ids_load_the_same(world):
    """Question and forecaster ids come packed in one integer (question_id << bits | forecaster_id, bits for
    the largest forecaster id): a forecaster id of 2^24 takes 25 bits, and nothing else changes."""
    from forecast.store import bulk

    before, inp = score_database(world), load_input(world)
    big = 2**24  # the loader's id-indexed tables are this long (16 M entries)
    bulk.execute(world.connection(), "INSERT INTO forecaster (id, name, created_at) VALUES (:id, 'zed', 0)", (big,))
    assert score_database(world) == before
    again = load_input(world)
    for name in ("q_idx", "f_idx", "t", "p", "seq"):
        assert getattr(again, name).tolist() == getattr(inp, name).tolist()
    assert again.forecasters == inp.forecasters
    with_zed = by_name(score_database(world, ScoreFilter(forecasters=("zed",))))
    assert with_zed["zed"].n_forecasts == 0


def test_ids_too_large_to_pack_are_read_as_they_are(world):
    from forecast.services import scoring

    conn, flt = world.connection(), ScoreFilter()
    where, params = scoring._question_where(conn, flt)
    q_ids = scoring._rows(conn, scoring.QUESTIONS_SQL.format(where=where), params, scoring._QUESTION_ROW)["id"]
    names = dict(scoring._pairs(conn, "SELECT id, name FROM forecaster"))
    packed = scoring._forecasts(conn, where, params, flt, q_ids, names)
    plain = scoring._forecasts(conn, where, params, flt, q_ids, {**names, 2**61: "as if"})  # 62 bits: no room
    assert "qf" in packed[2].dtype.names and "q" in plain[2].dtype.names
    for a, b in zip(packed[:2], plain[:2], strict=True):
        assert a.tolist() == b.tolist()
    for name in ("p", "t", "rec"):
        assert packed[2][name].tolist() == plain[2][name].tolist()
