"""One `forecast check` at a time per database, even across machines sharing it.

PostgreSQL: a session-level advisory lock held by a dedicated connection. SQLite: an exclusive,
non-blocking flock on a file next to the database. Both vanish with the process, so a run killed
with SIGKILL never leaves a stale lock behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from forecast.core.errors import ForecastError
from forecast.store.engine import sqlite_path

# pg_try_advisory_lock key: b"fcCheck1" as a signed 64-bit integer; fixed so every client agrees.
PG_LOCK_KEY = int.from_bytes(b"fcCheck1", "big", signed=True)


class CheckLocked(ForecastError):
    """Another `forecast check` holds the lock on this database."""


def lock_file_for(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + ".check-lock")


@contextmanager
def check_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine):
            yield
        return
    path = sqlite_path(str(engine.url))
    if path is None:  # an in-memory database is private to this process
        yield
        return
    with _file_lock(lock_file_for(path)):
        yield


@contextmanager
def _pg_lock(engine: Engine) -> Iterator[None]:
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK_KEY}).scalar()
        if not got:
            raise CheckLocked("another forecast check is running on this database (PostgreSQL advisory lock held)")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
    finally:
        conn.close()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # The file is never deleted: unlinking a locked file would let a third run lock a new inode.
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ForecastError(f"cannot open lock file {path}: {exc.strerror}") from None
    try:
        if not _try_lock(fd):
            raise CheckLocked(f"another forecast check is running on this database (lock file {path} held)")
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: lock the first byte instead
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
