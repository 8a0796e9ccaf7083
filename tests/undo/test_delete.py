"""Delete, restore, purge and the trash, through the CLI on SQLite and PostgreSQL (in-process runner)."""

from __future__ import annotations

import json

import pytest

from tests.evidence.conftest import cli

ARTICLE = "North Korea fires missile\n\nPyongyang launched a ballistic missile on Tuesday, officials said.\n"


@pytest.fixture
def db(db_url) -> str:
    """nk with two forecasters' histories (one corrected) and a linked article cited by a forecast."""
    ok = lambda *a, **kw: _ok(cli(*a, db=db_url, **kw))  # noqa: E731
    ok("q", "add", "Will North Korea launch before 2030?", "--opens", "2025-01-01", "--closes", "2030-01-01",
       "--slug", "nk", "--tag", "korea")  # fmt: skip
    ok("q", "add", "Will wheat beat 3 Mt?", "--opens", "2025-01-01", "--closes", "2030-01-01", "--slug", "wheat")
    ok("evidence", "add", "nk", "--stdin", "--stance", "yes", "--note", "first launch", input=ARTICLE)
    ok("predict", "nk", "30%", "--at", "2025-02-01", "--evidence", "1")  # forecast 1
    ok("predict", "nk", "40%", "--at", "2025-03-01", "--by", "bob")  # 2
    ok("predict", "nk", "45%", "--corrects", "2", "--by", "bob")  # 3 corrects 2
    ok("predict", "wheat", "60%", "--at", "2025-02-01")  # 4
    return db_url


def _ok(r):
    assert r.code == 0, r.err
    return r


def _everything(db: str) -> dict:
    """What every reader sees: lists, history, scores, export, evidence, search, the trash and db check."""
    def out(*args):
        return _ok(cli(*args, db=db)).out

    return {
        "list": out("q", "list", "--status", "all", "--json"),
        "export": out("export", "jsonl"),
        "evidence": out("evidence", "list", "--json"),
        "search": out("evidence", "search", "missile", "--json"),
        "check": _ok(cli("db", "check", db=db)).err,
        "score": out("score", "--json"),
    }


def test_question_rm_hides_it_everywhere_and_restore_brings_back_all(db):
    _ok(cli("resolve", "nk", "yes", "--at", "2025-04-01", db=db))
    before = _everything(db)
    assert json.loads(before["score"])["questions"]["scored"] == 1
    r = _ok(cli("q", "rm", "nk", db=db))
    assert "deleted question nk" in r.err and "forecast restore question nk" in r.err
    after = _everything(db)
    assert [q["slug"] for q in cli("q", "list", "--status", "all", "--json", db=db).json()] == ["wheat"]
    assert '"nk"' not in after["export"] and "nk" not in after["list"]
    assert json.loads(after["score"])["questions"]["scored"] == 0
    assert after["check"].strip() == "no problems found"
    gone = cli("q", "show", "nk", db=db)
    assert gone.code == 1 and "no question 'nk'" in gone.err
    assert cli("evidence", "show", "1", "--json", db=db).json()["links"] == []  # its links went with it
    trash = cli("trash", "--json", db=db).json()
    assert [(t["kind"], t["label"], t["deleted_by"]) for t in trash] == [("question", "nk", "tester")]

    back = _ok(cli("restore", "question", "nk", db=db))
    assert back.out.strip() == "1" and "restored question nk" in back.err
    assert _everything(db) == before
    assert cli("trash", "--json", db=db).json() == []
    assert cli("trash", "--all", "--json", db=db).json()[0]["state"] == "restored"


def test_a_deleted_question_keeps_its_slug(db):
    _ok(cli("q", "rm", "nk", "--by", "carol", db=db))
    r = cli("q", "add", "Again", "--closes", "2031-01-01", "--slug", "nk", db=db)
    assert r.code == 1 and len(r.err.strip().splitlines()) == 1
    assert "deleted by carol" in r.err and "forecast restore question nk" in r.err and "--purge" in r.err
    derived = _ok(cli("q", "add", "nk", "--closes", "2031-01-01", db=db))  # a derived slug steps past it
    assert derived.out.split("\t")[1].strip() == "nk-2"


def test_forecast_rm_takes_the_whole_correction_chain(db):
    before = _everything(db)
    r = _ok(cli("forecasts", "rm", "2", db=db))  # the corrected version names the same forecast
    assert "deleted forecast 3" in r.err and "2 versions" in r.err
    assert [h["id"] for h in cli("forecasts", "nk", "--json", db=db).json()] == [1]
    nk = next(q for q in cli("q", "list", "--json", db=db).json() if q["slug"] == "nk")
    assert nk["latest"] == {"tester": 0.3}  # the standing-forecast cache lost bob's forecast
    assert _ok(cli("db", "check", db=db)).err.strip() == "no problems found"
    _ok(cli("restore", "forecast", "2", db=db))
    assert _everything(db) == before


def test_a_question_named_rm_still_shows_its_history(db):
    _ok(cli("q", "add", "Remove?", "--closes", "2031-01-01", "--slug", "rm", db=db))
    assert _ok(cli("forecasts", "rm", db=db)).err.strip() == "no forecasts yet"


def test_evidence_rm_and_restore(db):
    before = _everything(db)
    _ok(cli("evidence", "rm", "1", db=db))
    assert cli("evidence", "list", "--json", db=db).json() == []
    assert cli("evidence", "search", "missile", "--json", db=db).json() == []
    assert cli("forecasts", "nk", "--json", db=db).json()[0]["evidence"] == []
    _ok(cli("restore", "evidence", "1", db=db))
    assert _everything(db) == before


def test_purge_asks_and_scripts_say_yes(db):
    r = cli("q", "rm", "nk", "--purge", db=db)  # no terminal here
    assert r.code == 2 and r.err.strip().splitlines() == [
        "forecast: refusing to purge question nk without confirmation: no terminal to ask on (add --yes)"]
    assert "nk" in cli("q", "list", db=db).out
    _ok(cli("q", "rm", "nk", db=db))
    _ok(cli("q", "rm", "nk", "--purge", "--yes", db=db))  # purges what is in the trash
    assert cli("trash", "--json", db=db).json() == []
    record = cli("trash", "--all", "--json", db=db).json()
    assert [(t["label"], t["state"], t["closed_by"]) for t in record] == [("nk", "purged", "tester")]
    again = cli("restore", "question", "nk", db=db)
    assert again.code == 1 and "no deleted question 'nk'" in again.err
    _ok(cli("q", "add", "Again", "--closes", "2031-01-01", "--slug", "nk", db=db))  # the slug is free now
    _ok(cli("forecasts", "rm", "4", "--purge", "--yes", db=db))  # a live item purged at once
    assert cli("forecasts", "wheat", "--json", db=db).json() == []
    assert _ok(cli("db", "check", db=db)).err.strip() == "no problems found"


def test_restore_refuses_what_would_clash(db):
    _ok(cli("q", "rm", "wheat", db=db))
    _ok(cli("q", "rm", "nk", "--purge", "--yes", db=db))
    _ok(cli("q", "add", "New", "--closes", "2031-01-01", "--slug", "fresh", db=db))  # may take a freed id
    back = _ok(cli("restore", "question", "wheat", "--json", db=db)).json()
    assert back["label"] == "wheat"
    assert [h["probability"] for h in cli("forecasts", "wheat", "--json", db=db).json()] == [0.6]
    _ok(cli("forecasts", "rm", "4", db=db))
    _ok(cli("q", "rm", "wheat", db=db))
    r = cli("restore", "forecast", "4", db=db)
    assert r.code == 1 and "its question is gone" in r.err


def test_a_freed_id_taken_meanwhile_gives_the_restored_question_a_new_one(tmp_path):
    db = str(tmp_path / "ids.db")
    _ok(cli("q", "add", "First", "--closes", "2031-01-01", "--slug", "first", db=db))
    _ok(cli("q", "add", "Second", "--closes", "2031-01-01", "--slug", "second", "30%", db=db))
    _ok(cli("q", "rm", "second", db=db))
    assert _ok(cli("q", "add", "Third", "--closes", "2031-01-01", "--slug", "third", db=db)).out.startswith("2\t")
    back = _ok(cli("restore", "question", "second", db=db))
    assert back.out.strip() == "3"
    assert [h["probability"] for h in cli("forecasts", "second", "--json", db=db).json()] == [0.3]


@pytest.mark.parametrize("answer, purged", [("y", True), ("n", False)])
def test_purge_on_a_terminal_asks_and_takes_the_answer(tmp_path, answer, purged):
    """The real executable with a terminal on stdin (a pty): the prompt, then the typed answer."""
    import os
    import pty
    import subprocess

    from tests.cli_runner import EXE

    db = str(tmp_path / "tty.db")
    _ok(cli("q", "add", "Gone?", "--closes", "2031-01-01", "--slug", "gone", db=db))
    leader, follower = pty.openpty()
    try:
        os.write(leader, f"{answer}\n".encode())
        proc = subprocess.run([EXE, "--db", db, "q", "rm", "gone", "--purge"], stdin=follower, capture_output=True,
                              text=True, timeout=60)  # fmt: skip
    finally:
        os.close(follower)
        os.close(leader)
    assert "Remove question gone for good? This cannot be undone [y/N]" in proc.stderr
    assert proc.returncode == (0 if purged else 1), proc.stderr
    record = cli("trash", "--all", "--json", db=db).json()
    assert [t["state"] for t in record] == (["purged"] if purged else [])
    assert ("gone" in cli("q", "list", db=db).out) is not purged


def test_an_import_does_not_bring_a_deleted_question_back_as_a_new_one(db, tmp_path):
    backup = tmp_path / "backup.jsonl"
    _ok(cli("export", "jsonl", "-o", str(backup), db=db))
    _ok(cli("q", "rm", "nk", db=db))
    r = cli("import", "jsonl", str(backup), db=db)
    assert r.code == 1 and len(r.err.strip().splitlines()) == 1
    assert "question nk in the file was deleted" in r.err and "forecast restore question nk" in r.err
    assert [q["slug"] for q in cli("q", "list", "--json", db=db).json()] == ["wheat"]
    _ok(cli("restore", "question", "nk", db=db))
    _ok(cli("import", "jsonl", str(backup), db=db))
