"""Write the whole database as interchange v2 JSON Lines, in a stable order (docs/interchange.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

import orjson
from sqlmodel import Session

from forecast.core.kind_spec import decode_vector
from forecast.interchange import FORMAT, VERSION
from forecast.interchange.writer import QUESTION_COLUMNS, iso, question_record
from forecast.store import bulk


def export_jsonl(session: Session, out: BinaryIO, *, progress: Callable[[int], None] | None = None) -> dict:
    conn = session.connection()

    def q(sql: str):
        return bulk.iterate(conn, sql)

    dumps = orjson.dumps
    counts = {"forecasters": 0, "questions": 0, "evidence": 0, "forecasts": 0, "resolution_events": 0, "comments": 0}

    def emit(obj: dict) -> None:
        out.write(dumps(obj))
        out.write(b"\n")

    emit({"type": "header", "format": FORMAT, "version": VERSION})
    for name, created in q("SELECT name, created_at FROM forecaster ORDER BY name"):
        emit({"type": "forecaster", "name": name, "created_at": iso(created)})
        counts["forecasters"] += 1

    tags: dict[int, list[str]] = {}
    for qid, name in q(
        "SELECT qt.question_id, t.name FROM question_tag qt JOIN tag t ON t.id = qt.tag_id ORDER BY t.name"
    ):
        tags.setdefault(qid, []).append(name)
    slugs: dict[int, str] = {}
    rows = list(q(f"SELECT id, event_question_id, {', '.join(QUESTION_COLUMNS)} FROM question ORDER BY slug"))
    slugs.update((qid, row[0]) for qid, _, *row in rows)
    for qid, event, *row in rows:
        record = question_record(row, tags.get(qid, []))
        emit({"type": "question", **record, "event_question": None if event is None else slugs[event]})
        counts["questions"] += 1

    links: dict[int, list[dict]] = {}
    for eid, qid, stance, note, created in q(
        "SELECT evidence_id, question_id, stance, note, created_at FROM evidence_link ORDER BY evidence_id, question_id"
    ):
        links.setdefault(eid, []).append(
            {"question": slugs[qid], "stance": stance, "note": note, "created_at": iso(created)}
        )
    keys: dict[int, str] = {}
    for row in q(
        "SELECT id, key, url, canonical_url, title, outlet, author, published_at, published_source, retrieved_at, "
        "text, excerpt, content_hash, inbox, dismissed, created_at FROM evidence ORDER BY key"
    ):
        (eid, key, url, canon, title, outlet, author, pub, pub_src, ret, text, excerpt, chash, inbox, dis, cr) = row
        keys[eid] = key
        emit(
            {
                "type": "evidence",
                "key": key,
                "url": url,
                "canonical_url": canon,
                "title": title,
                "outlet": outlet,
                "author": author,
                "published_at": iso(pub),
                "published_source": pub_src,
                "retrieved_at": iso(ret),
                "text": text,
                "excerpt": excerpt,
                "content_hash": chash,
                "inbox": bool(inbox),
                "dismissed": bool(dis),
                "created_at": iso(cr),
                "links": sorted(links.get(eid, []), key=lambda link: link["question"]),
            }
        )
        counts["evidence"] += 1

    fev: dict[int, list[str]] = {}
    for fid, eid in q("SELECT forecast_id, evidence_id FROM forecast_evidence"):
        fev.setdefault(fid, []).append(keys[eid])
    ident: dict[int, tuple[int, int]] = {}
    for fid, made, rec in q("SELECT id, made_at, recorded_at FROM forecast WHERE superseded"):
        ident[fid] = (made, rec)
    names = dict(q("SELECT id, name FROM forecaster"))
    rows = q(
        "SELECT f.id, f.question_id, f.forecaster_id, f.probability, f.made_at, f.recorded_at, f.rationale, "
        "f.supersedes_id, f.vector, f.entered FROM forecast f JOIN question qq ON qq.id = f.question_id "
        "JOIN forecaster fr ON fr.id = f.forecaster_id ORDER BY qq.slug, fr.name, f.made_at, f.recorded_at"
    )
    n = 0
    for fid, qid, forecaster_id, p, made, rec, why, sup, vector, entered in rows:
        old = ident.get(sup) if sup is not None else None
        record = {
            "type": "forecast",
            "question": slugs[qid],
            "forecaster": names[forecaster_id],
            "probability": p,
            "made_at": iso(made),
            "recorded_at": iso(rec),
            "rationale": why,
            "evidence": sorted(fev.get(fid, [])),
            "supersedes": {"made_at": iso(old[0]), "recorded_at": iso(old[1])} if old else None,
        }
        if vector is not None:
            # A list of floats: orjson writes each as its shortest round-trip repr, so the import gets the
            # same float64 values back. The probability column is only a display summary: not written.
            record["probability"] = None
            record["vector"] = decode_vector(vector).tolist()
            record["entered"] = entered
        elif entered:
            record["entered"] = entered
        emit(record)
        n += 1
        if progress is not None and n % 50_000 == 0:
            progress(n)
    counts["forecasts"] = n

    for qid, action, res, res_at, note, actor, at, outcome in q(
        "SELECT question_id, action, resolution, resolved_at, note, actor, at, outcome FROM resolution_event ORDER BY id"
    ):
        emit(
            {
                "type": "resolution_event",
                "question": slugs[qid],
                "action": action,
                "resolution": res,
                "resolved_at": iso(res_at),
                "note": note,
                "actor": actor,
                "at": iso(at),
                "outcome": outcome,
            }
        )
        counts["resolution_events"] += 1

    for qid, author, body, created, updated in q(
        "SELECT question_id, author, body, created_at, updated_at FROM comment ORDER BY id"
    ):
        emit({"type": "comment", "question": slugs[qid], "author": author, "body": body, "created_at": iso(created),
              "updated_at": iso(updated)})  # fmt: skip
        counts["comments"] += 1
    return counts
