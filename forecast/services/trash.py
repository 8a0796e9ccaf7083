"""Delete, restore and purge questions, forecasts and evidence (`q rm`, `forecasts rm`, `evidence rm`, `restore`).

A delete moves the item's rows out of the live tables into one `trash` entry (store/snapshot.py), recording
who and when; nothing else reads the trash, so a deleted item is out of every list, score, export, search,
check and the standing-forecast cache at once. What moves with what:

- a question takes its forecasts (with their vectors), tags, evidence links, resolution history, comments
  (with their authors: in a team database the stamping trigger keeps the author of a comment that comes
  back out of the trash, store/team_sql.py), reminder, sync record and link proposals (the evidence itself
  stays: other questions may cite it); feeds aimed at it, and binary questions linked to it as their
  event, lose the aim until it is restored;
- a forecast takes its whole correction chain (every version: a correction is the same forecast, restated),
  so no remaining row supersedes a missing one and `forecast db check` stays clean;
- evidence takes its links to questions and to the forecasts that cited it, and its link proposals.

A deleted question keeps its slug: `q add` with that slug is refused with how to restore or purge it.
Restoring or purging closes the entry instead of removing it, so the record of who deleted what stays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, select

from forecast.core.errors import Conflict, InvalidInput, NotFound
from forecast.core.echo import shown
from forecast.core.ids import as_row_id
from forecast.core.timeparse import shown_time, utcnow
from forecast.services.lookup import get_evidence, get_question
from forecast.store.snapshot import Snapshot, capture, put_back, relink
from forecast.store.standing import refresh_standing
from forecast.store.tables import ForecastRow, TrashEntry

KINDS = ("question", "forecast", "evidence")


@dataclass(frozen=True)
class Deleted:
    entry_id: int
    kind: str
    item_id: int
    label: str
    title: str
    purged: bool

    def as_dict(self) -> dict:
        return {"trash_id": self.entry_id, "kind": self.kind, "id": self.item_id, "label": self.label,
                "title": self.title, "purged": self.purged}  # fmt: skip


def _pct(p: float) -> str:
    return f"{p * 100:.4g}%"


# --- what a delete takes ------------------------------------------------------------------------------------


def _question_rows(conn, qid: int) -> tuple[Snapshot, dict]:
    p = {"id": qid}
    snap = {"question": capture(conn, "question", "id = :id", p)}
    for table in ("question_tag", "forecast", "evidence_link", "resolution_event", "reminder", "question_sync",
                  "link_proposal", "comment"):  # fmt: skip
        snap[table] = capture(conn, table, "question_id = :id", p)
    snap["forecast_evidence"] = capture(
        conn, "forecast_evidence", "forecast_id IN (SELECT id FROM forecast WHERE question_id = :id)", p
    )
    feeds = conn.execute(text("SELECT id FROM feed WHERE question_id = :id"), p).scalars().all()
    # "before X" questions linked to this (date) question lose the link (ON DELETE SET NULL) until it is back
    linked = conn.execute(text("SELECT id FROM question WHERE event_question_id = :id"), p).scalars().all()
    return snap, {"feed.question_id": list(feeds), "question.event_question_id": list(linked)}


def _chain(session: Session, fid: int) -> list[ForecastRow]:
    """Every version of the forecast: the ones it corrects and the ones that correct it."""
    start = session.get(ForecastRow, fid)
    if start is None:
        raise NotFound(f"no forecast {fid} (see `forecast forecasts Q` for the ids)")
    rows = session.exec(
        select(ForecastRow).where(
            ForecastRow.question_id == start.question_id, ForecastRow.forecaster_id == start.forecaster_id
        )
    ).all()
    by_id = {r.id: r for r in rows}
    linked: dict[int, set[int]] = {r.id: set() for r in rows}
    for r in rows:
        if r.supersedes_id in by_id:
            linked[r.id].add(r.supersedes_id)
            linked[r.supersedes_id].add(r.id)
    seen, todo = set(), [fid]
    while todo:
        cur = todo.pop()
        if cur not in seen:
            seen.add(cur)
            todo.extend(linked[cur] - seen)
    return sorted((by_id[i] for i in seen), key=lambda r: r.id)


def _forecast_rows(conn, ids: list[int]) -> Snapshot:
    where = "id IN (" + ", ".join(str(int(i)) for i in ids) + ")"
    return {
        "forecast": capture(conn, "forecast", where, {}),
        "forecast_evidence": capture(conn, "forecast_evidence", "forecast_" + where, {}),
    }


def _evidence_rows(conn, eid: int) -> tuple[Snapshot, dict]:
    p = {"id": eid}
    snap = {"evidence": capture(conn, "evidence", "id = :id", p)}
    for table in ("evidence_link", "forecast_evidence", "link_proposal"):
        snap[table] = capture(conn, table, "evidence_id = :id", p)
    items = conn.execute(text("SELECT id FROM feed_item WHERE evidence_id = :id"), p).scalars().all()
    return snap, {"feed_item.evidence_id": list(items)}


# --- delete -------------------------------------------------------------------------------------------------


def _record(session: Session, kind: str, item_id: int, label: str, title: str, payload: dict | None, actor: str,
            now: datetime) -> TrashEntry:  # fmt: skip
    entry = TrashEntry(
        kind=kind, item_id=item_id, label=label, title=title, deleted_by=actor, deleted_at=now,
        payload="" if payload is None else json.dumps(payload, separators=(",", ":")),
        state="deleted" if payload is not None else "purged",
        closed_by="" if payload is not None else actor, closed_at=None if payload is not None else now,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def _actor(actor: str) -> str:
    if not actor.strip():
        raise InvalidInput("who deletes must be named (set `name` in the config file or give --by)")
    return actor.strip()


def delete_question(session: Session, ref: str | int, *, actor: str, purge: bool = False,
                    now: datetime | None = None) -> Deleted:  # fmt: skip
    now, actor = now or utcnow(), _actor(actor)
    q = get_question(session, ref)
    conn = session.connection()
    rows, relinks = _question_rows(conn, q.id)
    pairs = {(f["question_id"], f["forecaster_id"]) for f in rows["forecast"]}
    session.expunge(q)
    conn.execute(text("DELETE FROM question WHERE id = :id"), {"id": q.id})  # its rows go by ON DELETE CASCADE
    refresh_standing(conn, pairs)
    payload = None if purge else {"rows": rows, "relink": relinks}
    entry = _record(session, "question", q.id, q.slug, q.title, payload, actor, now)
    return Deleted(entry.id, "question", q.id, q.slug, q.title, purge)


def forecast_title(session: Session, f: ForecastRow) -> str:
    row = session.connection().execute(
        text("SELECT q.slug, fr.name FROM question q, forecaster fr WHERE q.id = :q AND fr.id = :f"),
        {"q": f.question_id, "f": f.forecaster_id},
    ).first()
    slug, name = row if row else ("?", "?")
    return f"{_pct(f.probability)} on {slug} by {name}"


def delete_forecast(session: Session, fid: int | str, *, actor: str, purge: bool = False,
                    now: datetime | None = None, only_this_version: bool = False) -> Deleted:  # fmt: skip
    """Delete a forecast with every version of it. `only_this_version` (undoing a correction) takes the
    newest version alone and makes the one it corrected the standing version again."""
    now, actor = now or utcnow(), _actor(actor)
    rid = as_row_id(str(fid).strip())
    if rid is None:
        raise InvalidInput(f"{shown(str(fid))} is not a forecast id (a number; see `forecast forecasts Q`)")
    chain = _chain(session, rid)
    if only_this_version:
        chain = [r for r in chain if r.id == rid]
        if chain[0].superseded:
            raise Conflict(f"forecast {rid} has been corrected since; delete the newest version")
    newest = max(chain, key=lambda r: (not r.superseded, r.id))
    title = forecast_title(session, newest) + (f" ({len(chain)} versions)" if len(chain) > 1 else "")
    ids = [r.id for r in chain]
    conn = session.connection()
    rows = _forecast_rows(conn, ids)
    previous = newest.supersedes_id if only_this_version else None
    pair = (newest.question_id, newest.forecaster_id)
    for r in chain:
        session.expunge(r)
    conn.execute(text("DELETE FROM forecast WHERE id IN (" + ", ".join(map(str, ids)) + ")"))
    if previous is not None:
        conn.execute(text("UPDATE forecast SET superseded = :f WHERE id = :id"), {"f": False, "id": previous})
    refresh_standing(conn, [pair])
    entry = _record(session, "forecast", newest.id, str(newest.id), title,
                    None if purge else {"rows": rows, "relink": {}}, actor, now)  # fmt: skip
    return Deleted(entry.id, "forecast", newest.id, str(newest.id), title, purge)


def delete_evidence(session: Session, ref: str | int, *, actor: str, purge: bool = False,
                    now: datetime | None = None) -> Deleted:  # fmt: skip
    now, actor = now or utcnow(), _actor(actor)
    e = get_evidence(session, ref)
    conn = session.connection()
    rows, relinks = _evidence_rows(conn, e.id)
    session.expunge(e)
    # forecast_evidence refuses (RESTRICT) to lose its evidence: its rows go first, explicitly.
    conn.execute(text("DELETE FROM forecast_evidence WHERE evidence_id = :id"), {"id": e.id})
    conn.execute(text("DELETE FROM evidence WHERE id = :id"), {"id": e.id})
    title = e.title or e.url or e.key
    entry = _record(session, "evidence", e.id, e.key, title, None if purge else {"rows": rows, "relink": relinks},
                    actor, now)  # fmt: skip
    return Deleted(entry.id, "evidence", e.id, e.key, title, purge)


DELETERS = {"question": delete_question, "forecast": delete_forecast, "evidence": delete_evidence}


# --- the trash ----------------------------------------------------------------------------------------------


def find_entry(session: Session, kind: str, ref: str | int) -> TrashEntry | None:
    """The open (not yet restored or purged) trash entry of a deleted item, by its label or its old id."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of: {', '.join(KINDS)}")
    text_ref = str(ref).strip()
    open_ = select(TrashEntry).where(TrashEntry.state == "deleted", TrashEntry.kind == kind)
    found = session.exec(open_.where(TrashEntry.label == text_ref).order_by(TrashEntry.id.desc())).first()
    rid = as_row_id(text_ref)
    if found is None and rid is not None:
        found = session.exec(open_.where(TrashEntry.item_id == rid).order_by(TrashEntry.id.desc())).first()
    if found is None and rid is not None and kind == "forecast":  # any version's id names the deleted forecast
        for entry in session.exec(open_.order_by(TrashEntry.id.desc())).all():
            if any(r["id"] == rid for r in json.loads(entry.payload)["rows"]["forecast"]):
                return entry
    return found


def _entry(session: Session, kind: str, ref: str | int) -> TrashEntry:
    found = find_entry(session, kind, ref)
    if found is None:
        raise NotFound(f"no deleted {kind} {shown(str(ref))} in the trash (see `forecast trash`)")
    return found


def trashed_slug_message(session: Session, slug: str) -> str | None:
    """Why a slug cannot be used: it belongs to a deleted question. None when it is free of the trash."""
    entry = find_entry(session, "question", slug)
    if entry is None or entry.label != slug:
        return None
    return (f"slug {slug!r} belongs to question {entry.item_id}, deleted by {entry.deleted_by} at "
            f"{shown_time(entry.deleted_at)}; bring it back with `forecast restore question {slug}` or free the "
            f"slug with `forecast q rm {slug} --purge`")  # fmt: skip


def list_trash(session: Session, *, kind: str | None = None, include_closed: bool = False) -> list[dict]:
    stmt = select(TrashEntry).order_by(TrashEntry.deleted_at.desc(), TrashEntry.id.desc())
    if kind is not None:
        if kind not in KINDS:
            raise InvalidInput(f"--kind must be one of: {', '.join(KINDS)}")
        stmt = stmt.where(TrashEntry.kind == kind)
    if not include_closed:
        stmt = stmt.where(TrashEntry.state == "deleted")
    from forecast.core.timeparse import iso_z

    return [
        {"trash_id": e.id, "kind": e.kind, "id": e.item_id, "label": e.label, "title": e.title,
         "deleted_by": e.deleted_by, "deleted_at": iso_z(e.deleted_at), "state": e.state,
         "closed_by": e.closed_by or None, "closed_at": iso_z(e.closed_at)}
        for e in session.exec(stmt).all()
    ]  # fmt: skip


@dataclass(frozen=True)
class RestoreResult:
    kind: str
    item_id: int
    """The id it has now (a new one only when its old id had been taken)."""
    label: str
    title: str
    skipped: dict[str, int]
    """Rows left out because what they pointed at is gone (a link to evidence deleted since)."""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.item_id, "label": self.label, "title": self.title,
                "skipped": self.skipped}  # fmt: skip


def _refuse_clashes(session: Session, entry: TrashEntry, rows: Snapshot) -> None:
    conn = session.connection()
    if entry.kind == "question":
        slug = rows["question"][0]["slug"]
        if conn.execute(text("SELECT 1 FROM question WHERE slug = :s"), {"s": slug}).first():
            raise Conflict(f"cannot restore question {slug}: a question with that slug exists now "
                           "(give it another slug with `forecast q edit`, then restore)")  # fmt: skip
    elif entry.kind == "evidence":
        key = rows["evidence"][0]["key"]
        if conn.execute(text("SELECT 1 FROM evidence WHERE key = :k"), {"k": key}).first():
            raise Conflict(f"cannot restore evidence {key}: evidence with that key exists now")
    elif entry.kind == "forecast":
        first = rows["forecast"][0]
        if not conn.execute(text("SELECT 1 FROM question WHERE id = :q"), {"q": first["question_id"]}).first():
            raise Conflict(f"cannot restore forecast {entry.label}: its question is gone "
                           "(restore the question first; see `forecast trash`)")  # fmt: skip
        mine = {r["id"] for r in rows["forecast"]}
        for r in rows["forecast"]:
            sup = r["supersedes_id"]
            if sup is not None and sup not in mine:
                taken = conn.execute(text("SELECT superseded FROM forecast WHERE id = :id"), {"id": sup}).first()
                if taken is not None and bool(taken[0]):
                    raise Conflict(f"cannot restore forecast {entry.label}: forecast {sup}, which it corrected, "
                                   "has been corrected again since")  # fmt: skip


def restore(session: Session, kind: str, ref: str | int, *, actor: str, now: datetime | None = None) -> RestoreResult:
    now, actor = now or utcnow(), _actor(actor)
    entry = _entry(session, kind, ref)
    payload = json.loads(entry.payload)
    rows: Snapshot = payload["rows"]
    _refuse_clashes(session, entry, rows)
    conn = session.connection()
    done = put_back(conn, rows)
    table = {"question": "question", "forecast": "forecast", "evidence": "evidence"}[kind]
    new_id = done.id_of(table, entry.item_id)
    for where, ids in payload.get("relink", {}).items():
        target_table, column = where.split(".")
        relink(conn, target_table, column, ids, new_id)
    restored_forecasts = [done.id_of("forecast", r["id"]) for r in rows.get("forecast", [])]
    if kind == "forecast":  # a restored correction makes the version it corrected superseded again
        for r in rows["forecast"]:
            sup = r["supersedes_id"]
            if sup is not None and done.id_of("forecast", sup) not in restored_forecasts:
                conn.execute(text("UPDATE forecast SET superseded = :t WHERE id = :id"), {"t": True, "id": sup})
    pairs = {(done.id_of("question", r["question_id"]), r["forecaster_id"]) for r in rows.get("forecast", [])}
    refresh_standing(conn, pairs)
    entry.state, entry.closed_by, entry.closed_at = "restored", actor, now
    session.add(entry)
    session.flush()
    label = rows["question"][0]["slug"] if kind == "question" else (str(new_id) if kind == "forecast" else entry.label)
    return RestoreResult(kind, new_id, label, entry.title, {k: v for k, v in done.skipped.items() if v})


def purge(session: Session, kind: str, ref: str | int, *, actor: str, now: datetime | None = None) -> Deleted:
    """Remove a deleted item for good: its rows go; the entry stays, closed, as the record of the delete."""
    now, actor = now or utcnow(), _actor(actor)
    entry = _entry(session, kind, ref)
    entry.payload, entry.state, entry.closed_by, entry.closed_at = "", "purged", actor, now
    session.add(entry)
    session.flush()
    return Deleted(entry.id, entry.kind, entry.item_id, entry.label, entry.title, True)


def remove(session: Session, kind: str, ref: str | int, *, actor: str, purge_it: bool = False,
           now: datetime | None = None) -> Deleted:  # fmt: skip
    """`rm`: delete a live item (to the trash, or for good with `purge_it`); `rm --purge` of an item that is
    already in the trash purges it there."""
    if purge_it:
        try:
            return DELETERS[kind](session, ref, actor=actor, purge=True, now=now)
        except NotFound:
            if find_entry(session, kind, ref) is None:
                raise
            return purge(session, kind, ref, actor=actor, now=now)
    return DELETERS[kind](session, ref, actor=actor, now=now)
