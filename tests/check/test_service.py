"""`forecast check` through the service, on SQLite and PostgreSQL: what it changes and what it reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from forecast.core.model import Resolution
from forecast.core.timeparse import to_micros
from forecast.services import resolution
from forecast.services.check.run import CheckOptions, run_check
from forecast.services.check.lock import CheckLocked, check_lock
from forecast.services.check.runs import history
from tests.check.helpers import DAY, T0, events, forecast, populate, question, runs, state

ACTOR = "forecast check"


def slugs(items) -> list[str]:
    return [i.slug for i in (items.items() if hasattr(items, "items") else items)]


def test_before_any_deadline_nothing_changes_and_deadlines_are_reminders(database):
    populate(database)
    before = state(database)
    report = run_check(database, T0 + 1 * DAY)
    assert state(database) == before
    assert not report.closed and not report.auto_resolved and not report.overdue
    assert slugs(report.closing_soon) == ["a-auto-no", "b-auto-yes", "c-manual"]
    assert report.attention and report.new_attention == 3


def test_closes_due_questions_and_auto_resolves_at_closes_at(database):
    populate(database)
    report = run_check(database, T0 + 4 * DAY)
    got = state(database)
    assert got["a-auto-no"] == ("resolved", "no", to_micros(T0 + 2 * DAY))
    assert got["b-auto-yes"] == ("resolved", "yes", to_micros(T0 + 3 * DAY))
    assert got["c-manual"] == ("closed", None, None)
    assert got["d-later"] == ("open", None, None)
    assert slugs(report.auto_resolved) == ["a-auto-no", "b-auto-yes"]
    assert slugs(report.closed) == ["c-manual"]
    assert report.auto_resolved[0].resolved_at == datetime(2030, 1, 3, tzinfo=UTC)
    # The resolution history says the check did it: auto-resolved questions go from open to resolved in one step.
    assert events(database) == [
        ("a-auto-no", "resolve", "no", ACTOR),
        ("b-auto-yes", "resolve", "yes", ACTOR),
        ("c-manual", "close", None, ACTOR),
    ]


def test_a_second_run_at_the_same_time_changes_nothing_and_reports_nothing_new(database):
    populate(database)
    first = run_check(database, T0 + 6 * DAY)
    assert first.changed and first.new_attention > 0
    before = (state(database), events(database))
    second = run_check(database, T0 + 6 * DAY)
    assert (state(database), events(database)) == before
    assert not second.changed and second.new_attention == 0 and not second.happened
    assert slugs(second.overdue) == ["c-manual"]  # still due, so still listed (and exit 10), but not new
    assert second.attention


def test_items_are_new_only_when_they_became_due_since_the_previous_run(database):
    populate(database)
    run_check(database, T0 + 1 * DAY)
    later = run_check(database, T0 + 6 * DAY)
    overdue = later.overdue.items()
    assert [(i.slug, i.new, i.overdue_days) for i in overdue] == [("c-manual", True, 1.0)]
    # An earlier "now" than the latest run (time travel backwards) compares with the runs before it.
    again = run_check(database, T0 + 1 * DAY)
    assert again.new_attention == 0


def test_dry_run_changes_nothing_but_says_what_would_change(database):
    populate(database)
    before = state(database)
    report = run_check(database, T0 + 6 * DAY, CheckOptions(dry_run=True))
    assert state(database) == before and events(database) == []
    assert slugs(report.auto_resolved) == ["a-auto-no", "b-auto-yes"] and slugs(report.closed) == ["c-manual"]
    assert slugs(report.overdue) == ["c-manual"]
    assert runs(database) == [(1, "done", True, True)]
    # A dry run is not the baseline for "new": the real run still announces everything.
    real = run_check(database, T0 + 6 * DAY)
    assert real.changed and real.overdue.new_count == 1


def test_overdue_stale_and_closing_soon(database):
    populate(database)
    report = run_check(database, T0 + 24 * DAY)
    assert [(i.slug, i.overdue_days) for i in report.overdue.items()] == [("c-manual", 19.0)]
    # d-later: alice last updated on day 1 (23 days), bob on day 9 (15 days); both past 14 days.
    assert [(i.slug, i.forecaster, i.days_since) for i in report.stale.items()] == [
        ("d-later", "alice", 23.0),
        ("d-later", "bob", 15.0),
    ]
    assert [(i.slug, i.closes_in_days) for i in report.closing_soon.items()] == [("d-later", 6.0)]
    narrower = run_check(database, T0 + 24 * DAY, CheckOptions(stale_days=20, soon_days=3))
    assert [i.forecaster for i in narrower.stale.items()] == ["alice"] and not narrower.closing_soon
    only_bob = run_check(database, T0 + 24 * DAY, CheckOptions(forecasters=("bob",)))
    assert [i.forecaster for i in only_bob.stale.items()] == ["bob"]


def test_a_correction_counts_by_its_own_date_not_the_one_it_replaced(database):
    with database.session() as s:
        question(s, "q", closes=60)
        first = forecast(s, "q", 0.3, day=18)
        forecast(s, "q", 0.35, day=2, corrects=first.id)  # the update really was made on day 2
    report = run_check(database, T0 + 20 * DAY)
    assert [(i.forecaster, i.days_since) for i in report.stale.items()] == [("alice", 18.0)]


def test_a_question_unresolved_by_hand_is_left_to_people(database):
    populate(database)
    run_check(database, T0 + 4 * DAY)
    with database.session() as s:
        resolution.unresolve(s, "a-auto-no", actor="alice", note="not so fast", now=T0 + 4 * DAY)
    report = run_check(database, T0 + 5 * DAY)
    assert state(database)["a-auto-no"] == ("closed", None, None)
    assert not report.auto_resolved
    assert "a-auto-no" in slugs(report.overdue)


def test_a_question_resolved_by_hand_before_its_deadline_is_untouched(database):
    populate(database)
    with database.session() as s:
        resolution.resolve(s, "a-auto-no", Resolution.YES, actor="alice", at=T0 + DAY, now=T0 + DAY)
    run_check(database, T0 + 4 * DAY)
    assert state(database)["a-auto-no"] == ("resolved", "yes", to_micros(T0 + DAY))
    assert [e for e in events(database) if e[0] == "a-auto-no"] == [("a-auto-no", "resolve", "yes", "alice")]


def test_runs_are_recorded_and_a_killed_run_is_noticed(database):
    populate(database)
    run_check(database, T0 + 4 * DAY)
    with database.engine.begin() as conn:  # what a run killed midway leaves behind
        conn.execute(text("UPDATE check_run SET status = 'running', finished_at = NULL, summary = ''"))
    report = run_check(database, T0 + 4 * DAY)
    assert report.interrupted_runs == 1 and report.happened
    rows = history(database.engine)
    assert [(r["status"], r["dry_run"]) for r in rows] == [("done", False), ("interrupted", False)]
    assert rows[0]["summary"]["closing_soon"] == 0 and rows[0]["as_of"] == "2030-01-05T00:00:00Z"
    assert rows[1]["summary"] == {} and rows[1]["finished_at"] is None


def test_first_run_summary_names_the_questions_it_changed(database):
    populate(database)
    report = run_check(database, T0 + 4 * DAY)
    summary = history(database.engine)[0]["summary"]
    assert summary["closed_ids"] == [q.id for q in report.closed]
    assert summary["auto_resolved"] == 2 and summary["feeds"] is None


def test_a_second_run_is_refused_while_one_holds_the_lock(database):
    populate(database)
    with check_lock(database.engine):
        with pytest.raises(CheckLocked, match="another forecast check is running"):
            run_check(database, T0 + 4 * DAY)
        run_check(database, T0 + 4 * DAY, CheckOptions(dry_run=True))  # a dry run takes no lock
    run_check(database, T0 + 4 * DAY)  # released
    assert state(database)["a-auto-no"][0] == "resolved"


def test_negative_windows_are_refused(database):
    from forecast.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        run_check(database, T0, CheckOptions(stale_days=-1))


def test_a_database_busy_midway_stops_applying_and_the_next_run_finishes(database, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from forecast.services.check.apply import Applier

    populate(database)
    real_once = Applier._once

    def busy_on_b(self, due):
        if due.id == 2:
            raise OperationalError("UPDATE question", {}, Exception("database is locked"))
        return real_once(self, due)

    monkeypatch.setattr(Applier, "_once", busy_on_b)
    monkeypatch.setenv("FORECAST_BUSY_TIMEOUT", "0.2")  # retried whole until then, then left for the next run
    report = run_check(database, T0 + 4 * DAY)
    assert report.errors == [
        "database busy at question b-auto-yes (database is locked); 2 due questions left for the next run"
    ]
    assert slugs(report.auto_resolved) == ["a-auto-no"] and not report.closed
    assert history(database.engine)[0]["status"] == "error"
    monkeypatch.setattr(Applier, "_once", real_once)
    again = run_check(database, T0 + 4 * DAY)
    assert slugs(again.auto_resolved) == ["b-auto-yes"] and slugs(again.closed) == ["c-manual"]


def test_a_write_locked_sqlite_database_is_reported_in_one_line(tmp_path, monkeypatch):
    import sqlite3

    from sqlalchemy import event

    from forecast.core.errors import ForecastError
    from forecast.services.database import Database, open_database
    from forecast.store.engine import make_engine

    path = tmp_path / "busy.db"
    populate(open_database(str(path)))
    engine = make_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", lambda conn, _r: conn.execute("PRAGMA busy_timeout=50"))
    monkeypatch.setenv("FORECAST_BUSY_TIMEOUT", "0.3")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ForecastError, match=r"^database is busy, nothing was checked \(database is locked\)"):
            run_check(Database(url=str(engine.url), engine=engine), T0 + 4 * DAY)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run_check(Database(url=str(engine.url), engine=engine), T0 + 4 * DAY).auto_resolved
    engine.dispose()


def test_changes_made_after_the_due_list_was_read_are_respected(database, monkeypatch):
    from forecast.services.check import queries as check_queries

    populate(database)
    with database.engine.connect() as conn:
        stale_list = check_queries.due_questions(conn, to_micros(T0 + 4 * DAY))
    with database.session() as s:  # meanwhile, in the TUI: one resolved by hand, one resolved and undone
        resolution.resolve(s, "a-auto-no", Resolution.YES, actor="alice", at=T0 + DAY, now=T0 + 3 * DAY)
        resolution.resolve(s, "b-auto-yes", Resolution.NO, actor="alice", at=T0 + DAY, now=T0 + 3 * DAY)
        resolution.unresolve(s, "b-auto-yes", actor="alice", now=T0 + 3 * DAY)
    monkeypatch.setattr("forecast.services.check.queries.due_questions", lambda conn, now: stale_list)
    report = run_check(database, T0 + 4 * DAY)
    assert state(database)["a-auto-no"] == ("resolved", "yes", to_micros(T0 + DAY))
    assert state(database)["b-auto-yes"] == ("closed", None, None)
    assert slugs(report.closed) == ["c-manual"] and not report.auto_resolved
