"""Write a validated interchange batch in one transaction, idempotently.

Questions are upserted by slug, evidence by key, forecasts by their identity
(question, forecaster, made_at, recorded_at); anything already stored is left as it is.
Bulk statements go straight to the driver: a million forecasts must import in seconds.

An import never changes a stored record silently: every field it changes on an existing question (and
every correction link it sets on an existing forecast) is listed in `ImportReport.changes`. A stored
resolution stands unless the file carries a different explicit one; that change is written to the
resolution history (by `actor`) unless the file brings the history event itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING

from forecast.core.bulk_objects import no_cycle_collection
from forecast.core.errors import Conflict
from forecast.core.timeparse import iso_from_micros, to_micros, utcnow
from forecast.core.kind_spec import KindSpec
from forecast.interchange.reader import Batch, check_forecast_kinds, raise_line_errors
from forecast.services.batch_text import clean_batch
from forecast.store import bulk
from forecast.store.large_write import index_rebuilt_after, large_write
from forecast.store.standing import FULL_REFRESH_ABOVE, refresh_standing

if TYPE_CHECKING:
    from sqlmodel import Session

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
    comments_added: int = 0
    skipped: list[dict] = field(default_factory=list)
    # One item per changed field of a stored record: {"question", "field", "from", "to"}
    # (forecasts: {"forecast": {question, forecaster, made_at, recorded_at}, "field", "from", "to"}).
    changes: list[dict] = field(default_factory=list)
    # Stored values the file would have changed but may not: {"question", "field", "stored", "file", "reason"}.
    kept: list[dict] = field(default_factory=list)
    updated_slugs: list[str] = field(default_factory=list)
    # (slug, resolution, resolved_at, note) whose change needs a resolution event.
    resolution_changes: list[tuple] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["updated_slugs"], data["resolution_changes"]
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
    "kind_spec",
    "outcome",
)


class _Writer:
    """The import's statements, in `:name` style (store/bulk.py), on the session's connection."""

    def __init__(self, session: Session) -> None:
        self.conn = session.connection()

    def many(self, sql: str, rows: list[tuple], progress: Callable[[int], None] | None = None) -> None:
        for start in range(0, len(rows), CHUNK):
            bulk.execute_many(self.conn, sql, rows[start : start + CHUNK])
            if progress is not None:
                progress(min(start + CHUNK, len(rows)))

    def insert(self, head: str, rows: list[tuple], tail: str = "", progress: Callable[[int], None] | None = None) -> None:
        """`head` ("INSERT INTO t (a, b)") VALUES each row, then `tail`: several rows to a statement (store/bulk.py).
        For rows of numbers (forecasts, tag links): rows of several texts went in more slowly that way (SQLite
        copies each text once more), and a table with a full-text trigger (evidence) would get other segments."""
        for start in range(0, len(rows), CHUNK):
            bulk.insert_rows(self.conn, head, rows[start : start + CHUNK], tail)
            if progress is not None:
                progress(min(start + CHUNK, len(rows)))

    def all(self, sql: str, params: tuple = ()) -> list[tuple]:
        return bulk.rows(self.conn, sql, params)

    def scalar(self, sql: str, params: tuple = ()):
        return bulk.scalar(self.conn, sql, params)


def _values(columns) -> str:
    return ", ".join(f":{c}" for c in columns)


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
        rec.kind_spec,
        rec.outcome,
    )


def _check_references(w: _Writer, batch: Batch) -> tuple[set[str], set[str]]:
    stored_slugs = {s for (s,) in w.all("SELECT slug FROM question")}
    slugs = stored_slugs | {q.slug for q in batch.questions}
    keys = {e.key for e in batch.evidence}
    # What the forecasts name, gathered at C speed (a million forecasts); each one is looked at only if
    # something named is unknown, to say which lines.
    named_keys = set(chain.from_iterable(filter(None, map(attrgetter("evidence"), batch.forecasts))))
    wanted_keys = named_keys - keys
    if wanted_keys:
        keys |= {k for (k,) in w.all("SELECT key FROM evidence")}
    errors = []
    if not (set(map(attrgetter("question"), batch.forecasts)) <= slugs and named_keys <= keys):
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
    for rec, line in zip([*batch.events, *batch.comments], [*batch.event_lines, *batch.comment_lines], strict=True):
        if rec.question not in slugs:
            errors.append((line, f"unknown question {rec.question!r}"))
    for rec, line in zip(batch.questions, batch.question_lines, strict=True):
        if rec.event_question is not None and rec.event_question not in slugs:
            errors.append((line, f"event_question names unknown question {rec.event_question!r}"))
    _check_kinds(w, batch, stored_slugs, errors)
    errors.sort()
    raise_line_errors(batch.source, errors)
    return slugs, keys


def _check_kinds(w: _Writer, batch: Batch, stored_slugs: set[str], errors: list[tuple[int, str]]) -> None:
    """Every forecast against its question's kind (the file's question, else the stored one), and no change
    of kind or spec on a stored question that has forecasts (they were made for the old one).

    Allocates next to nothing for a binary-only import (a million records are alive and the collector runs)."""
    stored = {slug: (kind, spec) for slug, kind, spec in w.all("SELECT slug, kind, kind_spec FROM question WHERE kind <> 'binary'")}
    specs = {slug: KindSpec.from_stored(kind, spec) for slug, (kind, spec) in stored.items()}
    changed = []
    for rec, line in zip(batch.questions, batch.question_lines, strict=True):
        if rec.kind != "binary":
            specs[rec.slug] = KindSpec.from_stored(rec.kind, rec.kind_spec)
        elif rec.slug in specs:
            del specs[rec.slug]
        if rec.slug in stored_slugs and stored.get(rec.slug, ("binary", "")) != (rec.kind, rec.kind_spec):
            changed.append((rec, line))
    # A binary-only import into a binary-only database needs no pass over its forecasts unless one has a vector.
    vectors = list(map(attrgetter("vector"), batch.forecasts))  # at C speed: a million binary forecasts have none
    if specs or vectors.count(None) != len(vectors):
        binary = stored_slugs.union(q.slug for q in batch.questions).difference(specs)
        check_forecast_kinds(batch, specs, errors, binary)
    for rec, line in changed:
        n = w.scalar("SELECT count(*) FROM forecast f JOIN question q ON q.id = f.question_id WHERE q.slug = :slug",
                     (rec.slug,))  # fmt: skip
        if n:
            errors.append((line, f"question {rec.slug!r} has {n} forecast(s): its kind and spec cannot change "
                                 "(they were made for the stored ones)"))  # fmt: skip


def _import_forecasters(w: _Writer, batch: Batch, now_us: int, report: ImportReport) -> dict[str, int]:
    ids = {name: fid for fid, name in w.all("SELECT id, name FROM forecaster")}
    created: dict[str, int | None] = {r.name: r.created_at for r in batch.forecasters}
    for f in batch.forecasts:
        if f.forecaster not in created or created[f.forecaster] is None:
            first = created.get(f.forecaster)
            created[f.forecaster] = f.recorded_at if first is None else min(first, f.recorded_at)
    missing = [(name, at if at is not None else now_us) for name, at in created.items() if name not in ids]
    if missing:
        w.many("INSERT INTO forecaster (name, created_at) VALUES (:name, :created_at)", missing)
        report.forecasters_added = len(missing)
        ids = {name: fid for fid, name in w.all("SELECT id, name FROM forecaster")}
    return ids


_E_COLS = (
    "key", "url", "canonical_url", "title", "outlet", "author", "published_at", "published_source",
    "retrieved_at", "text", "excerpt", "content_hash", "inbox", "dismissed", "created_at",
)  # fmt: skip
_F_COLS = ("question_id", "forecaster_id", "probability", "made_at", "recorded_at", "rationale", "superseded")
_KIND_F_COLS = (*_F_COLS, "vector", "entered")
_TIME_COLS = {"opens_at", "closes_at", "resolves_at", "resolved_at", "created_at", "updated_at"}
_RESOLUTION_COLS = ("status", "resolution", "resolved_at", "resolution_note", "outcome")
# What an import compares: everything but the bookkeeping times (an older export's `updated_at` alone is
# no change, and `created_at` of a stored question is never moved).
_CONTENT_COLS = tuple(c for c in _Q_COLS if c not in ("slug", "created_at", "updated_at"))
_IDX = {c: i for i, c in enumerate(_Q_COLS)}


def _shown(col: str, value):
    return iso_from_micros(value) if col in _TIME_COLS and value is not None else value


def merge_question(old: tuple, row: tuple) -> tuple[tuple, list[str], bool]:
    """The row to store for a question that exists, the columns it changes, and whether the stored
    resolution was kept because the file has none (an older export must not reopen a resolved question)."""
    new = list(row)
    kept = False
    if row[_IDX["resolution"]] is None and old[_IDX["resolution"]] is not None:
        for col in _RESOLUTION_COLS:
            new[_IDX[col]] = old[_IDX[col]]
        kept = True
    new[_IDX["created_at"]] = old[_IDX["created_at"]]
    changed = [c for c in _CONTENT_COLS if old[_IDX[c]] != new[_IDX[c]]]
    return tuple(new), changed, kept


def _refuse_deleted(w: _Writer, slugs: list[str]) -> None:
    """A file naming a deleted question does not bring it back as a new one without its history (the
    trash keeps its slug, as `q add` does): restore or purge it first."""
    trashed = {label for (label,) in w.all("SELECT label FROM trash WHERE kind = 'question' AND state = 'deleted'")}
    hit = sorted(trashed.intersection(slugs))
    if hit:
        raise Conflict(f"question {hit[0]} in the file was deleted (see `forecast trash`): bring it back with "
                       f"`forecast restore question {hit[0]}`, or free its slug with `forecast q rm {hit[0]} --purge`"
                       + (f" ({len(hit) - 1} more like it)" if len(hit) > 1 else ""))  # fmt: skip


def _import_questions(w: _Writer, batch: Batch, now_us: int, report: ImportReport) -> dict[str, int]:
    stored = {row[0]: row for row in w.all(f"SELECT {', '.join(_Q_COLS)}, id FROM question")}
    inserts, updates = [], []
    changed_slugs: set[str] = set()
    for rec in batch.questions:
        row = _question_row(rec, now_us)
        old = stored.get(rec.slug)
        if old is None:
            inserts.append(row)
            continue
        old = tuple(old[: len(_Q_COLS)])
        new, changed, kept = merge_question(old, row)
        if kept:
            report.kept.append(
                {"question": rec.slug, "field": "resolution", "stored": old[_IDX["resolution"]], "file": None,
                 "reason": "the file has no resolution; the stored one stands"}
            )  # fmt: skip
        if not changed:
            continue
        res, at = _IDX["resolution"], _IDX["resolved_at"]
        if (new[res], new[at]) != (old[res], old[at]):
            report.resolution_changes.append((rec.slug, new[res], new[at], new[_IDX["resolution_note"]], new[_IDX["outcome"]]))
        stamp = new[_IDX["updated_at"]]
        new = new[: _IDX["updated_at"]] + (stamp if stamp > old[_IDX["updated_at"]] else now_us,) + new[_IDX["updated_at"] + 1 :]
        updates.append(new[1:] + (rec.slug,))
        changed_slugs.add(rec.slug)
        report.changes += [
            {"question": rec.slug, "field": c, "from": _shown(c, old[_IDX[c]]), "to": _shown(c, new[_IDX[c]])}
            for c in changed
        ]
    _refuse_deleted(w, [row[0] for row in inserts])
    cols = ", ".join(_Q_COLS)
    w.many(f"INSERT INTO question ({cols}) VALUES ({_values(_Q_COLS)})", inserts)
    sets = ", ".join(f"{c} = :{c}" for c in _Q_COLS[1:])
    w.many(f"UPDATE question SET {sets} WHERE slug = :slug", updates)
    ids = {slug: qid for qid, slug in w.all("SELECT id, slug FROM question")}
    tag_changed = _import_tags(w, batch, ids, {slug for slug in stored}, report)
    tag_changed |= _import_event_links(w, batch, ids, stored.keys(), report)
    if tag_changed - changed_slugs:
        w.many("UPDATE question SET updated_at = :updated_at WHERE slug = :slug", [(now_us, s) for s in sorted(tag_changed - changed_slugs)])
    changed_slugs |= tag_changed
    report.updated_slugs = sorted(changed_slugs)
    report.questions_added, report.questions_updated = len(inserts), len(changed_slugs)
    report.questions_unchanged = len(batch.questions) - len(inserts) - len(changed_slugs)
    return ids


def _import_event_links(w: _Writer, batch: Batch, qids: dict[str, int], existing, report: ImportReport) -> set[str]:
    """Link each "before X" binary question to its date question as the file says; returns the stored
    questions whose link changed (each listed in the report)."""
    stored = dict(w.all("SELECT q.slug, e.slug FROM question q JOIN question e ON e.id = q.event_question_id"))
    if not stored and not any(q.event_question for q in batch.questions):
        return set()
    updates, changed = [], set()
    for rec in batch.questions:
        old = stored.get(rec.slug)
        if old == rec.event_question:
            continue
        updates.append((None if rec.event_question is None else qids[rec.event_question], rec.slug))
        if rec.slug in existing:
            changed.add(rec.slug)
            report.changes.append({"question": rec.slug, "field": "event_question", "from": old, "to": rec.event_question})
    w.many("UPDATE question SET event_question_id = :event_question_id WHERE slug = :slug", updates)
    return changed


def _import_tags(w: _Writer, batch: Batch, qids: dict[str, int], existing: set[str], report: ImportReport) -> set[str]:
    """Make each question's tags those of the file; returns the stored questions whose tags changed."""
    wanted = {t for q in batch.questions for t in q.tags}
    tag_ids = {name: tid for tid, name in w.all("SELECT id, name FROM tag")}
    new = sorted(wanted - tag_ids.keys())
    if new:
        w.many("INSERT INTO tag (name) VALUES (:name)", [(t,) for t in new])
        tag_ids = {name: tid for tid, name in w.all("SELECT id, name FROM tag")}
    names = {tid: name for name, tid in tag_ids.items()}
    current: dict[int, set[int]] = {}
    for qid, tid in w.all("SELECT question_id, tag_id FROM question_tag"):
        current.setdefault(qid, set()).add(tid)
    drops, adds = [], []
    changed: set[str] = set()
    for rec in batch.questions:
        qid = qids[rec.slug]
        want = {tag_ids[t] for t in rec.tags}
        have = current.get(qid, set())
        if want == have:
            continue
        drops += [(qid, tid) for tid in have - want]
        adds += [(qid, tid) for tid in want - have]
        if rec.slug in existing:
            changed.add(rec.slug)
            report.changes.append(
                {"question": rec.slug, "field": "tags", "from": sorted(names[t] for t in have), "to": sorted(rec.tags)}
            )
    w.many("DELETE FROM question_tag WHERE question_id = :question_id AND tag_id = :tag_id", drops)
    w.insert("INSERT INTO question_tag (question_id, tag_id)", adds)
    return changed


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
    w.many(f"INSERT INTO evidence ({', '.join(_E_COLS)}) VALUES ({_values(_E_COLS)})", rows)
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
        "INSERT INTO evidence_link (evidence_id, question_id, stance, note, created_at) "
        "VALUES (:evidence_id, :question_id, :stance, :note, :created_at) ON CONFLICT DO NOTHING",
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
) -> set[tuple[int, int]] | None:
    """Insert the file's forecasts; returns the (question_id, forecaster_id) pairs they are on (None: more
    than a full refresh of the standing forecasts needs)."""
    rows = [
        (qids[f.question], fids[f.forecaster], f.probability, f.made_at, f.recorded_at, f.rationale, False)
        for f in batch.forecasts
        if f.vector is None
    ]
    # Non-binary forecasts (checked and encoded by check_forecast_kinds) take two more columns; binary rows
    # leave them to their defaults (NULL, '') so the million-row path binds nothing more than before.
    kind_rows = [
        (qids[f.question], fids[f.forecaster], f.probability, f.made_at, f.recorded_at, f.rationale, False, f.vector,
         f.entered)
        for f in batch.forecasts
        if f.vector is not None
    ] if len(rows) < len(batch.forecasts) else []  # fmt: skip
    before = w.scalar("SELECT count(*) FROM forecast")
    special = [f for f in batch.forecasts if f.evidence or f.supersedes]
    last_stored_id = w.scalar("SELECT max(id) FROM forecast") if special else None
    with index_rebuilt_after(w.conn, "ix_forecast_forecaster_question", rebuild=len(rows) + len(kind_rows) > before):
        w.insert(f"INSERT INTO forecast ({', '.join(_F_COLS)})", rows, "ON CONFLICT DO NOTHING", progress)
        w.many(
            f"INSERT INTO forecast ({', '.join(_KIND_F_COLS)}) VALUES ({_values(_KIND_F_COLS)}) ON CONFLICT DO NOTHING",
            kind_rows,
        )
    added = w.scalar("SELECT count(*) FROM forecast") - before
    report.forecasts_added, report.forecasts_existing = added, len(rows) + len(kind_rows) - added
    pairs = _pairs_of(rows)
    if pairs is not None and kind_rows:
        pairs |= {row[:2] for row in kind_rows}
    if not special:
        return pairs
    ident = (
        "SELECT id, supersedes_id FROM forecast WHERE question_id = :question_id "
        "AND forecaster_id = :forecaster_id AND made_at = :made_at AND recorded_at = :recorded_at"
    )
    errors = []
    links: list[tuple[int, int, int]] = []  # (line, new id, old id)
    for f, line in zip(batch.forecasts, batch.forecast_lines, strict=True):
        if not (f.evidence or f.supersedes):
            continue
        qid, fid = qids[f.question], fids[f.forecaster]
        new_id, stored_sup = w.all(ident, (qid, fid, f.made_at, f.recorded_at))[0]
        if f.supersedes:
            # Looked up on the same question and forecaster: a correction never crosses either.
            old = w.all(ident, (qid, fid, *f.supersedes))
            if not old:
                errors.append((line, "supersedes a forecast that is neither stored nor in the file "
                                     "(by the same forecaster on the same question)"))  # fmt: skip
                continue
            old_id = old[0][0]
            if stored_sup is not None and stored_sup != old_id:
                errors.append((line, "this forecast is stored as the correction of another forecast"))
                continue
            if stored_sup is None:
                links.append((line, new_id, old_id))
                if last_stored_id is not None and new_id <= last_stored_id:
                    report.changes.append(
                        {"forecast": _forecast_ident(f), "field": "supersedes", "from": None,
                         "to": {"made_at": iso_from_micros(f.supersedes[0]), "recorded_at": iso_from_micros(f.supersedes[1])}}
                    )  # fmt: skip
        if f.evidence:
            w.many(
                "INSERT INTO forecast_evidence (forecast_id, evidence_id) "
                "SELECT :forecast_id, id FROM evidence WHERE key = :key ON CONFLICT DO NOTHING",
                [(new_id, key) for key in f.evidence],
            )
    errors += _check_corrections(w, links)
    if not errors:
        w.many("UPDATE forecast SET supersedes_id = :supersedes_id WHERE id = :id", [(old_id, new_id) for _, new_id, old_id in links])
        w.many("UPDATE forecast SET superseded = :superseded WHERE id = :id", [(True, old_id) for _, _, old_id in links])
    errors.sort()
    raise_line_errors(batch.source, errors)
    return pairs


def _pairs_of(rows: list[tuple]) -> set[tuple[int, int]] | None:
    """The (question_id, forecaster_id) pairs of `rows`, or None once there are more than a full refresh of
    the standing forecasts needs (store/standing.py): a set of a million pairs took a second to build."""
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(rows), 10_000):
        pairs.update(row[:2] for row in rows[start : start + 10_000])
        if len(pairs) > FULL_REFRESH_ABOVE:
            return None
    return pairs


def _forecast_ident(f) -> dict:
    return {"question": f.question, "forecaster": f.forecaster, "made_at": iso_from_micros(f.made_at),
            "recorded_at": iso_from_micros(f.recorded_at)}  # fmt: skip


def _check_corrections(w: _Writer, links: list[tuple[int, int, int]]) -> list[tuple[int, str]]:
    """New correction links must keep every chain a simple line: nothing corrects itself, nothing is
    corrected twice, and following `supersedes` never comes back to where it started."""
    if not links:
        return []
    errors = []
    target: dict[int, int] = {}  # corrected id -> line of the file's correction
    for line, new_id, old_id in links:
        if new_id == old_id:
            errors.append((line, "a forecast cannot supersede itself"))
        elif old_id in target:
            errors.append((line, f"supersedes the same forecast as line {target[old_id]}"))
        else:
            target[old_id] = line
    ids = sorted(target)
    already = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        already |= {row[0] for row in w.all(
            f"SELECT supersedes_id FROM forecast WHERE supersedes_id IN ({_values(f'i{n}' for n in range(len(chunk)))})",
            tuple(chunk)
        )}  # fmt: skip
    for line, new_id, old_id in links:
        if old_id in already and new_id != old_id:
            errors.append((line, "supersedes a forecast that is already corrected by another one"))
    # Cycles: follow each new link's chain through the file's links and the stored ones.
    pending = {new_id: old_id for _, new_id, old_id in links if new_id != old_id}
    for line, new_id, old_id in links:
        seen, node, steps = {new_id}, old_id, 0
        while node is not None and steps < 10_000:
            if node in seen:
                errors.append((line, "supersedes would form a cycle of corrections"))
                break
            seen.add(node)
            nxt = pending.get(node)
            if nxt is None:
                rows = w.all("SELECT supersedes_id FROM forecast WHERE id = :id", (node,))
                nxt = rows[0][0] if rows else None
            node, steps = nxt, steps + 1
    return errors


def _import_events(w: _Writer, batch: Batch, qids: dict[str, int], now_us: int, actor: str, report: ImportReport) -> None:
    stored = set(w.all("SELECT question_id, action, at FROM resolution_event"))
    rows = []
    for e in batch.events:
        ident = (qids[e.question], e.action, e.at)
        if ident in stored:
            continue
        stored.add(ident)
        rows.append((*ident[:2], e.resolution, e.resolved_at, e.note, e.actor, e.at, e.outcome))
    # A resolution the import changed is history too, unless the file brought the event that made it.
    brought = {(qid, res, at) for qid, action, res, at, *_ in rows if action == "resolve"}
    for slug, resolution, resolved_at, note, outcome in report.resolution_changes:
        qid = qids[slug]
        if (qid, resolution, resolved_at) not in brought:
            rows.append((qid, "resolve", resolution, resolved_at, note, actor, now_us, outcome))
    w.many(
        "INSERT INTO resolution_event (question_id, action, resolution, resolved_at, note, actor, at, outcome) "
        "VALUES (:question_id, :action, :resolution, :resolved_at, :note, :actor, :at, :outcome)",
        rows,
    )
    report.resolution_events_added = len(rows)


def _import_comments(w: _Writer, batch: Batch, qids: dict[str, int], report: ImportReport) -> None:
    """New comments are added; one already stored (same question, author and time) keeps its stored text."""
    stored = set(w.all("SELECT question_id, author, created_at FROM comment"))
    rows = []
    for c in batch.comments:
        ident = (qids[c.question], c.author, c.created_at)
        if ident not in stored:
            stored.add(ident)
            rows.append((*ident, c.body, c.updated_at))
    w.many(
        "INSERT INTO comment (question_id, author, created_at, body, updated_at) "
        "VALUES (:question_id, :author, :created_at, :body, :updated_at)",
        rows,
    )
    report.comments_added = len(rows)


def import_batch(
    session: Session, batch: Batch, *, progress: Callable[[int], None] | None = None, actor: str = "import"
) -> ImportReport:
    """All or nothing: the caller's session scope commits only if every step succeeded.

    `actor` signs the resolution events this import writes for resolutions it changed.

    Every id it writes (a question's, a forecaster's, a forecast's, ...) it read or created in this same
    transaction, and it deletes only rows nothing refers to (tag links, standing forecasts): the bulk import
    runs without SQLite's foreign-key lookups (store/transaction.py, `ids_read_here`). Keep it so."""
    clean_batch(batch)  # the storage text rules, as for every ORM write
    w = _Writer(session)
    now_us = to_micros(utcnow())
    report = ImportReport(skipped=[{"line": line, "reason": reason} for line, reason in batch.skipped])
    _check_references(w, batch)
    with large_write(w.conn), no_cycle_collection():
        fids = _import_forecasters(w, batch, now_us, report)
        qids = _import_questions(w, batch, now_us, report)
        _import_evidence(w, batch, qids, now_us, report)
        pairs = _import_forecasts(w, batch, qids, fids, report, progress)
        if report.forecasts_added:
            refresh_standing(w.conn, pairs)
        _import_events(w, batch, qids, now_us, actor, report)
        _import_comments(w, batch, qids, report)
    return report
