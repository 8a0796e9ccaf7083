"""One question with everything about it, as plain JSON-ready data."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session

from forecast.core.backfill import DEFAULT_BACKFILL_AFTER
from forecast.core.timeparse import from_micros, iso_z, to_micros, utcnow
from forecast.interchange.writer import QUESTION_COLUMNS, TIME_COLUMNS, question_record
from forecast.services import resolution as resolution_service
from forecast.services import tags as tag_service
from forecast.services.forecasts import history
from forecast.services.lookup import get_question
from forecast.services.question_list import latest_by_question
from forecast.store.tables import Question


def question_fields(q: Question, tags: list[str]) -> dict:
    """The question as an interchange-compatible mapping (stable key order)."""
    row = [getattr(q, c) for c in QUESTION_COLUMNS]
    row = [to_micros(v) if c in TIME_COLUMNS and v is not None else v for c, v in zip(QUESTION_COLUMNS, row, strict=True)]
    return {"id": q.id, **question_record(row, tags)}


def linked_evidence(session: Session, question_id: int) -> list[dict]:
    rows = session.exec(
        text(
            "SELECT e.id, e.key, e.title, e.url, e.outlet, e.published_at, e.published_source, e.excerpt, "
            "l.stance, l.note FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id "
            "WHERE l.question_id = :q ORDER BY COALESCE(e.published_at, e.created_at), e.id"
        ).bindparams(q=question_id)
    ).all()
    return [
        {
            "id": eid,
            "key": key,
            "title": title,
            "url": url,
            "outlet": outlet,
            "published_at": iso_z(from_micros(pub)) if pub is not None else None,
            "published_source": src,
            "excerpt": excerpt,
            "stance": stance,
            "note": note,
        }
        for eid, key, title, url, outlet, pub, src, excerpt, stance, note in rows
    ]


def show_question(
    session: Session, ref: str | int, *, now: datetime | None = None, backfill_after: timedelta = DEFAULT_BACKFILL_AFTER
) -> dict:
    q = get_question(session, ref)
    now = now or utcnow()
    data = question_fields(q, tag_service.tags_of(session, q.id))
    data["latest"] = latest_by_question(session, {q.id}).get(q.id, {})
    data["days_to_close"] = round((to_micros(q.closes_at) - to_micros(now)) / 86_400_000_000, 3)
    data["forecasts"] = history(session, q.id, backfill_after=backfill_after)
    data["evidence"] = linked_evidence(session, q.id)
    data["resolution_history"] = resolution_service.events(session, q.id)
    from forecast.services.reminders import reminder_of

    data["reminder"] = reminder_of(session, q.id)
    return data
