"""Safe under cron: one run at a time (the second exits 75 with one line), and a run killed with SIGKILL
midway leaves no half-applied question; the next run finishes the work. On SQLite and PostgreSQL.

FORECAST_CHECK_TEST_GATE (test-only) names a directory with two FIFOs: before the n-th question commits,
the run writes a byte to `ready` and blocks reading one from `go`. The tests hold a run at a known point (lock held, n-1
questions committed, the n-th mid-transaction) however slow the machine is; no sleep stands in for a signal.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
from pathlib import Path

from sqlalchemy import text

from forecast.core.timeparse import iso_z
from forecast.services.database import open_database
from tests.check.helpers import DAY, T0, events, populate, state
from tests.cli_runner import EXE, run

NOW = iso_z(T0 + 4 * DAY)  # a-auto-no, b-auto-yes and c-manual are due


class Gate:
    """The test's ends of the two FIFOs, opened read-write so neither side ever blocks on open or sees EOF."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path / "ready")
        os.mkfifo(path / "go")
        self.ready = os.open(path / "ready", os.O_RDWR)
        self.go = os.open(path / "go", os.O_RDWR)

    def wait_ready(self, proc: subprocess.Popen, timeout: float = 90.0) -> None:
        """Block until the run reaches the next question's gate (select, no polling)."""
        readable, _, _ = select.select([self.ready], [], [], timeout)
        assert readable, f"the check never reached its gate: {proc.poll()}"
        assert os.read(self.ready, 1) == b"r"

    def release(self, n: int = 1) -> None:
        os.write(self.go, b"g" * n)

    def close(self) -> None:
        os.close(self.ready)
        os.close(self.go)


def start_gated_check(url: str, gate: Gate) -> subprocess.Popen:
    env = dict(os.environ, FORECAST_CHECK_TEST_GATE=str(gate.path))
    return subprocess.Popen([EXE, "--db", url, "check", "--now", NOW, "--no-feeds"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def running(db) -> bool:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM check_run WHERE status = 'running'")).scalar() > 0


def done(db) -> set[str]:
    return {slug for slug, (status, res, _) in state(db).items() if status != "open"}


def test_a_second_run_while_one_is_running_exits_75_with_one_line(db_url, tmp_path):
    db = open_database(db_url)
    populate(db)
    gate = Gate(tmp_path)
    first = start_gated_check(db_url, gate)
    try:
        gate.wait_ready(first)  # holding the lock, inside a question
        assert running(db)
        second = run("check", "--now", NOW, "--json", db=db_url)
        assert second.code == 75
        assert second.out == "" and len(second.err.splitlines()) == 1
        assert second.err.startswith("forecast: another forecast check is running on this database")
    finally:
        gate.release(10)
        out, err = first.communicate(timeout=120)
        gate.close()
    assert first.returncode == 0, err
    assert done(db) == {"a-auto-no", "b-auto-yes", "c-manual"}
    db.engine.dispose()


def test_a_run_killed_midway_leaves_whole_questions_and_the_next_run_finishes(db_url, tmp_path):
    db = open_database(db_url)
    populate(db)
    gate = Gate(tmp_path)
    victim = start_gated_check(db_url, gate)
    try:
        gate.wait_ready(victim)
        gate.release()  # the first question commits ...
        gate.wait_ready(victim)  # ... and the second is mid-transaction
        assert len(done(db)) == 1
    finally:
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate()
        gate.close()
    got = state(db)
    finished = {slug for slug, (status, _, _) in got.items() if status != "open"}
    everything = {"a-auto-no", "b-auto-yes", "c-manual"}
    assert finished and finished < everything, f"the kill must land midway through the run, finished {finished}"
    # Every question is untouched or completely done: its row and its history entry commit together.
    for slug, finished_as in (("a-auto-no", ("resolved", ["resolve"])), ("b-auto-yes", ("resolved", ["resolve"])),
                              ("c-manual", ("closed", ["close"]))):  # fmt: skip
        actions = [e[1] for e in events(db) if e[0] == slug]
        assert (got[slug][0], actions) in (("open", []), finished_as)
    if db.engine.dialect.name == "postgresql":
        # The dead run's session holds the advisory lock until the server ends it: end it now and wait for
        # that (pg_terminate_backend with a timeout returns once the backend is gone).
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid, 60000) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"))  # fmt: skip
    rerun = run("check", "--now", NOW, "--json", "--no-feeds", db=db_url)
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
