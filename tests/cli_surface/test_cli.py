"""The command line: stdout is data, stderr one line, documented exit codes. In this process
(tests/cli_runner.py `invoke`); the main job and `demo` through the real executable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import invoke, run

REPO = Path(__file__).parents[2]


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "cli.db")


def add_nk(db: str) -> None:
    # Relative dates: the real executable runs on the wall clock.
    r = invoke("q", "add", "Will North Korea launch a ballistic missile within 90 days?", "--opens", "30 days ago",
            "--closes", "in 60 days", "--slug", "nk", "--tag", "north-korea", "--auto", "no_at_close", db=db)  # fmt: skip
    assert r.code == 0, r.err
    assert r.out.split("\t")[1].strip() == "nk"


def test_daily_flow(db):
    add_nk(db)
    r = invoke("predict", "nk", "35%", "--at", "20 days ago", "--why", "base rate", db=db)
    assert r.code == 0 and r.out.strip().isdigit()
    invoke("predict", "nk", "0.45", "--at", "10 days ago", "--by", "bob", db=db)
    listed = invoke("q", "list", "--json", db=db).json()
    assert listed[0]["latest"] == {"tester": 0.35, "bob": 0.45}
    assert invoke("q", "list", db=db).out.startswith("ID")
    hist = invoke("forecasts", "nk", "--json", db=db).json()
    assert [(h["forecaster"], h["probability"], h["rationale"]) for h in hist] == [
        ("tester", 0.35, "base rate"),
        ("bob", 0.45, ""),
    ]
    r = invoke("resolve", "nk", "yes", "--at", "2026-01-05T00:00:00Z", "--note", "KN-23", "--json", db=db)
    assert r.code == 1 and "before the question opens" in r.err
    r = invoke("resolve", "nk", "yes", "--at", "2 days ago", "--note", "KN-23", "--json", db=db)
    assert r.code == 0 and r.json()["resolution"] == "yes" and r.json()["resolved_at"].endswith("Z")
    assert invoke("q", "list", "--status", "resolved", "--json", db=db).json()[0]["slug"] == "nk"
    shown = invoke("q", "show", "nk", "--json", db=db).json()
    assert [e["action"] for e in shown["resolution_history"]] == ["resolve"]
    r = invoke("unresolve", "nk", db=db)
    assert r.code == 0 and "unresolved" in r.err


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("predict", "nk", "1.5"), 2, "outside [0, 1]"),
        (("predict", "nk", "lots"), 2, "not a number"),
        (("predict", "nk", "0.5", "--at", "2030-01-01"), 1, "future"),
        (("predict", "nk", "0.5", "--at", "2019-01-01"), 1, "before the question opens"),
        (("predict", "nk", "0.5", "--at", "someday"), 2, "cannot read date"),
        (("predict", "nope", "0.5"), 1, "no question 'nope'"),
        (("q", "add", "Dup", "--closes", "2030-01-01", "--slug", "nk"), 1, "already used"),
        (("q", "add", "Backwards", "--opens", "2020-01-01", "--closes", "2019-01-01"), 1, "closes_at must be after"),
        (("resolve", "nk", "maybe"), 2, "yes, no or annulled"),
        (("q", "list", "--status", "pending"), 2, "--status must be one of"),
    ],
)
def test_refusals_are_one_line_and_change_nothing(db, args, code, message):
    add_nk(db)
    before = invoke("export", "jsonl", db=db).out
    r = invoke(*args, db=db)
    assert r.code == code, r.err
    assert r.out == ""
    assert len(r.err.strip().splitlines()) == 1 and message in r.err
    assert invoke("export", "jsonl", db=db).out == before


def test_a_closed_question_takes_its_history_but_no_new_forecasts(db):
    r = invoke("q", "add", "Past", "--opens", "2019-01-01", "--closes", "2019-02-01", "--slug", "past", db=db)
    assert r.code == 0 and "created closed" in r.err and "--at" in r.err
    now = invoke("predict", "past", "0.5", db=db)
    assert now.code == 1 and "closed" in now.err and "--at" in now.err
    late = invoke("predict", "past", "0.5", "--at", "2019-02-01", db=db)
    assert late.code == 1 and "not before the question closes" in late.err
    early = invoke("predict", "past", "0.5", "--at", "2018-12-31", db=db)
    assert early.code == 1 and "before the question opens" in early.err
    r = invoke("predict", "past", "0.5", "--at", "2019-01-15", "--json", db=db)
    assert r.code == 0, r.err
    history = invoke("forecasts", "past", "--json", db=db).json()
    assert [(f["made_at"], f["backfilled"]) for f in history] == [("2019-01-15T00:00:00Z", True)]
    assert invoke("resolve", "past", "no", "--at", "2019-01-20", db=db).code == 0
    after = invoke("predict", "past", "0.4", "--at", "2019-01-25", db=db)
    assert after.code == 1 and "resolved" in after.err
    assert invoke("predict", "past", "0.4", "--at", "2019-01-19", db=db).code == 0


def test_backfilled_forecasts_can_be_left_out_of_scores(db):
    assert invoke("q", "add", "Past", "--opens", "2019-01-01", "--closes", "2019-02-01", "--slug", "past", db=db).code == 0
    assert invoke("predict", "past", "0.9", "--at", "2019-01-15", db=db).code == 0
    assert invoke("resolve", "past", "no", "--at", "2019-01-20", db=db).code == 0
    with_them = invoke("score", "--json", db=db).json()
    assert with_them["backfilled"] == {"excluded": False, "included": 1, "after_hours": 24.0}
    assert [f["name"] for f in with_them["forecasters"]] == ["tester"]
    without = invoke("score", "--json", "--exclude-backfilled", db=db).json()
    assert without["backfilled"]["excluded"] is True and without["forecasters"] == []
    text = invoke("score", db=db)
    assert "1 backfilled forecast" in text.err
    exported = invoke("export", "forecasts", "--format", "json", db=db).json()
    assert [r["backfilled"] for r in exported] == [True]


def test_a_unique_slug_prefix_names_a_question_and_an_ambiguous_one_lists_candidates(db):
    for slug in ("rain-paris", "rain-rome", "snow-oslo"):
        assert invoke("q", "add", slug, "--closes", "in 3 months", "--slug", slug, db=db).code == 0
    assert invoke("predict", "snow", "30%", db=db).code == 0
    r = invoke("predict", "rain", "30%", db=db)
    assert r.code == 1 and "rain-paris, rain-rome" in r.err and len(r.err.splitlines()) == 1
    assert invoke("predict", "rain-r", "30%", db=db).code == 0
    assert [f["probability"] for f in invoke("forecasts", "rain-rome", "--json", db=db).json()] == [0.3]


def test_export_import_round_trip_via_files(db, tmp_path):
    add_nk(db)
    invoke("predict", "nk", "0.3", "--at", "3 days ago", db=db)
    out = tmp_path / "dump.jsonl"
    assert invoke("export", "jsonl", "-o", str(out), db=db).code == 0
    other = str(tmp_path / "other.db")
    r = invoke("import", "jsonl", str(out), "--json", db=other)
    assert r.code == 0 and r.json()["forecasts_added"] == 1
    again = invoke("import", "jsonl", str(out), "--json", db=other).json()
    assert again["forecasts_added"] == 0 and again["questions_added"] == 0
    assert invoke("export", "jsonl", db=other).out == out.read_text()


def test_import_reports_file_and_line(db, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"header","format":"forecast-jsonl","version":1}\n{"type":"forecast"}\n')
    r = invoke("import", "jsonl", str(bad), db=db)
    assert r.code == 1 and f"{bad}:2:" in r.err and "nothing was imported" in r.err
    missing = invoke("import", "jsonl", str(tmp_path / "missing.jsonl"), db=db)
    assert missing.code == 1 and "no such" in missing.err and "missing.jsonl" in missing.err


def test_database_from_environment_and_db_info(tmp_path):
    env_db = str(tmp_path / "env.db")
    r = invoke("db", "upgrade", env={"FORECAST_DB": env_db})
    assert r.code == 0 and Path(env_db).exists()
    info = invoke("db", "info", "--json", env={"FORECAST_DB": env_db}).json()
    assert info["counts"]["question"] == 0 and info["revision"] == r.out.strip()


def test_bad_database_url_fails_in_one_line(tmp_path):
    r = invoke("q", "list", db="postgresql://nobody@127.0.0.1:1/none")
    assert r.code == 1 and len(r.err.strip().splitlines()) == 1 and "cannot open database" in r.err


def test_demo_without_terminal_lists_open_questions(tmp_path):
    r = run("demo", cwd=REPO)
    assert r.code == 0, r.err
    assert "warmest-year-2026" in r.out
    again = invoke("demo", cwd=REPO)
    assert again.code == 0 and again.out == r.out


def test_plain_forecast_without_terminal_prints_open_questions(db):
    add_nk(db)
    invoke("q", "add", "Future", "--closes", "in 30 days", "--slug", "future", db=db)
    invoke("resolve", "nk", "no", db=db)
    r = run(db=db)  # the real executable: the main job looks at its terminal
    assert r.code == 0 and "future" in r.out and "nk" not in r.out.split()


def test_json_times_are_utc_with_z(db):
    add_nk(db)
    shown = invoke("q", "show", "nk", "--json", db=db).json()
    assert shown["closes_at"].endswith("Z") and shown["opens_at"].endswith("Z")
    assert json.dumps(shown).count("+00:00") == 0


def test_cli_on_postgresql(pg_url, tmp_path):
    add_nk(pg_url)
    assert invoke("predict", "nk", "40%", "--at", "1 day ago", db=pg_url).code == 0
    assert invoke("q", "list", "--json", db=pg_url).json()[0]["latest"] == {"tester": 0.4}
    dump = tmp_path / "pg.jsonl"
    assert invoke("export", "jsonl", "-o", str(dump), db=pg_url).code == 0
    sqlite_db = str(tmp_path / "from-pg.db")
    assert invoke("import", "jsonl", str(dump), db=sqlite_db).code == 0
    assert invoke("export", "jsonl", db=sqlite_db).out == dump.read_text()


def test_times_are_shown_in_the_configured_zone(db, tmp_path):
    config = tmp_path / "seoul.toml"
    config.write_text('name = "kim"\ntimezone = "Asia/Seoul"\n')
    env = {"FORECAST_CONFIG": str(config)}
    r = invoke("q", "add", "Zoned", "--opens", "2026-01-01", "--closes", "2099-01-01", "--slug", "zoned", db=db, env=env)
    assert r.code == 0
    shown = invoke("q", "show", "zoned", "--json", db=db, env=env).json()
    assert shown["opens_at"] == "2025-12-31T15:00:00Z"  # a bare date is read in the user's zone
    text = invoke("q", "show", "zoned", db=db, env=env).out
    assert "opens 2026-01-01 00:00" in text
    assert invoke("predict", "zoned", "0.5", db=db, env=env).code == 0
    assert invoke("q", "list", "--json", db=db, env=env).json()[0]["latest"] == {"kim": 0.5}


def test_quick_capture_reads_the_deadline_from_the_title_and_records_the_first_forecast(db):
    r = invoke("q", "add", "Will X happen before 2030-03-01?", "35%", "--why", "gut", "--json", db=db)
    assert r.code == 0, r.err
    q = r.json()
    assert q["closes_at"] == "2030-03-01T00:00:00Z"
    assert [(f["probability"], f["rationale"]) for f in q["forecasts"]] == [(0.35, "gut")]
    before = invoke("export", "jsonl", db=db).out
    for args, words in (
        (("Will it happen in Paris?", "20%"), "no deadline in the title"),
        (("Will Y happen by 2020?", "20%"), "deadline has passed"),
        (("Will Z happen by end of 2031?", "120%"), "outside [0, 1]"),
    ):
        bad = invoke("q", "add", *args, db=db)
        assert bad.code == 2 and words in bad.err and len(bad.err.splitlines()) == 1
    assert invoke("export", "jsonl", db=db).out == before  # nothing half-added
