"""Finding questions, forecasters and evidence by what users type (id or slug/name/key)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from forecast.core.errors import NotFound
from forecast.core.text import one_line
from forecast.core.timeparse import utcnow
from forecast.store.tables import Evidence, Forecaster, Question


def get_question(session: Session, ref: str | int) -> Question:
    text = str(ref).strip()
    row = None
    if text.isdigit():
        row = session.get(Question, int(text))
    if row is None:
        row = session.exec(select(Question).where(Question.slug == text)).first()
    if row is None:
        raise NotFound(f"no question {text!r} (give its id or slug; see `forecast q list --status all`)")
    return row


def find_forecaster(session: Session, name: str) -> Forecaster | None:
    name = one_line(name, "forecaster name").strip()  # the stored form, so the lookup finds it
    return session.exec(select(Forecaster).where(Forecaster.name == name)).first()


def get_or_create_forecaster(session: Session, name: str, *, now: datetime | None = None) -> Forecaster:
    name = one_line(name, "forecaster name").strip()
    row = find_forecaster(session, name)
    if row is None:
        row = Forecaster(name=name, created_at=now or utcnow())
        session.add(row)
        session.flush()
    return row


def get_evidence(session: Session, ref: str | int) -> Evidence:
    text = str(ref).strip()
    row = None
    if text.isdigit():
        row = session.get(Evidence, int(text))
    if row is None:
        row = session.exec(select(Evidence).where(Evidence.key == text)).first()
    if row is None:
        raise NotFound(f"no evidence {text!r} (give its id or key; see `forecast evidence list`)")
    return row
