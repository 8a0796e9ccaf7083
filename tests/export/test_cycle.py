"""Export -> reimport -> export gives the same files, here and across backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import invoke

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "trackers"


def ok(*args, db):
    res = invoke(*args, db=db)
    assert res.code == 0, res.err
    return res


@pytest.fixture(scope="module")
def source_db(tmp_path_factory) -> str:
    """A database filled from all three trackers' fixtures."""
    db = str(tmp_path_factory.mktemp("source") / "source.db")
    ok("import", "fatebook", str(FIXTURES / "fatebook.csv"), db=db)
    ok("import", "iqisa", str(FIXTURES / "iqisa.csv"), "--source", "pb", db=db)
    ok("import", "metaculus", str(FIXTURES / "metaculus"), db=db)
    return db


def test_export_reimport_export(source_db, db_url, tmp_path):
    first_jsonl, first_csv = tmp_path / "a.jsonl", tmp_path / "a.csv"
    ok("export", "jsonl", "-o", str(first_jsonl), db=source_db)
    ok("export", "forecasts", "-o", str(first_csv), db=source_db)
    report = invoke("import", "jsonl", str(first_jsonl), "--json", db=db_url)
    assert report.code == 0, report.err
    assert report.json()["forecasts_added"] == 23  # one of them a choice forecast (Fatebook multiple choice)
    second_jsonl, second_csv = tmp_path / "b.jsonl", tmp_path / "b.csv"
    ok("export", "jsonl", "-o", str(second_jsonl), db=db_url)
    ok("export", "forecasts", "-o", str(second_csv), db=db_url)
    assert second_jsonl.read_bytes() == first_jsonl.read_bytes()
    assert second_csv.read_bytes() == first_csv.read_bytes()
    assert b"'=HYPERLINK(" in second_csv.read_bytes()  # guarded on the way out, stored as typed


def test_forecasts_export_to_stdout_by_forecaster_and_tag(source_db):
    res = ok("export", "forecasts", "--by", "Alice", "--tag", "weather", "--format", "json", db=source_db)
    rows = res.json()
    assert [(r["forecaster"], r["probability"], r["late"]) for r in rows] == [
        ("Alice", 0.2, False), ("Alice", 0.7, False), ("Alice", 0.85, False),
    ]  # fmt: skip
    assert all(r["tags"] == ["weather"] for r in rows)
    assert rows[1]["brier"] == pytest.approx(0.09) and rows[1]["outcome"] == 1


def test_unknown_forecaster_fails_in_one_line(source_db):
    res = invoke("export", "forecasts", "--by", "nobody", db=source_db)
    assert res.code == 1 and res.err == "forecast: no forecaster named 'nobody'\n"
