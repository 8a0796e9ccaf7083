"""The iqisa forecasting-data collection's long CSV (one row per forecast) -> an interchange batch.

Columns: question_id,user_id,team_id,probability,answer_option,timestamp,outcome,open_time,close_time,
resolve_time,time_open,n_opts,options,q_status,q_type. Outcome 1 / 0 resolves YES / NO, -1 annuls, empty
(or None) leaves the question open. Questions get the slug `<source>-<question_id>` (`core.slug.source_slug`:
an id that is not already lowercase words and digits gets a hash of itself, so distinct ids never merge).

Kept as they are: forecasts stamped after the close (scoring reports them as late) and questions whose
close precedes their opening (imported, never scored). Exact duplicate rows are imported once.
Some iqisa files stamp `timestamp` in naive local time (the Metaculus one: Europe/Berlin); `timestamp_tz`
says which zone naive stamps are in. The other times carry their offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path

from forecast.core.errors import InvalidInput
from forecast.core.slug import slugify, source_slug
from forecast.interchange.reader import Batch
from forecast.interchange.records import ForecastRec, QuestionRec
from forecast.ingest.trackers.common import Conversion, CsvRows, ForecastDedup, micros, open_text, summarize, unit_probability

HEADER = (
    "question_id",
    "user_id",
    "team_id",
    "probability",
    "answer_option",
    "timestamp",
    "outcome",
    "open_time",
    "close_time",
    "resolve_time",
    "time_open",
    "n_opts",
    "options",
    "q_status",
    "q_type",
)
TITLE_COLUMNS = ("question_id", "q_title")
OUTCOMES = {"1": "yes", "0": "no", "-1": "annulled", "": None, "none": None, "nan": None}
# Dataset names in iqisa paths and the slug prefixes they get by default.
KNOWN_SOURCES = {
    "predictionbook": "pb",
    "metaculus": "mc",
    "gjopen": "gjo",
    "goodjudgment": "gjp",
    "gjp": "gjp",
    "hypermind": "hm",
    "cset": "cset",
    "infer": "infer",
}
GENERIC_NAMES = {"public", "private", "data", "forecasts", "questions", "all", "export"}


def default_source(path: str) -> str:
    """`pb` for .../predictionbook/public.csv; otherwise the file's (or, if generic, its folder's) name."""
    p = Path(path)
    stem = p.name.split(".")[0]
    names = [stem, p.resolve().parent.name]
    for name in names:
        low = name.lower().replace("-", "").replace("_", "")
        for key, prefix in KNOWN_SOURCES.items():
            if key in low:
                return prefix
    for name in names:
        slug = slugify(name, max_len=24)
        if slug.lower() not in GENERIC_NAMES and slug != "question":
            return slug
    return "iqisa"


def _number_text(value: str) -> str:
    """'1.0' -> '1', '-1.0' -> '-1': iqisa writes integers as floats in some files. Case is kept: question
    ids `AB-1` and `ab-1` are two questions."""
    s = value.strip()
    if s.endswith(".0"):
        s = s[:-2]
    return s


class _Times:
    """Parses the repeated time strings of a question once."""

    def __init__(self, timestamp_tz: tzinfo) -> None:
        self.cache: dict[str, int] = {}
        self.naive_cache: dict[str, int] = {}
        self.timestamp_tz = timestamp_tz
        self.naive_stamps = 0

    def aware(self, text: str, column: str) -> int:
        got = self.cache.get(text)
        if got is None:
            got = self.cache[text] = micros(_parse(text, column), UTC, column)
        return got

    def stamp(self, text: str) -> int:
        dt = _parse(text, "timestamp")
        if dt.tzinfo is None:
            self.naive_stamps += 1
        return micros(dt, self.timestamp_tz, "timestamp")


def _parse(text: str, column: str) -> datetime:
    s = text.strip()
    if not s:
        raise InvalidInput(f"{column} is empty")
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        raise InvalidInput(f"{column} {text!r} is not a date-time") from None


def read_titles(path: str) -> dict[str, str]:
    """question_id -> q_title from an iqisa questions file (.csv or .csv.zip)."""
    rows = CsvRows(open_text(path), str(path))
    try:
        rows.require_columns(TITLE_COLUMNS, "an iqisa questions file")
        titles = {}
        for _line, row, _cells in rows:
            if row is not None and row["q_title"].strip():
                titles[_number_text(row["question_id"])] = row["q_title"].strip()
    finally:
        rows.close()
    return titles


def convert(
    path: str,
    *,
    source: str | None = None,
    titles: dict[str, str] | None = None,
    timestamp_tz: tzinfo = UTC,
) -> Conversion:
    prefix = source or default_source(path)
    try:
        source_slug(prefix, "1")
    except ValueError:
        raise InvalidInput(f"source {prefix!r} must be lowercase letters, digits and single dashes, "
                           "at most 69 characters") from None
    rows = CsvRows(open_text(path), str(path))
    try:
        rows.require_exact(HEADER, "an iqisa long CSV")
        conv = Conversion(Batch(source=str(path)))
        times = _Times(timestamp_tz)
        _convert_rows(rows, conv, prefix, titles or {}, times)
    finally:
        rows.close()
    if times.naive_stamps and timestamp_tz is UTC:
        conv.messages.append(
            f"{times.naive_stamps} forecast timestamps had no time zone and were read as UTC "
            "(if they are local time, say so with --timestamp-tz, e.g. Europe/Berlin)"
        )
    conv.notes["naive_timestamps"] = times.naive_stamps
    return summarize(conv)


def _convert_rows(rows: CsvRows, conv: Conversion, prefix: str, titles: dict[str, str], times: _Times) -> None:
    batch = conv.batch
    questions: dict[str, QuestionRec] = {}
    bad_questions: dict[str, str] = {}
    dedup = ForecastDedup(batch)
    untitled = 0
    for line, row, cells in rows:
        if row is None:
            batch.skipped.append((line, f"expected {len(HEADER)} columns, found {len(cells)}"))
            continue
        qid = _number_text(row["question_id"])
        try:
            q = questions.get(qid)
            if q is None:
                if qid in bad_questions:
                    raise InvalidInput(bad_questions[qid])
                try:
                    q = _question(row, qid, prefix, titles, times)
                except InvalidInput as exc:
                    bad_questions[qid] = f"question {qid}: {exc}"
                    raise InvalidInput(bad_questions[qid]) from None
                questions[qid] = q
                batch.questions.append(q)
                batch.question_lines.append(line)
                untitled += qid not in titles
            f = _forecast(row, q, times)
        except InvalidInput as exc:
            batch.skipped.append((line, str(exc)))
            continue
        dedup.add(f, line, tuple(cells))
    conv.notes["duplicate_rows"] = dedup.duplicates
    conv.notes["replaced_rows"] = dedup.replaced
    if titles and untitled:
        conv.messages.append(f"{untitled} questions have no title in the titles file: named by their id")


def _question(row: dict[str, str], qid: str, prefix: str, titles: dict[str, str], times: _Times) -> QuestionRec:
    if not qid or not all(ch.isalnum() or ch in "-_" for ch in qid):
        raise InvalidInput(f"question_id {row['question_id']!r} is not an identifier")
    slug = source_slug(prefix, qid)
    if _number_text(row["q_type"]) not in ("", "0") or _number_text(row["n_opts"]) not in ("", "2"):
        raise InvalidInput(
            f"not a binary question (q_type {row['q_type']!r}, n_opts {row['n_opts']!r}); only binary is supported"
        )
    raw_outcome = _number_text(row["outcome"]).lower()
    if raw_outcome not in OUTCOMES:
        raise InvalidInput(f"outcome {row['outcome']!r} is not 1, 0, -1 or empty")
    resolution = OUTCOMES[raw_outcome]
    opens = times.aware(row["open_time"], "open_time")
    closes = times.aware(row["close_time"], "close_time")
    resolve_text = row["resolve_time"].strip()
    resolve = times.aware(resolve_text, "resolve_time") if resolve_text else None
    if resolution is not None and resolve is None:
        raise InvalidInput(f"outcome {row['outcome']!r} without a resolve_time")
    return QuestionRec(
        slug=slug,
        title=titles.get(qid) or f"{prefix} question {qid}",
        kind="binary",
        description="",
        criteria="",
        opens_at=opens,
        closes_at=closes,
        resolves_at=resolve if resolve is not None else closes,
        tags=[],
        auto=None,
        status="open" if resolution is None else ("annulled" if resolution == "annulled" else "resolved"),
        resolution=resolution,
        resolved_at=resolve if resolution is not None else None,
        resolution_note="",
        created_at=opens,
        updated_at=None,
        source_file=None,
    )


def _forecast(row: dict[str, str], q: QuestionRec, times: _Times) -> ForecastRec:
    who = row["user_id"].strip()
    if not who:
        raise InvalidInput("empty user_id")
    p = unit_probability(row["probability"], "probability")
    option = _number_text(row["answer_option"])
    if option == "0":
        p = 1.0 - p  # the probability was given to "No"
    elif option not in ("1", ""):
        raise InvalidInput(f"answer_option {row['answer_option']!r} is not 1 (Yes) or 0 (No)")
    made = times.stamp(row["timestamp"])
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
