"""The storage text rules: every text column has one, and any string through any write path reads back
free of controls (NUL is refused with one line and nothing is written)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String
from sqlmodel import SQLModel

from forecast.core.errors import InvalidInput
from forecast.interchange.reader import read_lines
from forecast.services.batch_import import import_batch
from forecast.services.database import open_database
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question, edit_question
from forecast.store import text_guard
from forecast.store.tables import Forecaster, Question

UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
# Characters that matter most, mixed into arbitrary text so hypothesis meets them often.
HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from("\x1b\x07\x9b\x9d\x9c\r\n\t\u202a\u202e\u2066\u2069\u2028[]];2Jm\\ "), st.characters()
    ),
    max_size=40,
)


def test_every_text_column_has_a_rule():
    import forecast.store.check_tables  # noqa: F401
    import forecast.store.feed_tables  # noqa: F401

    missing = [
        f"{table.name}.{col.name}"
        for table in SQLModel.metadata.tables.values()
        for col in table.columns
        if isinstance(col.type, String) and col.name not in text_guard.RULES.get(table.name, {})
    ]
    assert missing == []


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = open_database(str(tmp_path_factory.mktemp("guard") / "g.db"))
    yield database
    database.engine.dispose()


def _stored_text(db) -> list[str]:
    from sqlalchemy import text

    out = []
    with db.engine.connect() as conn:
        for table in ("question", "forecaster", "forecast", "tag", "evidence", "evidence_link"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                out += [c for c in row if isinstance(c, str)]
    return out


def _check_written(db, fn) -> None:
    before = _stored_text(db)
    try:
        fn()
    except InvalidInput as exc:
        # a lone surrogate written as "\ud800" in a JSON file is no Unicode: the file's line is refused
        reasons = ("NUL", "title must not be empty", "tag", "surrogate")
        assert any(r in str(exc) for r in reasons), exc
        assert _stored_text(db) == before  # refused: nothing written
    for value in _stored_text(db):
        assert not UNSAFE.search(value), repr(value)


_counter = iter(range(10**9))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=HOSTILE, body=HOSTILE, name=HOSTILE, tag=HOSTILE)
def test_service_writes_read_back_clean(db, title, body, name, tag):
    n = next(_counter)

    def write():
        with db.session() as s:
            q = add_question(s, QuestionDraft(title=f"q{n} {title}", slug=f"q-{n}", opens_at=T0,
                                              closes_at=datetime(2030, 1, 1, tzinfo=UTC), description=body,
                                              criteria=body, tags=[f"t{n}{tag}"] if tag.strip() else []),
                             now=T0)  # fmt: skip
            record_forecast(s, ForecastRequest(q.slug, 0.4, f"n{n}{name}", at=T0, rationale=body), now=T0)
            edit_question(s, q.slug, title=f"{title} edited", description=body, now=T0)

    _check_written(db, write)
    with db.session() as s:
        for row in s.exec(__import__("sqlmodel").select(Forecaster)):
            assert not UNSAFE.search(row.name) and "\n" not in row.name
        for row in s.exec(__import__("sqlmodel").select(Question)):
            assert "\n" not in row.title and "\t" not in row.title


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=HOSTILE, body=HOSTILE, name=HOSTILE, tag=HOSTILE)
def test_bulk_import_reads_back_clean(db, title, body, name, tag):
    n = next(_counter)
    records = [
        {"type": "question", "slug": f"b-{n}", "title": f"b{n} {title}", "description": body,
         "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z",
         "tags": [f"t{n}{tag}"] if tag.strip() else []},
        {"type": "forecast", "question": f"b-{n}", "forecaster": f"n{n}{name}", "probability": 0.5,
         "made_at": "2026-02-01T00:00:00Z", "rationale": body},
        {"type": "evidence", "key": f"k{n}{name}", "title": title, "text": body,
         "links": [{"question": f"b-{n}", "note": body}]},
    ]  # fmt: skip

    def write():
        batch = read_lines([json.dumps(r) for r in records], "in.jsonl")
        with db.session() as s:
            import_batch(s, batch)

    _check_written(db, write)


def test_nul_is_refused_on_every_backend(db_url):
    """On PostgreSQL a NUL used to fail deep in the driver (and on SQLite it was stored): now one line."""
    database = open_database(db_url)
    try:
        batch = read_lines([json.dumps({"type": "question", "slug": "n", "title": "a\x00b",
                                        "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"})],
                           "in.jsonl")  # fmt: skip
        with pytest.raises(InvalidInput, match=r"^in\.jsonl:1: title contains a NUL character"), database.session() as s:
            import_batch(s, batch)
        with pytest.raises(InvalidInput, match=r"^rationale contains a NUL character"), database.session() as s:
            q = add_question(s, QuestionDraft(title="ok", slug="ok", opens_at=T0,
                                              closes_at=datetime(2030, 1, 1, tzinfo=UTC)), now=T0)  # fmt: skip
            record_forecast(s, ForecastRequest(q.slug, 0.4, "me", at=T0, rationale="x\x00y"), now=T0)
        with database.session() as s:
            assert s.exec(__import__("sqlmodel").select(Question)).all() == []
    finally:
        database.engine.dispose()


def test_raw_orm_writes_pass_the_rules(db):
    """Even code that bypasses the services (session.add of a table row) stores only clean text."""
    from forecast.store.tables import Evidence

    with db.session() as s:
        row = Evidence(key="raw-1", title="t\x1b[2J\nx", text="a\x1b]2;p\x07\nb", url="https://u:p@example.test/",
                       created_at=T0)  # fmt: skip
        s.add(row)
        s.flush()
        assert (row.title, row.text, row.url) == ("t x", "a\nb", "https://example.test/")
    with pytest.raises(InvalidInput, match="only http and https URLs"), db.session() as s:
        s.add(Evidence(key="raw-2", url="javascript:alert(1)", created_at=T0))
        s.flush()


def test_a_lone_surrogate_is_stored_as_a_replacement_character(db):
    """Found by hypothesis: '\\ud800' (from a surrogate-escaped name or a JSON escape) cannot be encoded in
    UTF-8, so SQLite raised UnicodeEncodeError and PostgreSQL refused it. It is stored as U+FFFD."""
    with db.session() as s:
        q = add_question(s, QuestionDraft(title="Lone \ud800 surrogate", slug="lone", opens_at=T0,
                                          closes_at=datetime(2030, 1, 1, tzinfo=UTC), description="a\udfffb",
                                          tags=["t\ud800"]), now=T0)  # fmt: skip
        record_forecast(s, ForecastRequest(q.slug, 0.4, "n\ud800", at=T0, rationale="r\ud800"), now=T0)
        s.commit()
    with db.session() as s:
        sqlmodel = __import__("sqlmodel")
        q = s.exec(sqlmodel.select(Question).where(Question.slug == "lone")).one()
        assert (q.title, q.description) == ("Lone \ufffd surrogate", "a\ufffdb")
        assert s.exec(sqlmodel.select(Forecaster).where(Forecaster.name == "n\ufffd")).one()
