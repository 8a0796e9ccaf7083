"""Nothing out of range gets in, through the command line, on SQLite and PostgreSQL (issue 10, section 1):
each bad value is one line on stderr and exit 2 (arguments) or a `FILE:LINE:` reason (files), and nothing is
written; what is stored afterwards still checks, exports and shows."""

from __future__ import annotations

import json

import pytest

from tests.cli_runner import invoke

RANGE = "outside the supported time range 1900-01-01T00:00:00Z to 2200-12-31T23:59:59Z"


@pytest.fixture
def db(db_url) -> str:
    """The test database holding one question, `base`, with one forecast."""
    url = db_url
    r = invoke("q", "add", "Base question?", "--slug", "base", "--opens", "10 days ago", "--closes", "in 30 days", db=url)
    assert r.code == 0, r.err
    assert invoke("predict", "base", "0.4", db=url).code == 0
    return url


def one_line(r, code: int) -> str:
    assert r.code == code, (r.code, r.out, r.err)
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err
    return r.err.strip()


def stored(db: str) -> tuple[list, int]:
    """(slugs, number of forecasts), read directly from the database."""
    from forecast.services.database import open_database

    database = open_database(db)
    try:
        with database.session() as s:
            conn = s.connection()
            slugs = sorted(r[0] for r in conn.exec_driver_sql("SELECT slug FROM question"))
            return slugs, conn.exec_driver_sql("SELECT count(*) FROM forecast").scalar()
    finally:
        database.engine.dispose()


def test_time_arguments_outside_the_range_are_refused(db):
    before = stored(db)
    attempts = [
        ("q", "add", "Far?", "--closes", "in 9999999999 days"),
        ("q", "add", "Far?", "--closes", "2300-01-01"),
        ("q", "add", "Old?", "--opens", "0001-01-01T00:00:00+01:00", "--closes", "in 3 days"),
        ("q", "add", "Late?", "--closes", "in 3 days", "--resolves", "9999-12-31"),
        ("q", "edit", "base", "--closes", "in 99999 years"),
        ("predict", "base", "0.3", "--at", "1000000000000000000 seconds ago"),
        ("resolve", "base", "yes", "--at", "1899-12-31T23:59:59Z"),
    ]
    for args in attempts:
        assert RANGE in one_line(invoke(*args, db=db), 2), args
    r = invoke("evidence", "add", "base", "--stdin", "--title", "t", "--published", "0001-01-01", input="Some text.\n", db=db)
    assert RANGE in one_line(r, 2)
    assert stored(db) == before


def test_signed_relative_dates_are_refused_with_a_suggestion(db):
    err = one_line(invoke("q", "add", "Signed?", "--closes", "in -3 months", db=db), 2)
    assert "did you mean '3 months ago'?" in err
    assert "did you mean 'in 3 months'?" in one_line(invoke("predict", "base", "0.3", "--at", "-3 months ago", db=db), 2)
    assert "did you mean 'in 3 days'?" in one_line(invoke("q", "edit", "base", "--closes", "in +3 days", db=db), 2)
    assert stored(db)[0] == ["base"]


def test_files_with_times_outside_the_range_import_nothing(db, tmp_path):
    before = stored(db)
    jsonl = tmp_path / "old.jsonl"
    records = [
        {"type": "header", "format": "forecast-jsonl", "version": 1},
        {"type": "question", "slug": "old-one", "title": "Old", "opens_at": "0001-01-01T00:00:00+01:00",
         "closes_at": "2030-01-01T00:00:00Z"},
    ]  # fmt: skip
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    r = invoke("import", "jsonl", str(jsonl), db=db)
    assert r.code == 1 and "Traceback" not in r.err
    assert r.err.splitlines()[0] == f"forecast: {jsonl}:2: opens_at '0001-01-01T00:00:00+01:00' is {RANGE}"
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "old.toml").write_text(
        'title = "Old"\nslug = "old-t"\nopens_at = 0001-01-01T00:00:00+01:00\ncloses_at = 2030-01-01T00:00:00Z\n',
        encoding="utf-8",
    )
    err = one_line(invoke("q", "sync", str(folder), db=db), 1)
    assert err.startswith(f"forecast: {folder / 'old.toml'}:3: opens_at") and RANGE in err
    assert stored(db) == before
    # What is stored still checks, exports and shows (the OverflowError of every later run is gone).
    assert invoke("check", "--no-feeds", "--json", db=db).code in (0, 10)
    exported = invoke("export", "jsonl", db=db)
    assert exported.code == 0 and '"slug":"base"' in exported.out.replace(" ", "")
    assert invoke("q", "show", "base", db=db).code == 0


def test_integers_beyond_64_bits_and_tiny_bin_widths_are_refused(db):
    big = "99999999999999999999"
    for args in [
        ("q", "show", big),
        ("predict", big, "0.3"),
        ("predict", "base", "0.3", "--corrects", big),
        ("evidence", "show", big),
        ("evidence", "list", "--limit", big),
        ("check", "--history", "--limit", big),
        ("check", "--no-feeds", "--stale-days", big),
        ("check", "--no-feeds", "--soon-days", big),
        ("score", "--bin-width", "1e-9"),
        ("score", "--bin-width", "nan"),
    ]:
        err = one_line(invoke(*args, db=db), 2)
        assert big in err or "--bin-width" in err, (args, err)
    assert stored(db)[1] == 1


def test_probability_arguments(db):
    assert "outside [0, 1]" in one_line(invoke("predict", "base", "-0.1", db=db), 2)
    assert "outside [0, 1]" in one_line(invoke("predict", "base", "-5%", "--by", "bob", db=db), 2)
    for text in ("٣٥%", "３５%", "3_5%", "1e-400"):
        assert "probability" in one_line(invoke("predict", "base", text, db=db), 2)
    assert stored(db)[1] == 1
    ok = invoke("predict", "base", "0.3", "--by", "bob", "-e", "none-such", db=db)  # short options still parse
    assert ok.code == 1 and "no evidence 'none-such'" in ok.err


def test_arguments_that_are_not_utf8_are_refused(db):
    # The runner encodes str arguments with surrogateescape: "\udcff\udcfe" reaches the process as bytes ff fe;
    # it is argument 5 after --db URL q add.
    err = one_line(invoke("q", "add", "\udcff\udcfe", "--closes", "tomorrow", db=db), 2)
    assert err == "forecast: argument 5 is not valid UTF-8: b'\\xff\\xfe'"
    assert stored(db)[0] == ["base"]


def test_a_bad_value_is_echoed_cut_short(db):
    err = one_line(invoke("predict", "base", "9" * 5000, db=db), 2)
    assert len(err) < 200 and "(5000 characters)" in err
    err = one_line(invoke("q", "add", "Long?", "--closes", "x" * 5000, db=db), 2)
    assert len(err) < 250 and "(5000 characters)" in err


def test_a_slug_with_a_trailing_newline_is_no_look_alike(db, tmp_path):
    assert "slug 'base\\n'" in one_line(invoke("q", "add", "Again?", "--slug", "base\n", "--closes", "in 3 days", db=db), 1)
    jsonl = tmp_path / "nl.jsonl"
    records = [
        {"type": "header", "format": "forecast-jsonl", "version": 1},
        {"type": "question", "slug": "base\n", "title": "Look-alike", "opens_at": "2024-01-01", "closes_at": "2030-01-01"},
    ]  # fmt: skip
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    r = invoke("import", "jsonl", str(jsonl), db=db)
    assert r.code == 1 and f"{jsonl}:2: slug 'base\\n' must be" in r.err
    assert stored(db)[0] == ["base"]
