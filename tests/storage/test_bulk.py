"""store/bulk.py, the one bulk data-access path, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.store import bulk


@pytest.fixture
def conn(database):
    with database.engine.connect() as c:
        bulk.execute(c, "CREATE TABLE bulk_t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")
        yield c
        c.rollback()


def test_tuple_and_mapping_params_give_the_same_rows(conn):
    bulk.execute_many(conn, "INSERT INTO bulk_t (id, name, n) VALUES (:id, :name, :n)", [(1, "a", 10), (2, "b", 20)])
    bulk.execute_many(conn, "INSERT INTO bulk_t (id, name, n) VALUES (:id, :name, :n)", [{"n": 30, "id": 3, "name": "c"}])
    sql = "SELECT id, name FROM bulk_t WHERE n >= :low AND name <> :skip ORDER BY id"
    assert bulk.rows(conn, sql, (20, "zz")) == [(2, "b"), (3, "c")]
    assert bulk.rows(conn, sql, {"skip": "zz", "low": 20}) == [(2, "b"), (3, "c")]
    assert list(bulk.iterate(conn, sql, (20, "b"))) == [(3, "c")]
    assert bulk.scalar(conn, "SELECT count(*) FROM bulk_t") == 3
    assert bulk.scalar(conn, "SELECT name FROM bulk_t WHERE id = :id", (99,)) is None


def test_a_name_used_twice_takes_one_value(conn):
    bulk.execute_many(conn, "INSERT INTO bulk_t (id, name, n) VALUES (:id, :name, :id)", [(1, "a"), (2, "b")])
    assert bulk.rows(conn, "SELECT id, n FROM bulk_t ORDER BY id") == [(1, 1), (2, 2)]
    sql = "SELECT name FROM bulk_t WHERE id = :x OR n = :x OR name = :other ORDER BY id"
    assert bulk.rows(conn, sql, (1, "b")) == [("a",), ("b",)]
    assert bulk.rows(conn, sql, {"x": 2, "other": "none"}) == [("b",)]


def test_execute_counts_changed_rows_and_a_wrong_tuple_is_refused(conn):
    bulk.execute_many(conn, "INSERT INTO bulk_t (id, name, n) VALUES (:id, :name, :n)", [(i, "x", i) for i in range(5)])
    assert bulk.execute(conn, "UPDATE bulk_t SET name = :name WHERE n < :n", ("y", 3)) == 3
    with pytest.raises(ValueError):
        bulk.rows(conn, "SELECT id FROM bulk_t WHERE n = :n", (1, 2))


def test_casts_stay_casts(conn):
    bulk.execute(conn, "INSERT INTO bulk_t (id, name, n) VALUES (1, '7', 7)")
    assert bulk.rows(conn, "SELECT CAST(name AS INTEGER) + :add FROM bulk_t", (1,)) == [(8,)]
    if conn.dialect.name == "postgresql":
        assert bulk.rows(conn, "SELECT name::integer + :add FROM bulk_t", (1,)) == [(8,)]


# Text that would trip a placeholder rewrite: `?`, `%`, `:name`, quotes, and PostgreSQL casts.
_TRICKY = st.text(alphabet=st.sampled_from(list("?%:x'\"s-/* ab1")), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(literal=_TRICKY, value=st.text(alphabet=st.sampled_from(list("?%:x' ab")), max_size=8))
def test_string_literals_survive_next_to_parameters(conn, literal, value):
    quoted = "'" + literal.replace("'", "''") + "'"
    got = bulk.rows(conn, f"SELECT {quoted}, :v, {quoted} || :v", (value,))
    assert got == [(literal, value, literal + value)]
    # PostgreSQL nests block comments, SQLite does not: no "/*" or "*/" inside (removing one can join
    # the characters around it into another, "**//" -> "*/": until none is left)
    comment = literal
    while "*/" in comment or "/*" in comment:
        comment = comment.replace("*/", "").replace("/*", "")
    got = bulk.rows(conn, f"SELECT :v /* {comment} */ -- {literal}\n, :w", {"v": value, "w": 1})
    assert got == [(value, 1)]


def test_a_comment_made_of_the_marks_a_removal_joins(conn):
    # the example hypothesis found on a CI run: "**//" loses its "*/" and becomes "*/"
    literal = "**//"
    comment = literal.replace("*/", "").replace("/*", "")
    assert comment == "*/"  # why the test above removes them until none is left
    assert bulk.rows(conn, f"SELECT :v -- {literal}\n, :w", {"v": "a", "w": 1}) == [("a", 1)]


def test_a_question_mark_placeholder_is_refused(conn):
    with pytest.raises(ValueError, match=":name"):
        bulk.rows(conn, "SELECT id FROM bulk_t WHERE n = ?", (1,))
    assert bulk.rows(conn, "SELECT '?', :v", ("?",)) == [("?", "?")]  # inside a literal it is text


def test_an_unknown_dialect_is_refused():
    with pytest.raises(ValueError, match="no bulk path"):
        bulk._compiled("SELECT 1", "mysql")


def test_driver_errors_come_out_as_sqlalchemy_errors_the_write_retry_knows(conn):
    """A raw driver error (psycopg's UniqueViolation, sqlite3's IntegrityError) escaped the write retry, so an
    import racing another writer for a new forecaster's name crashed instead of running again."""
    from sqlalchemy.exc import IntegrityError

    from forecast.store.transaction import retry_reason

    bulk.execute(conn, "INSERT INTO forecaster (name, created_at) VALUES (:n, 0)", ("racer",))
    with pytest.raises(IntegrityError) as caught:
        bulk.execute_many(conn, "INSERT INTO forecaster (name, created_at) VALUES (:n, 0)", [("racer",)])
    if conn.dialect.name == "postgresql":
        assert retry_reason(caught.value) == ("unique violation", True)
    else:
        assert caught.value.orig.sqlite_errorcode == 2067  # SQLITE_CONSTRAINT_UNIQUE
