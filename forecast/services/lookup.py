"""Finding questions, forecasters and evidence by what users type (id or slug/name/key)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from forecast.core.echo import shown
from forecast.core.errors import Conflict, NotFound
from forecast.core.ids import as_row_id
from forecast.core.text import one_line
from forecast.core.timeparse import to_micros, utcnow
from forecast.store import bulk
from forecast.store.first_use import insert_if_absent
from forecast.store.tables import Evidence, Forecaster, Question


PREFIX_CANDIDATES = 5  # an ambiguous prefix lists this many candidates


def get_question(session: Session, ref: str | int) -> Question:
    """By id, by slug, or by a unique prefix of a slug (like git's short hashes)."""
    text = str(ref).strip()
    row = None
    rid = as_row_id(text)
    if rid is not None:
        row = session.get(Question, rid)
    if row is None:
        row = session.exec(select(Question).where(Question.slug == text)).first()
    if row is None and _PREFIX.fullmatch(text) and not text.isdigit():  # a number is an id, never a prefix
        row = _by_prefix(session, text)
    if row is None:
        raise NotFound(f"no question {shown(text)} (give its id or slug; see `forecast q list --status all`)")
    return row


_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]*")  # slug characters only, so LIKE needs no escaping


def _by_prefix(session: Session, prefix: str) -> Question | None:
    rows = session.exec(
        select(Question).where(Question.slug.startswith(prefix)).order_by(Question.slug).limit(PREFIX_CANDIDATES + 1)
    ).all()
    if len(rows) > 1:
        listed = ", ".join(r.slug for r in rows[:PREFIX_CANDIDATES]) + (", …" if len(rows) > PREFIX_CANDIDATES else "")
        raise Conflict(f"{prefix!r} matches several questions: {listed} (give more of the slug, or the id)")
    return rows[0] if rows else None


def forecaster_names(session: Session) -> list[str]:
    """Every forecaster's name, in order."""
    return [r[0] for r in bulk.rows(session.connection(), "SELECT name FROM forecaster ORDER BY name")]


def tag_names(session: Session) -> list[str]:
    """Every tag's name, in order."""
    return [r[0] for r in bulk.rows(session.connection(), "SELECT name FROM tag ORDER BY name")]


def find_forecaster(session: Session, name: str) -> Forecaster | None:
    name = one_line(name, "forecaster name").strip()  # the stored form, so the lookup finds it
    return session.exec(select(Forecaster).where(Forecaster.name == name)).first()


def forecaster_names(session: Session) -> list[str]:
    return list(session.exec(select(Forecaster.name).order_by(Forecaster.name)).all())


def forecaster_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Forecaster)).one() or 0


def get_or_create_forecaster(session: Session, name: str, *, now: datetime | None = None) -> Forecaster:
    name = one_line(name, "forecaster name").strip()
    row = find_forecaster(session, name)
    if row is None:  # a concurrent writer may be adding the same name: insert-if-absent, then read it
        insert_if_absent(session, "forecaster", "name", {"name": name, "created_at": to_micros(now or utcnow())})
        row = find_forecaster(session, name)
    return row


def get_evidence(session: Session, ref: str | int) -> Evidence:
    text = str(ref).strip()
    row = None
    rid = as_row_id(text)
    if rid is not None:
        row = session.get(Evidence, rid)
    if row is None:
        row = session.exec(select(Evidence).where(Evidence.key == text)).first()
    if row is None:
        raise NotFound(f"no evidence {shown(text)} (give its id or key; see `forecast evidence list`)")
    return row
