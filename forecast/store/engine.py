"""Engine construction and the session scope. Never built at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url

from forecast.store.opening import BUSY_TIMEOUT_MS

if TYPE_CHECKING:  # SQLModel (with pydantic and the ORM) loads with the first session, not with the engine
    from sqlmodel import Session

WRITE = "forecast_write"
"""Execution option of write connections (store/transaction.py): SQLite starts them with BEGIN IMMEDIATE."""


def database_url(target: str | Path) -> str:
    """A file path becomes a SQLite URL; anything with '://' is taken as a SQLAlchemy URL."""
    text = str(target)
    if "://" in text:
        url = make_url(text)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    # URL.create quotes the path: a file named "my%db.db" must not be read back as a percent-escape.
    return URL.create("sqlite", database=str(Path(text).expanduser().resolve())).render_as_string()


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    if not is_sqlite(url):
        return None
    db = make_url(url).database
    return Path(db) if db and db != ":memory:" else None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the TUI read while `forecast check` writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # A write takes the write lock first, where the busy timeout applies; a read never takes it.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def checkpoint_sqlite(engine: Engine) -> None:
    """Fold the write-ahead log into the file without waiting for readers (services/database.py says why)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        # No mkdir here: whether a database may be created, and where, is store/opening.py's decision.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLAlchemy's recipe for pysqlite: turn off the driver's own lazy BEGIN and emit ours, so that a
        # write transaction can start with BEGIN IMMEDIATE (store/transaction.py) and reads with BEGIN.
        event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A server that does not answer fails in seconds with one line, instead of hanging the command.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
