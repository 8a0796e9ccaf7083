"""Read an interchange file into a validated batch, or fail listing `FILE:LINE: reason` for every bad line."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import orjson

from forecast.core.errors import InvalidInput
from forecast.interchange.records import (
    EvidenceRec,
    ForecasterRec,
    ForecastRec,
    QuestionRec,
    ResolutionEventRec,
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
    events: list[ResolutionEventRec] = field(default_factory=list)
    event_lines: list[int] = field(default_factory=list)
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
        elif kind == "resolution_event":
            self.events.append(rec)
            self.event_lines.append(line)


def raise_line_errors(source: str, errors: list[tuple[int, str]]) -> None:
    if not errors:
        return
    lines = [f"{source}:{line}: {reason}" for line, reason in errors[:MAX_REPORTED]]
    if len(errors) > MAX_REPORTED:
        lines.append(f"... and {len(errors) - MAX_REPORTED} more invalid lines")
    lines.append(f"{len(errors)} invalid line(s); nothing was imported")
    raise InvalidInput("\n".join(lines))


def read_lines(lines: Iterable[bytes | str], source: str, *, progress: Callable[[int], None] | None = None) -> Batch:
    batch = Batch(source=source)
    errors: list[tuple[int, str]] = []
    seen_questions: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if progress is not None and number % 50_000 == 0:
            progress(number)
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            errors.append((number, f"not valid JSON ({exc.args[0].split(':')[0]})"))
            continue
        try:
            kind, rec = parse_record(obj)
        except InvalidInput as exc:
            errors.append((number, str(exc)))
            continue
        if kind == "question":
            first = seen_questions.setdefault(rec.slug, number)
            if first != number:
                errors.append((number, f"question {rec.slug!r} already defined on line {first}"))
                continue
        if rec is not None:
            batch.add(kind, rec, number)
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
