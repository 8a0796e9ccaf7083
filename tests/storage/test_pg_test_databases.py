"""The suite's PostgreSQL databases (tests/conftest.py PgDatabases): a recycled database is what a new copy of
the migrated template is, and one whose schema a test changed is dropped, not handed out again."""

from __future__ import annotations

import pytest

from forecast.store.migrate import HEAD
from tests.conftest import _pg_connect, skip_without_pg


@pytest.fixture
def pool(_pg_databases):
    skip_without_pg()
    return _pg_databases


def _exists(name: str) -> bool:
    with _pg_connect() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def test_a_recycled_database_has_no_rows_and_its_sequences_start_again(pool):
    name = pool.take(migrated=True)
    with _pg_connect(name) as conn:
        conn.execute("INSERT INTO forecaster (name, created_at) VALUES ('a', 0), ('b', 0)")
    assert pool._recycle(name) == name
    with _pg_connect(name) as conn:
        assert conn.execute("SELECT count(*) FROM forecaster").fetchone() == (0,)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
        new_id = conn.execute("INSERT INTO forecaster (name, created_at) VALUES ('c', 0) RETURNING id").fetchone()
    assert new_id == (1,)
    pool.give_back(name)


@pytest.mark.parametrize("change", ["ALTER TABLE forecaster ADD COLUMN extra integer",
                                    "CREATE INDEX ix_extra ON forecaster (created_at)",
                                    "UPDATE alembic_version SET version_num = '0001_initial'"])  # fmt: skip
def test_a_database_whose_schema_changed_is_dropped(pool, change):
    name = pool.take(migrated=True)
    with _pg_connect(name) as conn:
        conn.execute(change)
    assert pool._recycle(name) is None
    assert not _exists(name)
