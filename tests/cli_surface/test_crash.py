"""The top-level handler (§7): an unexpected exception is one line, exit 70 and a crash file."""

from __future__ import annotations

import subprocess
import sys

# A real `forecast` process with one extra command whose body has a bug: everything between argv and the
# exit code is the shipped code path.
BUGGY = """
import sys
from forecast.cli.app import app, run
@app.command("boom")
def boom():
    {}
sys.argv = ["forecast", "boom"]
run()
"""


def _run(body: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BUGGY.format(body)], capture_output=True, text=True, env=env,
                          timeout=60)


def test_a_bug_is_one_line_exit_70_and_a_crash_file(isolated_env, monkeypatch):
    import os

    proc = _run("{}['missing']", dict(os.environ))
    assert proc.returncode == 70
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("forecast: internal error: KeyError: 'missing'; details in ")
    crash = lines[0].rsplit("details in ", 1)[1]
    assert crash.startswith(str(isolated_env / "data"))
    content = open(crash, encoding="utf-8").read()
    assert "Traceback" in content and "KeyError" in content


def test_forecast_debug_puts_the_traceback_on_stderr(isolated_env):
    import os

    proc = _run("1 / 0", {**os.environ, "FORECAST_DEBUG": "1"})
    assert proc.returncode == 70
    assert "Traceback" in proc.stderr and "ZeroDivisionError" in proc.stderr
    assert not (isolated_env / "data" / "crashes").exists()


def test_an_environment_fault_is_not_a_bug(isolated_env):
    import os

    proc = _run("open('/proc/forbidden-' + 'x', 'w')", dict(os.environ))
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
