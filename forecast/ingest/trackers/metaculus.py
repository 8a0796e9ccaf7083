"""Metaculus's data export (a zip, or the folder it unpacks to) -> an interchange batch.

`question_data.csv` (one row per question) and `forecast_data.csv` (one row per forecast, users' and
aggregates') as written by Metaculus's `utils/csv_utils.py`; `score_data.csv`, when exported with scores,
holds Metaculus's own baseline and peer scores per question and user (`read_scores`).
Only binary questions are imported; other types, and forecasts on them, are skipped with a reason.
Aggregate rows (the community prediction and friends) are skipped unless `aggregates` is set, in which
case they become forecasters named `metaculus:<method>`.

A question gets the slug `metaculus-<Question ID>`. It opens at Open Time, closes at Scheduled Close Time
and resolves when the resolution became known (else at its Actual Close Time); scoring then ends at the
earlier of the two, as Metaculus's Actual Close Time does. A forecast Metaculus ended without replacing it
(a withdrawal) cannot be represented: it stands until the next forecast or the close, and we say how many.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from forecast.core.errors import InvalidInput
from forecast.core.slug import source_slug
from forecast.interchange.reader import Batch
from forecast.interchange.records import ForecastRec, QuestionRec
from forecast.ingest.trackers.common import (
    Conversion,
    CsvRows,
    ForecastDedup,
    micros,
    open_bundle_member,
    summarize,
    unit_probability,
)

QUESTIONS = "question_data.csv"
FORECASTS = "forecast_data.csv"
SCORES = "score_data.csv"
PREFIX = "metaculus"
QUESTION_COLUMNS = (
    "Question ID",
    "Question Title",
    "Question Type",
    "Open Time",
    "Scheduled Close Time",
    "Actual Close Time",
    "Resolution",
)
FORECAST_COLUMNS = ("Question ID", "Start Time", "Probability Yes")
NAMED = ("Forecaster ID", "Forecaster Username")
ANONYMIZED = "Forecaster (Anonymized)"
SCORE_COLUMNS = ("Question ID", "Score Type", "Score", "Coverage")
RESOLUTIONS = {"yes": "yes", "no": "no", "annulled": "annulled", "ambiguous": "annulled", "": None, "none": None}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class MetaculusScore:
    question: str  # our slug
    forecaster: str  # our forecaster name
    score_type: str  # baseline, peer, ...
    score: float
    coverage: float | None


def slug_for(question_id: str) -> str:
    return source_slug(PREFIX, question_id)


def _time(text: str, column: str) -> int | None:
    s = text.strip()
    if not s or s.lower() == "none":
        return None
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{column} {text!r} is not a date-time") from None
    return micros(dt, UTC, column)


def _open(root: str, name: str, required: bool) -> CsvRows | None:
    stream = open_bundle_member(root, name)
    if stream is None:
        if required:
            raise InvalidInput(f"{root}: no {name} (is this a Metaculus data export?)")
        return None
    return CsvRows(stream, f"{Path(root).name}/{name}")


def forecaster_name(row: dict[str, str]) -> tuple[str, bool]:
    """(our forecaster name, is an aggregate)."""
    if ANONYMIZED in row:
        who = row[ANONYMIZED].strip()
        if _HEX64.match(who):
            return f"metaculus-anon-{who[:12]}", False
        return f"metaculus:{who}", True
    fid = row["Forecaster ID"].strip()
    name = row["Forecaster Username"].strip()
    if not fid or fid.lower() == "none":
        return f"metaculus:{name}", True
    return name or f"metaculus-user-{fid}", False


def convert(root: str, *, aggregates: bool = False) -> Conversion:
    conv = Conversion(Batch(source=str(root)))
    questions = _open(root, QUESTIONS, True)
    try:
        questions.require_columns(QUESTION_COLUMNS, f"Metaculus's {QUESTIONS}")
        skipped_questions = _questions(questions, conv)
    finally:
        questions.close()
    forecasts = _open(root, FORECASTS, True)
    try:
        forecasts.require_columns(FORECAST_COLUMNS, f"Metaculus's {FORECASTS}")
        if ANONYMIZED not in forecasts.header:
            forecasts.require_columns(NAMED, f"Metaculus's {FORECASTS}")
        _forecasts(forecasts, conv, skipped_questions, aggregates)
    finally:
        forecasts.close()
    # Both files number their lines from 1; each reason starts with its file's name.
    return summarize(conv, order=lambda item: (not item[1].startswith(QUESTIONS), item[0]))


def _questions(rows: CsvRows, conv: Conversion) -> dict[str, str]:
    batch = conv.batch
    skipped: dict[str, str] = {}
    for line, row, cells in rows:
        where = f"{QUESTIONS}: "
        if row is None:
            batch.skipped.append((line, f"{where}expected {len(rows.header)} columns, found {len(cells)}"))
            continue
        qid = row["Question ID"].strip()
        try:
            if not (qid.isascii() and qid.isdigit()):
                raise InvalidInput(f"Question ID {qid!r} is not a number")
            kind = row["Question Type"].strip().lower().replace(" ", "_")
            if kind != "binary":
                raise InvalidInput(f"question {qid} is {kind or 'of no type'}: only binary questions are supported")
            batch.questions.append(_question(row, qid))
            batch.question_lines.append(line)
        except InvalidInput as exc:
            skipped[qid] = str(exc)
            batch.skipped.append((line, f"{where}{exc}"))
    return skipped


def _question(row: dict[str, str], qid: str) -> QuestionRec:
    raw = row["Resolution"].strip()
    if raw.lower() not in RESOLUTIONS:
        raise InvalidInput(f"question {qid}: resolution {raw!r} is not yes, no, annulled or ambiguous")
    resolution = RESOLUTIONS[raw.lower()]
    opens = _time(row["Open Time"], "Open Time")
    closes = _time(row["Scheduled Close Time"], "Scheduled Close Time")
    if opens is None or closes is None:
        raise InvalidInput(f"question {qid}: no Open Time or Scheduled Close Time (not published?)")
    known = _time(row.get("Resolution Known Time", ""), "Resolution Known Time")
    actual_close = _time(row["Actual Close Time"], "Actual Close Time")
    resolved_at = None
    if resolution is not None:
        resolved_at = known if known is not None else actual_close
        if resolved_at is None:
            raise InvalidInput(f"question {qid}: resolved {raw!r} but no Resolution Known Time or Actual Close Time")
    title = row["Question Title"].strip() or f"Metaculus question {qid}"
    return QuestionRec(
        slug=slug_for(qid),
        title=title,
        kind="binary",
        description=row.get("Question URL", "").strip(),
        criteria="",
        opens_at=opens,
        closes_at=closes,
        resolves_at=closes,
        tags=_categories(row.get("Categories", "")),
        auto=None,
        status="open" if resolution is None else ("annulled" if resolution == "annulled" else "resolved"),
        resolution=resolution,
        resolved_at=resolved_at,
        resolution_note="",
        created_at=opens,
        updated_at=None,
        source_file=None,
    )


def _categories(text: str) -> list[str]:
    """`['Politics', 'Economy']` (a Python list literal) -> tags; anything else is ignored."""
    s = text.strip()
    if not s.startswith("["):
        return []
    try:
        value = ast.literal_eval(s)
    except (ValueError, SyntaxError):
        return []
    if not isinstance(value, list):
        return []
    return sorted({str(v).strip() for v in value if str(v).strip()})


def _forecasts(rows: CsvRows, conv: Conversion, skipped_questions: dict[str, str], aggregates: bool) -> None:
    batch = conv.batch
    known = {q.slug: q for q in batch.questions}
    dedup = ForecastDedup(batch, f"{FORECASTS}: ")
    ends: dict[tuple[str, str, int], int | None] = {}
    aggregate_rows = 0
    where = f"{FORECASTS}: "
    for line, row, cells in rows:
        if row is None:
            batch.skipped.append((line, f"{where}expected {len(rows.header)} columns, found {len(cells)}"))
            continue
        qid = row["Question ID"].strip()
        try:
            if qid in skipped_questions:
                raise InvalidInput(f"question {qid} was skipped")
            slug = slug_for(qid)
            if slug not in known:
                raise InvalidInput(f"Question ID {qid!r} is not in {QUESTIONS}")
            who, is_aggregate = forecaster_name(row)
            if is_aggregate and not aggregates:
                aggregate_rows += 1
                raise InvalidInput(f"aggregate forecast ({who.split(':', 1)[1]}), not a forecaster's")
            p = unit_probability(row["Probability Yes"], "Probability Yes")
            made = _time(row["Start Time"], "Start Time")
            if made is None:
                raise InvalidInput("no Start Time")
            end = _time(row.get("End Time", ""), "End Time")
        except InvalidInput as exc:
            batch.skipped.append((line, f"{where}{exc}"))
            continue
        rec = ForecastRec(
            question=slug, forecaster=who, probability=p, made_at=made, recorded_at=made,
            rationale="", evidence=[], supersedes=None,
        )  # fmt: skip
        dedup.add(rec, line, tuple(cells))
        ends[(slug, who, made)] = end
    conv.notes["duplicate_rows"] = dedup.duplicates
    conv.notes["replaced_rows"] = dedup.replaced
    conv.notes["aggregate_rows_skipped"] = aggregate_rows
    if aggregate_rows:
        conv.messages.append(f"{aggregate_rows} aggregate forecasts skipped (import them with --aggregates)")
    withdrawn = _withdrawals(batch, known, ends)
    conv.notes["withdrawn_forecasts"] = withdrawn
    if withdrawn:
        conv.messages.append(
            f"{withdrawn} forecasts were withdrawn on Metaculus before the close; here they stand until the "
            "forecaster's next forecast or the close"
        )


def _withdrawals(batch: Batch, questions: dict[str, QuestionRec], ends: dict[tuple[str, str, int], int | None]) -> int:
    by_pair: dict[tuple[str, str], list[ForecastRec]] = {}
    for f in batch.forecasts:
        by_pair.setdefault((f.question, f.forecaster), []).append(f)
    count = 0
    for (slug, _who), items in by_pair.items():
        q = questions[slug]
        close = min(q.closes_at, q.resolved_at) if q.resolved_at is not None else q.closes_at
        items.sort(key=lambda f: f.made_at)
        for i, f in enumerate(items):
            end = ends.get((f.question, f.forecaster, f.made_at))
            if end is None or end >= close:
                continue
            if i + 1 == len(items) or items[i + 1].made_at != end:
                count += 1
    return count


def read_scores(root: str) -> list[MetaculusScore] | None:
    """Metaculus's own scores from score_data.csv; None when the export has none."""
    rows = _open(root, SCORES, False)
    if rows is None:
        return None
    try:
        rows.require_columns(SCORE_COLUMNS, f"Metaculus's {SCORES}")
        anonymized = "User (Anonymized)" in rows.header
        if not anonymized:
            rows.require_columns(("User ID", "User Username"), f"Metaculus's {SCORES}")
        out = []
        for _line, row, _cells in rows:
            if row is None:
                continue
            if anonymized:
                who, aggregate = forecaster_name({ANONYMIZED: row["User (Anonymized)"]})
            else:
                who, aggregate = forecaster_name(
                    {"Forecaster ID": row["User ID"], "Forecaster Username": row["User Username"]}
                )
            try:
                score = float(row["Score"])
            except ValueError:
                continue
            try:
                coverage = float(row["Coverage"])
            except ValueError:
                coverage = None
            out.append(
                MetaculusScore(
                    question=slug_for(row["Question ID"].strip()),
                    forecaster=who,
                    score_type=row["Score Type"].strip(),
                    score=score,
                    coverage=coverage,
                )
            )
    finally:
        rows.close()
    return out
