"""A team database on PostgreSQL with two members, an observer and an admin (their LOGIN roles dropped after)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from forecast.services import team
from forecast.services.database import open_database
from tests.conftest import _pg_connect


@pytest.fixture
def team_db(pg_url):
    """A team database with members alice and bob and an observer; the roles are dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    names = {k: f"{k}_{tag}" for k in ("alice", "bob", "olga", "adam")}
    db = open_database(pg_url)
    team.init(db)
    team.add(db, names["alice"], "member")
    team.add(db, names["bob"], "member")
    team.add(db, names["olga"], "observer")
    team.add(db, names["adam"], "admin")
    db.engine.dispose()
    server, dbname = pg_url.rsplit("/", 1)
    host = server.split("@", 1)[1]
    urls = {k: f"postgresql://{n}@{host}/{dbname}" for k, n in names.items()}
    yield {"owner": pg_url, "names": names, "urls": urls, "dbname": dbname}
    with _pg_connect() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )
    with _pg_connect(dbname) as conn:  # roles own nothing but may hold grants in this database
        for n in names.values():
            conn.execute(f'DROP OWNED BY "{n}"')
    with _pg_connect() as conn:  # the database itself goes back to the test pool, which drops it (its schema changed)
        for n in names.values():
            conn.execute(f'DROP ROLE IF EXISTS "{n}"')


def _sql(url: str, statement: str, params=()):
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else cur.rowcount
