"""`forecast schedule`: a crontab line that runs verbatim in cron's bare environment, systemd units,
and installing/removing the user units (into a temporary XDG_CONFIG_HOME, with a fake systemctl)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
from pathlib import Path

import pytest

from forecast.core.timeparse import iso_z
from forecast.services.database import open_database
from tests.check.helpers import DAY, T0, populate, state
from tests.cli_runner import EXE, invoke


@pytest.fixture
def fake_systemctl(tmp_path) -> tuple[dict, Path]:
    """An environment whose PATH finds a systemctl that only logs its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    (bin_dir / "systemctl").write_text(f"#!/bin/sh\necho \"$*\" >> {log}\n")
    (bin_dir / "systemctl").chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    return env, log


def test_the_crontab_line_runs_verbatim_under_env_i(tmp_path):
    db_path = tmp_path / "data dir" / "my%db.db"  # a space and a percent sign: both need escaping
    db_path.parent.mkdir()  # a database is created only in a directory that exists
    db = open_database(str(db_path))
    assert db_path.exists()  # the file named, not a percent-decoded look-alike
    populate(db)
    printed = invoke("schedule", "--cron", "--every", "15m", cwd=tmp_path, db=os.path.relpath(db_path, tmp_path))
    assert printed.code == 0, printed.err
    comment, line = printed.out.splitlines()
    assert comment.startswith("#")
    fields = line.split(" ", 5)
    assert fields[:5] == ["*/15", "*", "*", "*", "*"]
    command = fields[5]
    assert f"'{EXE}' check --quiet" in command or f"{EXE} check --quiet" in command
    assert "\\%" in command and str(tmp_path / "data dir") in command
    # What cron does: undo the \% escapes, then hand the line to /bin/sh with a bare environment.
    # The test adds --now by appending to the line, which leaves the printed text itself untouched.
    assert command.endswith(" 2>&1")
    shell_line = command.replace("\\%", "%").replace(" >>", f" --now {iso_z(T0 + 4 * DAY)} >>", 1)
    proc = subprocess.run(["/bin/sh", "-c", shell_line], env={"PATH": "/usr/bin:/bin"}, cwd="/",
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0 and proc.stdout == proc.stderr == ""
    assert state(db)["a-auto-no"][:2] == ("resolved", "no")
    log = Path(os.environ["FORECAST_DATA_DIR"]) / "check.log"
    assert "2 auto-resolved" in log.read_text()
    db.engine.dispose()


def test_the_systemd_units_use_absolute_paths_and_treat_attention_as_success(tmp_path):
    out = invoke("schedule", "--systemd", "--notify", 'notify-send "forecast" "$FORECAST_CHECK_SUMMARY"',
              db=str(tmp_path / "f.db")).out  # fmt: skip
    service, timer = out.split("# file: ")[1:]
    assert f"Environment=FORECAST_DB={tmp_path / 'f.db'}" in service
    assert f"ExecStart={EXE} check --quiet --notify " in service
    assert '"notify-send \\"forecast\\" \\"$$FORECAST_CHECK_SUMMARY\\""' in service  # $ doubled for systemd
    assert "SuccessExitStatus=10 75" in service and "Type=oneshot" in service
    assert "OnCalendar=hourly" in timer and "Persistent=true" in timer and "WantedBy=timers.target" in timer
    if shutil.which("systemd-analyze"):  # the real parser, when this machine has it (system mode: same syntax)
        folder = tmp_path / "units"
        folder.mkdir()
        (folder / "forecast-check.service").write_text(service.split("\n", 1)[1])
        (folder / "forecast-check.timer").write_text(timer.split("\n", 1)[1])
        for unit in ("forecast-check.service", "forecast-check.timer"):
            check = subprocess.run(["systemd-analyze", "verify", str(folder / unit)], capture_output=True,
                                   text=True, timeout=60)  # fmt: skip
            assert check.returncode == 0 and "forecast-check" not in check.stderr, check.stderr


def test_install_asks_first_then_writes_units_and_remove_deletes_them(tmp_path, fake_systemctl):
    env, log = fake_systemctl
    units = tmp_path / "xdg" / "systemd" / "user"
    db = str(tmp_path / "f.db")
    refused = invoke("schedule", "install", "--systemd", "--user", db=db, env=env)
    assert refused.code == 1 and "--yes" in refused.err and not units.exists()
    said_no = _with_terminal([EXE, "--db", db, "schedule", "install", "--systemd", "--user"], "n\n", env)
    assert said_no.returncode == 1 and not units.exists()

    done = invoke("schedule", "install", "--systemd", "--user", "--yes", "--every", "daily", db=db, env=env)
    assert done.code == 0, done.err
    assert sorted(p.name for p in units.iterdir()) == ["forecast-check.service", "forecast-check.timer"]
    assert "OnCalendar=daily" in (units / "forecast-check.timer").read_text()
    assert log.read_text().splitlines() == ["--user daemon-reload", "--user enable --now forecast-check.timer"]

    removed = invoke("schedule", "remove", "--yes", env=env)
    assert removed.code == 0 and list(units.iterdir()) == []
    assert log.read_text().splitlines()[2:] == ["--user disable --now forecast-check.timer", "--user daemon-reload"]


def test_without_systemctl_install_says_what_to_run(tmp_path):
    env = {"PATH": "/nonexistent", "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    done = invoke("schedule", "install", "--systemd", "--user", "--yes", db=str(tmp_path / "f.db"), env=env)
    assert done.code == 0
    assert "systemctl not found; run: systemctl --user daemon-reload; systemctl --user enable --now" in done.err


def _with_terminal(cmd: list[str], answer: str, env: dict) -> subprocess.CompletedProcess:
    """Run with a pseudo-terminal on stdin, so the command asks, and type `answer`."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(cmd, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, **env}, text=True)  # fmt: skip
        os.write(leader, answer.encode())
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
