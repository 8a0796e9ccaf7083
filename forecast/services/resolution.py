"""Resolving, unresolving and closing questions; every change is written to the resolution history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from forecast.core.errors import Conflict, InvalidInput, UnreadableValue
from forecast.core.model import Resolution, Status
from forecast.core.timeparse import from_micros, iso_z, utcnow, shown_time
from forecast.services.forecasts import CLOCK_SKEW
from forecast.core.kind_spec import OUTCOME
from forecast.services.kinds import spec_of
from forecast.services.lookup import get_question
from forecast.services.views import ResolutionEventRow
from forecast.store.tables import Question, ResolutionEvent


def _event(session: Session, q: Question, action: str, *, actor: str, note: str, now: datetime) -> None:
    session.add(
        ResolutionEvent(
            question_id=q.id,
            action=action,
            resolution=q.resolution,
            resolved_at=q.resolved_at,
            outcome=q.outcome,
            note=note,
            actor=actor,
            at=now,
        )
    )


def resolve(
    session: Session,
    ref: str | int,
    resolution: Resolution | str,
    *,
    actor: str,
    at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Question:
    now = now or utcnow()
    q = get_question(session, ref)
    if q.resolution is not None:
        shown = q.resolution if q.outcome is None else spec_of(q).shown_outcome(q.outcome)
        raise Conflict(f"question {q.slug} is already resolved {shown}; run `forecast unresolve {q.slug}` first")
    resolution, outcome = _resolution_of(q, resolution)
    resolved_at = at or now
    if resolved_at > now + CLOCK_SKEW:
        raise InvalidInput(f"resolution time {shown_time(resolved_at)} is in the future")
    if resolved_at < q.opens_at:
        raise InvalidInput(f"resolution time {shown_time(resolved_at)} is before the question opens ({shown_time(q.opens_at)})")
    q.resolution = resolution
    q.outcome = outcome
    q.resolved_at = resolved_at
    q.resolution_note = note
    q.status = (Status.ANNULLED if resolution == Resolution.ANNULLED.value else Status.RESOLVED).value
    q.updated_at = now
    session.add(q)
    _event(session, q, "resolve", actor=actor, note=note, now=now)
    session.flush()
    return q


def _resolution_of(q: Question, given: Resolution | str) -> tuple[str, str | None]:
    """(question.resolution, question.outcome) for what `resolve` was given, checked against the kind.

    A binary question takes yes, no or annulled; any other kind takes annulled or an outcome its spec reads
    (an option key, a value, below/above or before/after an open bound), stored as resolution 'outcome'.
    """
    text = str(given).strip()
    if text.lower() == Resolution.ANNULLED.value:
        return Resolution.ANNULLED.value, None
    spec = spec_of(q)
    if spec.binary:
        if text.lower() in (Resolution.YES.value, Resolution.NO.value):
            return text.lower(), None
        raise UnreadableValue(f"resolution {text!r} must be yes, no or annulled")
    return OUTCOME, spec.parse_outcome(text)


def unresolve(session: Session, ref: str | int, *, actor: str, note: str = "", now: datetime | None = None) -> Question:
    now = now or utcnow()
    q = get_question(session, ref)
    if q.resolution is None:
        raise Conflict(f"question {q.slug} is not resolved")
    q.resolution = None
    q.outcome = None
    q.resolved_at = None
    q.resolution_note = ""
    q.status = (Status.OPEN if q.closes_at > now else Status.CLOSED).value
    q.updated_at = now
    session.add(q)
    _event(session, q, "unresolve", actor=actor, note=note, now=now)
    session.flush()
    return q


def close(session: Session, q: Question, *, actor: str, note: str = "", now: datetime | None = None) -> None:
    now = now or utcnow()
    q.status = Status.CLOSED.value
    q.updated_at = now
    session.add(q)
    _event(session, q, "close", actor=actor, note=note, now=now)
    session.flush()


def events(session: Session, ref: str | int) -> list[ResolutionEventRow]:
    q = get_question(session, ref)
    rows = session.exec(
        text(
            "SELECT action, resolution, resolved_at, note, actor, at, outcome FROM resolution_event "
            "WHERE question_id = :q ORDER BY at, id"
        ).bindparams(q=q.id)
    ).all()
    return [
        ResolutionEventRow(a, r, from_micros(ra) if ra is not None else None, n, who, from_micros(at), oc)
        for a, r, ra, n, who, at, oc in rows
    ]
