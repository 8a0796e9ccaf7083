"""Per-question reminders: set with `q remind` or `q add --remind`, listed by `check` (exit 10) once due,
until the question gets a new forecast, is resolved, or the reminder is cleared. On SQLite and PostgreSQL."""

from __future__ import annotations

from tests.cli_runner import invoke


def check(db: str, now: str):
    return invoke("check", "--now", now, "--json", "--no-feeds", db=db)


def test_a_reminder_is_due_until_the_question_gets_a_new_forecast(db_url):
    assert invoke("q", "add", "Will it rain?", "--opens", "2030-01-01", "--closes", "2031-01-01", "--slug", "rain",
               "--remind", "2030-02-01", db=db_url).code == 0  # fmt: skip
    assert invoke("q", "remind", "rain", "2030-03-01", "--note", "look at the polls", db=db_url).code == 0  # moved
    before = check(db_url, "2030-02-15T00:00:00Z")
    assert before.code == 0 and before.json()["reminders"] == []
    due = check(db_url, "2030-03-02T00:00:00Z")
    assert due.code == 10, due.err
    [item] = due.json()["reminders"]
    assert (item["slug"], item["remind_at"], item["note"], item["new"]) == ("rain", "2030-03-01T00:00:00Z",
                                                                            "look at the polls", True)  # fmt: skip
    again = check(db_url, "2030-03-03T00:00:00Z")
    assert again.code == 10 and again.json()["reminders"][0]["new"] is False  # still due, no longer new
    shown = invoke("q", "show", "rain", "--json", db=db_url).json()
    assert shown["reminder"] == {"question": "rain", "remind_at": "2030-03-01T00:00:00Z", "note": "look at the polls"}


def test_a_new_forecast_or_clearing_ends_it(db_url):
    assert invoke("q", "add", "Will it snow?", "--closes", "in 2 years", "--slug", "snow", db=db_url).code == 0
    assert invoke("q", "remind", "snow", "1 hour ago", db=db_url).code == 0
    assert invoke("check", "--json", "--no-feeds", db=db_url).json()["counts"]["reminders"] == 1
    assert invoke("predict", "snow", "20%", db=db_url).code == 0  # the update the reminder asked for
    assert invoke("check", "--json", "--no-feeds", db=db_url).json()["counts"]["reminders"] == 0
    assert invoke("q", "remind", "snow", "now", db=db_url).code == 0  # after that forecast: due again
    assert invoke("check", "--json", "--no-feeds", db=db_url).json()["counts"]["reminders"] == 1
    cleared = invoke("q", "remind", "snow", "--clear", db=db_url)
    assert cleared.code == 0 and "cleared" in cleared.err
    assert invoke("check", "--json", "--no-feeds", db=db_url).json()["counts"]["reminders"] == 0


def test_bad_reminders_are_refused_with_one_line(db_url):
    assert invoke("q", "add", "Done?", "--opens", "2020-01-01", "--closes", "2020-02-01", "--slug", "done",
               db=db_url).code == 0  # fmt: skip
    assert invoke("resolve", "done", "yes", "--at", "2020-01-15", db=db_url).code == 0
    for args, code, words in (
        (("q", "remind", "done", "tomorrow"), 1, "needs no reminder"),
        (("q", "remind", "done"), 2, "give WHEN"),
        (("q", "remind", "done", "tomorrow", "--clear"), 2, "give WHEN"),
        (("q", "remind", "done", "someday"), 2, "cannot read date"),
        (("q", "remind", "nothing-like-it", "tomorrow"), 1, "no question"),
    ):
        r = invoke(*args, db=db_url)
        assert r.code == code and words in r.err and len(r.err.splitlines()) == 1, (args, r.err)


def test_reminder_marks_are_the_waiting_reminders_due_by_checks_rule(db_url):
    """What the TUI marks ◷: due ones (as `check` lists them) and ones set for later; answered ones and
    those of resolved questions are not waiting."""
    from datetime import UTC, datetime, timedelta

    from forecast.core.model import Resolution
    from forecast.services.database import open_database
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.services.questions.authoring import QuestionDraft, add_question
    from forecast.services.reminders import reminder_marks, set_reminder
    from forecast.services.resolution import resolve

    now = datetime(2030, 6, 1, tzinfo=UTC)
    db = open_database(db_url)

    def setup(s) -> dict[str, int]:
        ids = {}
        for slug in ("due", "later", "answered", "resolved", "none"):
            draft = QuestionDraft(title=f"Will {slug}?", slug=slug, opens_at=now - timedelta(days=60),
                                  closes_at=now + timedelta(days=60))
            ids[slug] = add_question(s, draft, now=now - timedelta(days=60)).id
        for slug, at in (("due", -1), ("later", 3), ("answered", -5), ("resolved", -2)):
            set_reminder(s, slug, now + timedelta(days=at), now=now - timedelta(days=30))
        made = now - timedelta(days=4)
        record_forecast(s, ForecastRequest("answered", 0.4, "me", at=made), now=made)
        resolve(s, "resolved", Resolution.YES, actor="me", at=now - timedelta(days=1), now=now - timedelta(days=1))
        return ids

    try:
        ids = db.write(setup)
        with db.session() as s:
            marks = reminder_marks(s, now)
    finally:
        db.engine.dispose()
    assert marks == {ids["due"]: True, ids["later"]: False}
    due = check(db_url, "2030-06-01T00:00:00Z").json()["reminders"]
    assert [r["slug"] for r in due] == ["due"]  # the same rule as `forecast check`
