"""Read an interchange file into a validated batch, or fail listing `FILE:LINE: reason` for every bad line."""

from __future__ import annotations

import marshal
import math
import os
import pickle
import signal
import sys
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter

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
    if len(hashes) < 2 or len(set(hashes)) == len(hashes):  # no hash repeats (the usual file): nothing to compare,
        return  # and numpy (a tenth of a second to import) is not needed
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
        return _finish(source, [_scan(lines, 1, progress)])


@dataclass
class _Scan:
    """What the lines of one part of a file gave, each record or error with its line number."""

    forecasts: list[ForecastRec] = field(default_factory=list)
    forecast_lines: list[int] = field(default_factory=list)
    # hash((question, forecaster, made_at, recorded_at)) of each forecast: see `_forecast_duplicates`.
    forecast_hashes: array = field(default_factory=lambda: array("q"))
    others: list[tuple[int, str, object]] = field(default_factory=list)  # (line, type, record), in line order
    errors: list[tuple[int, str]] = field(default_factory=list)


def _scan(lines: Iterable[bytes | str], first: int, progress: Callable[[int], None] | None) -> _Scan:
    """Parse each line on its own (`first`: the number of the first line); nothing here depends on
    another line, so two parts of a file may be scanned apart and `_finish`ed together."""
    scan = _Scan()
    forecasts, forecast_lines, forecast_hashes = scan.forecasts, scan.forecast_lines, scan.forecast_hashes
    others, errors = scan.others, scan.errors
    for number, raw in enumerate(lines, start=first):
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
        if kind == "forecast":
            forecast_hashes.append(hash((rec.question, rec.forecaster, rec.made_at, rec.recorded_at)))
            forecasts.append(rec)
            forecast_lines.append(number)
        else:
            others.append((number, kind, rec))
    return scan


def _finish(source: str, scans: list[_Scan]) -> Batch:
    """The batch of a file's scanned parts (in file order): repeats of one identity dropped or refused,
    kinds checked, every error raised at once."""
    batch = Batch(source=source)
    errors: list[tuple[int, str]] = []
    if len(scans) == 1:
        batch.forecasts, batch.forecast_lines = scans[0].forecasts, scans[0].forecast_lines
        forecast_hashes = scans[0].forecast_hashes
    else:
        forecast_hashes = array("q")
        for scan in scans:
            batch.forecasts += scan.forecasts
            batch.forecast_lines += scan.forecast_lines
            forecast_hashes += scan.forecast_hashes
    seen: dict[tuple, tuple[int, object]] = {}
    for scan in scans:
        errors += scan.errors
        for number, kind, rec in scan.others:
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


PARALLEL_FROM = 32 * 1024 * 1024
"""Files at least this large are scanned in two processes (`_scan_in_two`) when a core is free."""
SPLIT_PERCENT = 50
"""Where the file is split, in percent of its bytes: the halves are done at about the same time (this process
also runs `meanwhile` and scans the questions, which an export puts first and which cost more per byte than
forecasts; the child turns its records into bytes, and this process turns them back)."""


def read_file(path: str, *, progress: Callable[[int], None] | None = None, parallel_from: int = PARALLEL_FROM,
              meanwhile: Callable[[], None] | None = None) -> Batch:
    """The file's batch (`read_lines`). `meanwhile`: what this process does first while a child reads the second
    half of a large file (the CLI imports the write's modules); not called when the file is read in one."""
    if path == "-":
        return read_lines(sys.stdin.buffer, "<stdin>", progress=progress)
    from forecast.files import bounded_lines, open_regular

    try:
        # A regular file only (a FIFO would hang, /dev/zero never ends), and no line beyond the cap.
        with open_regular(path, "JSONL file") as fh, no_cycle_collection():
            scans = None
            if os.fstat(fh.fileno()).st_size >= parallel_from and _a_core_is_free():
                scans = _scan_in_two(fh.fileno(), path, progress, meanwhile)
            if scans is None:
                scans = [_scan(bounded_lines(fh, MAX_LINE_BYTES, path), 1, progress)]
            return _finish(path, scans)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a directory, not a JSONL file") from None


def _may_fork() -> bool:
    """A forked child runs only this module's parsing, which takes no lock another thread could hold: so
    only where fork is the usual way (Linux) and no other thread runs (the CLI reads before anything else)."""
    import threading

    return hasattr(os, "fork") and sys.platform.startswith("linux") and threading.active_count() == 1


def _a_core_is_free() -> bool:
    """Whether a child process would have a core to itself: the load average leaves one mostly idle. When the
    cores are busy (other programs' work), the child takes nothing off the wall time, since the processes
    share what the system gives this session, and only adds its own overhead (sending its records back and
    rebuilding them here: about a quarter of what reading them took)."""
    try:
        return os.getloadavg()[0] <= (os.cpu_count() or 1) - 0.5
    except OSError:
        return False


def _scan_in_two(fd: int, path: str, progress: Callable[[int], None] | None,
                 meanwhile: Callable[[], None] | None = None) -> list[_Scan] | None:
    """A large file's second half scanned by a forked child while this process scans the first: parsing a
    million lines is a few seconds of Python, and the machine has more than one core. Each line is parsed
    on its own (`_scan`), so the two scans, joined in file order by `_finish`, give what one scan gives.
    The child sends its records as plain values; if it fails in any way, its half is scanned here (and
    raises here what it raised there). None: one scan is the way (no fork here, no line end past the middle)."""
    from forecast.files import FileRange, bounded_lines, count_lines, line_start_near

    size = os.fstat(fd).st_size
    if not _may_fork():
        return None
    split = line_start_near(fd, size * SPLIT_PERCENT // 100, size)
    if split is None:
        return None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, and runs none of the parent's clean-ups
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                out.write(_scanned_part(fd, split, path))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    reaped = False
    try:
        with os.fdopen(read_end, "rb") as pipe:
            if meanwhile is not None:
                meanwhile()
            mine = _scan(bounded_lines(FileRange(fd, 0, split), MAX_LINE_BYTES, path), 1, progress)
            data = pipe.read()
        status = os.waitpid(pid, 0)[1]
        reaped = True
    finally:
        if not reaped:  # this half failed (or was interrupted): the other is not wanted
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    theirs = _received(data) if status == 0 else None
    if theirs is None:
        before = count_lines(fd, split)
        theirs = _scan(bounded_lines(FileRange(fd, split), MAX_LINE_BYTES, path, before=before), before + 1, progress)
    return [mine, theirs]


def _scanned_part(fd: int, start: int, path: str) -> bytes:
    """The child's scan of the file from `start`, as bytes: the forecasts field by field (numbers as arrays,
    names once each; the few with evidence, a correction or a vector apart), the rest pickled. A list of a
    million records pickled ten times slower."""
    from forecast.files import FileRange, bounded_lines, count_lines

    before = count_lines(fd, start)
    scan = _scan(bounded_lines(FileRange(fd, start), MAX_LINE_BYTES, path, before=before), before + 1, None)
    forecasts = scan.forecasts
    # One object per distinct name, so that marshal writes each name once and the other side builds it once.
    names: dict[str, str] = {}
    name = names.setdefault
    columns = (
        [name(q, q) for q in map(attrgetter("question"), forecasts)],
        [name(f, f) for f in map(attrgetter("forecaster"), forecasts)],
        array("d", map(attrgetter("probability"), forecasts)).tobytes(),
        array("q", map(attrgetter("made_at"), forecasts)).tobytes(),
        array("q", map(attrgetter("recorded_at"), forecasts)).tobytes(),
        list(map(attrgetter("rationale"), forecasts)),
        [(i, r.evidence, r.supersedes, r.vector, r.entered) for i, r in enumerate(forecasts)
         if r.evidence or r.supersedes is not None or r.vector is not None or r.entered],
    )  # fmt: skip
    lines = array("q", scan.forecast_lines).tobytes()
    return pickle.dumps((marshal.dumps(columns), lines, scan.forecast_hashes.tobytes(), scan.others, scan.errors),
                        protocol=pickle.HIGHEST_PROTOCOL)  # fmt: skip


def _received(data: bytes) -> _Scan | None:
    """The child's scan back (`_scanned_part`); None if what came is not whole."""
    try:
        columns, lines, hashes, others, errors = pickle.loads(data)
        questions, forecasters, probabilities, made, recorded, rationales, rare = marshal.loads(columns)
        numbers = [array(code, raw).tolist() for code, raw in (("d", probabilities), ("q", made), ("q", recorded))]
    except Exception:  # noqa: BLE001 (a child that died mid-write: its half is scanned again)
        return None
    # Each record its own evidence list, as parse_forecast gives it.
    forecasts = list(map(ForecastRec, questions, forecasters, *numbers, rationales, iter(list, None), repeat(None)))
    for i, evidence, supersedes, vector, entered in rare:
        rec = forecasts[i]
        rec.evidence, rec.supersedes, rec.vector, rec.entered = evidence, supersedes, vector, entered
        if rec.probability != rec.probability:
            # NaN (a forecast with a vector, until it is checked) is `math.nan` itself as parse_forecast gives it:
            # a record equals its repeat only then.
            rec.probability = math.nan
    scan = _Scan(forecasts=forecasts, others=others, errors=errors)
    scan.forecast_lines = array("q", lines).tolist() if lines else []
    scan.forecast_hashes.frombytes(hashes)
    return scan
