"""Write transactions: one unit of work, started for writing and retried whole when the database is busy.

Every write path goes through `run_write` (sessions) or `run_write_connection` (plain SQL):

- SQLite: the transaction starts with BEGIN IMMEDIATE (engine.py emits it for connections that carry
  the WRITE option), so the write lock is taken up front, where SQLite's busy timeout applies. A deferred
  transaction that reads first and then writes gets "database is locked" at once, whatever the timeout,
  when another writer committed in between (SQLITE_BUSY_SNAPSHOT). Reads keep a plain BEGIN: in WAL mode
  they never block writers, nor wait for them.
- PostgreSQL: two first-use inserts of the same row (a forecaster, a tag, a derived slug) or a lost
  serialization race end in a unique violation, serialization failure or deadlock for one of them; its
  transaction is rolled back and run again, and on the second run it finds the other's row.

The work function may therefore run more than once: it must do nothing outside the database that
cannot be repeated (fetch URLs and read files before, print after).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from forecast.core.errors import ForecastError
from forecast.store.engine import WRITE

if TYPE_CHECKING:  # the ORM loads only for sessions: `forecast check` with nothing due runs on plain SQL
    from sqlmodel import Session

T = TypeVar("T")

RETRY_SECONDS = 120.0
"""How long a write keeps trying a busy database, in total (each SQLite attempt also waits up to the
busy timeout for the lock). Long enough to outlast an import of a large file; a user waiting that long
is told to try again later. The environment variable FORECAST_BUSY_TIMEOUT (seconds) overrides it."""
BUSY_ENV = "FORECAST_BUSY_TIMEOUT"

CONFLICT_ATTEMPTS = 8
"""A unique violation that is still there after this many fresh runs is a real duplicate, not a race."""

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_PG_RACES = {"40001": "serialization failure", "40P01": "deadlock"}
_PG_UNIQUE = "23505"


class DatabaseBusy(ForecastError):
    """The database stayed locked by other writers for the whole retry period."""

    def __init__(self, reason: str, seconds: float) -> None:
        super().__init__(f"database is busy ({reason}) after {seconds:g} s of retrying; nothing was written, try again")
        self.reason = reason


def retry_window() -> float:
    """Seconds a write keeps retrying: FORECAST_BUSY_TIMEOUT when set to a number, else RETRY_SECONDS."""
    value = os.environ.get(BUSY_ENV, "").strip()
    try:
        seconds = float(value) if value else RETRY_SECONDS
    except ValueError:
        seconds = RETRY_SECONDS
    return seconds if 0 <= seconds < 1e6 else RETRY_SECONDS


def write_engine(engine: Engine) -> Engine:
    """The same engine and pool, with connections whose transactions are write transactions."""
    return engine.execution_options(**{WRITE: True})


def retry_reason(exc: BaseException) -> tuple[str, bool] | None:
    """(what happened, whether it is a unique violation) when running the transaction again may succeed."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:  # extended codes (BUSY_SNAPSHOT, BUSY_RECOVERY, ...) share the primary code's low byte
        return ("database is locked", False) if code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED) else None
    state = getattr(orig, "sqlstate", None)
    if state in _PG_RACES:
        return _PG_RACES[state], False
    if state == _PG_UNIQUE:
        return "unique violation", True
    if code is None and state is None and "database is locked" in str(orig):  # a driver without error codes
        return "database is locked", False
    return None


def _backoff(attempt: int) -> float:
    # Exponential with full jitter, so writers that collided do not collide again in step.
    return random.uniform(0, min(0.5, 0.005 * 2**attempt))


class _WriteGate:
    """SQLite: writers of one database file take turns on an flock of `FILE.write-lock` first.

    SQLite's own busy handler sleeps ever longer between tries (up to 100 ms each), and a newcomer polling
    fast takes the lock from a writer that has waited for seconds: with 8 writers, some waited out the whole
    busy timeout while the lock was free most of the time. The gate is polled every millisecond or two by
    every waiter alike, and costs one system call per try. Programs other than forecast do not take it;
    SQLite's lock (BEGIN IMMEDIATE) still keeps them apart. Without a lock file (a read-only directory, an
    in-memory database) there is no gate.
    """

    def __init__(self, engine: Engine | None) -> None:
        self.path = None
        if engine is not None and engine.dialect.name == "sqlite":
            from forecast.store.engine import sqlite_path

            db = sqlite_path(str(engine.url))
            self.path = db.with_name(db.name + ".write-lock") if db is not None else None
        self.fd: int | None = None

    def acquire(self, deadline: float, retry_seconds: float) -> None:
        if self.path is None:
            return
        try:
            import fcntl
        except ImportError:  # Windows: SQLite's lock alone
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise DatabaseBusy("another forecast program is writing", retry_seconds) from None
                time.sleep(random.uniform(0.0005, 0.002))
            except OSError:  # a file system without flock: SQLite's lock alone
                os.close(fd)
                return

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the lock
            self.fd = None


def retrying(start: Callable[[], T], *, retry_seconds: float | None = None, engine: Engine | None = None) -> T:
    """Call `start` (one whole transaction, rolled back when it raises) until it succeeds, while
    `retry_reason` says another run may succeed; then DatabaseBusy, or the last race's error.
    With the `engine` of a SQLite file, each attempt runs with the write gate held (_WriteGate)."""
    retry_seconds = retry_window() if retry_seconds is None else retry_seconds
    deadline = time.monotonic() + retry_seconds
    gate = _WriteGate(engine)
    attempt = conflicts = 0
    while True:
        try:
            gate.acquire(deadline, retry_seconds)
            try:
                return start()
            finally:
                gate.release()
        except DBAPIError as exc:
            reason = retry_reason(exc)
            if reason is None:
                raise
            what, unique = reason
            conflicts += unique
            if unique and conflicts >= CONFLICT_ATTEMPTS:
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(what, retry_seconds) from None
            attempt += 1
            time.sleep(_backoff(attempt))


def run_write(
    engine: Engine, work: Callable[[Session], T], *, retry_seconds: float | None = None, ids_read_here: bool = False
) -> T:
    """Run `work(session)` in one write transaction and commit; run it again from the start while the
    database is busy or a concurrent writer won a race. Any other error rolls back and propagates.

    `ids_read_here`: the work writes no row id it did not read or create in this same transaction, and
    deletes no row that others refer to (the bulk import, services/batch_import.py). SQLite then runs the
    transaction without its foreign-key lookups (a million forecasts and their standing rows took five
    million of them, a tenth of the import) and turns them on again before the connection is used again.
    PostgreSQL keeps its checks."""
    from sqlmodel import Session

    bind = write_engine(engine)
    if ids_read_here and engine.dialect.name == "sqlite":
        return retrying(lambda: _without_fk_lookups(bind, work), retry_seconds=retry_seconds, engine=engine)

    def once() -> T:
        with Session(bind, expire_on_commit=False) as session:
            return _commit_or_roll_back(session, work)

    return retrying(once, retry_seconds=retry_seconds, engine=engine)


def _commit_or_roll_back(session: Session, work: Callable[[Session], T]) -> T:
    try:
        result = work(session)
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise


def _without_fk_lookups(bind: Engine, work: Callable[[Session], T]) -> T:
    """One SQLite write transaction with `PRAGMA foreign_keys` off (it can only change outside a
    transaction: set before the session's BEGIN IMMEDIATE, set back after its commit or rollback)."""
    from sqlmodel import Session

    with bind.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with Session(conn, expire_on_commit=False) as session:
                return _commit_or_roll_back(session, work)
        finally:
            if conn.in_transaction():
                conn.rollback()
            try:
                raw.execute("PRAGMA foreign_keys=ON")
            except Exception:  # a connection that cannot say it checks keys again is not used again
                conn.invalidate()


def run_write_connection(
    engine: Engine, work: Callable[[Connection], T], *, retry_seconds: float | None = None
) -> T:
    """`run_write` for plain SQL on a connection."""
    bind = write_engine(engine)

    def once() -> T:
        with bind.begin() as conn:
            return work(conn)

    return retrying(once, retry_seconds=retry_seconds, engine=engine)
