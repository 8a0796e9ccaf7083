"""Bulk reads and writes on the driver's own cursor — the one place that knows each dialect's paramstyle.

The ORM is the right tool for a row at a time; scoring a million forecasts or importing them is not, so
those paths talk to the DB-API cursor directly. SQL is written once, in SQLAlchemy's `:name` style, and
compiled (once per statement and dialect) to what the driver takes: `?` for sqlite3, `%s` for psycopg,
with literal `%` doubled where the driver needs it. The compiler scans the SQL, so a `?`, `%` or `:x`
inside a string literal, quoted identifier or comment stays as written (`x::int` casts stay too).

Parameters are a tuple in the order the names first appear in the SQL, or a mapping by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the compiler itself needs no SQLAlchemy (sqlite_rows runs before it is imported)
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    Bind = Connection | Session
    """What services that run SQL take: a connection, or an ORM session (its connection, see `connection_of`)."""

Params = Sequence[Any] | Mapping[str, Any]


# What the scanner recognises: quoted text and comments (copied, never searched for parameters), the
# PostgreSQL cast `::`, a `:name` parameter, `%` (doubled for drivers whose paramstyle uses it), and a
# stray `?` (refused). Block comments are read as SQLite reads them, unnested.
_TOKEN = re.compile(
    r"""
      (?P<quoted>'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/)
    | (?P<cast>::)
    | (?<![\w:]):(?P<name>[A-Za-z_]\w*)
    | (?P<percent>%)
    | (?P<qmark>\?)
    """,
    re.VERBOSE | re.DOTALL,
)
_PLACEHOLDER = {"sqlite": "?", "postgresql": "%s"}


@lru_cache(maxsize=512)
def _compiled(sql: str, dialect_name: str) -> tuple[str, tuple[str, ...]]:
    try:
        mark = _PLACEHOLDER[dialect_name]
    except KeyError:
        raise ValueError(f"no bulk path for the {dialect_name} dialect") from None
    double = mark == "%s"  # psycopg reads `%` everywhere in the statement, string literals included
    names: list[str] = []

    def one(m: re.Match) -> str:
        if m.group("name"):
            names.append(m.group("name"))
            return mark
        if m.group("qmark"):  # a `?` placeholder would bind on SQLite and be text on PostgreSQL
            raise ValueError(f"write parameters as :name, not '?': {sql[:80]!r}")
        token = m.group(0)
        return token.replace("%", "%%") if double else token

    return _TOKEN.sub(one, sql), tuple(names)


def connection_of(bind: Bind) -> Connection:
    """The connection to run SQL on: `bind` itself, or a session's connection after writing what the session
    holds (so the SQL sees it, as the session's own queries would). Services that read and write with SQL take
    either: the everyday commands pass a connection and never load the ORM; ORM callers pass their session."""
    from sqlalchemy.engine import Connection

    if isinstance(bind, Connection):
        return bind
    bind.flush()
    return bind.connection()


def statement(conn: Connection, sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` in the driver's own paramstyle, and the parameter names in positional order."""
    return _compiled(sql, conn.dialect.name)


def _positional(names: tuple[str, ...], params: Params) -> tuple:
    if isinstance(params, Mapping):
        return tuple(params[name] for name in names)
    params = tuple(params)
    unique = tuple(dict.fromkeys(names))
    if len(unique) != len(names):  # a name used twice: map the tuple onto the distinct names first
        by_name = dict(zip(unique, params, strict=True))
        return tuple(by_name[name] for name in names)
    if len(params) != len(names):
        raise ValueError(f"the statement takes {len(names)} parameters, {len(params)} given")
    return params


class Sqlite:
    """A standard-library sqlite3 connection where the functions here take a SQLAlchemy one: for reads of a
    command that never imports SQLAlchemy (services/sqlite_read.py). Errors stay the driver's own."""

    class dialect:  # noqa: N801 (read as `conn.dialect.name`, as on a SQLAlchemy connection)
        name = "sqlite"

    def __init__(self, raw: Any) -> None:
        self.raw = raw


@contextmanager
def cursor(conn: Connection | Sqlite) -> Iterator[Any]:
    """The DB-API cursor of `conn`'s current transaction.

    The driver's own errors come out as SQLAlchemy's (IntegrityError, OperationalError, ... with the driver's
    exception as `.orig`), as from any other statement: the write retry (a unique race, a busy database, a
    serialization failure), the crash handler and the team database's refusals all read them one way. A raw
    psycopg UniqueViolation from an import racing another writer used to escape the retry as a crash.
    """
    if isinstance(conn, Sqlite):
        raw = conn.raw.cursor()
        try:
            yield raw
        finally:
            raw.close()
        return
    from sqlalchemy.exc import DBAPIError

    dbapi_error = conn.dialect.loaded_dbapi.Error
    raw = conn.connection.driver_connection.cursor()
    try:
        yield raw
    except dbapi_error as exc:
        raise DBAPIError.instance(None, None, exc, dbapi_error, dialect=conn.dialect) from exc
    finally:
        raw.close()


def rows(conn: Connection, sql: str, params: Params = ()) -> list[tuple]:
    """All rows of a query, as plain tuples."""
    driver_sql, names = statement(conn, sql)
    with cursor(conn) as cur:
        cur.execute(driver_sql, _positional(names, params))
        return cur.fetchall()


def iterate(conn: Connection, sql: str, params: Params = ()) -> Iterator[tuple]:
    """Rows one at a time (e.g. straight into `numpy.fromiter`), without building a list first."""
    driver_sql, names = statement(conn, sql)
    with cursor(conn) as cur:
        cur.execute(driver_sql, _positional(names, params))
        yield from cur


def array(conn: Connection, sql: str, params: Params, dtype: Any) -> Any:
    """All rows of a query in a numpy structured array of `dtype`, numpy reading the driver's cursor itself:
    no Python frame per row between them (through `iterate`'s generator a million rows took 0.1 s longer)."""
    import numpy as np

    driver_sql, names = statement(conn, sql)
    with cursor(conn) as cur:
        cur.execute(driver_sql, _positional(names, params))
        return np.fromiter(cur, dtype=dtype)


def sqlite_rows(raw: Any, sql: str, params: Params = ()) -> list[tuple]:
    """`rows` on a standard-library sqlite3 connection: for reads before SQLAlchemy is imported."""
    driver_sql, names = _compiled(sql, "sqlite")
    cur = raw.execute(driver_sql, _positional(names, params))
    try:
        return cur.fetchall()
    finally:
        cur.close()


def scalar(conn: Connection, sql: str, params: Params = ()) -> Any:
    found = rows(conn, sql, params)
    return found[0][0] if found else None


def execute(conn: Connection, sql: str, params: Params = ()) -> int:
    """Run one statement; the number of rows it changed."""
    driver_sql, names = statement(conn, sql)
    with cursor(conn) as cur:
        cur.execute(driver_sql, _positional(names, params))
        return cur.rowcount


def insert(conn: Connection, sql: str, params: Params = ()) -> int:
    """Run one INSERT of one row into a table with an `id` key; the new row's id (PostgreSQL: RETURNING,
    as the ORM's inserts do, so row-level security checks the same; SQLite: the cursor's lastrowid)."""
    postgres = conn.dialect.name == "postgresql"
    driver_sql, names = statement(conn, sql + " RETURNING id" if postgres else sql)
    with cursor(conn) as cur:
        cur.execute(driver_sql, _positional(names, params))
        return cur.fetchone()[0] if postgres else cur.lastrowid


def execute_many(conn: Connection, sql: str, param_rows: Iterable[Params]) -> None:
    """One statement for many parameter rows (the driver's executemany)."""
    driver_sql, names = statement(conn, sql)
    if not isinstance(param_rows, list):
        param_rows = list(param_rows)
    if len(set(names)) != len(names) or (param_rows and isinstance(param_rows[0], Mapping)):
        param_rows = [_positional(names, p) for p in param_rows]
    # else: positional rows already in order; the driver checks their length (a million rows stay as given)
    with cursor(conn) as cur:
        cur.executemany(driver_sql, param_rows)


ROWS_PER_STATEMENT = 100
"""`insert_rows` binds this many rows to one INSERT: a million forecasts bound a row per statement spent about
a third of the insert running the statement again for each row (SQLite's reset and step)."""


@lru_cache(maxsize=64)
def _values_sql(head: str, width: int, count: int, tail: str) -> str:
    marks = ", ".join("(" + ", ".join(f":v{r}_{c}" for c in range(width)) + ")" for r in range(count))
    return f"{head} VALUES {marks}{' ' + tail if tail else ''}"


def insert_rows(conn: Connection, head: str, rows: Sequence[tuple], tail: str = "") -> None:
    """`head` ("INSERT INTO t (a, b)") with the values of each row of `rows` (tuples of one width), then `tail`
    ("ON CONFLICT DO NOTHING"): the same rows in the same order as `execute_many` of a one-row statement,
    written ROWS_PER_STATEMENT to a statement."""
    if not rows:
        return
    width = len(rows[0])
    if set(map(len, rows)) != {width}:  # what the driver checks row by row, lost once rows are joined
        raise ValueError(f"rows of {sorted(set(map(len, rows)))} values for one statement")
    full, rest = divmod(len(rows), ROWS_PER_STATEMENT)
    flat = chain.from_iterable
    if full:
        per = ROWS_PER_STATEMENT
        execute_many(conn, _values_sql(head, width, per, tail),
                     [tuple(flat(rows[start : start + per])) for start in range(0, full * per, per)])  # fmt: skip
    if rest:
        execute(conn, _values_sql(head, width, rest, tail), tuple(flat(rows[full * ROWS_PER_STATEMENT :])))


__all__ = ["Params", "connection_of", "cursor", "execute", "execute_many", "insert", "insert_rows", "iterate", "rows",
           "scalar", "sqlite_rows", "statement"]
