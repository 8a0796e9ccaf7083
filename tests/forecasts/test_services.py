"""Questions, forecasts and resolutions through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from forecast.core.errors import Conflict, InvalidInput, NotFound
from forecast.core.model import AutoRule, Resolution
from forecast.services import resolution as res
from forecast.services.forecasts import ForecastRequest, history, record_forecast
from forecast.services.questions.detail import show_question
from forecast.services.questions.listing import list_questions
from forecast.services.questions.authoring import QuestionDraft, add_question, edit_question

T0 = datetime(2019, 3, 16, tzinfo=UTC)
NOW = datetime(2019, 4, 1, tzinfo=UTC)


def nk(session, **kw):
    draft = QuestionDraft(
        title="Will North Korea conduct a ballistic missile or space launch between 2019-03-16 and 2019-06-30?",
        opens_at=T0,
        closes_at=datetime(2019, 7, 1, tzinfo=UTC),
        tags=("north-korea", "Missiles"),
        auto=AutoRule.NO_AT_CLOSE,
        **kw,
    )
    return add_question(session, draft, now=NOW)


def predict(session, p, at, who="alice", **kw):
    return record_forecast(session, ForecastRequest("nk", p, who, at=at, **kw), now=NOW)


def test_add_question_derives_slug_and_normalises_tags(session):
    q = nk(session)
    assert q.slug.startswith("will-north-korea-conduct")
    assert q.resolves_at == q.closes_at and q.status == "open"
    data = show_question(session, q.slug, now=NOW)
    assert data.tags == ("missiles", "north-korea")
    assert data.auto == "no_at_close"


def test_duplicate_slug_and_bad_dates_are_refused(session):
    nk(session, slug="nk")
    with pytest.raises(Conflict):
        nk(session, slug="nk")
    with pytest.raises(InvalidInput, match="closes_at must be after opens_at"):
        add_question(session, QuestionDraft(title="x", opens_at=NOW, closes_at=T0), now=NOW)
    with pytest.raises(InvalidInput):
        nk(session, slug="Not A Slug")


def test_forecast_rules(session):
    nk(session, slug="nk")
    predict(session, "35%", T0 + timedelta(hours=10), rationale="base rate")
    with pytest.raises(InvalidInput, match="outside"):
        predict(session, "1.2", T0 + timedelta(hours=11))
    with pytest.raises(InvalidInput, match="future"):
        predict(session, 0.3, NOW + timedelta(days=1))
    with pytest.raises(InvalidInput, match="before the question opens"):
        predict(session, 0.3, T0 - timedelta(days=1))
    with pytest.raises(NotFound):
        record_forecast(session, ForecastRequest("nope", 0.3, "alice"), now=NOW)
    rows = history(session, "nk")
    assert [(r.forecaster, r.probability, r.rationale) for r in rows] == [("alice", 0.35, "base rate")]


def test_forecasts_after_close_or_after_the_resolution_are_refused(session):
    q = nk(session, slug="nk")
    late = datetime(2019, 7, 2, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="closes"):
        record_forecast(session, ForecastRequest("nk", 0.4, "alice", at=datetime(2019, 7, 1, tzinfo=UTC)), now=late)
    res.resolve(session, q.slug, Resolution.YES, actor="alice", at=datetime(2019, 5, 4, tzinfo=UTC), now=NOW + timedelta(days=40))
    later = NOW + timedelta(days=40)
    with pytest.raises(InvalidInput, match="resolved"):
        record_forecast(session, ForecastRequest("nk", 0.5, "alice", at=datetime(2019, 5, 10, tzinfo=UTC)), now=later)
    # Inside the window it was open for (before the resolution), the history can still be logged.
    assert record_forecast(session, ForecastRequest("nk", 0.5, "alice", at=NOW), now=later).made_at == NOW


def test_latest_and_corrections_keep_history(session):
    nk(session, slug="nk")
    first = predict(session, 0.35, T0 + timedelta(days=1))
    predict(session, 0.25, T0 + timedelta(days=2), who="bob")
    # A correction is a new record; the old one stays, marked as superseded.
    fixed = predict(session, 0.45, None, corrects=first.id)
    assert fixed.made_at == first.made_at and fixed.supersedes_id == first.id
    rows = history(session, "nk")
    assert [(r.probability, r.superseded) for r in rows if r.forecaster == "alice"] == [(0.35, True), (0.45, False)]
    listed = list_questions(session, status="all", now=NOW)
    assert listed[0].latest == {"alice": 0.45, "bob": 0.25}
    with pytest.raises(InvalidInput, match="already corrected"):
        predict(session, 0.5, None, corrects=first.id)
    with pytest.raises(InvalidInput, match="another forecaster"):
        predict(session, 0.5, None, who="bob", corrects=fixed.id)


def test_resolve_and_unresolve_are_recorded(session):
    nk(session, slug="nk")
    at = datetime(2019, 5, 4, tzinfo=UTC)
    later = datetime(2019, 7, 10, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="future"):
        res.resolve(session, "nk", Resolution.YES, actor="alice", at=later + timedelta(days=1), now=later)
    q = res.resolve(session, "nk", Resolution.YES, actor="alice", at=at, note="KN-23", now=later)
    assert (q.status, q.resolution, q.resolved_at) == ("resolved", "yes", at)
    with pytest.raises(Conflict, match="already resolved"):
        res.resolve(session, "nk", Resolution.NO, actor="alice", now=later)
    q = res.unresolve(session, "nk", actor="bob", note="wrong launch", now=later)
    assert (q.status, q.resolution) == ("closed", None)
    res.resolve(session, "nk", Resolution.ANNULLED, actor="bob", now=later)
    events = res.events(session, "nk")
    assert [(e.action, e.actor, e.resolution) for e in events] == [
        ("resolve", "alice", "yes"),
        ("unresolve", "bob", None),
        ("resolve", "bob", "annulled"),
    ]
    assert list_questions(session, status="annulled", now=later)[0].slug == "nk"


def test_edit_question(session):
    nk(session, slug="nk")
    q, changed = edit_question(session, "nk", title="New title", add_tags=("extra",), remove_tags=("missiles",), now=NOW)
    assert q.title == "New title" and set(changed) == {"title", "tags"}
    assert show_question(session, "nk", now=NOW).tags == ("extra", "north-korea")
    _, changed = edit_question(session, "nk", title="New title", now=NOW)
    assert changed == []
    with pytest.raises(InvalidInput):
        edit_question(session, "nk", closes_at=T0 - timedelta(days=1), now=NOW)


def test_list_filters(session):
    nk(session, slug="nk")
    add_question(session, QuestionDraft(title="Will it rain?", opens_at=T0, closes_at=NOW, tags=("weather",)), now=NOW)
    assert [r.slug for r in list_questions(session, status="open", now=NOW)] == ["nk"]
    assert [r.slug for r in list_questions(session, status="all", tag="weather", now=NOW)] == ["will-it-rain"]
    assert [r.slug for r in list_questions(session, status="all", search="RAIN", now=NOW)] == ["will-it-rain"]
    assert list_questions(session, status="all", search="100%_", now=NOW) == []
    with pytest.raises(InvalidInput):
        list_questions(session, status="bogus")


def test_foreign_keys_are_enforced(session):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO forecast (question_id, forecaster_id, probability, made_at, recorded_at, rationale, "
                "superseded) VALUES (999, 999, 0.5, 0, 0, '', false)"
            )
        )
        session.flush()


def test_untrusted_text_is_stored_without_escape_sequences(session):
    q = add_question(
        session,
        QuestionDraft(title="Evil \x1b[31mred\x1b[0m title\x07", opens_at=T0, closes_at=NOW, criteria="a\x1b]8;;x\x07b"),
        now=NOW,
    )
    assert q.title == "Evil red title" and q.criteria == "ab"
