"""A binary "before X" question linked to a date question on the same event (question.event_question_id).

X is the binary question's closes_at, so moving its deadline moves the threshold with it. Each forecaster's
standing date forecast implies P(the date falls before X) = its CDF at X; the detail view shows that next
to their binary forecast and flags a gap over EVENT_TOLERANCE. The date question's detail lists the binary
questions linked to it with the same comparison (`linked_binaries`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import decode_vector
from forecast.core.model import Kind
from forecast.core.timeparse import from_micros, to_micros
from forecast.services.kinds import spec_of
from forecast.services.lookup import QuestionRecord, find_question, question_by_id, questions_linked_to
from forecast.services.views import EVENT_TOLERANCE, EventLink, EventLinkRow, LinkedBinary
from forecast.store import bulk

if TYPE_CHECKING:  # `q show` reads through a connection: no ORM on its path
    from forecast.store.bulk import Bind
    from forecast.store.tables import Question

_STANDING = (
    "SELECT fr.name, f.probability, f.vector FROM standing_forecast s "
    "JOIN forecast f ON f.id = s.forecast_id JOIN forecaster fr ON fr.id = s.forecaster_id "
    "WHERE s.question_id = :q"
)


def checked_event(bind: Bind, binary: Question | QuestionRecord, date_ref: str | int | None) -> int | None:
    """The id to store in binary.event_question_id for `q edit --event`, or a one-line refusal."""
    if date_ref is None:
        return None
    if binary.kind != Kind.BINARY.value:
        raise InvalidInput(
            f"question {binary.slug} is a {binary.kind} question: only a binary \"before X\" question links to a date question"
        )
    target = find_question(bind, date_ref)
    if target.kind != Kind.DATE.value:
        raise InvalidInput(f"question {target.slug} is a {target.kind} question, not a date question")
    return target.id


def event_link(bind: Bind, q: Question | QuestionRecord) -> EventLink | None:
    """What each forecaster says of the linked event on both questions; None when `q` has no link."""
    if q.event_question_id is None or q.kind != Kind.BINARY.value:
        return None
    conn = bulk.connection_of(bind)
    try:
        target = question_by_id(conn, q.event_question_id)
    except IndexError:  # gone meanwhile (the foreign key clears the link when it commits)
        return None
    if target.kind != Kind.DATE.value:
        return None
    return _link(conn, q, target, bulk.rows(conn, _STANDING, {"q": target.id}))


def _link(conn, q: Question | QuestionRecord, target: Question | QuestionRecord, date_standing: list) -> EventLink:
    """The one comparison: each forecaster's standing binary forecast on `q` and what their standing forecast
    on the date question `target` (its rows `date_standing`) implies for "before q's close"."""
    from forecast.core.distribution import cdf_at

    rng = spec_of(target).range
    assert rng is not None
    threshold = from_micros(to_micros(q.closes_at))
    x = threshold.timestamp()
    binary = {name: p for name, p, _v in bulk.rows(conn, _STANDING, {"q": q.id})}
    implied = {name: cdf_at(decode_vector(v), rng, x) for name, _p, v in date_standing if v}
    rows = []
    for name in sorted(binary.keys() | implied.keys()):
        b, i = binary.get(name), implied.get(name)
        rows.append(EventLinkRow(name, b, i, b is not None and i is not None and abs(b - i) > EVENT_TOLERANCE))
    return EventLink(target.slug, target.title, threshold, tuple(rows))


def linked_binaries(bind: Bind, q: Question | QuestionRecord) -> tuple[LinkedBinary, ...]:
    """For a date question, each binary "before X" question linked to it with the EventLink that question
    shows (the same comparison, `_link`), and the medians of both sides; () for other kinds or no link."""
    if q.kind != Kind.DATE.value:
        return ()
    conn = bulk.connection_of(bind)
    linked = questions_linked_to(conn, q.id)
    if not linked:
        return ()
    from forecast.core.team_median import median

    def mid(values: list[float]) -> float | None:
        return median(values) if values else None

    standing = bulk.rows(conn, _STANDING, {"q": q.id})  # read once for every linked question
    out = []
    for b in linked:
        link = _link(conn, b, q, standing)
        rows = link.forecasters
        out.append(LinkedBinary(
            slug=b.slug, title=b.title, status=b.status, threshold=link.threshold,
            binary_median=mid([r.binary for r in rows if r.binary is not None]),
            implied_median=mid([r.implied for r in rows if r.implied is not None]),
            inconsistent=any(r.inconsistent for r in rows), forecasters=rows,
        ))  # fmt: skip
    return tuple(out)


__all__ = ["checked_event", "event_link", "linked_binaries"]
