"""The bulk reads behind `forecast check`: what is due, overdue, stale or closing soon.

Raw SQL on indexed columns through the driver's own cursor (SQLAlchemy rows cost more than the
query on long lists), so a check over 100,000 questions reads only the rows that matter: every
question query leads with `status` and `closes_at` (index ix_question_status_closes). Times stay
integer microseconds here.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy.engine import Connection

from forecast.store import bulk

# A person undid a resolution: the auto rule has had its turn and people decide from then on.
_NOT_UNRESOLVED_BY_HAND = (
    "NOT EXISTS (SELECT 1 FROM resolution_event e WHERE e.question_id = q.id AND e.action = 'unresolve')"
)


@dataclass(frozen=True, slots=True)
class DueQuestion:
    id: int
    slug: str
    title: str
    status: str
    closes_at: int
    auto_rule: str | None  # None also when the rule must not fire (a person unresolved the question)
    updated_at: int  # to tell, inside the question's transaction, whether the row changed since

    @property
    def needs_close(self) -> bool:
        return self.status == "open"


def due_questions(conn: Connection, now_us: int) -> list[DueQuestion]:
    """Open questions past closes_at, and unresolved auto-rule questions past closes_at."""
    rows = bulk.rows(
        conn,
        "SELECT q.id, q.slug, q.title, q.status, q.closes_at, "
        f"CASE WHEN q.resolution IS NULL AND {_NOT_UNRESOLVED_BY_HAND} THEN q.auto_rule END, q.updated_at "
        "FROM question q WHERE q.status = 'open' AND q.closes_at <= :now "
        "UNION ALL "
        "SELECT q.id, q.slug, q.title, q.status, q.closes_at, q.auto_rule, q.updated_at FROM question q "
        "WHERE q.status = 'closed' AND q.closes_at <= :now AND q.auto_rule IS NOT NULL "
        f"AND q.resolution IS NULL AND {_NOT_UNRESOLVED_BY_HAND}",
        (now_us,),
    )
    due = [DueQuestion(*r) for r in rows]
    due.sort(key=lambda d: (d.closes_at, d.id))
    return due


def may_auto_resolve(conn: Connection, question_id: int) -> bool:
    return not bulk.rows(conn, "SELECT 1 FROM resolution_event WHERE question_id = :id AND action = 'unresolve'",
                     (question_id,))  # fmt: skip


def overdue(conn: Connection, now_us: int) -> list[tuple]:
    """(id, slug, title, resolves_at, created_at) of unresolved questions past resolves_at.

    resolves_at >= closes_at, so only questions past closes_at qualify and the index range stays small.
    """
    return bulk.rows(
        conn,
        "SELECT q.id, q.slug, q.title, q.resolves_at, q.created_at FROM question q "
        "WHERE q.status IN ('open', 'closed') AND q.closes_at <= :now AND q.resolves_at <= :now "
        "AND q.resolution IS NULL ORDER BY q.resolves_at, q.id",
        (now_us,),
    )


def closing_soon(conn: Connection, now_us: int, until_us: int) -> list[tuple]:
    """(id, slug, title, closes_at, created_at) of open questions closing in (now, until]."""
    return bulk.rows(
        conn,
        "SELECT q.id, q.slug, q.title, q.closes_at, q.created_at FROM question q "
        "WHERE q.status = 'open' AND q.closes_at > :now AND q.closes_at <= :until ORDER BY q.closes_at, q.id",
        (now_us, until_us),
    )


def stale_forecasts(conn: Connection, now_us: int, cutoff_us: int, forecasters: tuple[str, ...] = ()) -> list[tuple]:
    """(question id, forecaster id, latest made_at) of each forecaster whose standing forecast on an
    open question was made at or before the cutoff, oldest first. `forecasters` narrows to those names.

    standing_forecast holds each pair's latest uncorrected forecast, so this never scans the history.
    """
    only, params = "", [now_us, cutoff_us]
    if forecasters:
        marks = ",".join(f":name{i}" for i in range(len(forecasters)))
        only = f" AND s.forecaster_id IN (SELECT id FROM forecaster WHERE name IN ({marks}))"
        params += list(forecasters)
    rows = bulk.rows(
        conn,
        "SELECT s.question_id, s.forecaster_id, s.made_at FROM question q "
        "JOIN standing_forecast s ON s.question_id = q.id "
        f"WHERE q.status = 'open' AND q.closes_at > :now AND s.made_at <= :cutoff{only}",
        tuple(params),
    )
    rows.sort(key=itemgetter(2, 0, 1))
    return rows


def question_names(conn: Connection, ids: set[int], now_us: int) -> dict[int, tuple[str, str]]:
    """id -> (slug, title) for the given question ids: looked up one by one when few, else all open ones."""
    if len(ids) <= 500:
        marks = ",".join(f":id{i}" for i in range(len(ids)))
        rows = bulk.rows(conn, f"SELECT id, slug, title FROM question WHERE id IN ({marks})", tuple(ids))
    else:
        rows = bulk.rows(conn, "SELECT id, slug, title FROM question WHERE status = 'open' AND closes_at > :now", (now_us,))
    return {qid: (slug, title) for qid, slug, title in rows}


def forecaster_names(conn: Connection) -> dict[int, str]:
    return dict(bulk.rows(conn, "SELECT id, name FROM forecaster"))


# A reminder is due once its time has come, while the question is still open or closed-unresolved and no
# forecast was recorded since the reminder's time (a forecast is the update it asked for).
_DUE_REMINDERS = (
    "SELECT q.id, q.slug, q.title, r.remind_at, r.note FROM reminder r JOIN question q ON q.id = r.question_id "
    "WHERE r.remind_at <= :now AND q.status IN ('open', 'closed') AND NOT EXISTS ("
    "SELECT 1 FROM forecast f WHERE f.question_id = r.question_id AND f.recorded_at >= r.remind_at) "
    "ORDER BY r.remind_at, q.id"
)


def due_reminders(conn: Connection, now_us: int) -> list[tuple]:
    """(question id, slug, title, remind_at, note) of the reminders due at `now_us` (services/reminders.py)."""
    return bulk.rows(conn, _DUE_REMINDERS, (now_us,))
