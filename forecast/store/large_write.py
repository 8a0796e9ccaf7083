"""Settings for one large write transaction (a bulk import), restored when it ends.

SQLite's page cache is 2 MB by default. A million forecasts go into three B-trees at once (the table,
the identity index in insert order, and the (forecaster, question) index in random order), and the
random one alone is larger than that: each insert then reads and spills pages, and the standing-forecast
refresh afterwards reads the spilled pages back from the write-ahead log. A cache that holds the
transaction's pages makes the import mostly CPU. (`temp_store` cannot change inside a transaction.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

from forecast.store import bulk

CACHE_KIB = 256 * 1024
"""At most this much page cache, taken only as the pages are used: the import itself holds several
times more in Python objects."""


@contextmanager
def large_write(conn: Connection) -> Iterator[None]:
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(bulk.scalar(conn, "PRAGMA cache_size"))
    bulk.execute(conn, f"PRAGMA cache_size = -{CACHE_KIB}")
    try:
        yield
    finally:
        bulk.execute(conn, f"PRAGMA cache_size = {before}")


@contextmanager
def index_rebuilt_after(conn: Connection, name: str, rebuild: bool) -> Iterator[None]:
    """SQLite, `rebuild`: drop index `name` for the duration and create it again from its own stored
    definition. Worth it when the rows written outnumber the rows stored: building an index sorts once,
    where keeping it up to date inserts into it in random order."""
    sql = None
    if rebuild and conn.dialect.name == "sqlite":
        sql = bulk.scalar(conn, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name", (name,))
    if sql is None:
        yield
        return
    bulk.execute(conn, f'DROP INDEX "{name}"')
    yield
    bulk.execute(conn, sql)
