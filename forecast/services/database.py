"""Open a database for a front end: build the engine, bring the schema to head, hand out sessions."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:  # imported with the first session (store/engine.py): bulk reads on a connection skip it
    from sqlmodel import Session

from forecast.store.engine import checkpoint_sqlite, make_engine, session_scope, sqlite_path
from forecast.store.opening import check_sqlite_file, database_url
from forecast.store import bulk
from forecast.store.migrate import HEAD, current_revision, ensure_current
from forecast.store.transaction import run_write, run_write_connection

if TYPE_CHECKING:  # the ORM loads only for sessions: the everyday commands read and write on connections
    from sqlmodel import Session

T = TypeVar("T")


@dataclass
class Database:
    url: str
    engine: Engine
    _snapshot_engine: Engine | None = field(default=None, repr=False, compare=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading: it never takes SQLite's write lock, so it never blocks a writer.
        Writes go through `write`."""
        with session_scope(self._read_engine) as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A connection for several reads that must agree with each other (one snapshot, see `_read_engine`)."""
        with self._read_engine.connect() as conn:
            yield conn

    def write(self, work: Callable[[Session], T], *, ids_read_here: bool = False) -> T:
        """Run one use case's unit of work, `work(session)`, as a write transaction and commit it; run it
        again from the start while the database is busy or a concurrent writer won a race
        (store/transaction.py). `work` may run more than once: fetch and read files before, print after.
        `ids_read_here`: see `run_write` (the bulk import only)."""
        return run_write(self.engine, work, ids_read_here=ids_read_here)

    def write_connection(self, work: Callable[[Connection], T]) -> T:
        """`write` for plain SQL on a connection."""
        return run_write_connection(self.engine, work)

    @property
    def _read_engine(self) -> Engine:
        """Reads see one snapshot from their first statement to their last. SQLite's read transactions
        already do; PostgreSQL's default (READ COMMITTED) lets each statement see newer commits, so a listing
        read while a writer adds a forecaster found a forecast whose forecaster it had not read (KeyError, in
        tests/storage/test_concurrent_writes.py). A read-only REPEATABLE READ transaction never fails to serialise."""
        if self.dialect != "postgresql":
            return self.engine
        if self._snapshot_engine is None:
            self._snapshot_engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
        return self._snapshot_engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def checkpoint(self) -> None:
        """After a bulk write, fold SQLite's write-ahead log into the database file: readers that
        must look pages up in a 100 MB log are several times slower than readers of the file.

        Without waiting: a TRUNCATE checkpoint waits (busy timeout) for every reader while holding the
        write lock, so with the TUI open it stalled every writer for 10 s. Busy now, it copies what it
        can (as PASSIVE would) and a later checkpoint, or SQLite's automatic one, does the rest."""
        if self.dialect == "sqlite":
            checkpoint_sqlite(self.engine)


def load_write_modules(target: str) -> None:
    """Import what a bulk write to `target` needs (a few tenths of a second), for a command that has time to
    spare now (`import jsonl` while a child process reads half of a large file): the bulk import and the
    session, and for a SQLite file yet to be made its migrations' modules too. Nothing is opened or created."""
    import sqlmodel  # noqa: F401

    import forecast.services.batch_import  # noqa: F401

    path = sqlite_file(target)
    if path is not None and not path.exists():
        import alembic.command  # noqa: F401
        import alembic.config  # noqa: F401

        import forecast.store.check_tables  # noqa: F401
        import forecast.store.feed_tables  # noqa: F401
        import forecast.store.tables  # noqa: F401


def sqlite_file(target: str) -> Path | None:
    """The file a database target names, when it is SQLite (a path or a sqlite:// URL)."""
    return sqlite_path(database_url(target))


SCHEMA_HEAD = HEAD
"""The schema revision this version of forecast upgrades a database to."""


def database_info(db: Database) -> dict:
    """Which database, at which schema revision, with how many rows in the main tables (`forecast db info`)."""
    with db.engine.connect() as conn:
        counts = {t: bulk.scalar(conn, f"SELECT count(*) FROM {t}") for t in ("question", "forecast", "forecaster", "evidence")}
    return {
        "database": db.engine.url.render_as_string(hide_password=True),
        "revision": current_revision(db.engine),
        "counts": counts,
    }


def open_database(target: str, *, create: bool = True, announce_backup=None) -> Database:
    """Connect and upgrade an older schema (after a backup copy, for SQLite files).

    `create=False` (read commands, the TUI) refuses a database that does not exist yet; either way a file
    or database forecast did not make is refused untouched (store/opening.py)."""
    from sqlalchemy.exc import DBAPIError

    from forecast.core.errors import ForecastError

    url = database_url(target)
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path, create=create)
    engine = make_engine(url)
    try:
        backup = ensure_current(engine, create=create)
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ForecastError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {reason}") from None
    except BaseException:
        engine.dispose()
        raise
    if backup is not None:
        (announce_backup or (lambda p: print(f"upgraded database schema; backup at {p}", file=sys.stderr)))(backup)
    return Database(url=url, engine=engine)
