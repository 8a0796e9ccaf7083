"""Schema versioning: upgrade to head, with a backup copy of an older SQLite file first."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from forecast.core.errors import ForecastError
from forecast.store.engine import sqlite_path
from forecast.store.revisions import HEAD, REVISIONS

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _alembic_config(connection):
    from alembic.config import Config  # imported here: alembic is only needed when migrating

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


# pg_advisory_xact_lock key: b"fcMigrat" as a signed 64-bit integer; fixed so every client agrees.
PG_MIGRATE_KEY = int.from_bytes(b"fcMigrat", "big", signed=True)


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    from forecast.store.transaction import write_engine

    # Programs started together on a new database migrate one at a time (SQLite: BEGIN IMMEDIATE; PostgreSQL:
    # a transaction lock); the later ones find the schema at head inside their transaction and do nothing.
    with write_engine(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATE_KEY})
        command.upgrade(_alembic_config(conn), revision)


def backup_sqlite(path: Path, revision: str | None) -> Path:
    """Copy a SQLite database with the online backup API, so a WAL file's pages are included."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{revision or 'unversioned'}.{stamp}.bak")
    # Written under a temporary name and renamed when complete (as files.atomic_output does for exports):
    # a backup interrupted by a full disk never looks like a finished one.
    partial = target.with_name(target.name + ".partial")
    try:
        src = sqlite3.connect(path)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise ForecastError(f"cannot back up {path} before upgrading its schema: {exc}; nothing was changed") from None
    return target


def ensure_current(engine: Engine, *, create: bool = True) -> Path | None:
    """Bring the database to HEAD. Returns the backup path when an existing SQLite file was upgraded.

    A database without our schema is initialised only when `create` (a write command) and only when it
    holds nothing else: another program's tables are never touched."""
    revision = current_revision(engine)
    if revision == HEAD:
        return None
    if revision is not None and revision not in REVISIONS:
        raise ForecastError(
            f"database is at schema revision {revision}, newer than this forecast version knows; upgrade forecast"
        )
    backup = None
    path = sqlite_path(str(engine.url))
    if revision is not None and path is not None and path.exists():
        backup = backup_sqlite(path, revision)
    elif revision is None:
        from forecast.store.opening import NoDatabase, NotForecastDatabase

        where = engine.url.render_as_string(hide_password=True)
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
        if "question" in tables:
            raise ForecastError("database has forecast tables but no schema version; refusing to touch it")
        if tables:
            raise NotForecastDatabase(f"{where} is not a forecast database (it has tables of its own)")
        if not create:
            raise NoDatabase(f"no forecast database at {where} (it is empty; a write command initialises it)")
    upgrade(engine)
    return backup
