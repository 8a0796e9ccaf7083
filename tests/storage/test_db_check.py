"""`forecast db check` finds rows that break today's rules; readers report such rows and go on (§1, §7)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from forecast.store.engine import database_url
from tests.cli_runner import invoke
from tests.small_db import make_small_db

YEAR_0 = -62135600400000000  # 0001-01-01T00:00:00+01:00, i.e. in year 0 in UTC: beyond datetime's range
INT64_MAX = 9223372036854775807


@pytest.fixture
def bad_db(db_url_at_head) -> str:
    db_url = db_url_at_head
    make_small_db(db_url)
    engine = create_engine(database_url(db_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE question SET opens_at = :v WHERE slug = 'rain'"), {"v": YEAR_0})
        conn.execute(text("UPDATE forecast SET made_at = :v WHERE id = 3"), {"v": INT64_MAX})
        conn.execute(text("UPDATE question SET title = :t WHERE slug = 'snow'"), {"t": "Snow\x1b]2;owned\x07"})
        conn.execute(text("UPDATE forecast SET superseded = :t WHERE id = 1"), {"t": True})
        conn.execute(text("UPDATE forecast SET supersedes_id = 2 WHERE id = 2"))
        conn.execute(text("INSERT INTO question (slug, title, kind, description, criteria, opens_at, closes_at, "
                          "resolves_at, status, resolution_note, created_at, updated_at) VALUES ('look-alike\n', "
                          "'L', 'binary', '', '', 0, 1, 1, 'open', '', 0, 0)"))
    engine.dispose()
    return db_url


def test_db_check_names_every_bad_row(bad_db):
    r = invoke("db", "check", db=bad_db)
    assert r.code == 10, r.err
    lines = r.out.splitlines()
    assert any(line.startswith("question id=1: opens_at:") and "outside 1900-01-01..2200-12-31" in line for line in lines)
    assert any(line.startswith("forecast id=3: made_at:") for line in lines)
    assert any("slug" in line and "look-alike\\n" in line for line in lines)
    assert any("title: contains U+001B" in line for line in lines)
    assert any("forecast id=2: supersedes_id: supersedes itself" in line for line in lines)
    assert any("forecast id=1: superseded: marked superseded" in line for line in lines)
    data = invoke("db", "check", "--json", db=bad_db).json()
    assert data["counts"] == {"time-range": 2, "slug": 1, "control-characters": 1, "supersedes": 3}
    assert {"table", "row", "column", "rule", "detail"} <= set(data["problems"][0])


@pytest.mark.parametrize("args", [("q", "show", "rain"), ("q", "list"), ("export", "jsonl"), ("check",),
                                  ("forecasts", "snow"), ("q", "show", "snow", "--json")], ids=" ".join)
def test_readers_report_a_bad_row_and_go_on(bad_db, args):
    r = invoke(*args, db=bad_db)
    assert r.code in (0, 10) and "Traceback" not in r.err, r.err
    if args[0] != "check":  # check reads no stored time that is out of range here
        assert "run `forecast db check`" in r.err and ("question id=1" in r.err or "forecast id=3" in r.err)


def test_a_clean_database_passes(db_url):
    make_small_db(db_url)
    r = invoke("db", "check", db=db_url)
    assert r.code == 0 and r.out == "" and "no problems found" in r.err
    assert invoke("db", "check", "--json", db=db_url).json() == {"problems": [], "counts": {}}


def test_a_correction_cycle_and_a_dangling_target_are_found(tmp_path):
    import sqlite3

    path = tmp_path / "c.db"
    make_small_db(str(path))
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("UPDATE forecast SET supersedes_id = 2, superseded = 1 WHERE id = 1")
    con.execute("UPDATE forecast SET supersedes_id = 1, superseded = 1 WHERE id = 2")
    con.execute("UPDATE forecast SET supersedes_id = 99 WHERE id = 3")
    con.commit()
    con.close()
    r = invoke("db", "check", db=str(path))
    assert r.code == 10
    assert "correction cycle: 1 -> 2 -> 1" in r.out and "supersedes forecast 99, which does not exist" in r.out
    assert invoke("forecasts", "rain", db=str(path)).code == 0
