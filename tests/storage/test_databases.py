"""Databases are treated like git treats a repository (issue 10 §3): nothing is created by a read, nothing
forecast did not make is touched, and every way of failing to open is one line."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from tests.cli_runner import invoke

READ_COMMANDS = [
    ("q", "list"),
    ("q", "show", "1"),
    ("forecasts", "1"),
    ("score",),
    ("export", "jsonl"),
    ("export", "forecasts"),
    ("report", "-o", "-"),
    ("plot", "calibration", "-o", "-", "--format", "svg"),
    ("evidence", "search", "rain"),
    ("evidence", "list"),
    ("db", "info"),
    ("db", "check"),
    ("tui",),
]


def one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_read_commands_never_create_a_database(tmp_path, args):
    target = tmp_path / "no" / "such" / "dir" / "f.db"
    r = invoke(*args, db=str(target))
    assert r.code == 1 and one_line(r.err) and f"no database at {target}" in r.err, r.err
    assert not (tmp_path / "no").exists()
    here = tmp_path / "typo.db"
    r = invoke(*args, db=str(here))
    assert r.code == 1 and "no database at" in r.err and not here.exists()


def test_a_write_command_creates_a_database_only_in_an_existing_directory(tmp_path):
    target = tmp_path / "missing" / "f.db"
    r = invoke("q", "add", "T", "--closes", "2030-01-01", db=str(target))
    assert r.code == 1 and one_line(r.err) and "directory" in r.err and "does not exist" in r.err
    assert not (tmp_path / "missing").exists()
    ok = invoke("q", "add", "T", "--closes", "2030-01-01", db=str(tmp_path / "f.db"))
    assert ok.code == 0 and invoke("q", "list", db=str(tmp_path / "f.db")).code == 0


def test_the_default_data_directory_is_created_by_a_write_command(isolated_env):
    data = isolated_env / "data"
    assert not data.exists()
    r = invoke("q", "list")
    assert r.code == 1 and "no database at" in r.err and not data.exists()
    assert invoke("q", "add", "T", "--closes", "2030-01-01").code == 0
    assert (data / "forecast.db").is_file()
    assert invoke("q", "list").code == 0


def test_an_empty_file_is_initialised_by_a_write_command_only(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    r = invoke("q", "list", db=str(path))
    assert r.code == 1 and "no database at" in r.err and path.stat().st_size == 0
    assert invoke("q", "add", "T", "--closes", "2030-01-01", db=str(path)).code == 0
    assert "T" in invoke("q", "list", db=str(path)).out


@pytest.mark.parametrize("args", [("q", "list"), ("q", "add", "T", "--closes", "2030-01-01"), ("db", "upgrade"),
                                  ("import", "jsonl", "-"), ("db", "check")], ids=" ".join)
def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path, args):
    path = tmp_path / "theirs.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes (body) VALUES ('keep me')")
    con.commit()
    con.close()
    before = path.read_bytes()
    r = invoke(*args, db=str(path), input="")
    assert r.code == 1 and one_line(r.err) and f"{path} is not a forecast database" in r.err, r.err
    assert path.read_bytes() == before  # no tables added, journal mode not switched to WAL
    assert not (tmp_path / "theirs.db-wal").exists()


def test_a_foreign_alembic_database_and_a_text_file_are_refused(tmp_path):
    other = tmp_path / "other-app.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    con.execute("CREATE TABLE users (id INTEGER)")
    con.commit()
    con.close()
    r = invoke("q", "add", "T", "--closes", "2030-01-01", db=str(other))
    assert r.code == 1 and "is not a forecast database" in r.err
    text = tmp_path / "notes.db"
    text.write_text("hello\n")
    r = invoke("q", "add", "T", "--closes", "2030-01-01", db=str(text))
    assert r.code == 1 and "not a forecast database (not a SQLite file)" in r.err and text.read_text() == "hello\n"
    r = invoke("q", "list", db=str(tmp_path))
    assert r.code == 1 and "is a directory" in r.err


def test_a_foreign_postgresql_database_is_refused_untouched(pg_url):
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id integer)"))
    r = invoke("q", "add", "T", "--closes", "2030-01-01", db=pg_url)
    assert r.code == 1 and one_line(r.err) and "is not a forecast database" in r.err
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["invoices"]
    engine.dispose()


def test_an_empty_postgresql_database_is_initialised_by_a_write_command_only(pg_url):
    r = invoke("q", "list", db=pg_url)
    assert r.code == 1 and "no forecast database at" in r.err
    assert invoke("q", "add", "T", "--closes", "2030-01-01", db=pg_url).code == 0
    assert invoke("q", "list", db=pg_url).code == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user@localhost/db", "unsupported database URL scheme 'mysql'"),
        ("bogus://", "unsupported database URL scheme 'bogus'"),
        ("postgresql+psycopg2://u@h/db", "unsupported PostgreSQL driver"),
        ("postgresql://u@127.0.0.1:notaport/db", "invalid database URL"),
        ("postgresql://u@127.0.0.1:99999/db", "port 99999 is outside"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot open database"),
    ],
)
@pytest.mark.parametrize("args", [("q", "list"), ("q", "add", "T", "--closes", "2030-01-01")], ids=" ".join)
def test_bad_database_urls_fail_in_one_line(url, message, args):
    r = invoke(*args, db=url)
    assert r.code == 1 and one_line(r.err) and message in r.err, r.err


def _chattr(flag: str, path) -> bool:
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_an_immutable_database_reads_and_refuses_writes_in_one_line(small_db):
    from tests.small_db import sqlite_fingerprint

    invoke("db", "info", db=str(small_db))
    before = sqlite_fingerprint(small_db)
    if not _chattr("+i", small_db):
        pytest.skip("chattr +i needs root on a file system with attributes")
    try:
        listed = invoke("q", "list", db=str(small_db))
        assert listed.code == 0 and "rain" in listed.out
        for args in (("predict", "rain", "0.5"), ("q", "add", "X", "--closes", "2030-01-01")):
            r = invoke(*args, db=str(small_db))
            assert r.code == 1 and one_line(r.err) and "readonly database" in r.err, r.err
    finally:
        _chattr("-i", small_db)
    assert sqlite_fingerprint(small_db) == before
