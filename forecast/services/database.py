"""Open a database for a front end: build the engine, bring the schema to head, hand out sessions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from forecast.store.engine import database_url, make_engine, session_scope
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


def open_database(target: str, *, announce_backup=None) -> Database:
    """Connect and upgrade an older schema (after a backup copy, for SQLite files)."""
    from sqlalchemy.exc import OperationalError

    from forecast.core.errors import ForecastError

    url = database_url(target)
    engine = make_engine(url)
    try:
        backup = ensure_current(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ForecastError(f"cannot open database {engine.url.render_as_string()}: {reason}") from None
    if backup is not None:
        (announce_backup or (lambda p: print(f"upgraded database schema; backup at {p}", file=sys.stderr)))(backup)
    return Database(url=url, engine=engine)
