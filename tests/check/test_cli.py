"""`forecast check`: exit codes, text for cron mail, JSON, --quiet, --notify, history (in this process), and
the real executable with a --notify hook and in cron's bare environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from forecast.core.timeparse import iso_z
from forecast.services.database import open_database
from tests.check.helpers import DAY, T0, populate, state
from tests.cli_runner import EXE, invoke, run


@pytest.fixture
def db_path(tmp_path) -> str:
    """A SQLite file with the standard scenario (tests/check/helpers.py::populate)."""
    path = str(tmp_path / "check.db")
    db = open_database(path)
    populate(db)
    db.engine.dispose()
    return path


def at(days: float) -> str:
    return iso_z(T0 + days * DAY)


def test_exit_codes_text_json_and_quiet(db_path):
    soon = invoke("check", "--now", at(1), "--json", db=db_path)
    assert soon.code == 10, soon.err  # reminders: attention needed
    report = soon.json()
    assert [q["slug"] for q in report["closing_soon"]] == ["a-auto-no", "b-auto-yes", "c-manual"]
    assert report["counts"]["new_attention"] == 3 and report["dry_run"] is False

    again = invoke("check", "--now", at(1), "--quiet", db=db_path)
    assert (again.code, again.out, again.err) == (10, "", "")  # nothing new: nothing at all for cron mail

    changed = invoke("check", "--now", at(4), db=db_path)
    assert changed.code == 0, changed.err  # changes alone need nobody's attention
    lines = changed.out.splitlines()
    assert lines[0] == "forecast check as of 2030-01-05 00:00: 1 closed, 2 auto-resolved"
    assert "Auto-resolved (2):" in lines and "Closed (1):" in lines
    assert "      1  a-auto-no   NO at 2030-01-03 00:00 by rule no_at_close  Will a-auto-no happen?" in lines

    calm = invoke("check", "--now", at(4), "--quiet", db=db_path)
    assert (calm.code, calm.out) == (0, "")

    history = invoke("check", "--history", "--json", db=db_path).json()
    assert [(h["as_of"], h["status"]) for h in history] == [(at(4), "done")] * 2 + [(at(1), "done")] * 2
    assert history[1]["summary"]["auto_resolved_ids"] == [1, 2]
    table = invoke("check", "--history", db=db_path)
    assert table.code == 0 and table.out.startswith("ID") and "1 closed, 2 resolved" in table.out


def test_bad_input_and_a_missing_database(db_path, tmp_path):
    bad = invoke("check", "--now", "someday maybe", db=db_path)
    assert bad.code == 2 and bad.err.startswith("forecast: cannot read date")
    missing = tmp_path / "typo.db"
    gone = invoke("check", db=str(missing))
    assert gone.code == 1
    assert gone.err == f"forecast: no database at {missing} (set --db, FORECAST_DB or `database` in the config file)\n"
    assert not missing.exists()  # a typo in a crontab must not create an empty database


def test_notify_gets_the_report_on_stdin_when_something_new_needs_attention(db_path, tmp_path):
    got = tmp_path / "notified.txt"
    hook = tmp_path / "hook.py"
    hook.write_text(
        "import os, sys\n"
        f"with open({str(got)!r}, 'a') as f:\n"
        "    f.write(os.environ['FORECAST_CHECK_SUMMARY'] + '\\n---\\n' + sys.stdin.read())\n"
        "print('hook output goes to stderr, not into the report')\n"
    )
    notify = f"{sys.executable} {hook}"
    # The real executable: the hook writes to the file descriptor of forecast's stderr.
    first = run("check", "--now", at(6), "--notify", notify, "--json", db=db_path)
    assert first.code == 10 and "hook output" in first.err
    summary, body = got.read_text().split("\n---\n")
    assert summary == "1 closed, 2 auto-resolved, 1 overdue (1 new since the last check)"
    assert json.loads(body)["overdue"][0]["slug"] == "c-manual" == first.json()["overdue"][0]["slug"]
    # Still overdue an hour later, but already announced: no second notification.
    later = invoke("check", "--now", at(6.04), "--notify", notify, db=db_path)
    assert later.code == 10 and got.read_text().count("---") == 1
    failing = invoke("check", "--now", at(30), "--notify", "exit 3", db=db_path)  # new: d-later is now overdue
    assert failing.code == 10 and "--notify command exited with status 3" in failing.err


def test_runs_in_crons_bare_environment(db_path):
    """No HOME, no terminal, PATH=/usr/bin:/bin, and only FORECAST_DB to find the database."""
    proc = subprocess.run(
        [EXE, "check", "--now", at(4), "--quiet"],
        env={"PATH": "/usr/bin:/bin", "FORECAST_DB": db_path},
        cwd="/",
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and "2 auto-resolved" in proc.stdout
    db = open_database(db_path)
    assert state(db)["a-auto-no"][:2] == ("resolved", "no")
    db.engine.dispose()
    assert Path(db_path + ".check-lock").exists()
