"""Fatebook's CSV exports -> an interchange batch: "Export all your data" (HEADER) and a tournament's
export (TOURNAMENT_HEADER: the tournament's name first, no scores, sharing, comments or tags; the name
becomes the questions' tag).

The format is Fatebook's `jsonToCsv`/`printForCsv` (lib/web/export.ts lines 57-78 at Sage-Future/fatebook
commit 3eb5379f): the keys joined by "," as the header, rows joined by "\n" without a final newline,
strings in double quotes with quotes doubled, numbers and booleans bare, empty for a missing value. The
row objects are built at lib/web/export.ts lines 27-50 and lib/web/tournament_router.ts lines 441-454;
tags, "shared with" names and comments are joined with "; ", so a tag may hold a comma
("london, transport" is one tag).

One row per forecast. A question has no id in the file, so it is identified by its title and creation time
(as Fatebook users' own scripts do) and gets the slug `fb-<title words>-<hash of both>`.
Dates are the server's local wall-clock time with unpadded seconds (`2024-03-05 14:07:3`); `tz` says which
zone that was. Resolutions are YES, NO, AMBIGUOUS (imported as annulled) or empty (open).

Fatebook lets people forecast until a question is resolved, so a question resolved after its "resolve by"
date closes at its resolution; otherwise it closes at "resolve by".

Multiple-choice questions (rows that name a "Multiple choice option": a forecast on one is on one option,
Forecast.optionId at prisma/schema.prisma line 32, and its row gives the option's text, resolution and
resolution time, lib/web/export.ts lines 25-37) are read first and converted by fatebook_mc.py: a choice
question, or one binary question per option for a non-exclusive one. A question whose rows mostly name an
option is a multiple-choice one; a row that disagrees with the rest of its question is skipped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from forecast.core.errors import InvalidInput
from forecast.interchange.reader import Batch
from forecast.interchange.records import ForecastRec, QuestionRec
from forecast.ingest.trackers import fatebook_mc
from forecast.ingest.trackers.common import Conversion, CsvRows, ForecastDedup, micros, open_text, summarize, title_slug, unit_probability

HEADER = (
    "Question title",
    "Multiple choice option",
    "Forecast created by",
    "Forecast (scale = 0-1)",
    "Forecast created at",
    "Question created by",
    "Question created at",
    "Question resolve by",
    "Resolution",
    "Resolved at",
    "Your Brier score for this question",
    "Your relative Brier score for this question",
    "Question notes",
    "Question shared with",
    "Question shared publicly",
    "Question comments",
    "Question tags",
)
TOURNAMENT_HEADER = (
    "Tournament name",
    "Question title",
    "Multiple choice option",
    "Forecast created by",
    "Forecast (scale = 0-1)",
    "Forecast created at",
    "Question created by",
    "Question created at",
    "Question resolve by",
    "Resolution",
    "Resolved at",
    "Question notes",
)
PREFIX = "fb"
RESOLUTIONS = {"YES": "yes", "NO": "no", "AMBIGUOUS": "annulled", "": None}
_STAMP = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?", re.ASCII)
TAG_SEPARATOR = "; "  # `question?.tags?.map((t) => t.name).join("; ")`, lib/web/export.ts line 49


def parse_stamp(text: str, column: str) -> datetime:
    """`2024-03-05 14:07:3` (naive, local) or an ISO 8601 time with an offset (kept as it is)."""
    s = text.strip()
    m = _STAMP.fullmatch(s)
    try:
        if m:
            *parts, frac = m.groups()
            us = int((frac or "0").ljust(6, "0"))
            return datetime(*(int(p) for p in parts), us)
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            raise ValueError
        dt.astimezone(UTC)  # the question's identity is its UTC time: year 1 at +00:01 has none
        return dt
    except (ValueError, OverflowError):
        raise InvalidInput(f"{column} {text!r} is not a date-time") from None


def _identity(dt: datetime) -> str:
    """Creation time as part of a question's identity: the same whatever --tz says."""
    return (dt.astimezone(UTC) if dt.tzinfo else dt).isoformat()


def split_tags(cell: str) -> list[str]:
    """The tags of a "Question tags" cell, sorted; a comma belongs to the tag it is in."""
    return sorted({t.strip() for t in cell.split(TAG_SEPARATOR) if t.strip()})


def convert(path: str, *, tz: tzinfo = UTC) -> Conversion:
    rows = CsvRows(open_text(path), str(path))
    try:
        if rows.header and rows.header[0] == TOURNAMENT_HEADER[0]:
            rows.require_exact(TOURNAMENT_HEADER, "a Fatebook tournament export")
        else:
            rows.require_exact(HEADER, "a Fatebook CSV export")
        conv = Conversion(Batch(source=str(path)))
        _convert_rows(rows, conv, tz)
    finally:
        rows.close()
    return summarize(conv)


def _key(row: dict[str, str]) -> tuple[str, str]:
    """(title, creation time as identity): what identifies a question in the file."""
    title = row["Question title"].strip()
    if not title:
        raise InvalidInput("empty question title")
    created = parse_stamp(row["Question created at"], "Question created at")
    return title, _identity(created)


def _convert_rows(rows: CsvRows, conv: Conversion, tz: tzinfo) -> None:
    batch = conv.batch
    questions: dict[tuple[str, str], QuestionRec] = {}
    first_line: dict[str, int] = {}
    dedup = ForecastDedup(batch)
    # A question is multiple-choice when most of its rows name an option (every forecast on one does,
    # lib/web/question_router.ts lines 950-961): the rows are read first, then sorted into the two.
    read: list[tuple[int, dict[str, str], list[str], tuple[str, str], bool]] = []
    counts: dict[tuple[str, str], list[int]] = {}
    for line, row, cells in rows:
        if row is None:
            batch.skipped.append((line, f"expected {len(rows.header)} columns, found {len(cells)}"))
            continue
        try:
            key = _key(row)
        except InvalidInput as exc:
            batch.skipped.append((line, str(exc)))
            continue
        mc = bool(row["Multiple choice option"].strip())
        read.append((line, row, cells, key, mc))
        counts.setdefault(key, [0, 0])[mc] += 1
    mc_rows: dict[tuple[str, str], list[tuple[int, dict[str, str], list[str]]]] = {}
    for line, row, cells, key, mc in read:
        binary_n, mc_n = counts[key]
        if mc != (mc_n > binary_n):
            batch.skipped.append((line, _odd_row(mc, row, mc_n, binary_n)))
            continue
        if mc:
            mc_rows.setdefault(key, []).append((line, row, cells))
            continue
        try:
            q = _question(row, key, questions, tz)
            if q.slug not in first_line:
                first_line[q.slug] = line
                batch.questions.append(q)
                batch.question_lines.append(line)
            f = _forecast(row, q, tz)
        except InvalidInput as exc:
            batch.skipped.append((line, str(exc)))
            continue
        dedup.add(f, line, tuple(cells))
    result = fatebook_mc.McResult()
    for key in sorted(mc_rows):
        fatebook_mc.convert_question(mc_rows[key], lambda row, key=key: _fields(row, key, tz), batch, tz, result)
    _mc_messages(conv, result)
    conv.notes["duplicate_rows"] = dedup.duplicates + result.duplicates
    conv.notes["replaced_rows"] = dedup.replaced + result.replaced


def _odd_row(mc: bool, row: dict[str, str], mc_n: int, binary_n: int) -> str:
    if mc:
        return (f"multiple-choice option {row['Multiple choice option'].strip()!r} on a binary question "
                f"({binary_n} of its rows name no option, {mc_n} do)")  # fmt: skip
    return (f"no 'Multiple choice option' on a row of a multiple-choice question ({mc_n} of its rows name "
            f"an option, {binary_n} do not)")  # fmt: skip


def _mc_messages(conv: Conversion, result: fatebook_mc.McResult) -> None:
    choice = [o for o in result.outcomes if o.as_choice]
    split = [o for o in result.outcomes if not o.as_choice]
    conv.notes["choice_questions"] = len(choice)
    conv.notes["option_questions"] = len(split)
    if choice:
        conv.messages.append(f"{len(choice)} multiple-choice questions imported as choice questions (the rest "
                             "of each forecast, Fatebook's OTHER, is option 'other')")  # fmt: skip
    for o in split:
        conv.messages.append(f"multiple-choice question {o.slug}: a binary question per option, tagged {o.slug} "
                             f"(non-exclusive: {o.why_binary})")  # fmt: skip
    undetermined = [o.slug for o in choice if o.undetermined]
    if undetermined:
        conv.messages.append(
            f"{len(undetermined)} multiple-choice questions have every option resolved NO, which Fatebook writes "
            "for OTHER and for AMBIGUOUS alike, and no score to tell them apart: left unresolved (resolve with "
            "`forecast resolve SLUG other` or `annulled`): " + ", ".join(undetermined)
        )


def _fields(row: dict[str, str], key: tuple[str, str], tz: tzinfo) -> fatebook_mc.QuestionFields:
    """What every row of a question repeats, checked."""
    created = parse_stamp(row["Question created at"], "Question created at")
    return fatebook_mc.QuestionFields(
        title=key[0],
        identity=key[1],
        opens=micros(created, tz, "Question created at"),
        resolve_by=micros(parse_stamp(row["Question resolve by"], "Question resolve by"), tz, "Question resolve by"),
        description=row["Question notes"],
        tags=tuple(_tags(row)),
    )


def _tags(row: dict[str, str]) -> list[str]:
    if "Question tags" in row:
        return split_tags(row["Question tags"])
    # a tournament export: its questions are tagged with the tournament's name
    return [row["Tournament name"].strip()] if row["Tournament name"].strip() else []


def _question(
    row: dict[str, str], key: tuple[str, str], questions: dict[tuple[str, str], QuestionRec], tz: tzinfo
) -> QuestionRec:
    known = questions.get(key)
    if known is not None:
        return known
    title = key[0]
    created = parse_stamp(row["Question created at"], "Question created at")
    resolve_by = micros(parse_stamp(row["Question resolve by"], "Question resolve by"), tz, "Question resolve by")
    raw_res = row["Resolution"].strip()
    if raw_res.upper() not in RESOLUTIONS:
        raise InvalidInput(f"Resolution {raw_res!r} is not YES, NO, AMBIGUOUS or empty")
    resolution = RESOLUTIONS[raw_res.upper()]
    resolved_at = None
    if resolution is not None:
        if not row["Resolved at"].strip():
            raise InvalidInput(f"Resolution {raw_res} without a 'Resolved at' time")
        resolved_at = micros(parse_stamp(row["Resolved at"], "Resolved at"), tz, "Resolved at")
    opens = micros(created, tz, "Question created at")
    closes = max(resolve_by, resolved_at) if resolved_at is not None else resolve_by
    tags = _tags(row)
    rec = QuestionRec(
        slug=title_slug(PREFIX, title, key[1]),
        title=title,
        kind="binary",
        description=row["Question notes"],
        criteria="",
        opens_at=opens,
        closes_at=closes,
        resolves_at=resolve_by,
        tags=tags,
        auto=None,
        status="open" if resolution is None else ("annulled" if resolution == "annulled" else "resolved"),
        resolution=resolution,
        resolved_at=resolved_at,
        resolution_note="",
        created_at=opens,
        updated_at=None,
        source_file=None,
    )
    questions[key] = rec
    return rec


def _forecast(row: dict[str, str], q: QuestionRec, tz: tzinfo) -> ForecastRec:
    who = row["Forecast created by"].strip()
    if not who:
        raise InvalidInput("no forecaster name in 'Forecast created by'")
    p = unit_probability(row["Forecast (scale = 0-1)"], "Forecast (scale = 0-1)")
    made = micros(parse_stamp(row["Forecast created at"], "Forecast created at"), tz, "Forecast created at")
    return ForecastRec(
        question=q.slug,
        forecaster=who,
        probability=p,
        made_at=made,
        recorded_at=made,
        rationale="",
        evidence=[],
        supersedes=None,
    )
