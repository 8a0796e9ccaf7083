"""Undo for the TUI: each change it makes yields a token saying how to take that change back; `undo` applies
the inverse through the same services, in a write transaction of its own. The front end keeps only the
stack of tokens (several levels deep, newest last).

Tokens are taken inside the change's own unit of work, so they describe exactly what it did:
- a forecast: the inverse moves it to the trash (a correction: the version it corrected stands again);
- a resolve: unresolve; an unresolve: resolve again as before (both stay in the resolution history);
- an edit of a question: its fields and tags as they were;
- a link of evidence to a question: unlink, or the link's stance and note as they were;
- a delete (question, forecast, evidence): restore it from the trash;
- a new question: move it to the trash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from forecast.core.timeparse import from_micros, to_micros, utcnow
from forecast.services.lookup import get_question
from forecast.store.tables import EvidenceLink, ForecastRow, Question


@dataclass(frozen=True)
class UndoToken:
    kind: str
    what: str
    """The change in words, for "Undid: forecast 35% on nk-launch"."""
    data: dict = field(default_factory=dict, compare=False, hash=False)


def _pct(p: float) -> str:
    return f"{p * 100:.4g}%"


def for_forecast(session: Session, row: ForecastRow) -> UndoToken:
    q = session.get(Question, row.question_id)
    verb = "correction" if row.supersedes_id is not None else "forecast"
    return UndoToken("forecast", f"{verb} {_pct(row.probability)} on {q.slug}", {"id": row.id})


def for_resolution(q: Question, *, before: dict | None) -> UndoToken:
    """After a resolve (`before` None) or an unresolve (`before` = resolution_state taken before it)."""
    if before is None:
        return UndoToken("resolve", f"resolve {q.slug} {q.resolution}", {"question": q.id})
    return UndoToken("unresolve", f"unresolve {q.slug}", {"question": q.id, **before})


def resolution_state(q: Question) -> dict:
    return {"resolution": q.resolution, "resolved_at": to_micros(q.resolved_at) if q.resolved_at else None,
            "note": q.resolution_note, "outcome": q.outcome}  # fmt: skip


EDITABLE = ("title", "slug", "description", "criteria", "opens_at", "closes_at", "resolves_at", "auto_rule")


def before_edit(session: Session, question_id: int) -> UndoToken:
    """Taken before an edit: the question's fields and tags as they are."""
    from forecast.services.tags import tags_of

    q = get_question(session, question_id)
    fields = {k: getattr(q, k) for k in EDITABLE}
    for k in ("opens_at", "closes_at", "resolves_at"):
        fields[k] = to_micros(fields[k])
    return UndoToken("edit", f"edit of {q.slug}", {"question": q.id, "fields": fields, "tags": list(tags_of(session, q.id))})


def before_link(session: Session, evidence_id: int, question_id: int) -> UndoToken:
    """Taken before linking evidence to a question: the link as it was, or that there was none."""
    from forecast.store.tables import Evidence

    q = session.get(Question, question_id)
    ev = session.get(Evidence, evidence_id)
    link = session.get(EvidenceLink, (evidence_id, question_id))
    before = None if link is None else {"stance": link.stance, "note": link.note}
    name = (ev.title or ev.key) if ev else str(evidence_id)
    return UndoToken("link", f"link of {name[:40]} to {q.slug}",
                     {"evidence": evidence_id, "question": question_id, "before": before})  # fmt: skip


def for_delete(deleted) -> UndoToken:
    """After a delete to the trash (services.trash.Deleted)."""
    return UndoToken("delete", f"delete of {deleted.kind} {deleted.label}", {"kind": deleted.kind, "id": deleted.item_id})


def for_new_question(q: Question) -> UndoToken:
    return UndoToken("add", f"new question {q.slug}", {"question": q.id})


def undo(session: Session, token: UndoToken, *, actor: str, now: datetime | None = None) -> str:
    """Take the change back; returns what was undone, in words. Refused (ForecastError) when the item has
    changed since in a way the inverse cannot follow (a forecast corrected again, say)."""
    from forecast.services import evidence as evidence_service
    from forecast.services import resolution, trash
    from forecast.services.questions.authoring import edit_question

    now = now or utcnow()
    d = token.data
    if token.kind == "forecast":
        trash.delete_forecast(session, d["id"], actor=actor, now=now, only_this_version=True)
    elif token.kind == "resolve":
        resolution.unresolve(session, d["question"], actor=actor, note="undone", now=now)
    elif token.kind == "unresolve":
        at = from_micros(d["resolved_at"]) if d["resolved_at"] is not None else None
        resolution.resolve(session, d["question"], d.get("outcome") or d["resolution"], actor=actor, at=at, note=d["note"],
                           now=now)  # fmt: skip
    elif token.kind == "edit":
        fields = dict(d["fields"])
        for k in ("opens_at", "closes_at", "resolves_at"):
            fields[k] = from_micros(fields[k])
        auto = fields.pop("auto_rule")
        edit_question(session, d["question"], auto=auto, tags=tuple(d["tags"]), now=now, **fields)
    elif token.kind == "link":
        before = d["before"]
        if before is None:
            evidence_service.unlink_evidence(session, d["evidence"], d["question"])
        else:
            evidence_service.link_evidence(session, d["evidence"], d["question"], stance=before["stance"],
                                           note=before["note"], replace_note=True, now=now)  # fmt: skip
            link = session.get(EvidenceLink, (d["evidence"], d["question"]))
            link.note = before["note"]  # an empty earlier note too
            session.add(link)
    elif token.kind == "delete":
        trash.restore(session, d["kind"], d["id"], actor=actor, now=now)
    elif token.kind == "add":
        trash.delete_question(session, d["question"], actor=actor, now=now)
    else:
        raise ValueError(f"unknown undo token {token.kind!r}")
    session.flush()
    return token.what
