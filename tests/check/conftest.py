"""Check tests share one PostgreSQL database per module, emptied between tests, to stay fast;
SQLite gets a fresh file per test as everywhere else."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import inspect, text

from tests.conftest import PG_ADMIN, _pg_connect, skip_without_pg


@pytest.fixture(scope="module")
def pg_module_url():
    skip_without_pg()
    name = f"forecast_check_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with _pg_connect() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _empty(db) -> None:
    # DELETE beats TRUNCATE on tables this small; foreign-key triggers are off meanwhile (we are superuser).
    with db.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in inspect(conn).get_table_names():
            if table != "alembic_version":
                conn.execute(text(f'DELETE FROM "{table}"'))
        for (seq,) in conn.execute(text("SELECT sequence_name FROM information_schema.sequences")).all():
            conn.execute(text(f"ALTER SEQUENCE \"{seq}\" RESTART"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A database URL with the schema at head and no rows, on each backend."""
    from forecast.services.database import open_database

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url = request.getfixturevalue("pg_module_url")
    db = open_database(url)
    _empty(db)
    db.engine.dispose()
    return url
