"""Question files: one TOML file per question, synced into the database by slug.

Every file is read and validated before anything is written, so a malformed file stops the sync
with `file:line: reason` and the database is untouched. Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session

from forecast.core.errors import InvalidInput
from forecast.core.slug import slugify
from forecast.core.timeparse import to_micros, utcnow
from forecast.interchange.keys import evidence_key
from forecast.interchange.reader import Batch
from forecast.interchange.records import (
    ForecastRec,
    ResolutionEventRec,
    parse_evidence,
    parse_forecast,
    parse_question,
)
from forecast.services.batch_import import import_batch

QUESTION_KEYS = {
    "slug", "title", "kind", "description", "criteria", "opens_at", "closes_at", "resolves_at", "tags", "auto",
    "resolution", "forecasts", "evidence",
}  # fmt: skip
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
    return next((f for f in fields if message.startswith(f) or f" {f}" in message or f"{f} " in message), default)


MAX_FILE_BYTES = 10 * 1024 * 1024


def read_question_file(path: Path) -> str:
    """A question file's text: a regular file of at most 10 MB (a FIFO or /dev/zero named *.toml is refused)."""
    from forecast.files import read_regular_file

    data = read_regular_file(path, MAX_FILE_BYTES, "question file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}:1: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def parse_question_file(path: Path, root: Path, default_forecaster: str):
    """Return (question, forecasts, evidence) records or raise InvalidInput('file:line: reason')."""
    text = read_question_file(path)
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        raise InvalidInput(f"{path}:{m.group(1) if m else 1}: {str(exc).split(' (at')[0]}") from None

    def fail(key: str, reason: str):
        return InvalidInput(f"{path}:{_line_of(text, key)}: {reason}")

    unknown = sorted(set(data) - QUESTION_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r}")
    res = data.get("resolution") or {}
    if not isinstance(res, dict):
        raise fail("resolution", "resolution must be a table with outcome, resolved_at and note")
    try:
        question = parse_question(
            {
                "slug": data.get("slug") or slugify(str(data.get("title", ""))),
                "title": data.get("title"),
                "kind": data.get("kind", "binary"),
                "description": str(data.get("description", "")).strip(),
                "criteria": str(data.get("criteria", "")).strip(),
                "opens_at": _iso(data.get("opens_at"), "opens_at"),
                "closes_at": _iso(data.get("closes_at"), "closes_at"),
                "resolves_at": _iso(data.get("resolves_at"), "resolves_at"),
                "tags": data.get("tags", []),
                "auto": data.get("auto"),
                "resolution": res.get("outcome"),
                "resolved_at": _iso(res.get("resolved_at"), "resolution.resolved_at"),
                "resolution_note": res.get("note", ""),
                "source_file": rel,
            }
        )
    except InvalidInput as exc:
        key = next((k for k in ("closes_at", "opens_at", "resolves_at", "title", "slug", "tags", "auto", "kind")
                    if k in str(exc)), "title")  # fmt: skip
        raise fail(key, str(exc)) from None
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
            key = _field_of(str(exc), ("published", "stance", "url", "title"), "title")
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
            missing = [h for h in item.get("evidence", []) if h not in handles]
            if missing:
                raise InvalidInput(f"evidence {missing[0]!r} is not an [[evidence]] id in this file")
            rec = parse_forecast(
                {
                    "question": question.slug,
                    "forecaster": item.get("by", default_forecaster),
                    "probability": item.get("probability"),
                    "made_at": _iso(item.get("made_at"), f"{where}.made_at"),
                    "rationale": item.get("why", ""),
                    "evidence": [handles[h] for h in item.get("evidence", [])],
                }
            )
            if not question.opens_at <= rec.made_at < question.closes_at:
                raise InvalidInput("made_at must lie in [opens_at, closes_at)")
            if question.resolved_at is not None and rec.made_at > question.resolved_at:
                raise InvalidInput("made_at is after the resolution")
        except InvalidInput as exc:
            key = _field_of(str(exc), ("probability", "made_at", "evidence", "by"), "made_at")
            line = _line_of(text, key, table="forecasts", index=i)
            raise InvalidInput(f"{path}:{line}: {where}: {exc}") from None
        forecasts.append(rec)
    return question, forecasts, evidence


def _sync_event(q, now_us: int) -> ResolutionEventRec:
    return ResolutionEventRec(
        q.slug, "resolve", q.resolution, q.resolved_at, q.resolution_note, "forecast q sync", now_us
    )


def sync_directory(session: Session, directory: str | Path, *, forecaster: str) -> dict:
    root = Path(directory)
    if not root.is_dir():
        raise InvalidInput(f"{directory}: not a directory")
    files = sorted(root.rglob("*.toml"))
    parsed = [parse_question_file(p, root, forecaster) for p in files]
    seen: dict[str, Path] = {}
    for path, (q, _, _) in zip(files, parsed, strict=True):
        if q.slug in seen:
            raise InvalidInput(f"{path}:{_line_of(read_question_file(path), 'slug')}: "
                               f"slug {q.slug!r} is also used by {seen[q.slug]}")  # fmt: skip
        seen[q.slug] = path

    conn = session.connection()
    now_us = to_micros(utcnow())
    stored = {
        row[0]: row
        for row in conn.exec_driver_sql(
            "SELECT slug, status, resolution, resolved_at, resolution_note, created_at, updated_at FROM question"
        )
    }
    batch = Batch(source=str(root))
    for q, forecasts, evidence in parsed:
        old = stored.get(q.slug)
        if old is None:
            q = replace(q, status=q.status if q.resolution else ("open" if q.closes_at > now_us else "closed"),
                        created_at=now_us, updated_at=now_us)  # fmt: skip
            if q.resolution:
                batch.add("resolution_event", _sync_event(q, now_us), 1)
        else:
            _, status, resolution, resolved_at, note, created, updated = old
            if q.resolution is None:
                # A resolution made in the app stands; the file not mentioning it does not undo it.
                q = replace(q, status=status, resolution=resolution, resolved_at=resolved_at, resolution_note=note)
            elif (q.resolution, q.resolved_at) != (resolution, resolved_at):
                batch.add("resolution_event", _sync_event(q, now_us), 1)
            q = replace(q, created_at=created, updated_at=updated)
        batch.add("question", q, 1)
        for f in forecasts:
            batch.add("forecast", f, 1)
        for e in evidence:
            batch.add("evidence", e, 1)
    report = import_batch(session, batch)
    if report.updated_slugs:
        ph = "?" if conn.dialect.name == "sqlite" else "%s"
        conn.exec_driver_sql(
            f"UPDATE question SET updated_at = {ph} WHERE slug = {ph}", [(now_us, s) for s in report.updated_slugs]
        )
    return {
        "files": len(files),
        "added": report.questions_added,
        "updated": report.questions_updated,
        "unchanged": report.questions_unchanged,
        "forecasts_added": report.forecasts_added,
        "evidence_added": report.evidence_added,
        "links_added": report.links_added,
    }
