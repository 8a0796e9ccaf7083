"""A binary "before X" question linked to a date question: `q edit --event`, the implied P(before X) and the flag."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import choice_spec, continuous_spec
from forecast.core.model import Kind
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question, edit_question
from forecast.services.questions.detail import show_question
from tests.cli_runner import invoke

T0 = datetime(2019, 3, 16, tzinfo=UTC)
NOW = datetime(2019, 4, 1, tzinfo=UTC)
X = datetime(2020, 1, 1, tzinfo=UTC)
DATE_FORECAST = "p10=2019-06-01 p50=2020-01-01 p90=2021-06-01"  # its median is X: implies about 50 %


def questions(session) -> None:
    spec = continuous_spec(Kind.DATE, "2019-03-16..2021-12-31", open_upper=True)
    add_question(session, QuestionDraft("When will North Korea next launch a satellite?", closes_at=datetime(2021, 12, 31, tzinfo=UTC),
                                        opens_at=T0, slug="when", spec=spec), now=NOW)  # fmt: skip
    add_question(session, QuestionDraft("Will North Korea launch a satellite before 2020?", closes_at=X, opens_at=T0,
                                        slug="before"), now=NOW)  # fmt: skip
    add_question(session, QuestionDraft("Who launches first?", closes_at=X, opens_at=T0, slug="who",
                                        spec=choice_spec(["kim", "moon"])), now=NOW)  # fmt: skip


def forecast(session, q, text, who) -> None:
    record_forecast(session, ForecastRequest(q, text, who, at=NOW), now=NOW)


def test_linked_binary_shows_the_date_forecasts_implied_probability(session):
    from forecast.core.distribution import cdf_at
    from forecast.core.kind_spec import decode_vector
    from forecast.services.kinds import spec_of
    from forecast.services.lookup import get_question

    questions(session)
    _row, changed = edit_question(session, "before", event="when", now=NOW)
    assert changed == ["event"]
    forecast(session, "when", DATE_FORECAST, "alice")
    forecast(session, "when", "p10=2019-05-01 p50=2019-07-01 p90=2019-12-01", "bob")
    forecast(session, "before", "35%", "alice")
    forecast(session, "before", "95%", "bob")
    forecast(session, "before", "60%", "carol")  # no date forecast: nothing implied, nothing flagged

    link = show_question(session, "before", now=NOW).event_link
    assert link is not None
    assert (link.date_question, link.threshold) == ("when", X)
    by = {r.forecaster: r for r in link.forecasters}
    assert list(by) == ["alice", "bob", "carol"]
    spec = spec_of(get_question(session, "when"))
    want = cdf_at(decode_vector(_vector(session, "when", "alice")), spec.range, X.timestamp())
    assert by["alice"].implied == pytest.approx(want)
    assert by["alice"].implied == pytest.approx(0.5, abs=0.01)  # the median of what was typed, after the 1 % floor
    assert by["alice"].binary == 0.35 and by["alice"].inconsistent
    assert by["bob"].implied > 0.9 and not by["bob"].inconsistent  # within 10 points
    assert by["carol"].implied is None and not by["carol"].inconsistent
    assert show_question(session, "when", now=NOW).event_link is None  # the link is shown on the binary side

    edit_question(session, "before", closes_at=datetime(2019, 6, 1, tzinfo=UTC), now=NOW)  # X moves with the close
    assert show_question(session, "before", now=NOW).event_link.threshold == datetime(2019, 6, 1, tzinfo=UTC)

    _row, changed = edit_question(session, "before", event=None, now=NOW)
    assert changed == ["event"] and show_question(session, "before", now=NOW).event_link is None


def _vector(session, slug, who) -> str:
    """The forecaster's latest stored vector on the question, read independently of the service."""
    from sqlalchemy import text

    return session.exec(text(
        "SELECT f.vector FROM forecast f JOIN question q ON q.id = f.question_id JOIN forecaster r ON r.id = f.forecaster_id "
        "WHERE q.slug = :s AND r.name = :w ORDER BY f.id DESC"
    ).bindparams(s=slug, w=who)).first()[0]  # fmt: skip


@pytest.mark.parametrize(
    ("binary", "target", "message"),
    [
        ("when", "before", "when is a date question: only a binary"),
        ("before", "who", "who is a choice question, not a date question"),
        ("before", "before", "before is a binary question, not a date question"),
    ],
)
def test_only_a_binary_question_links_and_only_to_a_date_question(session, binary, target, message):
    questions(session)
    with pytest.raises(InvalidInput, match=message):
        edit_question(session, binary, event=target, now=NOW)


def test_q_edit_event_and_q_show(db_url_at_head):
    from forecast.services.database import open_database

    db = open_database(db_url_at_head)
    try:
        db.write(questions)
        db.write(lambda s: (forecast(s, "when", DATE_FORECAST, "alice"), forecast(s, "before", "20%", "alice")))
    finally:
        db.engine.dispose()
    r = invoke("q", "edit", "before", "--event", "when", db=db_url_at_head)
    assert r.code == 0 and r.err.startswith("question before: changed event")  # (and status: it closed in 2020)
    r = invoke("q", "show", "before", "--json", db=db_url_at_head)
    link = r.json()["event_link"]
    assert link["date_question"] == "when" and link["threshold"] == "2020-01-01T00:00:00Z"
    [alice] = link["forecasters"]
    assert (alice["forecaster"], alice["binary"], alice["inconsistent"]) == ("alice", 0.2, True)
    text = invoke("q", "show", "before", db=db_url_at_head).out
    assert "event: date question when" in text
    assert "alice" in text and "binary    20%  implied  49.7%" in text and "inconsistent (30 points apart)" in text

    r = invoke("q", "edit", "when", "--event", "before", db=db_url_at_head)
    assert r.code == 1 and r.err.count("\n") == 1 and "only a binary" in r.err
    r = invoke("q", "edit", "before", "--event", "nope", db=db_url_at_head)
    assert r.code == 1 and "no question" in r.err
    r = invoke("q", "edit", "before", "--event", "none", "--json", db=db_url_at_head)
    assert r.code == 0 and r.json()["event_link"] is None


def test_a_date_question_lists_the_binary_questions_linked_to_it(session):
    """The date side shows each linked binary question with the very comparison that question shows."""
    questions(session)
    add_question(session, QuestionDraft("Will North Korea launch a satellite before mid-2019?", opens_at=T0,
                                        closes_at=datetime(2019, 7, 1, tzinfo=UTC), slug="early"), now=NOW)  # fmt: skip
    assert show_question(session, "when", now=NOW).linked_binaries == ()  # nothing linked yet
    edit_question(session, "before", event="when", now=NOW)
    edit_question(session, "early", event="when", now=NOW)
    forecast(session, "when", DATE_FORECAST, "alice")
    forecast(session, "when", "p10=2019-05-01 p50=2019-07-01 p90=2019-12-01", "bob")
    forecast(session, "before", "35%", "alice")
    forecast(session, "before", "95%", "bob")
    forecast(session, "before", "60%", "carol")
    forecast(session, "early", "10%", "alice")

    linked = show_question(session, "when", now=NOW).linked_binaries
    assert [b.slug for b in linked] == ["early", "before"]  # soonest threshold first
    early, before = linked
    assert before.forecasters == show_question(session, "before", now=NOW).event_link.forecasters
    assert early.forecasters == show_question(session, "early", now=NOW).event_link.forecasters
    assert (before.threshold, before.title, before.status) == (X, "Will North Korea launch a satellite before 2020?", "open")
    assert before.binary_median == pytest.approx(0.60)  # of 35 %, 95 % and 60 %
    by = {r.forecaster: r for r in before.forecasters}
    assert before.implied_median == pytest.approx((by["alice"].implied + by["bob"].implied) / 2)
    assert before.inconsistent  # alice: 35 % against about 50 %
    assert early.binary_median == 0.10 and not early.inconsistent  # alice's date forecast implies about 14 % by July
    assert show_question(session, "who", now=NOW).linked_binaries == ()  # a choice question: never any

    edit_question(session, "early", event=None, now=NOW)
    assert [b.slug for b in show_question(session, "when", now=NOW).linked_binaries] == ["before"]
    from forecast.services.trash import delete_question, restore

    delete_question(session, "before", actor="alice", now=NOW)  # in the trash: not listed
    assert show_question(session, "when", now=NOW).linked_binaries == ()
    restore(session, "question", "before", actor="alice", now=NOW)  # back with its link
    assert [b.slug for b in show_question(session, "when", now=NOW).linked_binaries] == ["before"]


def test_q_show_of_the_date_question(db_url_at_head):
    from forecast.services.database import open_database

    db = open_database(db_url_at_head)
    try:
        db.write(questions)
        db.write(lambda s: (forecast(s, "when", DATE_FORECAST, "alice"), forecast(s, "before", "20%", "alice"),
                            edit_question(s, "before", event="when", now=NOW)))  # fmt: skip
    finally:
        db.engine.dispose()
    r = invoke("q", "show", "when", "--json", db=db_url_at_head)
    assert r.code == 0, r.err
    [before] = r.json()["linked_binaries"]
    assert {k: before[k] for k in ("slug", "threshold", "binary_median", "inconsistent")} == \
        {"slug": "before", "threshold": "2020-01-01T00:00:00Z", "binary_median": 0.2, "inconsistent": True}  # fmt: skip
    assert before["implied_median"] == pytest.approx(0.497, abs=1e-3)
    assert before["forecasters"] == invoke("q", "show", "before", "--json", db=db_url_at_head).json()["event_link"]["forecasters"]
    text = invoke("q", "show", "when", db=db_url_at_head).out
    assert "linked binary questions (P(before X) implied by this question's forecasts):" in text
    assert "  before 2020-01-01 00:00: median binary 20%, implied 49.7%  inconsistent\n" in text
    assert "alice        binary    20%  implied  49.7%  inconsistent (30 points apart)" in text
    assert invoke("q", "show", "before", "--json", db=db_url_at_head).json()["linked_binaries"] == []
