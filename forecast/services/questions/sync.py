"""Three-way merge for `q sync`: the file now, the file as last synced, and the database now.

`q sync` keeps, per question, the hash of the file it last read and the question fields that file
stated (table `question_sync`). A field the file changed since then is applied; a field only the app
changed (`q edit`, `resolve`) is kept; a field both changed to different values is a conflict, which
`--prefer file|app` settles. A question with no record of an earlier sync has no common ancestor, so
any difference is a conflict.

A non-binary question's resolution is stated by its outcome (an option key, a number, a date; core/kind_spec.py),
so a changed outcome is a changed resolution. The kind and its options or range are not merged: the file's
apply, unless the question has forecasts (then a change is refused, services/questions/files.py).

A file's resolution is a claim only when the file has a `[resolution]` table: a file without one never
changes the stored resolution.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# The question fields a question file states, in report order.
FIELDS = (
    "slug", "title", "description", "criteria", "opens_at", "closes_at", "resolves_at", "tags", "auto", "resolution",
)  # fmt: skip
# Where each field is written in a file, for `FILE:LINE:` (the resolution is the [resolution] table's outcome).
FILE_KEYS = {f: f for f in FIELDS} | {"resolution": "outcome"}
_MISSING = object()


def file_view(q) -> dict:
    """The fields a parsed question file (a QuestionRec) states; resolution is None when it states none."""
    return {
        "slug": q.slug,
        "title": q.title,
        "description": q.description,
        "criteria": q.criteria,
        "opens_at": q.opens_at,
        "closes_at": q.closes_at,
        "resolves_at": q.resolves_at,
        "tags": sorted(q.tags),
        "auto": q.auto,
        "resolution": [q.outcome or q.resolution, q.resolved_at, q.resolution_note] if q.resolution else None,
    }


def resolution_of(kind: str, stated: str) -> str:
    """question.resolution for the resolution a view states (a non-binary view states its outcome)."""
    return stated if kind == "binary" or stated == "annulled" else "outcome"


def outcome_of(kind: str, stated: str) -> str | None:
    return None if kind == "binary" or stated == "annulled" else stated


def app_view(row: dict, tags: list[str]) -> dict:
    """The same fields as stored (row: question columns by name)."""
    return {
        "slug": row["slug"],
        "title": row["title"],
        "description": row["description"],
        "criteria": row["criteria"],
        "opens_at": row["opens_at"],
        "closes_at": row["closes_at"],
        "resolves_at": row["resolves_at"],
        "tags": sorted(tags),
        "auto": row["auto_rule"],
        "resolution": [row.get("outcome") or row["resolution"], row["resolved_at"], row["resolution_note"]]
        if row["resolution"] else None,
    }


def dumps(view: dict) -> str:
    return json.dumps(view, sort_keys=True, separators=(",", ":"))


def loads(text: str) -> dict:
    return json.loads(text)


@dataclass
class Merge:
    merged: dict
    from_file: list[str] = field(default_factory=list)  # fields taken from the file
    kept: list[str] = field(default_factory=list)  # fields where the app's newer value was kept
    conflicts: list[str] = field(default_factory=list)  # both changed, not settled
    settled: list[str] = field(default_factory=list)  # both changed, settled by --prefer


def merge(file: dict, base: dict | None, app: dict, prefer: str | None = None) -> Merge:
    """Pure three-way merge of one question's fields. `prefer` is None, "file" or "app"."""
    result = Merge(merged=dict(app))
    for name in FIELDS:
        theirs, ours = file[name], app[name]
        ancestor = base.get(name, _MISSING) if base is not None else _MISSING
        if name == "resolution" and theirs is None:
            continue  # no [resolution] table: the file makes no claim
        if theirs == ours:
            continue
        if ancestor is not _MISSING and theirs == ancestor:
            result.kept.append(name)  # only the app changed it
        elif ancestor is not _MISSING and ours == ancestor:
            result.merged[name] = theirs  # only the file changed it
            result.from_file.append(name)
        elif prefer == "file":
            result.merged[name] = theirs
            result.from_file.append(name)
            result.settled.append(name)
        elif prefer == "app":
            result.kept.append(name)
            result.settled.append(name)
        else:
            result.conflicts.append(name)
    return result


def shown(name: str, value) -> str:
    """A field value for a conflict line: short, one line."""
    from forecast.core.timeparse import iso_from_micros

    if value is None:
        return "none"
    if name.endswith("_at"):
        return iso_from_micros(value)
    if name == "resolution":
        outcome, at, _ = value
        return f"{outcome} at {iso_from_micros(at)}" if at is not None else str(outcome)
    if name == "tags":
        return "[" + ", ".join(value) + "]"
    text = str(value).replace("\n", " ")
    return repr(text if len(text) <= 40 else text[:37] + "...")
