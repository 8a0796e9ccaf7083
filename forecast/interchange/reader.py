"""Read an interchange file into a validated batch, or fail listing `FILE:LINE: reason` for every bad line."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import orjson

from forecast.core.bulk_objects import no_cycle_collection
from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import KindSpec, encode_vector, summary
from forecast.interchange.records import (
    CommentRec,
    EvidenceRec,
    ForecasterRec,
    ForecastRec,
    QuestionRec,
    ResolutionEventRec,
    parse_forecast,
    parse_record,
)

MAX_REPORTED = 20


@dataclass
class Batch:
    """Validated records with the line each came from (for cross-reference errors)."""

    source: str = "-"
    questions: list[QuestionRec] = field(default_factory=list)
    question_lines: list[int] = field(default_factory=list)
    forecasts: list[ForecastRec] = field(default_factory=list)
    forecast_lines: list[int] = field(default_factory=list)
    evidence: list[EvidenceRec] = field(default_factory=list)
    evidence_lines: list[int] = field(default_factory=list)
    forecasters: list[ForecasterRec] = field(default_factory=list)
    forecaster_lines: list[int] = field(default_factory=list)
    events: list[ResolutionEventRec] = field(default_factory=list)
    event_lines: list[int] = field(default_factory=list)
    comments: list[CommentRec] = field(default_factory=list)
    comment_lines: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def add(self, kind: str, rec, line: int) -> None:
        if kind == "question":
            self.questions.append(rec)
            self.question_lines.append(line)
        elif kind == "forecast":
            self.forecasts.append(rec)
            self.forecast_lines.append(line)
        elif kind == "evidence":
            self.evidence.append(rec)
            self.evidence_lines.append(line)
        elif kind == "forecaster":
            self.forecasters.append(rec)
            self.forecaster_lines.append(line)
        elif kind == "resolution_event":
            self.events.append(rec)
            self.event_lines.append(line)
        elif kind == "comment":
            self.comments.append(rec)
            self.comment_lines.append(line)


def raise_line_errors(source: str, errors: list[tuple[int, str]]) -> None:
    if not errors:
        return
    lines = [f"{source}:{line}: {reason}" for line, reason in errors[:MAX_REPORTED]]
    if len(errors) > MAX_REPORTED:
        lines.append(f"... and {len(errors) - MAX_REPORTED} more invalid lines")
    lines.append(f"{len(errors)} invalid line(s); nothing was imported")
    raise InvalidInput("\n".join(lines))


def _identity(kind: str, rec) -> tuple | None:
    """What makes two records of a kind "the same record": the key an import upserts by."""
    if kind == "question":
        return (rec.slug,)
    if kind == "evidence":
        return (rec.key,)
    if kind == "forecaster":
        return (rec.name,)
    if kind == "resolution_event":
        return (rec.question, rec.action, rec.at)
    if kind == "comment":
        return (rec.question, rec.author, rec.created_at)
    return None


def _conflict_reason(kind: str, ident: tuple, first: int) -> str:
    label = {"question": "question", "evidence": "evidence", "forecaster": "forecaster"}.get(kind)
    if label is not None:
        return f"{label} {ident[0]!r} conflicts with line {first} (same identity, different content)"
    if kind == "forecast":
        return (f"forecast by {ident[1]!r} on {ident[0]!r} with the same made_at and recorded_at as line {first} "
                "has different content")  # fmt: skip
    if kind == "comment":
        return f"comment by {ident[1]!r} on {ident[0]!r} at the same time as line {first} has different content"
    return f"resolution event {ident[1]!r} on {ident[0]!r} at the same time as line {first} has different content"


def _forecast_duplicates(batch: Batch, hashes: array, errors: list[tuple[int, str]]) -> None:
    """Same-identity forecasts in one file: identical ones are dropped, different ones are errors.

    Only an 8-byte hash per forecast is kept while reading (a million-forecast file must stay lean);
    records whose hashes repeat are compared in full here.
    """
    if len(hashes) < 2:
        return
    import numpy as np

    keys = np.frombuffer(hashes, dtype=np.int64)
    values, counts = np.unique(keys, return_counts=True)
    repeated = values[counts > 1]
    if not len(repeated):
        return
    groups: dict[int, list[int]] = {}
    for index in np.flatnonzero(np.isin(keys, repeated)).tolist():
        groups.setdefault(hashes[index], []).append(index)
    drop: set[int] = set()
    for indexes in groups.values():
        seen: dict[tuple, int] = {}
        for index in indexes:
            rec = batch.forecasts[index]
            ident = (rec.question, rec.forecaster, rec.made_at, rec.recorded_at)
            first = seen.setdefault(ident, index)
            if first == index:
                continue
            if rec == batch.forecasts[first]:
                drop.add(index)
            else:
                errors.append((batch.forecast_lines[index], _conflict_reason("forecast", ident, batch.forecast_lines[first])))
    if drop:
        batch.forecasts = [r for i, r in enumerate(batch.forecasts) if i not in drop]
        batch.forecast_lines = [n for i, n in enumerate(batch.forecast_lines) if i not in drop]


def check_forecast_kinds(batch: Batch, specs: dict[str, KindSpec], errors: list[tuple[int, str]],
                         binary: frozenset[str] | set[str] = frozenset()) -> None:
    """Each forecast on a question of `specs` (non-binary) must carry a vector that question can take, and one
    on a question of `binary` none. A checked vector is replaced by its stored text, and the forecast's
    probability by the display summary (core/kind_spec.py), so a forecast is checked once."""
    for i, rec in enumerate(batch.forecasts):
        vector = rec.vector
        if vector.__class__ is str:
            continue
        spec = specs.get(rec.question)
        if spec is None:
            if vector is not None and rec.question in binary:
                errors.append((_line(batch, i), f"a forecast on binary question {rec.question!r} has a probability, not a vector"))
            continue
        if vector is None:
            errors.append((_line(batch, i), f"a forecast on {spec.kind.value} question {rec.question!r} needs its vector"))
            continue
        try:
            v = spec.check_vector(vector)
        except InvalidInput as exc:
            errors.append((_line(batch, i), f"vector: {exc}"))
            continue
        rec.vector = encode_vector(v)
        rec.probability = summary(spec.kind, v)


def _line(batch: Batch, index: int) -> int:
    return batch.forecast_lines[index] if index < len(batch.forecast_lines) else 0


def read_lines(lines: Iterable[bytes | str], source: str, *, progress: Callable[[int], None] | None = None) -> Batch:
    """Validate every line; two records with one identity must be identical (the second is then dropped)."""
    with no_cycle_collection():
        return _read_lines(lines, source, progress)


def _read_lines(lines: Iterable[bytes | str], source: str, progress: Callable[[int], None] | None) -> Batch:
    batch = Batch(source=source)
    errors: list[tuple[int, str]] = []
    seen: dict[tuple, tuple[int, object]] = {}
    forecast_hashes = array("q")
    forecasts, forecast_lines = batch.forecasts, batch.forecast_lines
    for number, raw in enumerate(lines, start=1):
        if progress is not None and number % 50_000 == 0:
            progress(number)
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            if raw.strip():  # a blank line is no record (orjson refuses it: asked only then)
                errors.append((number, f"not valid JSON ({exc.args[0].split(':')[0]})"))
            continue
        try:
            if obj.__class__ is dict and obj.get("type") == "forecast":  # most lines: `parse_record`'s dispatch inline
                kind, rec = "forecast", parse_forecast(obj)
            else:
                kind, rec = parse_record(obj)
        except InvalidInput as exc:
            errors.append((number, str(exc)))
            continue
        if rec is None:
            continue
        if kind == "forecast":  # most lines: appended here rather than through `batch.add`
            forecast_hashes.append(hash((rec.question, rec.forecaster, rec.made_at, rec.recorded_at)))
            forecasts.append(rec)
            forecast_lines.append(number)
            continue
        ident = (kind, *_identity(kind, rec))
        first = seen.setdefault(ident, (number, rec))
        if first[0] != number:
            if first[1] != rec:
                errors.append((number, _conflict_reason(kind, ident[1:], first[0])))
            continue  # an identical repeat adds nothing
        batch.add(kind, rec, number)
    _forecast_duplicates(batch, forecast_hashes, errors)
    specs = {q.slug: KindSpec.from_stored(q.kind, q.kind_spec) for q in batch.questions if q.kind != "binary"}
    if specs:  # a binary-only file is checked by the import, which knows the stored questions too
        check_forecast_kinds(batch, specs, errors, {q.slug for q in batch.questions if q.kind == "binary"})
    errors.sort()
    raise_line_errors(source, errors)
    return batch


MAX_LINE_BYTES = 64 * 1024 * 1024
"""One record per line; the largest legitimate one is an evidence record with a 10 MB article, escaped."""


def read_file(path: str, *, progress: Callable[[int], None] | None = None) -> Batch:
    import sys

    if path == "-":
        return read_lines(sys.stdin.buffer, "<stdin>", progress=progress)
    from forecast.files import bounded_lines, open_regular

    try:
        # A regular file only (a FIFO would hang, /dev/zero never ends), and no line beyond the cap.
        with open_regular(path, "JSONL file") as fh:
            return read_lines(bounded_lines(fh, MAX_LINE_BYTES, path), path, progress=progress)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a directory, not a JSONL file") from None
