"""One question with everything about it, as a QuestionDetail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from forecast.core.backfill import DEFAULT_BACKFILL_AFTER
from forecast.core.timeparse import from_micros, to_micros, utcnow
from forecast.services import resolution as resolution_service
from forecast.services import tags as tag_service
from forecast.services.forecasts import history
from forecast.services.comments import comments_of
from forecast.services.kinds import spec_of
from forecast.services.lookup import QuestionRecord, find_question
from forecast.services.questions.event_link import event_link, linked_binaries
from forecast.services.questions.listing import latest_by_question
from forecast.services.views import LinkedEvidenceRow, QuestionDetail, QuestionFields
from forecast.store import bulk

if TYPE_CHECKING:
    from forecast.store.bulk import Bind
    from forecast.store.tables import Question


def _question_values(q: Question | QuestionRecord, tags: list[str]) -> dict:
    return {
        "id": q.id,
        "slug": q.slug,
        "title": q.title,
        "kind": q.kind,
        "description": q.description,
        "criteria": q.criteria,
        "opens_at": _utc(q.opens_at),
        "closes_at": _utc(q.closes_at),
        "resolves_at": _utc(q.resolves_at),
        "tags": tuple(tags),
        "auto": q.auto_rule,
        "status": q.status,
        "resolution": q.resolution,
        "resolved_at": _utc(q.resolved_at),
        "resolution_note": q.resolution_note,
        "created_at": _utc(q.created_at),
        "updated_at": _utc(q.updated_at),
        "source_file": q.source_file,
        "spec": spec_of(q).to_dict(),
        "outcome": q.outcome,
    }


def question_record(q: Question | QuestionRecord, tags: list[str]) -> QuestionFields:
    """The question's own fields (stable order: the interchange shape)."""
    return QuestionFields(**_question_values(q, tags))


def _utc(at: datetime | None) -> datetime | None:
    """A time as stored (UTC, whole microseconds), also when the row was written in this session."""
    return None if at is None else from_micros(to_micros(at))


def linked_evidence(bind: Bind, question_id: int) -> list[LinkedEvidenceRow]:
    rows = bulk.rows(
        bulk.connection_of(bind),
        "SELECT e.id, e.key, e.title, e.url, e.outlet, e.published_at, e.published_source, e.excerpt, "
        "l.stance, l.note FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id "
        "WHERE l.question_id = :q ORDER BY COALESCE(e.published_at, e.created_at), e.id",
        (question_id,),
    )
    return [
        LinkedEvidenceRow(eid, key, title, url, outlet, from_micros(pub) if pub is not None else None, src, excerpt,
                          stance, note)  # fmt: skip
        for eid, key, title, url, outlet, pub, src, excerpt, stance, note in rows
    ]


def show_question(
    bind: Bind, ref: str | int, *, now: datetime | None = None, backfill_after: timedelta = DEFAULT_BACKFILL_AFTER
) -> QuestionDetail:
    from forecast.services.reminders import reminder_of
    from forecast.services.team import others_hidden

    conn = bulk.connection_of(bind)
    q = find_question(conn, ref)
    now = now or utcnow()
    return QuestionDetail(
        **_question_values(q, tag_service.tags_of(conn, q.id)),
        latest=latest_by_question(conn, {q.id}).get(q.id, {}) if q.kind == "binary" else {},
        days_to_close=round((to_micros(q.closes_at) - to_micros(now)) / 86_400_000_000, 3),
        forecasts=tuple(history(conn, q.id, backfill_after=backfill_after)),
        evidence=tuple(linked_evidence(conn, q.id)),
        resolution_history=tuple(resolution_service.events(conn, q.id)),
        reminder=reminder_of(conn, q.id),
        comments=tuple(comments_of(conn, q.id)),
        others_hidden=others_hidden(conn, q.id),
        event_link=event_link(conn, q),
        linked_binaries=linked_binaries(conn, q),
    )
