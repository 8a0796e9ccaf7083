"""Delete and restore carry a question's kind columns and its comments, bit for bit, on SQLite and
PostgreSQL; in a team database a restored comment keeps its author (the stamping trigger, store/team_sql.py)."""

from __future__ import annotations

import psycopg
import pytest

from forecast.services.database import open_database
from forecast.store import bulk
from tests.evidence.conftest import cli
from tests.team.conftest import _sql, team_db  # noqa: F401  (the fixture)

COLUMNS = {
    "question": "id, slug, kind, kind_spec, outcome, resolution, resolved_at, event_question_id",
    "forecast": "id, question_id, forecaster_id, probability, made_at, recorded_at, vector, entered, superseded, "
                "supersedes_id",
    "comment": "id, question_id, author, body, created_at, updated_at",
    "resolution_event": "id, question_id, action, resolution, outcome, at",
}  # fmt: skip


def _ok(r):
    assert r.code == 0, r.err
    return r


def _rows(url: str) -> dict:
    db = open_database(url)
    try:
        with db.session() as s:
            return {t: [tuple(r) for r in bulk.rows(s.connection(), f"SELECT {c} FROM {t} ORDER BY id")]
                    for t, c in COLUMNS.items()}  # fmt: skip
    finally:
        db.engine.dispose()


def test_a_choice_question_comes_back_with_its_vectors_outcome_and_comments(db_url):
    ok = lambda *a, **kw: _ok(cli(*a, db=db_url, **kw))  # noqa: E731
    ok("q", "add", "Who will lead?", "--kind", "choice", "--option", "kim=Kim", "--option", "moon=Moon", "--other",
       "--opens", "2025-01-01", "--closes", "2030-01-01", "--slug", "who")  # fmt: skip
    ok("q", "add", "When?", "--kind", "date", "--range", "2025-01-01..2031-01-01", "--open-upper",
       "--opens", "2025-01-01", "--closes", "2030-01-01", "--slug", "when")  # fmt: skip
    ok("predict", "who", "kim=50% moon=30% other=20%", "--at", "2025-02-01")
    ok("predict", "who", "kim=0.2 moon=0.7 other=0.1", "--at", "2025-03-01", "--by", "bob")
    ok("predict", "when", "p10=2026-01-01 p50=2027-06-01 p90=2029-01-01", "--at", "2025-02-01")
    ok("comment", "who", "Moon looks likely.\nSecond line.", "--by", "carol")
    ok("comment", "who", "Kim, surely", "--by", "bob")
    ok("comment", "when", "Not this year")
    ok("resolve", "who", "moon", "--at", "2025-04-01")
    before = _rows(db_url)
    assert len(before["comment"]) == 3 and all(v for _, _, _, _, _, _, v, *_ in before["forecast"])
    ok("q", "rm", "who")
    gone = _rows(db_url)
    assert [c[2] for c in gone["comment"]] == ["tester"] and len(gone["forecast"]) == 1
    ok("restore", "question", "who")
    assert _rows(db_url) == before
    assert [c[2:4] for c in before["comment"][:2]] == [("carol", "Moon looks likely.\nSecond line."), ("bob", "Kim, surely")]


def test_in_a_team_database_a_restored_comment_keeps_its_author(team_db):
    u, names = team_db["urls"], team_db["names"]
    _ok(cli("q", "add", "Who will lead?", "--kind", "choice", "--option", "kim", "--option", "moon",
            "--opens", "2025-01-01", "--closes", "2030-01-01", "--slug", "who", db=u["alice"]))  # fmt: skip
    _ok(cli("predict", "who", "kim=40% moon=60%", "--at", "2025-02-01", db=u["alice"]))
    _ok(cli("comment", "who", "Moon, I think", db=u["bob"]))
    _ok(cli("comment", "who", "Agreed", db=u["alice"]))
    before = _rows(team_db["owner"])
    assert [c[2] for c in before["comment"]] == [names["bob"], names["alice"]]
    _ok(cli("q", "rm", "who", db=u["adam"]))  # an admin: the cascade deletes bob's comment too
    _ok(cli("restore", "question", "who", db=u["adam"]))
    after = _rows(team_db["owner"])
    assert after["comment"] == before["comment"] and after["forecast"] == before["forecast"]
    # The trash is no way to forge a comment: only the very comment it holds keeps its author, and only while
    # its question is deleted; anything else is stamped with the role that wrote it.
    body = before["comment"][0][3]
    _sql(u["alice"], "INSERT INTO comment (question_id, author, body, created_at, updated_at) VALUES (%s, %s, %s, %s, 1)",
         (after["question"][0][0], names["bob"], body, before["comment"][0][4]))  # fmt: skip
    assert _sql(u["adam"], "SELECT author FROM comment ORDER BY id DESC LIMIT 1") == [(names["alice"],)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["alice"], "UPDATE comment SET body = 'changed' WHERE author = %s", (names["bob"],))
