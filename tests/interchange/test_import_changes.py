"""`forecast import jsonl` lists every change to stored records, keeps resolutions, and `--dry-run` writes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from tests.cli_runner import invoke

HEADER = {"type": "header", "format": "forecast-jsonl", "version": 1}
QUESTION = {"type": "question", "slug": "nk", "title": "Will North Korea launch?", "opens_at": "2019-03-16T00:00:00Z",
            "closes_at": "2019-07-01T00:00:00Z"}  # fmt: skip


def write(path: Path, *records) -> str:
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in (HEADER, *records)) + b"\n")
    return str(path)


def target(db_url: str) -> str:
    return db_url.removeprefix("sqlite:///") if db_url.startswith("sqlite:///") else db_url


def digest(db: str) -> str | None:
    path = Path(db)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def test_old_export_keeps_resolution_and_dry_run_changes_nothing(db_url, tmp_path):
    db = target(db_url)
    old = write(tmp_path / "old.jsonl", QUESTION)
    assert invoke("import", "jsonl", old, db=db).code == 0
    assert invoke("resolve", "nk", "yes", "--at", "2019-05-04", "--note", "KN-23", db=db).code == 0
    newer = write(tmp_path / "new.jsonl", dict(QUESTION, title="Will the DPRK launch?", resolution="no",
                                                resolved_at="2019-06-30T00:00:00Z"))  # fmt: skip

    before_rows, before_bytes = invoke("export", "jsonl", db=db).out, digest(db)
    dry = invoke("import", "jsonl", newer, "--dry-run", "--json", db=db)
    assert dry.code == 0, dry.err
    report = dry.json()
    assert report["dry_run"] is True and report["questions_updated"] == 1
    assert {(c["field"], c["from"], c["to"]) for c in report["changes"]} >= {
        ("title", "Will North Korea launch?", "Will the DPRK launch?"),
        ("resolution", "yes", "no"),
    }
    text = invoke("import", "jsonl", newer, "--dry-run", db=db)
    assert "changed nk title: 'Will North Korea launch?' -> 'Will the DPRK launch?'" in text.out
    assert "changed nk resolution: yes -> no" in text.out and "dry run: nothing was written" in text.err
    assert invoke("export", "jsonl", db=db).out == before_rows
    assert digest(db) == before_bytes

    kept = invoke("import", "jsonl", old, "--json", db=db).json()
    assert kept["changes"] == [] and kept["kept"][0]["stored"] == "yes"
    shown = invoke("q", "show", "nk", "--json", db=db).json()
    assert (shown["resolution"], shown["resolution_note"]) == ("yes", "KN-23")

    assert invoke("import", "jsonl", newer, db=db).code == 0
    shown = invoke("q", "show", "nk", "--json", db=db).json()
    assert shown["resolution"] == "no"
    assert [(e["resolution"], e["actor"]) for e in shown["resolution_history"]] == [("yes", "tester"), ("no", "import")]


def test_conflicting_duplicate_and_string_boolean_are_refused_in_one_line_each(tmp_path):
    db = str(tmp_path / "f.db")
    bad = write(tmp_path / "bad.jsonl", QUESTION, dict(QUESTION, title="Other"),
                {"type": "evidence", "key": "ev-1", "title": "x", "dismissed": "false"})  # fmt: skip
    r = invoke("import", "jsonl", bad, db=db)
    assert r.code == 1
    assert f"{bad}:3: question 'nk' conflicts with line 2" in r.err
    assert f"{bad}:4: dismissed must be true or false" in r.err
    assert "Traceback" not in r.err and not Path(db).exists() or invoke("q", "list", "--json", db=db).json() == []


SYNC_FILE = """\
slug = "rain"
title = "Will it rain in Berlin on 2019-07-01?"
opens_at = 2019-06-01T00:00:00Z
closes_at = 2019-07-01T00:00:00Z
"""


def test_q_sync_keeps_app_edits_reports_conflicts_and_dry_run_writes_nothing(db_url, tmp_path):
    db = target(db_url)
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "rain.toml").write_text(SYNC_FILE, encoding="utf-8")
    assert invoke("q", "sync", str(folder), db=db).code == 0
    assert invoke("q", "edit", "rain", "--title", "Edited in the app", db=db).code == 0
    again = invoke("q", "sync", str(folder), db=db)  # the bug: this used to undo the edit
    assert again.code == 0 and "kept rain title as changed in the app" in again.out

    (folder / "rain.toml").write_text(SYNC_FILE.replace("Will it rain", "Will it snow"), encoding="utf-8")
    conflict = invoke("q", "sync", str(folder), db=db)
    assert conflict.code == 1 and "Traceback" not in conflict.err
    assert f"{folder / 'rain.toml'}:2: conflict: title changed in the file and in the app" in conflict.err

    before_rows, before_bytes = invoke("export", "jsonl", db=db).out, digest(db)
    plan = invoke("q", "sync", str(folder), "--prefer", "file", "--dry-run", "--json", db=db)
    assert plan.code == 0 and plan.json()["dry_run"] is True
    assert plan.json()["changes"] == [{"question": "rain", "field": "title", "from": "Edited in the app",
                                       "to": "Will it snow in Berlin on 2019-07-01?"}]  # fmt: skip
    assert invoke("export", "jsonl", db=db).out == before_rows and digest(db) == before_bytes

    assert invoke("q", "sync", str(folder), "--prefer", "file", db=db).code == 0
    assert invoke("q", "show", "rain", "--json", db=db).json()["title"].startswith("Will it snow")
    bad = invoke("q", "sync", str(folder), "--prefer", "mine", db=db)
    assert bad.code == 2 and "--prefer must be file or app" in bad.err
