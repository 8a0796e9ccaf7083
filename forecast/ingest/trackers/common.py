"""Shared pieces of the tracker converters: reading CSV (plain or zipped) with line numbers, time zones,
slugs, and the conversion result.

Converters are pure: they turn another tracker's files into an interchange `Batch` (with skipped rows and
their reasons) that `services.batch_import.import_batch` writes; there is no second write path.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forecast.core.errors import InvalidInput, OutOfRange
from forecast.core.probability import parse_decimal
from forecast.core.slug import slugify
from forecast.core.timeparse import micros_of
from forecast.files import BoundedStream, open_regular
from forecast.interchange.reader import Batch

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_FIELD_CHARS = 16 * 1024 * 1024
"""Metaculus puts 201-point CDFs and long comment threads in one cell; nothing real comes near 16 MB, and the
cap is what keeps a zipped 1 GB cell from taking gigabytes of memory."""
MAX_MEMBER_BYTES = 4 * 1024 * 1024 * 1024
"""A zip member is read through a counter: its declared size may lie."""
csv.field_size_limit(MAX_FIELD_CHARS)


@dataclass
class Conversion:
    """A batch ready for import, and facts about the source worth telling the user."""

    batch: Batch
    notes: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def zone(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from None


def micros(dt: datetime, tz: tzinfo = UTC, column: str | None = None) -> int:
    """Microseconds since the epoch; a naive `dt` is wall-clock time in `tz`. Outside the supported time
    range: OutOfRange naming `column` (the row is skipped with that reason)."""
    try:
        return micros_of(dt, tz)
    except OutOfRange as exc:
        if column is None:
            raise
        raise OutOfRange(f"{column} {exc}") from None


def unit_probability(raw: str, column: str) -> float:
    """A probability cell on the 0-1 scale, or InvalidInput naming the column."""
    text = raw.strip()
    try:
        p = parse_decimal(text)
    except InvalidInput:
        p = math.nan
    if not (math.isfinite(p) and 0.0 <= p <= 1.0):
        raise InvalidInput(f"{column} {text!r} is not between 0 and 1")
    return p


def short_hash(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def title_slug(prefix: str, title: str, *identity: str) -> str:
    """`prefix-words-of-the-title-1a2b3c4d`: readable, and distinct for same-titled questions."""
    return f"{prefix}-{slugify(title, max_len=50)}-{short_hash(title, *identity)}"


def source_slug(name: str, max_len: int = 24) -> str:
    if not any(ch.isascii() and ch.isalnum() for ch in name):
        raise InvalidInput("--source must contain letters or digits")
    return slugify(name, max_len=max_len)


def _decode(stream) -> io.TextIOWrapper:
    # utf-8-sig: a CSV saved by a spreadsheet starts with a byte-order mark that would stick to the first column.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def open_text(path: str | Path, member: str | None = None):
    """A text stream over a CSV file, or over one member of a zip (the only .csv, or `member`)."""
    p = Path(path)
    if not p.exists():
        raise InvalidInput(f"{p}: no such file")
    if p.is_dir():
        raise InvalidInput(f"{p}: is a directory, not a CSV file")
    if not p.is_file():  # before is_zipfile, which would block on a FIFO
        raise InvalidInput(f"{p}: not a regular file (a device, FIFO or socket)")
    if zipfile.is_zipfile(p):
        zf = zipfile.ZipFile(p)
        names = [n for n in zf.namelist() if not n.endswith("/")]
        if member is not None:
            matches = [n for n in names if n == member or n.endswith("/" + member)]
        else:
            matches = [n for n in names if n.lower().endswith(".csv")]
        if len(matches) != 1:
            wanted = member or "one .csv file"
            raise InvalidInput(f"{p}: expected {wanted} in the zip, found: {', '.join(names) or 'nothing'}")
        return _decode(_member(zf, p, matches[0]))
    return _decode(open_regular(p, "CSV file"))


def open_bundle_member(root: str | Path, name: str):
    """`name` inside a folder or a zip (at its top level or one folder down); None when absent."""
    p = Path(root)
    if not p.exists():
        raise InvalidInput(f"{p}: no such file or folder")
    if p.is_dir():
        target = p / name
        return _decode(open_regular(target, "CSV file")) if target.exists() else None
    if not p.is_file() or not zipfile.is_zipfile(p):
        raise InvalidInput(f"{p}: neither a folder nor a zip file")
    zf = zipfile.ZipFile(p)
    matches = [n for n in zf.namelist() if n == name or n.endswith("/" + name)]
    if len(matches) > 1:
        raise InvalidInput(f"{p}: more than one {name} in the zip")
    return _decode(_member(zf, p, matches[0])) if matches else None


def _member(zf: zipfile.ZipFile, path: Path, name: str):
    label = f"{path}:{name}"
    if zf.getinfo(name).file_size > MAX_MEMBER_BYTES:
        raise InvalidInput(f"{label} is larger than {MAX_MEMBER_BYTES // 1024**3} GB")
    return io.BufferedReader(BoundedStream(zf.open(name), MAX_MEMBER_BYTES, label))


_OTHER_DELIMITERS = ((";", "semicolon"), ("\t", "tab"), ("|", "pipe"))


def delimiter_hint(header: list[str], expected: tuple[str, ...]) -> str | None:
    """"looks semicolon-separated" when the header, split on another delimiter, names more expected columns.

    A spreadsheet set to a European locale saves `;`-separated "CSV"; read as commas its header is one
    long cell, and "missing all 17 columns" would send the user looking in the wrong place.
    """
    line = ",".join(header)
    found = sum(1 for c in header if c in expected)
    for delimiter, name in _OTHER_DELIMITERS:
        cells = [c.strip().strip('"') for c in line.split(delimiter)]
        if len(cells) > 1 and sum(1 for c in cells if c in expected) > found:
            return f"looks {name}-separated; this importer reads comma-separated files (re-export with commas)"
    return None


class CsvRows:
    """Rows of a CSV file as dicts keyed by header, each with the line on which its record starts."""

    def __init__(self, stream, source: str) -> None:
        self.stream = stream
        self.source = source
        self.reader = csv.reader(stream)
        try:
            self.header = next(self.reader)
        except StopIteration:
            raise InvalidInput(f"{source}: empty file (no header row)") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{source}: not a readable UTF-8 CSV file ({exc})") from None

    def require_exact(self, expected: tuple[str, ...], what: str) -> None:
        """Column-exact formats: the header must match, so a changed export fails loudly rather than misparse."""
        if tuple(self.header) == expected:
            return
        hint = delimiter_hint(self.header, expected)
        if hint:
            raise InvalidInput(f"{self.source}: not {what}: {hint}")
        missing = [c for c in expected if c not in self.header]
        extra = [c for c in self.header if c not in expected]
        detail = []
        if missing:
            detail.append("missing " + ", ".join(repr(c) for c in missing))
        if extra:
            detail.append("unexpected " + ", ".join(repr(c) for c in extra))
        if not detail:
            detail.append("columns in a different order")
        raise InvalidInput(f"{self.source}: not {what} ({'; '.join(detail)})")

    def require_columns(self, needed: tuple[str, ...], what: str) -> None:
        missing = [c for c in needed if c not in self.header]
        if missing:
            hint = delimiter_hint(self.header, needed)
            if hint:
                raise InvalidInput(f"{self.source}: not {what}: {hint}")
            raise InvalidInput(f"{self.source}: not {what} (missing {', '.join(repr(c) for c in missing)})")

    def __iter__(self) -> Iterator[tuple[int, dict[str, str] | None, list[str]]]:
        """Yields (line, row as a dict or None when the column count is wrong, raw cells)."""
        header = self.header
        width = len(header)
        reader = self.reader
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise InvalidInput(f"{self.source}:{line}: unreadable CSV ({exc})") from None
            if cells:
                yield line, (dict(zip(header, cells, strict=True)) if len(cells) == width else None), cells
            line = reader.line_num + 1

    def close(self) -> None:
        self.stream.close()


class ForecastDedup:
    """One forecast per (question, forecaster, made_at), the identity storage keeps.

    An exact repeat of a row is skipped as a duplicate; a row with the same identity but a different
    probability replaces the earlier one (the later row is the later forecast in every export we read).
    """

    def __init__(self, batch: Batch, where: str = "") -> None:
        self.batch = batch
        self.where = where  # prefixed to reasons, e.g. the file name when a source has several
        self.seen: dict[tuple[str, str, int], tuple[int, tuple]] = {}
        self.duplicates = 0
        self.replaced = 0

    def add(self, rec, line: int, raw: tuple) -> None:
        key = (rec.question, rec.forecaster, rec.made_at)
        batch = self.batch
        first = self.seen.get(key)
        if first is None:
            self.seen[key] = (len(batch.forecasts), raw)
            batch.forecasts.append(rec)
            batch.forecast_lines.append(line)
            return
        pos, first_raw = first
        old_line = batch.forecast_lines[pos]
        if first_raw == raw:
            self.duplicates += 1
            batch.skipped.append((line, f"{self.where}duplicate of line {old_line}"))
            return
        self.replaced += 1
        batch.skipped.append(
            (old_line, f"{self.where}replaced by line {line} (same forecaster and time, another probability)")
        )
        batch.forecasts[pos] = rec
        batch.forecast_lines[pos] = line
        self.seen[key] = (pos, raw)


def summarize(conv: Conversion, order=lambda item: item[0]) -> Conversion:
    """Count what scoring will leave out, so the import report can say so; sort the skipped rows by `order`."""
    batch = conv.batch
    ends: dict[str, int] = {}
    never = 0
    for q in batch.questions:
        if q.resolution in ("yes", "no", "outcome"):
            end = min(q.closes_at, q.resolved_at if q.resolved_at is not None else q.closes_at)
            if q.closes_at <= q.opens_at or end <= q.opens_at:
                never += 1
            else:
                ends[q.slug] = end
    late = sum(1 for f in batch.forecasts if f.question in ends and f.made_at >= ends[f.question])
    batch.skipped.sort(key=order)
    conv.notes.update(
        {
            "questions": len(batch.questions),
            "forecasts": len(batch.forecasts),
            "skipped_rows": len(batch.skipped),
            "late_forecasts": late,
            "never_scored_questions": never,
        }
    )
    dup, replaced = conv.notes.get("duplicate_rows", 0), conv.notes.get("replaced_rows", 0)
    if dup:
        conv.messages.append(f"{dup} exact duplicate rows imported once")
    if replaced:
        conv.messages.append(f"{replaced} rows replaced by a later row with the same forecaster and time")
    if late:
        conv.messages.append(
            f"{late} forecasts were made at or after their question's close: kept, and reported as late by scoring"
        )
    if never:
        conv.messages.append(
            f"{never} resolved questions close before (or when) they open: imported, but never scored"
        )
    return conv
