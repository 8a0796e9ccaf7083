"""Safe under cron: one run at a time (the second exits 75 with one line), and a run killed with SIGKILL
midway leaves no half-applied question; the next run finishes the work. On SQLite and PostgreSQL.

FORECAST_CHECK_TEST_GATE (test-only) names a directory for a handshake: before the n-th question commits,
the run creates `ready-n` and waits for `go-n`. The tests hold a run at a known point (lock held, n-1
questions committed, the n-th mid-transaction) however slow the machine is; no sleep stands in for a signal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import text

from forecast.core.timeparse import iso_z
from forecast.services.database import open_database
from tests.check.helpers import DAY, T0, events, populate, state
from tests.cli_runner import EXE, run

NOW = iso_z(T0 + 4 * DAY)  # a-auto-no, b-auto-yes and c-manual are due


def start_gated_check(url: str, gate: Path) -> subprocess.Popen:
    env = dict(os.environ, FORECAST_CHECK_TEST_GATE=str(gate))
    return subprocess.Popen([EXE, "--db", url, "check", "--now", NOW, "--no-feeds"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def wait_for(condition, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    """Poll for a state the run signals; the timeout only bounds a broken run."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"check ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "timed out waiting for the check"
        time.sleep(0.01)


def open_gate(gate: Path, upto: int = 10) -> None:
    for n in range(1, upto + 1):
        (gate / f"go-{n}").touch()


def running(db) -> bool:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM check_run WHERE status = 'running'")).scalar() > 0


def done(db) -> set[str]:
    return {slug for slug, (status, res, _) in state(db).items() if status != "open"}


def test_a_second_run_while_one_is_running_exits_75_with_one_line(db_url, tmp_path):
    db = open_database(db_url)
    populate(db)
    first = start_gated_check(db_url, tmp_path)
    try:
        wait_for(lambda: (tmp_path / "ready-1").exists(), first)  # holding the lock, inside a question
        assert running(db)
        second = run("check", "--now", NOW, "--json", db=db_url)
        assert second.code == 75
        assert second.out == "" and len(second.err.splitlines()) == 1
        assert second.err.startswith("forecast: another forecast check is running on this database")
    finally:
        open_gate(tmp_path)
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert done(db) == {"a-auto-no", "b-auto-yes", "c-manual"}
    db.engine.dispose()


def test_a_run_killed_midway_leaves_whole_questions_and_the_next_run_finishes(db_url, tmp_path):
    db = open_database(db_url)
    populate(db)
    victim = start_gated_check(db_url, tmp_path)
    try:
        wait_for(lambda: (tmp_path / "ready-1").exists(), victim)
        (tmp_path / "go-1").touch()  # the first question commits ...
        wait_for(lambda: (tmp_path / "ready-2").exists(), victim)  # ... and the second is mid-transaction
        assert len(done(db)) == 1
    finally:
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate()
    got = state(db)
    finished = {slug for slug, (status, _, _) in got.items() if status != "open"}
    everything = {"a-auto-no", "b-auto-yes", "c-manual"}
    assert finished and finished < everything, f"the kill must land midway through the run, finished {finished}"
    # Every question is untouched or completely done: its row and its history entry commit together.
    for slug, finished_as in (("a-auto-no", ("resolved", ["resolve"])), ("b-auto-yes", ("resolved", ["resolve"])),
                              ("c-manual", ("closed", ["close"]))):  # fmt: skip
        actions = [e[1] for e in events(db) if e[0] == slug]
        assert (got[slug][0], actions) in (("open", []), finished_as)
    # PostgreSQL frees the dead session's advisory lock once it notices the kill: poll for that state.
    deadline = time.monotonic() + 90
    while True:
        rerun = run("check", "--now", NOW, "--json", "--no-feeds", db=db_url)
        if rerun.code != 75 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert rerun.code == 0, rerun.err
    report = rerun.json()
    assert report["interrupted_runs"] == 1
    redone = {q["slug"] for q in report["closed"] + report["auto_resolved"]}
    assert redone == {"a-auto-no", "b-auto-yes", "c-manual"} - finished
    assert done(db) == {"a-auto-no", "b-auto-yes", "c-manual"}
    assert sorted(e[:2] for e in events(db)) == [
        ("a-auto-no", "resolve"),
        ("b-auto-yes", "resolve"),
        ("c-manual", "close"),
    ]
    db.engine.dispose()
