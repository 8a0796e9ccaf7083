"""Shared fixtures: isolated config/data dirs, and one database fixture parametrised over SQLite and PostgreSQL.

PostgreSQL: FORECAST_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test) is the admin connection;
each test gets a throwaway database created and dropped here. Unreachable -> skip with the reason, unless
FORECAST_REQUIRE_PG=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.small_db import fold_wal, make_small_db

# Hypothesis: no per-example deadline (on 2 shared cores a slow example is noise, not a finding). Tests set
# their own max_examples (parsers 100 or more); HYPOTHESIS_PROFILE=thorough raises it where a test sets none.
settings.register_profile("forecast", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", parent=settings.get_profile("forecast"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "forecast"))

PG_ADMIN = os.environ.get("FORECAST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
_pg_problem: list[str] = []


def isolate(monkeypatch, home: Path) -> Path:
    """Point config and data at `home` and set the environment every test runs in."""
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


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Tests never touch the real home directory or a real database."""
    return isolate(monkeypatch, tmp_path_factory.mktemp("home"))


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


class PgDatabases:
    """Throwaway PostgreSQL databases for one test process.

    CREATE DATABASE, DROP DATABASE and the migrations take 0.2-2 s each on a busy 2-core machine: more than
    most tests. So a database at schema head is a copy (CREATE DATABASE ... TEMPLATE) of one the migrations
    built once in this process, and a used one is recycled when its schema is still exactly the template's
    (`_signature`): emptied and its sequences restarted, which leaves what a fresh copy has. A database
    whose schema a test changed is dropped. Empty databases (for tests of first use and of migrations) are
    always new. Creating, recycling and dropping run on a background thread while the next test runs."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._jobs = ThreadPoolExecutor(1, thread_name_prefix="pg-databases")
        self._prefix = f"forecast_test_{uuid.uuid4().hex[:8]}"
        self._count = 0
        self._template: str | None = None
        self._head: tuple[str, dict[str, str]] | None = None  # the template's signature and its rows
        self._empty: list = []  # futures: new empty databases
        self._spare: list = []  # futures: databases at head (recycled), or None (dropped instead)
        self._made: set[str] = set()

    def _name(self) -> str:
        self._count += 1
        return f"{self._prefix}_{self._count}"

    def _create(self, name: str, template: str | None = None) -> str:
        self._made.add(name)
        with _pg_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def _ensure_template(self) -> str:
        """The template, built on first use. On the calling thread only: Alembic's context is per process."""
        if self._template is None:
            from forecast.services.database import open_database

            name = self._create(f"{self._prefix}_template")
            open_database(url_of(name)).engine.dispose()
            # A template may have no sessions; a closed client's backend exits a moment later: wait for it.
            _drop_sessions(name)
            with _pg_connect(name) as conn:
                self._head = _signature(conn), _rows(conn)
            self._template = name
        return self._template

    def take(self, *, migrated: bool) -> str:
        if not migrated:
            job = self._empty.pop(0) if self._empty else self._jobs.submit(self._create, self._name())
            self._empty.append(self._jobs.submit(self._create, self._name()))  # the next test's
            return job.result()
        template = self._ensure_template()
        while self._spare:
            name = self._spare.pop(0).result()
            if name is not None:
                return name
        return self._jobs.submit(self._create, self._name(), template).result()

    def give_back(self, name: str) -> None:
        self._ensure_template()  # here, not on the background thread
        self._spare.append(self._jobs.submit(self._recycle, name))

    def _recycle(self, name: str) -> str | None:
        _drop_sessions(name)
        signature, rows = self._head
        with _pg_connect(name) as conn:
            same = _signature(conn) == signature and all(_rows(conn, t) == r for t, r in rows.items())
            if same:
                _empty(conn, keep=rows)
        if same:
            return name
        _drop(name)
        return None

    def close(self) -> None:
        """Drop every database this process made, whatever became of it (a failed job leaves none behind)."""
        from concurrent.futures import ThreadPoolExecutor, wait

        wait(self._spare + self._empty)
        self._jobs.shutdown()
        with ThreadPoolExecutor(4) as drops:  # each waits mostly on the server's disk: together
            list(drops.map(_drop, sorted(self._made)))


def url_of(name: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def _drop_sessions(name: str) -> None:
    """End every session on database `name` and wait (up to 10 s each) until they are gone."""
    with _pg_connect() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = %s"
            " AND pid <> pg_backend_pid()",
            (name,),
        )


def _drop(name: str) -> None:
    with _pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_SIGNATURE_SQL = (
    """SELECT n.nspname FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'""",
    """SELECT n.nspname, c.relname, c.relkind, c.relpersistence, coalesce(c.relacl::text, ''), c.relrowsecurity,
              coalesce(pg_get_viewdef(c.oid), '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'""",
    """SELECT table_schema, table_name, column_name, ordinal_position, data_type, is_nullable,
              coalesce(column_default, ''), coalesce(collation_name, ''), is_identity
       FROM information_schema.columns WHERE table_schema NOT LIKE 'pg\\_%' AND table_schema <> 'information_schema'""",
    """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
       WHERE connamespace::regnamespace::text NOT LIKE 'pg\\_%' AND connamespace::regnamespace::text <> 'information_schema'""",
    """SELECT schemaname, indexdef FROM pg_indexes WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema'""",
    "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    """SELECT p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc) FROM pg_proc p
       JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'""",
    """SELECT t.typname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND t.typtype IN ('e', 'd', 'c', 'r')""",
    "SELECT extname, extversion FROM pg_extension",
    "SELECT polname, polrelid::regclass::text, polcmd FROM pg_policy",
    "SELECT coalesce(setconfig::text, '') FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())",
    "SELECT coalesce(datacl::text, ''), datconnlimit, datallowconn FROM pg_database WHERE datname = current_database()",
)
"""Everything a test could change in a database besides its rows: schemas, tables, columns, constraints,
indexes, triggers, functions, types, extensions, policies, privileges and the database's own settings."""


def _signature(conn) -> str:
    import hashlib

    digest = hashlib.sha256()
    for sql in _SIGNATURE_SQL:
        for row in sorted(repr(r) for r in conn.execute(sql)):
            digest.update(row.encode())
        digest.update(b"|")
    return digest.hexdigest()


def _tables(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
        " WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema'"
    )]  # fmt: skip


def _rows(conn, table: str | None = None):
    """The rows of `table` as sorted text; without a table, that of every table the migrations filled."""
    if table is not None:
        return sorted(repr(r) for r in conn.execute(f"SELECT * FROM {table}"))
    return {t: rows for t in _tables(conn) if (rows := _rows(conn, t))}


def _empty(conn, *, keep: dict) -> None:
    """Delete every row a test made and restart every sequence, as in a fresh copy of the template.
    (DELETE beats TRUNCATE on tables this small; foreign-key triggers are off meanwhile: we are superuser.)"""
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        for table in _tables(conn):
            if table not in keep:
                conn.execute(f"DELETE FROM {table}")
        for (seq,) in conn.execute(
            "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
        ).fetchall():  # fmt: skip
            conn.execute(f"ALTER SEQUENCE {seq} RESTART")


@pytest.fixture(scope="session")
def _pg_databases():
    pool = PgDatabases()
    yield pool
    pool.close()


@pytest.fixture
def pg_url(request):
    """A throwaway PostgreSQL database: at schema head when the test uses `database` or `db_url_at_head`,
    else empty."""
    skip_without_pg()
    pool = request.getfixturevalue("_pg_databases")
    name = pool.take(migrated=_at_head(request))
    yield url_of(name)
    pool.give_back(name)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file the migrations brought to head once in this process; tests that need one get a copy."""
    import sqlite3

    from forecast.services.database import open_database

    path = tmp_path_factory.mktemp("template") / "head.db"
    open_database(str(path)).engine.dispose()
    con = sqlite3.connect(path)  # fold the WAL into the file, so that copying the file copies everything
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A database URL on each backend: fresh and empty, or fresh at schema head when the test also uses
    `database` or `db_url_at_head` (a copy of a database the migrations built, instead of running them for
    every test)."""
    migrated = _at_head(request)
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("pg_url")


def _at_head(request) -> bool:
    return not {"database", "db_url_at_head"}.isdisjoint(request.fixturenames)


@pytest.fixture
def db_url_at_head(db_url) -> str:
    """`db_url` with the schema at head, for tests that open it through the command line."""
    return db_url


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


@pytest.fixture(scope="session")
def small_db_template(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, tmp_path_factory.mktemp("small-home"))
        path = tmp_path_factory.mktemp("small") / "small.db"
        make_small_db(str(path))
    fold_wal(path)
    return path


@pytest.fixture
def small_db(small_db_template, tmp_path) -> Path:
    """A copy of the small database (made once by `make_small_db`)."""
    path = tmp_path / "small.db"
    shutil.copyfile(small_db_template, path)
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`pytest -n 2` (the README's and CI's command) steals work instead of xdist's default `load`: the
    seconds-long tests (README, concurrent writers, TUI flows) then never leave one worker finishing alone.
    Measured on tests/cli, check, store and reliability (the layout before tests/README.md) with -n 2: 254 s with load, 158 s with worksteal.
    An explicit --dist (or -d) is obeyed."""
    chosen = any(a == "-d" or a.startswith("--dist") for a in config.invocation_params.args)
    if config.getvalue("dist") == "load" and not chosen:
        from xdist.scheduler import WorkStealingScheduling

        return WorkStealingScheduling(config, log)
    return None
