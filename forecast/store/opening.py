"""What may be opened as a forecast database, decided before anything is written to it.

Like git with a repository: a read command never creates a database, a write command creates one only in
a directory that exists, and a file forecast did not make (another program's SQLite file, a text file) is
refused untouched — no tables added, no journal mode switched. The file is inspected with the standard
library's sqlite3 in read-only mode, before the engine (which sets WAL on every connection) sees it.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from forecast.core.errors import ForecastError, NotFound

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite connection waits for a lock (store/engine.py and services/sqlite_read.py)."""
SCHEMES = ("sqlite", "postgresql", "postgres")
POSTGRES_DRIVERS = (None, "psycopg")
"""The drivers installed with forecast; another (psycopg2, asyncpg) would fail later with an ImportError."""


class NoDatabase(NotFound):
    """The target does not exist (or is empty) and the command only reads."""


class NotForecastDatabase(ForecastError):
    """The target exists but holds something forecast did not make."""


def database_url(target: str) -> str:
    """The SQLAlchemy URL for --db / FORECAST_DB / the config value, or one line saying what is wrong."""
    from sqlalchemy.engine import make_url

    from forecast.store.engine import database_url as to_url

    text = str(target)
    if not text.strip():
        raise ForecastError("the database path is empty")
    if "\x00" in text:
        raise ForecastError("the database path contains a NUL character")
    if "://" not in text:
        return to_url(text)
    scheme = text.split("://", 1)[0]
    backend, _, driver = scheme.partition("+")
    if backend.lower() not in SCHEMES:
        raise ForecastError(
            f"unsupported database URL scheme {scheme[:40]!r}: use a SQLite file path or postgresql://USER@HOST/DB"
        )
    if backend.lower() != "sqlite" and (driver or None) not in POSTGRES_DRIVERS:
        raise ForecastError(f"unsupported PostgreSQL driver {driver[:40]!r}: use postgresql:// or postgresql+psycopg://")
    try:
        url = make_url(text)
        port = url.port
    except (ValueError, TypeError) as exc:
        raise ForecastError(f"invalid database URL: {str(exc)[:80]}") from None
    except Exception as exc:  # sqlalchemy.exc.ArgumentError: the URL could not be parsed at all
        raise ForecastError(f"invalid database URL: {str(exc).splitlines()[0][:80]}") from None
    if port is not None and not 0 < port < 65536:
        raise ForecastError(f"invalid database URL: port {port} is outside 1-65535")
    return to_url(text)


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse a path that is not (and may not become) a forecast database. Reads at most the file header
    and the schema table; writes nothing."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if not create:
            raise NoDatabase(f"no database at {path} (a write command such as `forecast q add` creates it)") from None
        if not path.parent.is_dir():
            raise ForecastError(f"cannot create database {path}: directory {path.parent} does not exist") from None
        return
    except NotADirectoryError:
        raise ForecastError(f"cannot open database {path}: a part of the path is not a directory") from None
    except OSError as exc:
        raise ForecastError(f"cannot open database {path}: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise NotForecastDatabase(f"{path} is a directory, not a forecast database")
    if not stat.S_ISREG(st.st_mode):
        raise NotForecastDatabase(f"{path} is not a forecast database (not a regular file)")
    if st.st_size == 0:
        if not create:
            raise NoDatabase(f"no database at {path} (the file is empty; a write command initialises it)")
        return
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ForecastError(f"cannot read database {path}: {exc.strerror}") from None
    if header != SQLITE_HEADER:
        raise NotForecastDatabase(f"{path} is not a forecast database (not a SQLite file)")
    objects, revision = _schema(path)
    if revision is not None:
        from forecast.store.revisions import REVISIONS

        if "question" in objects or revision in REVISIONS:
            return  # ours; a revision newer than this version knows is reported by migrate.ensure_current
        raise NotForecastDatabase(f"{path} is not a forecast database (schema revision {revision[:40]!r} of another program)")
    if "question" in objects:
        raise NotForecastDatabase(f"{path} has forecast tables but no schema version; refusing to touch it")
    if objects:
        raise NotForecastDatabase(f"{path} is not a forecast database (it has tables of its own: {', '.join(sorted(objects)[:3])})")
    if not create:
        raise NoDatabase(f"no database at {path} (an empty SQLite file; a write command initialises it)")


def _schema(path: Path) -> tuple[set[str], str | None]:
    """The names in sqlite_master and our alembic revision, read through a read-only connection."""
    uri = f"file:{quote(str(path))}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise ForecastError(f"cannot open database {path}: {exc}") from None
    try:
        names = {
            row[0]
            for row in con.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        }
        revision = None
        if "alembic_version" in names:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else ""
            names.discard("alembic_version")
        return names, revision
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc) or "encrypted" in str(exc):
            raise NotForecastDatabase(f"{path} is not a forecast database ({exc})") from None
        raise ForecastError(f"cannot read database {path}: {exc}") from None
    finally:
        con.close()
