"""Listing questions in bulk with raw SQL: the list is the hot path of both the CLI and the TUI."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from forecast.core.errors import InvalidInput
from forecast.core.timeparse import from_micros, iso_z, to_micros, utcnow

STATUSES = ("open", "closed", "resolved", "annulled", "all")
_DAY_US = 86_400_000_000


def _iso(us: int | None) -> str | None:
    return None if us is None else iso_z(from_micros(us))


def latest_by_question(session: Session, question_ids: set[int] | None = None) -> dict[int, dict[str, float]]:
    """Each question's standing probability per forecaster (superseded corrections ignored)."""
    conn = session.connection()
    # A few questions are looked up through the index; many are read in one pass over the table.
    few = question_ids is not None and len(question_ids) < 1000
    only = f" AND question_id IN ({','.join(str(int(i)) for i in question_ids)})" if few and question_ids else ""
    if few and not question_ids:
        return {}
    if conn.dialect.name == "postgresql":
        sql = (
            "SELECT DISTINCT ON (question_id, forecaster_id) question_id, forecaster_id, probability "
            f"FROM forecast WHERE NOT superseded{only} "
            "ORDER BY question_id, forecaster_id, made_at DESC, recorded_at DESC, id DESC"
        )
    else:
        # SQLite returns the bare columns of the row that holds MAX(): one pass over the identity index.
        sql = (
            "SELECT question_id, forecaster_id, probability, MAX(made_at * 1) FROM forecast "
            f"WHERE superseded = 0{only} GROUP BY question_id, forecaster_id"
        )
    names = dict(conn.exec_driver_sql("SELECT id, name FROM forecaster").all())
    out: dict[int, dict[str, float]] = {}
    for row in conn.exec_driver_sql(sql):
        qid = row[0]
        if question_ids is not None and qid not in question_ids:
            continue
        bucket = out.get(qid)
        if bucket is None:
            bucket = out[qid] = {}
        bucket[names[row[1]]] = row[2]
    return out


def tags_by_question(session: Session) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for qid, name in session.connection().exec_driver_sql(
        "SELECT qt.question_id, t.name FROM question_tag qt JOIN tag t ON t.id = qt.tag_id ORDER BY t.name"
    ):
        out.setdefault(qid, []).append(name)
    return out


def list_questions(
    session: Session,
    *,
    status: str = "open",
    tag: str | None = None,
    search: str | None = None,
    now: datetime | None = None,
) -> list[dict]:
    if status not in STATUSES:
        raise InvalidInput(f"status {status!r} is not one of: {', '.join(STATUSES)}")
    now_us = to_micros(now or utcnow())
    conn = session.connection()
    ph = "?" if conn.dialect.name == "sqlite" else "%s"
    where, params = [], []
    if status != "all":
        where.append(f"q.status = {ph}")
        params.append(status)
    if tag:
        where.append(
            f"EXISTS (SELECT 1 FROM question_tag qt JOIN tag t ON t.id = qt.tag_id "
            f"WHERE qt.question_id = q.id AND t.name = {ph})"
        )
        params.append(tag.strip().lower())
    if search:
        where.append(f"(lower(q.title) LIKE {ph} OR q.slug LIKE {ph})")
        pattern = "%" + search.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        params += [pattern, pattern]
    sql = (
        "SELECT q.id, q.slug, q.title, q.status, q.kind, q.opens_at, q.closes_at, q.resolves_at, "
        "q.resolution, q.resolved_at, q.auto_rule FROM question q"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY q.closes_at, q.id"
    )
    rows = conn.exec_driver_sql(sql, tuple(params)).all()
    wanted = {r[0] for r in rows}
    tags = tags_by_question(session)
    latest = latest_by_question(session, wanted if len(wanted) < 1000 else None)
    out = []
    for qid, slug, title, st, kind, opens, closes, resolves, resolution, resolved_at, auto in rows:
        out.append(
            {
                "id": qid,
                "slug": slug,
                "title": title,
                "status": st,
                "kind": kind,
                "opens_at": _iso(opens),
                "closes_at": _iso(closes),
                "resolves_at": _iso(resolves),
                "resolution": resolution,
                "resolved_at": _iso(resolved_at),
                "auto": auto,
                "tags": tags.get(qid, []),
                "latest": latest.get(qid, {}),
                "days_to_close": round((closes - now_us) / _DAY_US, 3),
            }
        )
    return out
