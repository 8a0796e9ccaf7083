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

Since mid-2025 a forecast row on a question that is open, annulled or ambiguous has one cell fewer than the
header: `generate_data` appends one empty cell, not two, for the last two columns ("Probability of
Resolution", "PDF at Resolution") when the question has no resolution bucket (utils/csv_utils.py, lines
592-596 and 664-668 at Metaculus commit 100c4088). Such rows are read with the missing last cell empty.

`Is Bot` marks bots' forecasts, and a question's `Include Bots in Aggregates` says whether Metaculus counts
them in its crowd; when it does not, Metaculus's peer scores compare everyone, bots included, with the
crowd of the other forecasters only (scoring/score_math.py, lines 365-370). The conversion records both
(`bots`, `bots_in_crowd`) so the score comparison can leave bots out of the crowd the same way.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from forecast.core.errors import InvalidInput
from forecast.core.slug import source_slug
from forecast.core.timeparse import iso_micros
from forecast.interchange.reader import Batch
from forecast.interchange.records import ForecastRec, QuestionRec
from forecast.ingest.trackers.common import (
    Conversion,
    CsvRows,
    ForecastDedup,
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
IS_BOT = "Is Bot"
BOTS_IN_CROWD = "Include Bots in Aggregates"
SHORT_LAST = "PDF at Resolution"  # the column Metaculus leaves out on questions without a resolution bucket
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


@dataclass
class MetaculusConversion(Conversion):
    """The batch, and who Metaculus leaves out of each question's peer crowd."""

    bots: set[str] = field(default_factory=set)  # forecaster names whose rows say Is Bot = True
    bots_in_crowd: dict[str, bool] = field(default_factory=dict)  # slug -> Include Bots in Aggregates
    withdrawn: set[tuple[str, str]] = field(default_factory=set)  # (slug, forecaster) with a withdrawal
    crowd_counts: dict[str, int] = field(default_factory=dict)  # slug -> most forecasters an aggregate counted

    def why(self, slug: str, forecaster: str, score_type: str) -> str:
        """Why our score of this pair may differ from Metaculus's, from what the export shows."""
        if (slug, forecaster) in self.withdrawn:
            return "withdrawn on Metaculus; here the forecast stands until the next one or the close"
        if score_type != "peer":
            return "not explained by the export"
        crowd = {f.forecaster for f in self.batch.forecasts if f.question == slug}
        crowd -= self.crowd_excludes().get(slug, frozenset())
        if not self.crowd_counts:
            return "the export has no aggregates, so it may hold only part of the crowd (a personal export: yours)"
        if self.crowd_counts.get(slug, 0) > len(crowd):
            return f"the crowd had {self.crowd_counts[slug]} forecasters; the export holds {len(crowd)}"
        if any(self.withdrawn_on(slug)):
            return "another forecaster withdrew on Metaculus, which changes the crowd"
        return "Metaculus also leaves non-primary bots and excluded users out of the crowd, which no export marks"

    def withdrawn_on(self, slug: str) -> list[str]:
        return [who for q, who in self.withdrawn if q == slug]

    def crowd_excludes(self) -> dict[str, frozenset[str]]:
        """Slug -> the forecasters Metaculus leaves out of that question's crowd (only non-empty entries)."""
        if not self.bots:
            return {}
        out = {}
        for q in self.batch.questions:
            if not self.bots_in_crowd.get(q.slug, False):
                who = frozenset(f.forecaster for f in self.batch.forecasts if f.question == q.slug) & self.bots
                if who:
                    out[q.slug] = who
        return out


def _flag(text: str, column: str) -> bool | None:
    """Python's str() of a bool as Metaculus writes it; empty or None for unknown."""
    s = text.strip().lower()
    if s in ("true", "1"):
        return True
    if s in ("false", "0"):
        return False
    if s in ("", "none"):
        return None
    raise InvalidInput(f"{column} {text!r} is not True or False")


def slug_for(question_id: str) -> str:
    return source_slug(PREFIX, question_id)


def _time(text: str, column: str) -> int | None:
    s = text.strip()
    if not s or s.lower() == "none":
        return None
    return iso_micros(s, field=column)  # the export's times carry their offset: a naive one is refused


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


def convert(root: str, *, aggregates: bool = False) -> MetaculusConversion:
    conv = MetaculusConversion(Batch(source=str(root)))
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


def _questions(rows: CsvRows, conv: MetaculusConversion) -> dict[str, str]:
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
            q = _question(row, qid)
            bots_in = _flag(row.get(BOTS_IN_CROWD, ""), BOTS_IN_CROWD)
            batch.questions.append(q)
            batch.question_lines.append(line)
            conv.bots_in_crowd[q.slug] = bool(bots_in)  # Metaculus's default is False
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


def forecast_row(header: list[str], cells: list[str], resolved: bool | None) -> dict[str, str]:
    """The cells of a forecast_data.csv row by column; InvalidInput when the row has the wrong width.

    A row one cell short is what Metaculus writes for a question with no resolution bucket (open, annulled,
    ambiguous): its missing cell is the last, "PDF at Resolution". `resolved` says whether the row's
    question resolved Yes or No (None when unknown), for which no row is ever short.
    """
    width = len(header)
    if len(cells) == width:
        return dict(zip(header, cells, strict=True))
    if len(cells) == width - 1 and header and header[-1] == SHORT_LAST and resolved is not True:
        return dict(zip(header, [*cells, ""], strict=True))
    if len(cells) == width - 1 and header and header[-1] == SHORT_LAST:
        raise InvalidInput(f"expected {width} columns, found {len(cells)} (short rows are only written for "
                           "questions without a Yes or No resolution)")  # fmt: skip
    raise InvalidInput(f"expected {width} columns, found {len(cells)}")


def _forecasts(
    rows: CsvRows, conv: MetaculusConversion, skipped_questions: dict[str, str], aggregates: bool
) -> None:
    batch = conv.batch
    known = {q.slug: q for q in batch.questions}
    dedup = ForecastDedup(batch, f"{FORECASTS}: ")
    ends: dict[tuple[str, str, int], int | None] = {}
    aggregate_rows = short_rows = bot_rows = 0
    where = f"{FORECASTS}: "
    for line, row, cells in rows:
        qid = cells[0].strip() if cells else ""
        q = known.get(slug_for(qid))
        try:
            if row is None:
                row = forecast_row(rows.header, cells, None if q is None else q.resolution in ("yes", "no"))
                short_rows += 1
        except InvalidInput as exc:
            batch.skipped.append((line, f"{where}{exc}"))
            continue
        try:
            if qid in skipped_questions:
                raise InvalidInput(f"question {qid} was skipped")
            slug = slug_for(qid)
            if slug not in known:
                raise InvalidInput(f"Question ID {qid!r} is not in {QUESTIONS}")
            who, is_aggregate = forecaster_name(row)
            if is_aggregate:
                count = row.get("Forecaster Count", "").strip()
                if count.isdigit():
                    conv.crowd_counts[slug] = max(conv.crowd_counts.get(slug, 0), int(count))
            if is_aggregate and not aggregates:
                aggregate_rows += 1
                raise InvalidInput(f"aggregate forecast ({who.split(':', 1)[1]}), not a forecaster's")
            p = unit_probability(row["Probability Yes"], "Probability Yes")
            made = _time(row["Start Time"], "Start Time")
            if made is None:
                raise InvalidInput("no Start Time")
            end = _time(row.get("End Time", ""), "End Time")
            is_bot = _flag(row.get(IS_BOT, ""), IS_BOT)
        except InvalidInput as exc:
            batch.skipped.append((line, f"{where}{exc}"))
            continue
        rec = ForecastRec(
            question=slug, forecaster=who, probability=p, made_at=made, recorded_at=made,
            rationale="", evidence=[], supersedes=None,
        )  # fmt: skip
        dedup.add(rec, line, tuple(cells))
        ends[(slug, who, made)] = end
        if is_bot:
            conv.bots.add(who)
            bot_rows += 1
    conv.notes["short_rows_read"] = short_rows
    conv.notes["bot_forecasts"] = bot_rows
    conv.notes["duplicate_rows"] = dedup.duplicates
    conv.notes["replaced_rows"] = dedup.replaced
    conv.notes["aggregate_rows_skipped"] = aggregate_rows
    if aggregate_rows:
        conv.messages.append(f"{aggregate_rows} aggregate forecasts skipped (import them with --aggregates)")
    if bot_rows:
        left_out = len(conv.crowd_excludes())
        conv.messages.append(
            f"{bot_rows} forecasts by {len(conv.bots)} bots (Is Bot): imported; {left_out} questions leave bots "
            "out of Metaculus's crowd, and --compare-scores does the same"
        )
    withdrawn, conv.withdrawn = _withdrawals(batch, known, ends)
    conv.notes["withdrawn_forecasts"] = withdrawn
    if withdrawn:
        conv.messages.append(
            f"{withdrawn} forecasts were withdrawn on Metaculus before the close; here they stand until the "
            "forecaster's next forecast or the close"
        )


def _withdrawals(
    batch: Batch, questions: dict[str, QuestionRec], ends: dict[tuple[str, str, int], int | None]
) -> tuple[int, set[tuple[str, str]]]:
    """Forecasts Metaculus ended before the close without a new one: how many, and their pairs."""
    by_pair: dict[tuple[str, str], list[ForecastRec]] = {}
    for f in batch.forecasts:
        by_pair.setdefault((f.question, f.forecaster), []).append(f)
    pairs, count = set(), 0
    for (slug, who), items in by_pair.items():
        q = questions[slug]
        close = min(q.closes_at, q.resolved_at) if q.resolved_at is not None else q.closes_at
        items.sort(key=lambda f: f.made_at)
        for i, f in enumerate(items):
            end = ends.get((f.question, f.forecaster, f.made_at))
            if end is None or end >= close:
                continue
            if i + 1 == len(items) or items[i + 1].made_at != end:
                pairs.add((slug, who))
                count += 1
    return count, pairs


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
