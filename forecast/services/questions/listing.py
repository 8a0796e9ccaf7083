"""Listing questions in bulk with raw SQL: the list is the hot path of both the CLI and the TUI."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from forecast.core.errors import InvalidInput
from forecast.core.timeparse import datetimes_many, to_micros, utcnow
from forecast.services.views import QuestionRow
from forecast.store import bulk

if TYPE_CHECKING:
    from forecast.store.bulk import Bind

STATUSES = ("open", "closed", "resolved", "annulled", "all")
_DAY_US = 86_400_000_000


def latest_by_question(bind: Bind, question_ids: set[int] | None = None) -> dict[int, dict[str, float]]:
    """Each question's standing probability per forecaster (superseded corrections ignored)."""
    conn = bulk.connection_of(bind)
    # A few questions are looked up through the primary key; many are read in one pass.
    few = question_ids is not None and len(question_ids) < 1000
    if few and not question_ids:
        return {}
    only = f" WHERE question_id IN ({','.join(str(int(i)) for i in question_ids)})" if few else ""
    sql = f"SELECT question_id, forecaster_id, probability FROM standing_forecast{only}"
    names = dict(bulk.rows(conn, "SELECT id, name FROM forecaster"))
    out: dict[int, dict[str, float]] = {}
    for row in bulk.iterate(conn, sql):
        qid = row[0]
        if question_ids is not None and qid not in question_ids:
            continue
        bucket = out.get(qid)
        if bucket is None:
            bucket = out[qid] = {}
        bucket[names[row[1]]] = row[2]
    return out


def tags_by_question(bind: Bind) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for qid, name in bulk.iterate(
        bulk.connection_of(bind),
        "SELECT qt.question_id, t.name FROM question_tag qt JOIN tag t ON t.id = qt.tag_id ORDER BY t.name",
    ):
        out.setdefault(qid, []).append(name)
    return out


def list_questions(
    bind: Bind,
    *,
    status: str = "open",
    tag: str | None = None,
    search: str | None = None,
    now: datetime | None = None,
) -> list[QuestionRow]:
    if status not in STATUSES:
        raise InvalidInput(f"status {status!r} is not one of: {', '.join(STATUSES)}")
    now_us = to_micros(now or utcnow())
    conn = bulk.connection_of(bind)
    where, params = [], {}
    if status != "all":
        where.append("q.status = :status")
        params["status"] = status
    if tag:
        where.append(
            "EXISTS (SELECT 1 FROM question_tag qt JOIN tag t ON t.id = qt.tag_id "
            "WHERE qt.question_id = q.id AND t.name = :tag)"
        )
        params["tag"] = tag.strip().lower()
    if search:
        where.append("(lower(q.title) LIKE :pattern OR q.slug LIKE :pattern)")
        params["pattern"] = "%" + search.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
    sql = (
        "SELECT q.id, q.slug, q.title, q.status, q.kind, q.opens_at, q.closes_at, q.resolves_at, "
        "q.resolution, q.resolved_at, q.auto_rule FROM question q"
        + (" WHERE " + " AND ".join(where) if where else "")
    )
    # Sorting here is cheaper than SQLite walking the closes_at index and fetching each row from it.
    rows = sorted(bulk.rows(conn, sql, params), key=lambda r: (r[6], r[0]))
    wanted = {r[0] for r in rows}
    tags = tags_by_question(conn)
    latest = binary_only(latest_by_question(conn, wanted if len(wanted) < 1000 else None), {r[0]: r[4] for r in rows})
    columns = list(zip(*rows, strict=True)) if rows else [()] * 11
    opens_t, closes_t, resolves_t, resolved_t = (datetimes_many(list(columns[i])) for i in (5, 6, 7, 9))
    return [
        QuestionRow(qid, slug, title, st, kind, opens_t[i], closes_t[i], resolves_t[i], resolution, resolved_t[i], auto,
                    tuple(tags.get(qid, ())), latest.get(qid, {}), round((closes - now_us) / _DAY_US, 3))  # fmt: skip
        for i, (qid, slug, title, st, kind, _o, closes, _r, resolution, _ra, auto) in enumerate(rows)
    ]


def binary_only(latest: dict[int, dict[str, float]], kinds: dict[int, str]) -> dict[int, dict[str, float]]:
    """`latest` without non-binary questions: their standing_forecast.probability is a display summary of a
    distribution (core/kind_spec.py), not a probability, so no listing, median or chart may show it as one."""
    return {qid: v for qid, v in latest.items() if kinds.get(qid, "binary") == "binary"}
