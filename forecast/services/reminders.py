"""Per-question reminders: "look at this again on WHEN".

A reminder is due from its time until the question gets a forecast recorded at or after it (the update
it asked for), is resolved or annulled, or the reminder is cleared. `forecast check` lists due reminders
(and exits 10, like anything else that needs a person); `q show` and the TUI show them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from forecast.core.errors import InvalidInput
from forecast.core.timeparse import from_micros, to_micros, utcnow
from forecast.services.lookup import get_question
from forecast.services.views import ReminderRow
from forecast.store import bulk

if TYPE_CHECKING:  # the ORM loads only for setting reminders: `q show` reads them with SQL
    from sqlmodel import Session

    from forecast.store.bulk import Bind
    from forecast.store.tables import Reminder

_OPEN = ("open", "closed")  # a resolved or annulled question needs no more looking at


def set_reminder(session: Session, ref: str | int, when: datetime, *, note: str = "",
                 now: datetime | None = None) -> ReminderRow:  # fmt: skip
    """Set (or move) the question's reminder."""
    from forecast.store.tables import Reminder

    q = get_question(session, ref)
    if q.status not in _OPEN:
        raise InvalidInput(f"question {q.slug} is {q.status}; it needs no reminder")
    row = session.get(Reminder, q.id)
    if row is None:
        row = Reminder(question_id=q.id, remind_at=when, note=note, created_at=now or utcnow())
    else:
        row.remind_at, row.note = when, note
    session.add(row)
    session.flush()
    return reminder_fields(row, q.slug)


def clear_reminder(session: Session, ref: str | int) -> bool:
    """Remove the question's reminder; False when it had none."""
    from forecast.store.tables import Reminder

    q = get_question(session, ref)
    row = session.get(Reminder, q.id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def reminder_of(bind: Bind, question_id: int) -> ReminderRow | None:
    rows = bulk.rows(bulk.connection_of(bind), "SELECT q.slug, r.remind_at, r.note FROM reminder r "
                                               "JOIN question q ON q.id = r.question_id WHERE r.question_id = :q",
                     (question_id,))  # fmt: skip
    if not rows:
        return None
    slug, remind_at, note = rows[0]
    return ReminderRow(slug, from_micros(remind_at), note)


def reminder_marks(session: Session, now: datetime) -> dict[int, bool]:
    """Question id -> whether its reminder is due, for each reminder still waiting: due (by the rule
    `forecast check` applies) or set for later. Answered reminders and those of resolved questions are left out."""
    from forecast.core.timeparse import to_micros
    from forecast.services.check.queries import due_reminders
    from forecast.store import bulk

    conn = session.connection()
    now_us = to_micros(now)
    marks = {int(row[0]): True for row in due_reminders(conn, now_us)}
    later = bulk.rows(conn, "SELECT r.question_id FROM reminder r JOIN question q ON q.id = r.question_id "
                            "WHERE r.remind_at > :now AND q.status IN ('open', 'closed')", (now_us,))  # fmt: skip
    marks.update((int(qid), False) for (qid,) in later)
    return marks


def reminder_fields(row: Reminder, slug: str) -> ReminderRow:
    return ReminderRow(slug, from_micros(to_micros(row.remind_at)), row.note)  # as stored, also before a reload
