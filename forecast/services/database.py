"""Open a database for a front end: build the engine, bring the schema to head, hand out sessions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from forecast.store.engine import make_engine, session_scope, sqlite_path
from forecast.store.opening import check_sqlite_file, database_url
from forecast.store.migrate import ensure_current


@dataclass
class Database:
    url: str
    engine: Engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.engine) as session:
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def checkpoint(self) -> None:
        """After a bulk write, fold SQLite's write-ahead log into the database file: readers that
        must look pages up in a 100 MB log are several times slower than readers of the file."""
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


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
