"""Safe under cron: one run at a time (the second exits 75 with one line), and a run killed with SIGKILL
midway leaves no half-applied question; the next run finishes the work. On SQLite and PostgreSQL.

FORECAST_CHECK_TEST_PAUSE (test-only) makes each question's transaction sleep before it commits,
so the tests can catch a run while it holds the lock and kill it in the middle of a question.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from sqlalchemy import text

from forecast.core.timeparse import iso_z
from forecast.services.database import open_database
from tests.check.helpers import DAY, T0, events, populate, state
from tests.cli_runner import EXE, run

NOW = iso_z(T0 + 4 * DAY)  # a-auto-no, b-auto-yes and c-manual are due


def start_slow_check(url: str, pause: float) -> subprocess.Popen:
    env = dict(os.environ, FORECAST_CHECK_TEST_PAUSE=str(pause))
    return subprocess.Popen([EXE, "--db", url, "check", "--now", NOW, "--no-feeds"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def wait_for(condition, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"check ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "timed out waiting for the check"
        time.sleep(0.03)


def running(db) -> bool:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM check_run WHERE status = 'running'")).scalar() > 0


def done(db) -> set[str]:
    return {slug for slug, (status, res, _) in state(db).items() if status != "open"}


def test_a_second_run_while_one_is_running_exits_75_with_one_line(db_url):
    db = open_database(db_url)
    populate(db)
    first = start_slow_check(db_url, pause=0.3)
    try:
        wait_for(lambda: running(db), first)
        second = run("check", "--now", NOW, "--json", db=db_url)
        assert second.code == 75
        assert second.out == "" and len(second.err.splitlines()) == 1
        assert second.err.startswith("forecast: another forecast check is running on this database")
    finally:
        out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert done(db) == {"a-auto-no", "b-auto-yes", "c-manual"}
    db.engine.dispose()


def test_a_run_killed_midway_leaves_whole_questions_and_the_next_run_finishes(db_url):
    db = open_database(db_url)
    populate(db)
    victim = start_slow_check(db_url, pause=0.8)
    try:
        wait_for(lambda: len(done(db)) >= 1, victim)  # one question committed, the next one mid-transaction
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
    for attempt in range(50):  # PostgreSQL frees the dead session's advisory lock once it notices the kill
        rerun = run("check", "--now", NOW, "--json", "--no-feeds", db=db_url)
        if rerun.code != 75:
            break
        time.sleep(0.1)
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
