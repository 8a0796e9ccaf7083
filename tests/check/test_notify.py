"""--notify hooks run in their own process group, and nothing they started outlives them: a background
grandchild holding cron's pipe (our stderr) is killed when the hook exits or times out."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.check.test_cli import at, db_path  # noqa: F401  (the fixture)
from tests.cli_runner import run


def _gone(pid: int) -> bool:
    """No such process, or only a zombie waiting for a reaper (it runs nothing and holds no pipe)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _wait_gone(pid: int, timeout: float = 10.0) -> bool:
    """Block until the process has ended: a pidfd becomes readable when it does (no polling)."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], timeout)
        return bool(readable) or _gone(pid)
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("hook", "warning"),
    [
        ("sleep 1000 & echo $! > {pid}; wait", "--notify command did not finish within 1 s"),  # killed at the timeout
        ("sleep 1000 & echo $! > {pid}", None),  # the hook exits at once, leaving its child behind
    ],
)
def test_the_hooks_whole_process_group_is_killed(db_path, tmp_path, hook, warning):  # noqa: F811
    pid_file = tmp_path / "grandchild.pid"
    started = time.monotonic()
    # run() reads stderr to its end: a surviving grandchild would hold it open and this call would hang.
    result = run("check", "--now", at(6), "--notify", hook.format(pid=pid_file), db=db_path,
                 env={"FORECAST_NOTIFY_TIMEOUT": "1"})  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.code == 10, result.err
    assert elapsed < 60  # a surviving grandchild would hold stderr until run() gives up at 120 s
    pid = int(pid_file.read_text())
    assert _wait_gone(pid), f"grandchild {pid} is still running"
    if warning:
        assert f"forecast: warning: {warning}" in result.err
    else:
        assert "warning" not in result.err
