"""The interchange shape of stored rows (docs/interchange.md): one definition for `export jsonl` and the
services that show a question (`q show --json`), so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Sequence

from forecast.core.kind_spec import KindSpec
from forecast.core.timeparse import iso_from_micros

QUESTION_COLUMNS = (
    "slug", "title", "kind", "description", "criteria", "opens_at", "closes_at", "resolves_at", "auto_rule",
    "status", "resolution", "resolved_at", "resolution_note", "created_at", "updated_at", "source_file",
    "kind_spec", "outcome",
)  # fmt: skip
"""The question table's columns that `question_record` takes, in this order (times as epoch microseconds)."""
TIME_COLUMNS = frozenset({"opens_at", "closes_at", "resolves_at", "resolved_at", "created_at", "updated_at"})


def iso(us: int | None) -> str | None:
    return None if us is None else iso_from_micros(us)


def question_record(row: Sequence, tags: list[str]) -> dict:
    """A question's interchange fields, in the documented key order, from its QUESTION_COLUMNS values."""
    (slug, title, kind, desc, crit, opens, closes, resolves, auto, status, res, res_at, note, cr, up, src, spec,
     outcome) = row  # fmt: skip
    return {
        "slug": slug,
        "title": title,
        "kind": kind,
        "description": desc,
        "criteria": crit,
        "opens_at": iso(opens),
        "closes_at": iso(closes),
        "resolves_at": iso(resolves),
        "tags": tags,
        "auto": auto,
        "status": status,
        "resolution": res,
        "resolved_at": iso(res_at),
        "resolution_note": note,
        "created_at": iso(cr),
        "updated_at": iso(up),
        "source_file": src,
        "spec": KindSpec.from_stored(kind, spec).to_dict(),
        "outcome": outcome,
    }
