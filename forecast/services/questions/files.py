"""Question files: one TOML file per question, synced into the database by slug.

Every file is read and validated before anything is written, so a malformed file stops the sync
with `file:line: reason` and the database is untouched. Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session

from forecast.core.errors import Conflict, InvalidInput, UnreadableValue
from forecast.core.kind_spec import KindSpec
from forecast.core.slug import slugify
from forecast.core.text import nul_path
from forecast.core.timeparse import to_micros, utcnow
from forecast.interchange.keys import evidence_key
from forecast.interchange.reader import Batch
from forecast.interchange.records import (
    ForecastRec,
    QuestionRec,
    ResolutionEventRec,
    parse_evidence,
    parse_forecast,
    parse_question,
)
from forecast.services.batch_import import import_batch
from forecast.services.questions.sync import (
    FILE_KEYS,
    app_view,
    dumps,
    file_view,
    loads,
    merge,
    outcome_of,
    resolution_of,
    shown,
)
from forecast.store import bulk

QUESTION_KEYS = {
    "slug", "title", "kind", "description", "criteria", "opens_at", "closes_at", "resolves_at", "tags", "auto",
    "resolution", "forecasts", "evidence", *(SPEC_KEYS := ("options", "other", "range", "open_lower", "open_upper",
                                                             "log", "unit")),
}  # fmt: skip
_KIND_KEYS = {"binary": (), "choice": ("options", "other"),
              "numeric": ("range", "open_lower", "open_upper", "log", "unit"),
              "date": ("range", "open_lower", "open_upper")}  # fmt: skip
_TOML_LINE = re.compile(r"at line (\d+)")


def _iso(value, where: str) -> str | None:
    """TOML dates and date-times, or strings, to ISO text for the interchange parser."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise InvalidInput(f"{where}: date-time has no offset (write e.g. 2019-07-01T00:00:00Z)")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise InvalidInput(f"{where}: expected a date")


def _spec_of(data: dict, fail) -> dict | None:
    """The `spec` (KindSpec.to_dict form) a file's kind keys describe; None for binary (or an unknown kind,
    which the question parser names)."""
    kind = data.get("kind", "binary")
    allowed = _KIND_KEYS.get(kind) if isinstance(kind, str) else None
    if allowed is None:
        return None
    for key in SPEC_KEYS:
        if key in data and key not in allowed:
            raise fail(key, f"{key} is not for a {kind} question" + ("" if allowed else " (set kind first)"))
    if kind == "binary":
        return None
    if kind == "choice":
        options = data.get("options")
        if not isinstance(options, list) or len(options) < 1:
            raise fail("options" if "options" in data else "kind",
                       'a choice question needs options = [{key = "kim", label = "Kim Jong Un"}, ...]')
        out = []
        for item in options:
            if isinstance(item, str):
                item = {"key": item, "label": item}
            if not isinstance(item, dict) or set(item) - {"key", "label"} or not isinstance(item.get("key"), str):
                raise fail("options", "each option is {key = \"...\", label = \"...\"} (or a bare key)")
            out.append({"key": item["key"], "label": item.get("label", item["key"])})
        other = data.get("other", False)
        if not isinstance(other, bool):
            raise fail("other", "other must be true or false")
        if other and "other" not in [o["key"] for o in out]:
            out.append({"key": "other", "label": "Other"})
        return {"options": out}
    rng = data.get("range")
    if not isinstance(rng, list) or len(rng) != 2:
        raise fail("range" if "range" in data else "kind", f"a {kind} question needs range = [LOW, HIGH]")
    log = data.get("log", False)
    if not isinstance(log, bool):
        raise fail("log", "log must be true or false")
    if kind == "date":
        try:
            low, high = (_iso(v, "range") if isinstance(v, (dt.date, str)) else v for v in rng)
        except InvalidInput as exc:
            raise fail("range", str(exc)) from None
    else:
        low, high = rng
    return {"low": low, "high": high, "open_lower": data.get("open_lower", False),
            "open_upper": data.get("open_upper", False), "zero_point": 0.0 if log else None,
            "unit": data.get("unit", "")}  # fmt: skip


def _outcome_text(value) -> str | None:
    """A `[resolution]` outcome as text (a TOML date for a date question, a number for a numeric one)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return _iso(value, "resolution.outcome")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return value


def _line_of(text: str, key: str, *, table: str | None = None, index: int = 0) -> int:
    """Line of `key = ...`, searched inside the index-th `[[table]]` block when a table is given."""
    start, end = 0, len(text)
    if table is not None:
        headers = [m.end() for m in re.finditer(rf"^[ \t]*\[\[{re.escape(table)}\]\]", text, re.MULTILINE)]
        if index < len(headers):
            start = headers[index]
            following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, start)
            end = following.start() if following else len(text)
    match = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.MULTILINE).search(text, start, end)
    pos = match.start() if match else start
    return text.count("\n", 0, pos) + 1


def _field_of(message: str, fields: tuple[str, ...], default: str) -> str:
    first = next((f for f in fields if message.startswith(f)), None)  # "forecast 'x': ..." names its key first
    return first or next((f for f in fields if f" {f}" in message or f"{f} " in message), default)


MAX_FILE_BYTES = 10 * 1024 * 1024


def read_question_text(path: Path) -> str:
    """A question file's text: a regular file of at most 10 MB (a FIFO or /dev/zero named *.toml is refused);
    utf-8-sig drops the byte-order mark some Windows editors write (TOML would reject it)."""
    from forecast.files import read_regular_file

    data = read_regular_file(path, MAX_FILE_BYTES, "question file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(f"{path}:{line}: not UTF-8 text") from None


def parse_question_file(path: Path, root: Path, default_forecaster: str, *, text: str | None = None):
    """Return (question, forecasts, evidence) records or raise InvalidInput('file:line: reason')."""
    if text is None:
        text = read_question_text(path)
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        raise InvalidInput(f"{path}:{m.group(1) if m else 1}: {str(exc).split(' (at')[0]}") from None

    def fail(key: str, reason: str):
        return InvalidInput(f"{path}:{_line_of(text, key)}: {reason}")

    nul_at = nul_path(data)
    if nul_at:
        raise fail(re.split(r"[.\[]", nul_at)[0], f"{nul_at} contains a NUL character (U+0000); remove it")

    unknown = sorted(set(data) - QUESTION_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r}")
    res = data.get("resolution") or {}
    if not isinstance(res, dict):
        raise fail("resolution", "resolution must be a table with outcome, resolved_at and note")
    try:
        spec = _spec_of(data, fail)
        outcome = _outcome_text(res.get("outcome"))
    except InvalidInput as exc:
        # a value the spec or the outcome could not take ("range: date-time has no offset"): at its line
        if str(exc).startswith(f"{path}:"):
            raise
        where = str(exc).split(":", 1)[0]
        raise fail("outcome" if where.startswith("resolution") else where.split(".")[0], str(exc)) from None
    resolution = outcome
    if spec is not None and outcome is not None and outcome != "annulled":
        resolution = "outcome"  # a choice, numeric or date question resolves to its outcome (core/kind_spec.py)
    else:
        outcome = None
    try:
        question = parse_question(
            {
                "slug": data.get("slug") or slugify(str(data.get("title", ""))),
                "title": data.get("title"),
                "kind": data.get("kind", "binary"),
                "spec": spec,
                "outcome": outcome,
                "description": str(data.get("description", "")).strip(),
                "criteria": str(data.get("criteria", "")).strip(),
                "opens_at": _iso(data.get("opens_at"), "opens_at"),
                "closes_at": _iso(data.get("closes_at"), "closes_at"),
                "resolves_at": _iso(data.get("resolves_at"), "resolves_at"),
                "tags": data.get("tags", []),
                "auto": data.get("auto"),
                "resolution": resolution,
                "resolved_at": _iso(res.get("resolved_at"), "resolution.resolved_at"),
                "resolution_note": res.get("note", ""),
                "source_file": rel,
            }
        )
    except InvalidInput as exc:
        message = str(exc)
        key = next((k for k in ("closes_at", "opens_at", "resolves_at", "title", "slug", "tags", "auto", "kind")
                    if k in message), "title")  # fmt: skip
        if message.startswith("spec: "):  # the kind keys' values: the parser's reason, at the key it names
            message = message[6:]
            key = next((k for k in ("options", "range", "unit", "open_lower", "open_upper") if k in data
                        and (k in message or k == "options" or k == "range")), "kind")  # fmt: skip
        elif message.startswith("outcome") or "resolution" in message:
            key = "outcome"
        raise fail(key, message) from None
    if question.closes_at <= question.opens_at:
        raise fail("closes_at", "closes_at must be after opens_at")
    if question.resolves_at < question.closes_at:
        raise fail("resolves_at", "resolves_at must not be before closes_at")

    evidence, handles = [], {}
    for i, item in enumerate(data.get("evidence") or []):
        where = f"evidence[{i}]"
        if not isinstance(item, dict):
            raise fail("evidence", f"{where} must be a table")
        try:
            for name in ("id", "url", "title", "outlet", "author", "stance", "note", "summary"):
                if name in item and not isinstance(item[name], str):
                    raise InvalidInput(f"{name} must be a string")
            key = evidence_key(canonical_url=item.get("url"), text=item.get("summary", ""), title=item.get("title", ""))
            published = _iso(item.get("published"), f"{where}.published")
            summary = str(item.get("summary", "")).strip()
            rec = parse_evidence(
                {
                    "key": key,
                    "url": item.get("url"),
                    "canonical_url": item.get("url"),
                    "title": item.get("title", ""),
                    "outlet": item.get("outlet", ""),
                    "author": item.get("author", ""),
                    "published_at": published,
                    "published_source": "user" if published else None,
                    "text": summary,
                    "excerpt": summary[:280],
                    "links": [{"question": question.slug, "stance": item.get("stance", "neutral"),
                               "note": item.get("note", "")}],  # fmt: skip
                }
            )
        except InvalidInput as exc:
            key = _field_of(str(exc), ("published", "stance", "url", "title", "outlet", "author", "note", "summary", "id"),
                            "title")  # fmt: skip
            line = _line_of(text, key, table="evidence", index=i)
            raise InvalidInput(f"{path}:{line}: {where}: {exc}") from None
        evidence.append(rec)
        handles[item.get("id", key)] = key

    forecasts: list[ForecastRec] = []
    for i, item in enumerate(data.get("forecasts") or []):
        where = f"forecasts[{i}]"
        if not isinstance(item, dict):
            raise fail("forecasts", f"{where} must be a table")
        try:
            cited = item.get("evidence", [])
            if not isinstance(cited, list) or not all(isinstance(h, str) for h in cited):
                raise InvalidInput("evidence must be a list of [[evidence]] ids, e.g. evidence = [\"npr-sanumdong\"]")
            missing = [h for h in cited if h not in handles]
            if missing:
                raise InvalidInput(f"evidence {missing[0]!r} is not an [[evidence]] id in this file")
            vector = entered = None
            if question.kind != "binary":
                # What one would type to `predict`: "kim=50% moon=50%", "p10=3 p50=12 p90=75", normal(...)
                typed = item.get("forecast")
                if "probability" in item or not isinstance(typed, str):
                    raise InvalidInput(f'a {question.kind} question\'s forecast is forecast = "..." as typed to '
                                       f'`predict` (e.g. {_EXAMPLE[question.kind]}), not a probability')  # fmt: skip
                kind_spec = KindSpec.from_stored(question.kind, question.kind_spec)
                try:
                    _, values, entered = kind_spec.parse_forecast(typed)
                except UnreadableValue as exc:
                    raise InvalidInput(f"forecast {typed!r}: {exc}") from None
                vector = values.tolist()
            elif "forecast" in item:
                raise InvalidInput("forecast is for a choice, numeric or date question; a binary one takes probability")
            rec = parse_forecast(
                {
                    "question": question.slug,
                    "forecaster": item.get("by", default_forecaster),
                    "probability": item.get("probability") if vector is None else None,
                    **({} if vector is None else {"vector": vector, "entered": entered}),
                    "made_at": _iso(item.get("made_at"), f"{where}.made_at"),
                    "rationale": item.get("why", ""),
                    "evidence": [handles[h] for h in cited],
                }
            )
            if not question.opens_at <= rec.made_at < question.closes_at:
                raise InvalidInput("made_at must lie in [opens_at, closes_at)")
            if question.resolved_at is not None and rec.made_at > question.resolved_at:
                raise InvalidInput("made_at is after the resolution")
        except InvalidInput as exc:
            key = _field_of(str(exc), ("probability", "forecast", "made_at", "evidence", "by"), "made_at")
            line = _line_of(text, key, table="forecasts", index=i)
            raise InvalidInput(f"{path}:{line}: {where}: {exc}") from None
        forecasts.append(rec)
    return question, forecasts, evidence


_EXAMPLE = {"choice": '"kim=50% moon=30% other=20%"', "numeric": '"p10=3 p50=12 p90=75"',
            "date": '"p10=2020-01-01 p50=2021-01-01 p90=2023-01-01"'}  # fmt: skip


def _sync_event(q, now_us: int) -> ResolutionEventRec:
    return ResolutionEventRec(q.slug, "resolve", q.resolution, q.resolved_at, q.resolution_note, SYNC_ACTOR, now_us,
                              q.outcome)  # fmt: skip


SYNC_ACTOR = "forecast q sync"
_STORED_COLS = (
    "id", "slug", "title", "description", "criteria", "opens_at", "closes_at", "resolves_at", "auto_rule", "status",
    "resolution", "resolved_at", "resolution_note", "created_at", "updated_at", "kind", "kind_spec", "outcome",
)  # fmt: skip


@dataclass
class _File:
    path: Path
    rel: str
    text: str
    digest: str
    question: QuestionRec
    forecasts: list
    evidence: list


def _read_files(root: Path, forecaster: str) -> list[_File]:
    out = []
    for path in sorted(root.rglob("*.toml")):
        text = read_question_text(path)
        q, forecasts, evidence = parse_question_file(path, root, forecaster, text=text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        out.append(_File(path, q.source_file or str(path), text, digest, q, forecasts, evidence))
    seen: dict[str, Path] = {}
    for f in out:
        if f.question.slug in seen:
            raise InvalidInput(f"{f.path}:{_line_of(f.text, 'slug')}: "
                               f"slug {f.question.slug!r} is also used by {seen[f.question.slug]}")  # fmt: skip
        seen[f.question.slug] = f.path
    return out


def _stored(conn) -> tuple[dict[str, dict], dict[int, dict], dict[int, list[str]], dict[str, tuple], dict[int, tuple]]:
    rows = [dict(zip(_STORED_COLS, r, strict=True)) for r in bulk.iterate(conn, f"SELECT {', '.join(_STORED_COLS)} FROM question")]
    by_slug = {r["slug"]: r for r in rows}
    by_id = {r["id"]: r for r in rows}
    tags: dict[int, list[str]] = {}
    for qid, name in bulk.iterate(conn, "SELECT qt.question_id, t.name FROM question_tag qt JOIN tag t ON t.id = qt.tag_id"):
        tags.setdefault(qid, []).append(name)
    by_path: dict[str, tuple] = {}
    by_question: dict[int, tuple] = {}
    for qid, path, digest, fields in bulk.iterate(conn, "SELECT question_id, path, file_hash, fields FROM question_sync"):
        by_path[path] = by_question[qid] = (qid, path, digest, loads(fields))
    return by_slug, by_id, tags, by_path, by_question


def sync_directory(
    session: Session, directory: str | Path, *, forecaster: str, prefer: str | None = None
) -> dict:
    """Sync a folder of question files (see the module docs and services/questions/sync.py).

    Conflicts (a field changed in the file and in the app since the last sync) raise Conflict listing
    `FILE:LINE: conflict: ...` for each, before anything is written."""
    root = Path(directory)
    if not root.is_dir():
        raise InvalidInput(f"{directory}: not a directory")
    files = _read_files(root, forecaster)

    conn = session.connection()
    now_us = to_micros(utcnow())
    by_slug, by_id, tags, by_path, by_question = _stored(conn)
    batch = Batch(source=str(root))
    conflicts: list[str] = []
    kept: list[dict] = []
    settled: list[dict] = []
    renames: list[tuple[int, str, str]] = []  # (question id, from, to)
    unchanged_files = 0
    matched: list[int | None] = []
    for f in files:
        q = f.question
        state = by_path.get(f.rel)
        row = by_id.get(state[0]) if state else None
        if row is None:
            row = by_slug.get(q.slug)
            state = by_question.get(row["id"]) if row else None
        if row is not None and row["id"] in matched:
            other = files[matched.index(row["id"])].path
            raise InvalidInput(f"{f.path}:{_line_of(f.text, 'slug')}: names the same question (#{row['id']}) as {other}")
        matched.append(row["id"] if row else None)
        if row is None:
            q = replace(q, status=q.status if q.resolution else ("open" if q.closes_at > now_us else "closed"),
                        created_at=now_us, updated_at=now_us)  # fmt: skip
            if q.resolution:
                batch.add("resolution_event", _sync_event(q, now_us), 1)
            _add(batch, q, f)
            continue
        _refuse_kind_change(conn, f, q, row)
        app = app_view(row, tags.get(row["id"], []))
        if state is not None and state[2] == f.digest:
            unchanged_files += 1  # the file is as last synced: whatever the app changed since stands
            result = merge(state[3], state[3], app)
        else:
            result = merge(file_view(q), state[3] if state else None, app, prefer)
        for name in result.conflicts:
            line = _line_of(f.text, FILE_KEYS[name], table=None)
            why = "changed in the file and in the app since the last sync" if state else \
                "differs between the file and the database, and there is no record of an earlier sync"  # fmt: skip
            conflicts.append(f"{f.path}:{line}: conflict: {name} {why} (file: {shown(name, file_view(q)[name])}, "
                             f"app: {shown(name, app[name])}); --prefer file|app settles it")  # fmt: skip
        kept += [{"file": str(f.path), "question": row["slug"], "field": n} for n in result.kept if n not in result.settled]
        settled += [{"file": str(f.path), "question": row["slug"], "field": n, "kept": prefer} for n in result.settled]
        merged = result.merged
        if merged["slug"] != row["slug"]:
            owner = by_slug.get(merged["slug"])
            if owner is not None and owner["id"] != row["id"]:
                raise InvalidInput(f"{f.path}:{_line_of(f.text, 'slug')}: slug {merged['slug']!r} is already used "
                                   f"by another question (#{owner['id']})")  # fmt: skip
            renames.append((row["id"], row["slug"], merged["slug"]))
        resolution = merged["resolution"]
        same_resolution = resolution == app["resolution"]
        q = replace(
            q, slug=merged["slug"], title=merged["title"], description=merged["description"],
            criteria=merged["criteria"], opens_at=merged["opens_at"], closes_at=merged["closes_at"],
            resolves_at=merged["resolves_at"], tags=list(merged["tags"]), auto=merged["auto"],
            resolution=resolution_of(q.kind, resolution[0]) if resolution else None,
            outcome=outcome_of(q.kind, resolution[0]) if resolution else None,
            resolved_at=resolution[1] if resolution else None,
            resolution_note=resolution[2] if resolution else row["resolution_note"],
            status=row["status"] if same_resolution else ("annulled" if resolution[0] == "annulled" else "resolved"),
            created_at=row["created_at"], updated_at=row["updated_at"],
        )  # fmt: skip
        _add(batch, q, f)
    if conflicts:
        raise Conflict("\n".join([*conflicts, f"{len(conflicts)} conflict(s); nothing was written"]))
    final: dict[str, Path] = {}
    for f, rec in zip(files, batch.questions, strict=True):
        if rec.slug in final:  # e.g. a new file takes the slug a question renamed in the app still has
            raise InvalidInput(f"{f.path}:{_line_of(f.text, 'slug')}: slug {rec.slug!r} would also be the slug of "
                               f"the question synced from {final[rec.slug]}")  # fmt: skip
        final[rec.slug] = f.path

    for qid, _, new in renames:
        bulk.execute(conn, "UPDATE question SET slug = :slug, updated_at = :now WHERE id = :id", (new, now_us, qid))
    report = import_batch(session, batch, actor=SYNC_ACTOR)
    ids = {slug: qid for qid, slug in bulk.iterate(conn, "SELECT id, slug FROM question")}
    states = [(ids[rec.slug], f.rel, f.digest, dumps(file_view(f.question)), now_us)
              for f, rec in zip(files, batch.questions, strict=True)]  # fmt: skip
    if states:
        bulk.execute_many(
            conn, "DELETE FROM question_sync WHERE question_id = :id OR path = :path", [(qid, rel) for qid, rel, *_ in states]
        )
        bulk.execute_many(
            conn,
            "INSERT INTO question_sync (question_id, path, file_hash, fields, synced_at) "
            "VALUES (:id, :path, :hash, :fields, :now)",
            states,
        )
    changes = [{"question": new, "field": "slug", "from": old, "to": new} for _, old, new in renames] + report.changes
    updated = len(set(report.updated_slugs) | {new for _, _, new in renames})
    return {
        "files": len(files),
        "added": report.questions_added,
        "updated": updated,
        "unchanged": len(files) - report.questions_added - updated,
        "unchanged_files": unchanged_files,
        "forecasts_added": report.forecasts_added,
        "evidence_added": report.evidence_added,
        "links_added": report.links_added,
        "changes": changes,
        "kept_app": kept,
        "settled": settled,
        "renamed": len(renames),
    }


def _refuse_kind_change(conn, f: _File, q: QuestionRec, row: dict) -> None:
    """A question's forecasts were made for its kind and spec: with any, a file may not change either."""
    if (row["kind"], row["kind_spec"] or "") == (q.kind, q.kind_spec):
        return
    n = bulk.scalar(conn, "SELECT count(*) FROM forecast WHERE question_id = :id", (row["id"],))
    if n:
        key = next((k for k in ("kind", "options", "range", "open_lower", "open_upper", "log", "unit", "other")
                    if re.search(rf"^[ \t]*{k}[ \t]*=", f.text, re.MULTILINE)), "title")  # fmt: skip
        raise InvalidInput(f"{f.path}:{_line_of(f.text, key)}: question {row['slug']} has {n} forecast(s): its kind "
                           f"and {'options' if row['kind'] == 'choice' else 'range'} cannot change (stored: "
                           f"{KindSpec.from_stored(row['kind'], row['kind_spec']).describe()})")  # fmt: skip


def _add(batch: Batch, q: QuestionRec, f: _File) -> None:
    """The question and what its file brings, all pointing at the slug the question will have."""
    batch.add("question", q, 1)
    for rec in f.forecasts:
        batch.add("forecast", replace(rec, question=q.slug), 1)
    for rec in f.evidence:
        batch.add("evidence", replace(rec, links=[replace(link, question=q.slug) for link in rec.links]), 1)
