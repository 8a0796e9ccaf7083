"""Resolving, unresolving and closing questions; every change is written to the resolution history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from forecast.core.errors import Conflict, InvalidInput, UnreadableValue
from forecast.core.model import Resolution, Status
from forecast.core.timeparse import from_micros, iso_z, to_micros, utcnow, shown_time
from forecast.services.forecasts import CLOCK_SKEW
from forecast.core.kind_spec import OUTCOME
from forecast.services.kinds import spec_of
from forecast.services.lookup import QuestionRecord, find_question, get_question, question_by_id
from forecast.services.views import ResolutionEventRow
from forecast.store import bulk
from forecast.store.text_guard import cleaned

if TYPE_CHECKING:
    from sqlmodel import Session

    from forecast.store.bulk import Bind
    from forecast.store.tables import Question

_INSERT_EVENT = (
    "INSERT INTO resolution_event (question_id, action, resolution, resolved_at, note, actor, at, outcome) "
    "VALUES (:question_id, :action, :resolution, :resolved_at, :note, :actor, :at, :outcome)"
)


def _event(bind: Bind, q: Question | QuestionRecord, action: str, *, actor: str, note: str, now: datetime) -> None:
    """The resolution history's entry for `q` as it is now (a session's pending change to `q` written first)."""
    bulk.insert(bulk.connection_of(bind), _INSERT_EVENT, cleaned("resolution_event", {
        "question_id": q.id, "action": action, "resolution": q.resolution,
        "resolved_at": to_micros(q.resolved_at) if q.resolved_at is not None else None,
        "note": note, "actor": actor, "at": to_micros(now), "outcome": q.outcome,
    }))  # fmt: skip


def resolve_question(
    bind: Bind,
    ref: str | int,
    resolution: Resolution | str,
    *,
    actor: str,
    at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> QuestionRecord:
    """Resolve in SQL (the text rules applied with `cleaned`); the question as stored after it.

    `resolution` is a Resolution, or for a choice, numeric or date question the outcome as typed."""
    conn = bulk.connection_of(bind)
    now = now or utcnow()
    q = find_question(conn, ref)
    if q.resolution is not None:
        shown = q.resolution if q.outcome is None else spec_of(q).shown_outcome(q.outcome)
        raise Conflict(f"question {q.slug} is already resolved {shown}; run `forecast unresolve {q.slug}` first")
    resolution, outcome = _resolution_of(q, resolution)
    resolved_at = at or now
    if resolved_at > now + CLOCK_SKEW:
        raise InvalidInput(f"resolution time {shown_time(resolved_at)} is in the future")
    if resolved_at < q.opens_at:
        raise InvalidInput(f"resolution time {shown_time(resolved_at)} is before the question opens ({shown_time(q.opens_at)})")
    status = (Status.ANNULLED if resolution == Resolution.ANNULLED.value else Status.RESOLVED).value
    bulk.execute(conn, "UPDATE question SET resolution = :resolution, outcome = :outcome, resolved_at = :resolved_at, "
                       "resolution_note = :resolution_note, status = :status, updated_at = :updated_at WHERE id = :id",
                 {**cleaned("question", {"resolution": resolution, "outcome": outcome,
                                         "resolved_at": to_micros(resolved_at), "resolution_note": note,
                                         "status": status, "updated_at": to_micros(now)}), "id": q.id})  # fmt: skip
    q = question_by_id(conn, q.id)
    _event(conn, q, "resolve", actor=actor, note=note, now=now)
    return q


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
    """`resolve_question` in an ORM session: the session's row of the question, reloaded."""
    from forecast.store.tables import Question

    done = resolve_question(session, ref, resolution, actor=actor, at=at, note=note, now=now)
    return session.get(Question, done.id, populate_existing=True)


def _resolution_of(q: Question | QuestionRecord, given: Resolution | str) -> tuple[str, str | None]:
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


def events(bind: Bind, ref: str | int) -> list[ResolutionEventRow]:
    conn = bulk.connection_of(bind)
    q = find_question(conn, ref)
    rows = bulk.rows(
        conn,
        "SELECT action, resolution, resolved_at, note, actor, at, outcome FROM resolution_event "
        "WHERE question_id = :q ORDER BY at, id",
        (q.id,),
    )
    return [
        ResolutionEventRow(a, r, from_micros(ra) if ra is not None else None, n, who, from_micros(at), oc)
        for a, r, ra, n, who, at, oc in rows
    ]
