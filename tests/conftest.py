"""Shared fixtures: isolated config/data dirs, and one database fixture parametrised over SQLite and PostgreSQL.

PostgreSQL: FORECAST_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test) is the admin connection;
each test gets a throwaway database created and dropped here. Unreachable -> skip with the reason, unless
FORECAST_REQUIRE_PG=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

PG_ADMIN = os.environ.get("FORECAST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
_pg_problem: list[str] = []


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Tests never touch the real home directory or a real database."""
    home = tmp_path_factory.mktemp("home")
    config = home / "config.toml"
    config.write_text('name = "tester"\ntimezone = "UTC"\n', encoding="utf-8")
    monkeypatch.setenv("FORECAST_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("FORECAST_CONFIG", str(config))
    monkeypatch.delenv("FORECAST_DB", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    # Test servers listen on 127.0.0.1; tests of the private-address rule unset this themselves.
    monkeypatch.setenv("FORECAST_ALLOW_PRIVATE_URLS", "1")
    monkeypatch.delenv("FORECAST_FETCH_DEADLINE", raising=False)
    return home


def _pg_connect(dbname: str | None = None):
    import psycopg

    url = PG_ADMIN if dbname is None else PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname
    return psycopg.connect(url, autocommit=True, connect_timeout=3)


def pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    if _pg_problem:
        return _pg_problem[0] or None
    try:
        with _pg_connect() as conn:
            conn.execute("SELECT 1")
        _pg_problem.append("")
    except Exception as exc:  # any connection failure means: not reachable here
        _pg_problem.append(f"PostgreSQL not reachable at {PG_ADMIN}: {str(exc).strip().splitlines()[0]}")
    return _pg_problem[0] or None


def skip_without_pg() -> None:
    reason = pg_available()
    if reason:
        if os.environ.get("FORECAST_REQUIRE_PG") == "1":
            pytest.fail(f"{reason} (FORECAST_REQUIRE_PG=1: PostgreSQL tests must run)")
        pytest.skip(reason)


@pytest.fixture
def pg_url():
    skip_without_pg()
    name = f"forecast_test_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def database(db_url):
    from forecast.services.database import open_database

    db = open_database(db_url)
    yield db
    db.engine.dispose()


@pytest.fixture
def session(database):
    with database.session() as s:
        yield s


@pytest.fixture
def sqlite_path(tmp_path) -> Path:
    return tmp_path / "forecast.db"
