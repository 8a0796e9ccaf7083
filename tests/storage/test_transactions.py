"""The transaction rules of store/transaction.py: writes lock first, reads never lock, retries are whole."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from forecast.store.transaction import CONFLICT_ATTEMPTS, DatabaseBusy, retry_reason, retry_window


def _locked_error() -> OperationalError:
    orig = sqlite3.OperationalError("database is locked")
    orig.sqlite_errorcode = 5  # SQLITE_BUSY, as the driver sets it
    return OperationalError("BEGIN IMMEDIATE", {}, orig)


def test_a_sqlite_write_holds_the_write_lock_from_its_first_statement(tmp_path):
    """BEGIN IMMEDIATE: even after only reading, no other writer can get in (so none can commit between
    this transaction's read and its write, the case that failed at once whatever the busy timeout)."""
    from forecast.services.database import open_database

    db = open_database(str(tmp_path / "f.db"))
    other = sqlite3.connect(tmp_path / "f.db", timeout=0, isolation_level=None)

    def work(session):
        session.connection().exec_driver_sql("SELECT count(*) FROM forecaster").scalar()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("INSERT INTO tag (name) VALUES ('intruder')")
        session.connection().exec_driver_sql("INSERT INTO tag (name) VALUES ('mine')")

    db.write(work)
    assert [r[0] for r in other.execute("SELECT name FROM tag")] == ["mine"]
    other.close()
    db.engine.dispose()


def test_a_sqlite_read_never_takes_the_write_lock(tmp_path):
    from forecast.services.database import open_database

    db = open_database(str(tmp_path / "f.db"))
    other = sqlite3.connect(tmp_path / "f.db", timeout=0, isolation_level=None)
    with db.session() as session:
        session.connection().exec_driver_sql("SELECT count(*) FROM question").scalar()
        other.execute("INSERT INTO tag (name) VALUES ('written-while-reading')")  # no wait, no error
    assert other.execute("SELECT count(*) FROM tag").fetchone()[0] == 1
    other.close()
    db.engine.dispose()


def test_a_busy_attempt_is_rolled_back_and_the_whole_unit_runs_again(database):
    attempts = []

    def work(session):
        attempts.append(1)
        session.connection().execute(text("INSERT INTO tag (name) VALUES ('once')"))
        if len(attempts) == 1:
            raise _locked_error()
        return "done"

    assert database.write(work) == "done"
    assert len(attempts) == 2
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tag WHERE name = 'once'")).scalar() == 1


def test_other_errors_are_not_retried_and_leave_nothing(database):
    attempts = []

    def work(session):
        attempts.append(1)
        session.connection().execute(text("INSERT INTO tag (name) VALUES ('never')"))
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        database.write(work)
    assert len(attempts) == 1
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tag")).scalar() == 0


def test_busy_past_the_window_is_one_line_saying_nothing_was_written(database, monkeypatch):
    monkeypatch.setenv("FORECAST_BUSY_TIMEOUT", "0.05")

    def work(session):
        raise _locked_error()

    with pytest.raises(DatabaseBusy, match=r"^database is busy \(database is locked\) after 0.05 s of retrying; "
                       "nothing was written, try again$"):  # fmt: skip
        database.write(work)


@pytest.mark.postgres
def test_a_unique_violation_that_persists_is_a_real_duplicate(pg_url):
    from forecast.services.database import open_database

    db = open_database(pg_url)
    db.write(lambda s: s.connection().execute(text("INSERT INTO tag (name) VALUES ('dup')")))
    attempts = []

    def work(session):
        attempts.append(1)
        session.connection().execute(text("INSERT INTO tag (name) VALUES ('dup')"))

    with pytest.raises(IntegrityError):
        db.write(work)
    assert len(attempts) == CONFLICT_ATTEMPTS
    assert retry_reason(IntegrityError("INSERT", {}, type("E", (Exception,), {"sqlstate": "23505"})())) == (
        "unique violation", True)  # fmt: skip
    db.engine.dispose()


def test_the_retry_window_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FORECAST_BUSY_TIMEOUT", "7.5")
    assert retry_window() == 7.5
    for bad in ("soon", "-1", "inf", "nan"):
        monkeypatch.setenv("FORECAST_BUSY_TIMEOUT", bad)
        assert retry_window() == 120.0


def _fk(session) -> int:
    return session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar()


def test_a_write_of_ids_read_here_runs_without_sqlite_key_lookups_and_every_other_write_has_them(tmp_path):
    """`ids_read_here` (the bulk import): foreign keys off for that transaction only, on again for every
    write after it on the same pooled connection, after a commit, a rollback, a retry and an error alike."""
    from forecast.services.database import open_database

    db = open_database(str(tmp_path / "f.db"))
    attempts = []

    def bulk(session):
        attempts.append(_fk(session))
        session.connection().exec_driver_sql("INSERT INTO tag (name) VALUES ('bulk')")
        if len(attempts) == 1:
            raise _locked_error()
        return "done"

    assert db.write(bulk, ids_read_here=True) == "done"
    assert attempts == [0, 0]
    assert db.write(_fk) == 1
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM tag WHERE name = 'bulk'").scalar() == 1

    def failing(session):
        session.connection().exec_driver_sql("INSERT INTO tag (name) VALUES ('never')")
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        db.write(failing, ids_read_here=True)
    assert db.write(_fk) == 1
    with db.session() as s:
        assert _fk(s) == 1
        assert s.connection().exec_driver_sql("SELECT count(*) FROM tag WHERE name = 'never'").scalar() == 0
    db.engine.dispose()


def test_the_key_rules_stay_on_for_postgresql(pg_url):
    from forecast.services.database import open_database

    db = open_database(pg_url)

    def orphan(session):
        session.connection().exec_driver_sql("INSERT INTO question_tag (question_id, tag_id) VALUES (424242, 424242)")

    with pytest.raises(IntegrityError):
        db.write(orphan, ids_read_here=True)
    db.engine.dispose()
