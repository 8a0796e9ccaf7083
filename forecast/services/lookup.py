"""Finding questions, forecasters and evidence by what users type (id or slug/name/key)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from forecast.core.errors import NotFound
from forecast.core.timeparse import to_micros, utcnow
from forecast.store.first_use import insert_if_absent
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
    return session.exec(select(Forecaster).where(Forecaster.name == name)).first()


def get_or_create_forecaster(session: Session, name: str, *, now: datetime | None = None) -> Forecaster:
    name = name.strip()
    row = find_forecaster(session, name)
    if row is None:  # a concurrent writer may be adding the same name: insert-if-absent, then read it
        insert_if_absent(session, "forecaster", "name", {"name": name, "created_at": to_micros(now or utcnow())})
        row = find_forecaster(session, name)
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
