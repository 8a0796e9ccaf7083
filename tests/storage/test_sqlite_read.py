"""`forecast score` reads a SQLite file at this version's schema through the standard library's sqlite3
(services/sqlite_read.py) and everything else the usual way; both give the same figures."""

from __future__ import annotations

import sqlite3

from forecast.services.database import open_database
from forecast.services.scoring import score_database
from forecast.services.sqlite_read import read_sqlite
from forecast.store import bulk
from tests.scoring.test_scoring_service import NOW, Resolution, predict, question, res


def _world(path) -> None:
    db = open_database(str(path))
    with db.session() as session:
        question(session, "yes-q", tags=("politics",))
        question(session, "no-q")
        predict(session, "yes-q", "alice", 0.6, 0)
        predict(session, "yes-q", "bob", 0.3, 10)
        predict(session, "no-q", "alice", 0.2, 0)
        res.resolve(session, "yes-q", Resolution.YES, actor="t", at=NOW, now=NOW)
        res.resolve(session, "no-q", Resolution.NO, actor="t", at=NOW, now=NOW)
    db.engine.dispose()


def test_a_file_at_head_reads_the_same_through_sqlite3(sqlite_path):
    _world(sqlite_path)
    seen = []

    def work(conn):
        seen.append(type(conn))
        return score_database(conn)

    fast = read_sqlite(str(sqlite_path), work)
    db = open_database(str(sqlite_path), create=False)
    with db.snapshot() as conn:
        usual = score_database(conn)
    db.engine.dispose()
    assert seen == [bulk.Sqlite]
    assert fast == usual and fast.questions.scored == 2


def test_anything_else_goes_the_usual_way(sqlite_path, tmp_path):
    assert read_sqlite(str(tmp_path / "missing.db"), score_database) is None
    assert not (tmp_path / "missing.db").exists()
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE x (a)")
    before = other.read_bytes()
    assert read_sqlite(str(other), score_database) is None
    assert other.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]
    _world(sqlite_path)
    assert read_sqlite(f"sqlite:///{sqlite_path}", score_database) is None  # a URL
    with sqlite3.connect(sqlite_path) as conn:  # as if written by an older version
        conn.execute("UPDATE alembic_version SET version_num = '0007_soft_delete'")
    assert read_sqlite(str(sqlite_path), score_database) is None
