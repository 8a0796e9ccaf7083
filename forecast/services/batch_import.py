"""Write a validated interchange batch in one transaction, idempotently.

Questions are upserted by slug, evidence by key, forecasts by their identity
(question, forecaster, made_at, recorded_at); anything already stored is left as it is.
Bulk statements go straight to the driver: a million forecasts must import in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from sqlmodel import Session

from forecast.core.timeparse import to_micros, utcnow
from forecast.interchange.reader import Batch, raise_line_errors
from forecast.services.batch_text import clean_batch
from forecast.store.standing import refresh_standing

CHUNK = 50_000


@dataclass
class ImportReport:
    forecasters_added: int = 0
    questions_added: int = 0
    questions_updated: int = 0
    questions_unchanged: int = 0
    forecasts_added: int = 0
    forecasts_existing: int = 0
    evidence_added: int = 0
    evidence_existing: int = 0
    links_added: int = 0
    resolution_events_added: int = 0
    skipped: list[dict] = field(default_factory=list)
    updated_slugs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["updated_slugs"]
        return data


_Q_COLS = (
    "slug",
    "title",
    "kind",
    "description",
    "criteria",
    "opens_at",
    "closes_at",
    "resolves_at",
    "status",
    "resolution",
    "resolved_at",
    "resolution_note",
    "auto_rule",
    "created_at",
    "updated_at",
    "source_file",
)


class _Writer:
    def __init__(self, session: Session) -> None:
        self.conn = session.connection()
        self.ph = "?" if self.conn.dialect.name == "sqlite" else "%s"

    def many(self, sql: str, rows: list[tuple], progress: Callable[[int], None] | None = None) -> None:
        sql = sql.replace("?", self.ph)
        for start in range(0, len(rows), CHUNK):
            self.conn.exec_driver_sql(sql, rows[start : start + CHUNK])
            if progress is not None:
                progress(min(start + CHUNK, len(rows)))

    def all(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.conn.exec_driver_sql(sql.replace("?", self.ph), params).all()

    def scalar(self, sql: str):
        return self.conn.exec_driver_sql(sql).scalar()


def _question_row(rec, now_us: int) -> tuple:
    created = rec.created_at if rec.created_at is not None else rec.opens_at
    return (
        rec.slug,
        rec.title,
        rec.kind,
        rec.description,
        rec.criteria,
        rec.opens_at,
        rec.closes_at,
        rec.resolves_at,
        rec.status,
        rec.resolution,
        rec.resolved_at,
        rec.resolution_note,
        rec.auto,
        created,
        rec.updated_at if rec.updated_at is not None else created,
        rec.source_file,
    )


def _check_references(w: _Writer, batch: Batch) -> tuple[set[str], set[str]]:
    stored_slugs = {s for (s,) in w.all("SELECT slug FROM question")}
    slugs = stored_slugs | {q.slug for q in batch.questions}
    keys = {e.key for e in batch.evidence}
    wanted_keys = {k for f in batch.forecasts for k in f.evidence} - keys
    if wanted_keys:
        keys |= {k for (k,) in w.all("SELECT key FROM evidence")}
    errors = []
    for rec, line in zip(batch.forecasts, batch.forecast_lines, strict=True):
        if rec.question not in slugs:
            errors.append((line, f"unknown question {rec.question!r}"))
        for key in rec.evidence:
            if key not in keys:
                errors.append((line, f"unknown evidence {key!r}"))
    for rec, line in zip(batch.evidence, batch.evidence_lines, strict=True):
        for link in rec.links:
            if link.question not in slugs:
                errors.append((line, f"link to unknown question {link.question!r}"))
    for rec, line in zip(batch.events, batch.event_lines, strict=True):
        if rec.question not in slugs:
            errors.append((line, f"unknown question {rec.question!r}"))
    errors.sort()
    raise_line_errors(batch.source, errors)
    return slugs, keys


def _import_forecasters(w: _Writer, batch: Batch, now_us: int, report: ImportReport) -> dict[str, int]:
    ids = {name: fid for fid, name in w.all("SELECT id, name FROM forecaster")}
    created: dict[str, int | None] = {r.name: r.created_at for r in batch.forecasters}
    for f in batch.forecasts:
        if f.forecaster not in created or created[f.forecaster] is None:
            first = created.get(f.forecaster)
            created[f.forecaster] = f.recorded_at if first is None else min(first, f.recorded_at)
    missing = [(name, at if at is not None else now_us) for name, at in created.items() if name not in ids]
    if missing:
        w.many("INSERT INTO forecaster (name, created_at) VALUES (?, ?)", missing)
        report.forecasters_added = len(missing)
        ids = {name: fid for fid, name in w.all("SELECT id, name FROM forecaster")}
    return ids


def _import_questions(w: _Writer, batch: Batch, now_us: int, report: ImportReport) -> dict[str, int]:
    stored = {row[0]: row for row in w.all(f"SELECT {', '.join(_Q_COLS)}, id FROM question")}
    inserts, updates = [], []
    for rec in batch.questions:
        row = _question_row(rec, now_us)
        old = stored.get(rec.slug)
        if old is None:
            inserts.append(row)
        elif tuple(old[: len(_Q_COLS)]) != row:
            updates.append(row[1:] + (rec.slug,))
            report.updated_slugs.append(rec.slug)
        else:
            report.questions_unchanged += 1
    cols = ", ".join(_Q_COLS)
    w.many(f"INSERT INTO question ({cols}) VALUES ({', '.join('?' * len(_Q_COLS))})", inserts)
    sets = ", ".join(f"{c} = ?" for c in _Q_COLS[1:])
    w.many(f"UPDATE question SET {sets} WHERE slug = ?", updates)
    report.questions_added, report.questions_updated = len(inserts), len(updates)
    ids = {slug: qid for qid, slug in w.all("SELECT id, slug FROM question")}
    _import_tags(w, batch, ids)
    return ids


def _import_tags(w: _Writer, batch: Batch, qids: dict[str, int]) -> None:
    wanted = {t for q in batch.questions for t in q.tags}
    tag_ids = {name: tid for tid, name in w.all("SELECT id, name FROM tag")}
    new = sorted(wanted - tag_ids.keys())
    if new:
        w.many("INSERT INTO tag (name) VALUES (?)", [(t,) for t in new])
        tag_ids = {name: tid for tid, name in w.all("SELECT id, name FROM tag")}
    current: dict[int, set[int]] = {}
    for qid, tid in w.all("SELECT question_id, tag_id FROM question_tag"):
        current.setdefault(qid, set()).add(tid)
    drops, adds = [], []
    for rec in batch.questions:
        qid = qids[rec.slug]
        want = {tag_ids[t] for t in rec.tags}
        have = current.get(qid, set())
        drops += [(qid, tid) for tid in have - want]
        adds += [(qid, tid) for tid in want - have]
    w.many("DELETE FROM question_tag WHERE question_id = ? AND tag_id = ?", drops)
    w.many("INSERT INTO question_tag (question_id, tag_id) VALUES (?, ?)", adds)


def _import_evidence(w: _Writer, batch: Batch, qids: dict[str, int], now_us: int, report: ImportReport) -> None:
    stored = {key for (key,) in w.all("SELECT key FROM evidence")}
    rows = []
    for e in batch.evidence:
        if e.key in stored:
            report.evidence_existing += 1
            continue
        stored.add(e.key)
        rows.append(
            (
                e.key, e.url, e.canonical_url, e.title, e.outlet, e.author, e.published_at,
                e.published_source, e.retrieved_at, e.text, e.excerpt, e.content_hash,
                e.inbox, e.dismissed, e.created_at if e.created_at is not None else now_us,
            )
        )  # fmt: skip
    w.many(
        "INSERT INTO evidence (key, url, canonical_url, title, outlet, author, published_at, published_source, "
        "retrieved_at, text, excerpt, content_hash, inbox, dismissed, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    report.evidence_added = len(rows)
    if not any(e.links for e in batch.evidence):
        return
    eids = {key: eid for eid, key in w.all("SELECT id, key FROM evidence")}
    links = [
        (eids[e.key], qids[link.question], link.stance, link.note, link.created_at or now_us)
        for e in batch.evidence
        for link in e.links
    ]
    before = w.scalar("SELECT count(*) FROM evidence_link")
    w.many(
        "INSERT INTO evidence_link (evidence_id, question_id, stance, note, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        links,
    )
    report.links_added = w.scalar("SELECT count(*) FROM evidence_link") - before


def _import_forecasts(
    w: _Writer,
    batch: Batch,
    qids: dict[str, int],
    fids: dict[str, int],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    rows = [
        (qids[f.question], fids[f.forecaster], f.probability, f.made_at, f.recorded_at, f.rationale, False)
        for f in batch.forecasts
    ]
    before = w.scalar("SELECT count(*) FROM forecast")
    w.many(
        "INSERT INTO forecast (question_id, forecaster_id, probability, made_at, recorded_at, rationale, superseded) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        rows,
        progress,
    )
    added = w.scalar("SELECT count(*) FROM forecast") - before
    report.forecasts_added, report.forecasts_existing = added, len(rows) - added
    special = [f for f in batch.forecasts if f.evidence or f.supersedes]
    if not special:
        return
    ident = "SELECT id FROM forecast WHERE question_id = ? AND forecaster_id = ? AND made_at = ? AND recorded_at = ?"
    errors = []
    for f, line in zip(batch.forecasts, batch.forecast_lines, strict=True):
        if not (f.evidence or f.supersedes):
            continue
        qid, fid = qids[f.question], fids[f.forecaster]
        (new_id,) = w.all(ident, (qid, fid, f.made_at, f.recorded_at))[0]
        if f.supersedes:
            old = w.all(ident, (qid, fid, *f.supersedes))
            if not old:
                errors.append((line, "supersedes a forecast that is neither stored nor in the file"))
                continue
            w.many("UPDATE forecast SET supersedes_id = ? WHERE id = ?", [(old[0][0], new_id)])
            w.many("UPDATE forecast SET superseded = ? WHERE id = ?", [(True, old[0][0])])
        if f.evidence:
            w.many(
                "INSERT INTO forecast_evidence (forecast_id, evidence_id) "
                "SELECT ?, id FROM evidence WHERE key = ? ON CONFLICT DO NOTHING",
                [(new_id, key) for key in f.evidence],
            )
    raise_line_errors(batch.source, errors)


def _import_events(w: _Writer, batch: Batch, qids: dict[str, int], report: ImportReport) -> None:
    stored = set(w.all("SELECT question_id, action, at FROM resolution_event"))
    rows = []
    for e in batch.events:
        ident = (qids[e.question], e.action, e.at)
        if ident in stored:
            continue
        stored.add(ident)
        rows.append((*ident[:2], e.resolution, e.resolved_at, e.note, e.actor, e.at))
    w.many(
        "INSERT INTO resolution_event (question_id, action, resolution, resolved_at, note, actor, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    report.resolution_events_added = len(rows)


def import_batch(session: Session, batch: Batch, *, progress: Callable[[int], None] | None = None) -> ImportReport:
    """All or nothing: the caller's session scope commits only if every step succeeded."""
    clean_batch(batch)  # the storage text rules, as for every ORM write
    w = _Writer(session)
    now_us = to_micros(utcnow())
    report = ImportReport(skipped=[{"line": line, "reason": reason} for line, reason in batch.skipped])
    _check_references(w, batch)
    fids = _import_forecasters(w, batch, now_us, report)
    qids = _import_questions(w, batch, now_us, report)
    _import_evidence(w, batch, qids, now_us, report)
    _import_forecasts(w, batch, qids, fids, report, progress)
    if report.forecasts_added:
        refresh_standing(w.conn, {(qids[f.question], fids[f.forecaster]) for f in batch.forecasts})
    _import_events(w, batch, qids, report)
    return report
