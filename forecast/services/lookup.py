"""Finding questions, forecasters and evidence by what users type (id or slug/name/key).

The rules are written once, in SQL on a connection (or a session's, see store/bulk.py `connection_of`): the
everyday commands find rows without loading the ORM, and the ORM lookups below load what these find."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from forecast.core.echo import shown
from forecast.core.errors import Conflict, NotFound
from forecast.core.ids import as_row_id
from forecast.core.text import one_line
from forecast.core.timeparse import from_micros, to_micros, utcnow
from forecast.store import bulk
from forecast.store.first_use import insert_if_absent

if TYPE_CHECKING:  # the ORM loads only for the session lookups
    from sqlmodel import Session

    from forecast.store.bulk import Bind
    from forecast.store.tables import Evidence, Forecaster, Question


PREFIX_CANDIDATES = 5  # an ambiguous prefix lists this many candidates


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """A question row as stored, times as aware UTC datetimes: the attributes of store.tables.Question."""

    id: int
    slug: str
    title: str
    kind: str
    description: str
    criteria: str
    opens_at: datetime
    closes_at: datetime
    resolves_at: datetime
    status: str
    resolution: str | None
    resolved_at: datetime | None
    resolution_note: str
    auto_rule: str | None
    created_at: datetime
    updated_at: datetime
    source_file: str | None
    created_by: str | None
    kind_spec: str
    outcome: str | None
    event_question_id: int | None


_QUESTION = "SELECT " + ", ".join(QuestionRecord.__slots__) + " FROM question"
_TIMES = tuple(i for i, name in enumerate(QuestionRecord.__slots__) if name.endswith("_at"))


def _question(row: tuple) -> QuestionRecord:
    values = list(row)
    for i in _TIMES:
        if values[i] is not None:
            values[i] = from_micros(values[i])
    return QuestionRecord(*values)


def find_question(bind: Bind, ref: str | int) -> QuestionRecord:
    """By id, by slug, or by a unique prefix of a slug (like git's short hashes)."""
    conn = bulk.connection_of(bind)
    text = str(ref).strip()
    rows = []
    rid = as_row_id(text)
    if rid is not None:
        rows = bulk.rows(conn, _QUESTION + " WHERE id = :id", (rid,))
    if not rows:
        rows = bulk.rows(conn, _QUESTION + " WHERE slug = :slug", (text,))
    if not rows and _PREFIX.fullmatch(text) and not text.isdigit():  # a number is an id, never a prefix
        rows = _by_prefix(conn, text)
    if not rows:
        raise NotFound(f"no question {shown(text)} (give its id or slug; see `forecast q list --status all`)")
    return _question(rows[0])


def question_by_id(bind: Bind, question_id: int) -> QuestionRecord:
    """The question as stored now (after a write in the same transaction)."""
    return _question(bulk.rows(bulk.connection_of(bind), _QUESTION + " WHERE id = :id", (question_id,))[0])


def questions_linked_to(bind: Bind, date_question_id: int) -> list[QuestionRecord]:
    """The binary "before X" questions whose event is this date question, soonest threshold (close) first."""
    rows = bulk.rows(bulk.connection_of(bind), _QUESTION + " WHERE event_question_id = :q ORDER BY closes_at, slug",
                     (date_question_id,))  # fmt: skip
    return [_question(r) for r in rows]


_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]*")  # slug characters only, so LIKE needs no escaping


def _by_prefix(conn, prefix: str) -> list[tuple]:
    rows = bulk.rows(conn, _QUESTION + " WHERE slug LIKE :prefix || '%' ORDER BY slug LIMIT :n",
                     (prefix, PREFIX_CANDIDATES + 1))  # fmt: skip
    if len(rows) > 1:
        slugs = [r[1] for r in rows]
        listed = ", ".join(slugs[:PREFIX_CANDIDATES]) + (", …" if len(rows) > PREFIX_CANDIDATES else "")
        raise Conflict(f"{prefix!r} matches several questions: {listed} (give more of the slug, or the id)")
    return rows


def get_question(session: Session, ref: str | int) -> Question:
    """`find_question`, as the session's ORM row."""
    from forecast.store.tables import Question

    return session.get(Question, find_question(session, ref).id)


def forecaster_names(session: Session) -> list[str]:
    """Every forecaster's name, in order."""
    return [r[0] for r in bulk.rows(bulk.connection_of(session), "SELECT name FROM forecaster ORDER BY name")]


def tag_names(session: Session) -> list[str]:
    """Every tag's name, in order."""
    return [r[0] for r in bulk.rows(session.connection(), "SELECT name FROM tag ORDER BY name")]


def find_forecaster(session: Session, name: str) -> Forecaster | None:
    from sqlmodel import select

    from forecast.store.tables import Forecaster

    name = one_line(name, "forecaster name").strip()  # the stored form, so the lookup finds it
    return session.exec(select(Forecaster).where(Forecaster.name == name)).first()


def forecaster_count(session: Session) -> int:
    return bulk.scalar(bulk.connection_of(session), "SELECT count(*) FROM forecaster") or 0


def forecaster_id(bind: Bind, name: str, *, now: datetime | None = None) -> int:
    """The forecaster's id, the row made on first use."""
    conn = bulk.connection_of(bind)
    name = one_line(name, "forecaster name").strip()  # the stored form, so the lookup finds it
    found = bulk.scalar(conn, "SELECT id FROM forecaster WHERE name = :name", (name,))
    if found is None:  # a concurrent writer may be adding the same name: insert-if-absent, then read it
        insert_if_absent(conn, "forecaster", "name", {"name": name, "created_at": to_micros(now or utcnow())})
        found = bulk.scalar(conn, "SELECT id FROM forecaster WHERE name = :name", (name,))
    return found


def get_or_create_forecaster(session: Session, name: str, *, now: datetime | None = None) -> Forecaster:
    from forecast.store.tables import Forecaster

    return session.get(Forecaster, forecaster_id(session, name, now=now))


def evidence_id(bind: Bind, ref: str | int) -> int:
    """By id or by key."""
    conn = bulk.connection_of(bind)
    text = str(ref).strip()
    found = None
    rid = as_row_id(text)
    if rid is not None:
        found = bulk.scalar(conn, "SELECT id FROM evidence WHERE id = :id", (rid,))
    if found is None:
        found = bulk.scalar(conn, "SELECT id FROM evidence WHERE key = :key", (text,))
    if found is None:
        raise NotFound(f"no evidence {shown(text)} (give its id or key; see `forecast evidence list`)")
    return found


def get_evidence(session: Session, ref: str | int) -> Evidence:
    from forecast.store.tables import Evidence

    return session.get(Evidence, evidence_id(session, ref))
