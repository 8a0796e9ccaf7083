"""Tags: many-to-many with questions, created on first use."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import Session, select

from forecast.core.errors import InvalidInput
from forecast.core.text import one_line
from forecast.store.first_use import insert_if_absent
from forecast.store.tables import QuestionTag, Tag


def clean_tags(names: Iterable[str]) -> list[str]:
    out = set()
    for name in names:
        tag = one_line(name, "tag").strip().lower()
        if not tag:
            continue
        if any(ch.isspace() for ch in tag) or "," in tag:
            raise InvalidInput(f"tag {name!r} must be one word (use dashes)")
        out.add(tag)
    return sorted(out)


def tag_ids(session: Session, names: Iterable[str]) -> list[int]:
    ids = []
    for name in clean_tags(names):
        row = session.exec(select(Tag.id).where(Tag.name == name)).first()
        if row is None:  # a concurrent writer may be adding the same tag
            insert_if_absent(session, "tag", "name", {"name": name})
            row = session.exec(select(Tag.id).where(Tag.name == name)).one()
        ids.append(row)
    return ids


def set_tags(session: Session, question_id: int, names: Iterable[str]) -> None:
    session.exec(delete(QuestionTag).where(QuestionTag.question_id == question_id))
    for tid in tag_ids(session, names):
        session.add(QuestionTag(question_id=question_id, tag_id=tid))
    session.flush()


def all_tags(session: Session) -> list[str]:
    return list(session.exec(select(Tag.name).order_by(Tag.name)).all())


def tags_of(session: Session, question_id: int) -> list[str]:
    rows = session.exec(
        select(Tag.name).join(QuestionTag, QuestionTag.tag_id == Tag.id).where(QuestionTag.question_id == question_id)
    ).all()
    return sorted(rows)
