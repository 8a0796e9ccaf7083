"""The text of a crontab line and of systemd units running `forecast check`. Pure string building."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from forecast.core.errors import InvalidInput

UNIT = "forecast-check"
_MINUTES = re.compile(r"^(\d+)m(in)?$")


@dataclass(frozen=True)
class Job:
    """What the scheduled command runs: absolute paths only, since cron and systemd start from nothing."""

    command: tuple[str, ...]  # the executable (or python -m forecast) and the check arguments
    env: tuple[tuple[str, str], ...]  # FORECAST_DB and, when set here, FORECAST_CONFIG
    every: str  # hourly, daily or Nm


def executable() -> tuple[str, ...]:
    """How this very `forecast` was started, as an absolute command (symlinks kept: pipx upgrades them)."""
    arg0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if arg0.endswith(".py") or arg0 in ("", "-c", "-m"):
        return (os.path.abspath(sys.executable), "-m", "forecast")
    if os.sep in arg0:
        return (os.path.abspath(arg0),)
    found = shutil.which(arg0)
    return (os.path.abspath(found),) if found else (os.path.abspath(sys.executable), "-m", "forecast")


def absolute_target(target: str) -> str:
    """A SQLite path made absolute; a URL as given."""
    if "://" in target:
        return target
    return str(Path(target).expanduser().absolute())


def check_every(every: str) -> str:
    every = every.strip().lower()
    if every in ("hourly", "daily"):
        return every
    m = _MINUTES.match(every)
    if m and 1 <= int(m.group(1)) <= 59 and 60 % int(m.group(1)) == 0:
        return f"{int(m.group(1))}m"
    raise InvalidInput(f"--every {every!r}: use hourly, daily, or minutes dividing an hour such as 15m")


def _cron_time(every: str) -> str:
    if every == "hourly":
        return "7 * * * *"  # off the top of the hour, when every other job starts
    if every == "daily":
        return "7 6 * * *"
    return f"*/{every[:-1]} * * * *"


def crontab_line(job: Job, log: str | None) -> str:
    """One crontab line. `%` means newline to cron, so it is escaped; the rest is /bin/sh syntax."""
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in job.env)
    cmd = " ".join(shlex.quote(c) for c in job.command)
    redirect = f" >>{shlex.quote(log)} 2>&1" if log else ""
    line = f"{env} {cmd}{redirect}".strip()
    return f"{_cron_time(job.every)} {line.replace('%', chr(92) + '%')}"


def _systemd_quote(value: str) -> str:
    """A word for ExecStart=/Environment=: specifiers (%) and variables ($) escaped, quoted when needed."""
    value = value.replace("%", "%%")
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", value):
        return value.replace("$", "$$")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$")
    return f'"{escaped}"'


def _calendar(every: str) -> str:
    return every if every in ("hourly", "daily") else f"*:0/{every[:-1]}"


def service_unit(job: Job) -> str:
    env = "".join(f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in job.env)
    return (
        "[Unit]\n"
        "Description=forecast check: close due questions, auto-resolve, remind\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"{env}"
        f"ExecStart={' '.join(_systemd_quote(c) for c in job.command)}\n"
        "# 10: something needs attention (a report, not a failure); 75: another check was already running.\n"
        "SuccessExitStatus=10 75\n"
    )


def timer_unit(job: Job) -> str:
    return (
        "[Unit]\n"
        f"Description=Run forecast check ({job.every})\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={_calendar(job.every)}\n"
        "Persistent=true\n"
        "RandomizedDelaySec=60\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def user_unit_dir() -> Path:
    """$XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user."""
    base = os.environ.get("XDG_CONFIG_HOME")
    if base and os.path.isabs(base):
        return Path(base) / "systemd" / "user"
    try:
        home = Path.home()
    except RuntimeError:
        raise InvalidInput("cannot find the home directory; set XDG_CONFIG_HOME or HOME") from None
    return home / ".config" / "systemd" / "user"
