"""The last line of defence: an exception no command expected becomes one line and exit code 70.

Faults of the environment (a full disk, a read-only file, a database server that went away) are not bugs:
they get one line naming the cause and exit code 1. Anything else is a bug: the traceback goes to a crash
file in the data directory (or to stderr with FORECAST_DEBUG=1) and the user sees where it is.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from forecast.cli.exit_codes import ExitCode

DEBUG_ENV = "FORECAST_DEBUG"
database_label: str | None = None
"""The database this invocation opened (set by CliState), to name it in a database fault's line."""


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= 200 else line[:199] + "…"


def environment_fault(exc: BaseException) -> str | None:
    """The one line for a fault of the machine rather than of forecast, else None."""
    if isinstance(exc, BrokenPipeError):
        return ""  # the reader went away (`forecast q list | head`): nothing to say
    if isinstance(exc, OSError) and exc.errno in (
        errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EFBIG, errno.ENOENT,
        errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EMFILE, errno.ENOMEM,
    ):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or _first_line(exc)}"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if "sqlalchemy" in sys.modules:  # else no database was opened, and importing it now would cost
        from forecast.services.db_errors import is_database_fault

        if getattr(getattr(exc, "orig", exc), "sqlstate", None) == "42501":
            from forecast.services.team import refusal  # a team database's grants or row-level security

            return refusal(_first_line(exc))
        if is_database_fault(exc):
            where = f" {database_label}" if database_label else ""
            return f"database{where}: {_first_line(exc)}"
    return None


def crash_file() -> Path:
    from forecast.config import data_dir

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return data_dir() / "crashes" / f"crash-{stamp}-{os.getpid()}.txt"


def write_crash(exc: BaseException) -> str:
    """Write the traceback where the user can find it; return where (or why it could not be written)."""
    detail = "".join(traceback.format_exception(exc))
    if os.environ.get(DEBUG_ENV) == "1":
        sys.stderr.write(detail)
        return "the traceback above"
    report = f"forecast {' '.join(sys.argv[1:])!r}\n{datetime.now(UTC).isoformat()}\n\n{detail}"
    path = crash_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report, encoding="utf-8", errors="backslashreplace")
    except OSError as err:
        return f"(no crash file: {err.strerror}; rerun with {DEBUG_ENV}=1)"
    return str(path)


def handle(exc: BaseException) -> int:
    """Report an exception that escaped every command; returns the exit code."""
    fault = environment_fault(exc)
    if fault is not None:
        if fault:
            print(f"forecast: {fault}", file=sys.stderr)
        return int(ExitCode.ERROR)
    where = write_crash(exc)
    print(f"forecast: internal error: {type(exc).__name__}: {_first_line(exc)}; details in {where}", file=sys.stderr)
    return int(ExitCode.INTERNAL)
