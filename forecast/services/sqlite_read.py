"""Reads of a SQLite file through the standard library's sqlite3, for a command that needs nothing else of
SQLAlchemy: importing it and building an engine cost `forecast score` 0.2-0.3 s of about 2.

Only a plain file path to a database at this version's schema (HEAD) qualifies; for anything else (a URL,
an older or newer schema, a file that is not ours, a driver error) the caller opens the database the usual
way (services/database.py), which upgrades, refuses or reports it. Reads only: writes keep their locks,
retries and checks in store/transaction.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from forecast.store import bulk
from forecast.core.errors import ForecastError
from forecast.store.opening import BUSY_TIMEOUT_MS, check_sqlite_file
from forecast.store.revisions import HEAD

T = TypeVar("T")


def read_sqlite(target: str, work: Callable[[bulk.Sqlite], T]) -> T | None:
    """`work(conn)` in one read transaction (one snapshot) on the SQLite file `target`; None when the file
    does not qualify or the driver failed (`work`'s own errors, such as NotFound, pass through)."""
    if "://" in target:
        return None
    path = Path(target).expanduser().resolve()
    try:
        check_sqlite_file(path, create=False)  # another program's file is left untouched, as by the usual way
        # Read-only: closing it never checkpoints the write-ahead log into the file (a read-write
        # connection, the last to close, would: a read command writing up to the log's size).
        raw = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                              isolation_level=None, check_same_thread=False)  # fmt: skip
    except (ForecastError, OSError, sqlite3.Error):
        return None  # the usual way says why
    try:
        raw.execute("BEGIN")
        if raw.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD,)]:
            return None
        return work(bulk.Sqlite(raw))
    except sqlite3.Error:
        return None
    finally:
        raw.close()
