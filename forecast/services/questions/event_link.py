"""A binary "before X" question linked to a date question on the same event (question.event_question_id).

X is the binary question's closes_at, so moving its deadline moves the threshold with it. Each forecaster's
standing date forecast implies P(the date falls before X) = its CDF at X; the detail view shows that next
to their binary forecast and flags a gap over EVENT_TOLERANCE.
"""

from __future__ import annotations

from sqlmodel import Session

from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import decode_vector
from forecast.core.model import Kind
from forecast.core.timeparse import from_micros, to_micros
from forecast.services.kinds import spec_of
from forecast.services.lookup import get_question
from forecast.services.views import EVENT_TOLERANCE, EventLink, EventLinkRow
from forecast.store import bulk
from forecast.store.tables import Question

_STANDING = (
    "SELECT fr.name, f.probability, f.vector FROM standing_forecast s "
    "JOIN forecast f ON f.id = s.forecast_id JOIN forecaster fr ON fr.id = s.forecaster_id "
    "WHERE s.question_id = :q"
)


def checked_event(session: Session, binary: Question, date_ref: str | int | None) -> int | None:
    """The id to store in binary.event_question_id for `q edit --event`, or a one-line refusal."""
    if date_ref is None:
        return None
    if binary.kind != Kind.BINARY.value:
        raise InvalidInput(
            f"question {binary.slug} is a {binary.kind} question: only a binary \"before X\" question links to a date question"
        )
    target = get_question(session, date_ref)
    if target.kind != Kind.DATE.value:
        raise InvalidInput(f"question {target.slug} is a {target.kind} question, not a date question")
    return target.id


def event_link(session: Session, q: Question) -> EventLink | None:
    """What each forecaster says of the linked event on both questions; None when `q` has no link."""
    if q.event_question_id is None or q.kind != Kind.BINARY.value:
        return None
    target = session.get(Question, q.event_question_id)
    if target is None or target.kind != Kind.DATE.value:
        return None
    from forecast.core.distribution import cdf_at

    rng = spec_of(target).range
    assert rng is not None
    threshold = from_micros(to_micros(q.closes_at))
    x = threshold.timestamp()
    conn = session.connection()
    binary = {name: p for name, p, _v in bulk.rows(conn, _STANDING, {"q": q.id})}
    implied = {name: cdf_at(decode_vector(v), rng, x) for name, _p, v in bulk.rows(conn, _STANDING, {"q": target.id}) if v}
    rows = []
    for name in sorted(binary.keys() | implied.keys()):
        b, i = binary.get(name), implied.get(name)
        rows.append(EventLinkRow(name, b, i, b is not None and i is not None and abs(b - i) > EVENT_TOLERANCE))
    return EventLink(target.slug, target.title, threshold, tuple(rows))


__all__ = ["checked_event", "event_link"]
