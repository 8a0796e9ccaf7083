"""Metaculus's data export (a zip, or the folder it unpacks to) -> an interchange batch.

`question_data.csv` (one row per question) and `forecast_data.csv` (one row per forecast, users' and
aggregates') as written by `generate_data` in Metaculus's utils/csv_utils.py (commit 100c4088, 2026-08-20);
`score_data.csv`, when exported with scores, holds Metaculus's own baseline and peer scores per question and
user (`read_scores`). Aggregate rows (the community prediction and friends) are skipped unless `aggregates`
is set, in which case they become forecasters named `metaculus:<method>`; the `geometric_mean` aggregate,
an unnormalised geometric mean of PMFs that Metaculus writes into "Probability Yes Per Category" whatever the
question's type (csv_utils.py lines 613-616), is no forecast and is always skipped with that reason.

Question types (`Question.QuestionType`, questions/models.py:80-85):
- binary -> binary; "Probability Yes".
- multiple_choice -> choice, with one option per label of "MC Options (All)" (every option ever, the
  catch-all last: `get_all_options_from_history`, questions/services/multiple_choice_handlers.py:83-105).
  A key is derived from its label alone (`option_keys`: ASCII-folded, lowercase, dashes; a repeated key gets
  -2, -3, ...), so importing again gives the same keys; labels are kept as one clean line. A forecast is its
  "Probability Yes Per Category" over those options; None marks an option that was not available when the
  forecast was made. For an option added later (`multiple_choice_add_options`, lines 302-375; when, from
  "MC Options History") the catch-all stood for it, so the catch-all's probability is shared equally between
  them here (`choice_vector`); Metaculus reads the whole catch-all for it and counts only the options then
  available in the baseline (scoring/score_math.py:86-97), which one vector cannot say, so scores on such
  questions (`options_changed`) differ and --compare-scores says why. A deleted option's None is 0 (its mass
  went to the catch-all, lines 192-299). The resolution is an option's label -> its key.
- numeric and discrete -> numeric; date -> date. The range is "Lower Bound" .. "Upper Bound" with the open
  flags; the export has no zero-point column, so a log scale is read off "Continuous Range", the 201 values
  `unscaled_location_to_scaled_location` gives at np.linspace(0, 1, 201) (csv_utils.py:437-443;
  utils/the_math/formulas.py:77-103): linear, or geometric with the zero point `zero_point_of` solves for.
  A date question's bounds and range are written to the day ("%Y-%m-%d", csv_utils.py:430-435): its range
  here is those days at midnight UTC, and a date range that is not linear to within a day is refused. The
  unit is not exported. A forecast is its "Continuous CDF": the CDF at 201 evenly spaced locations of the
  range scaled to [0, 1], cdf[0] = P(below the lower bound), cdf[-1] = P(at most the upper one)
  (questions/models.py:632-641). That is exactly the grid and space of our stored CDF (core/kinds.py,
  core/distribution.py `to_pmf` = Metaculus's `get_pmf`), so it is stored unchanged after `check_vector`
  (201 finite values, not decreasing, within 0 and 1); a discrete question with other than 200 outcomes
  has a CDF of another length, refused row by row. Resolutions: `str(float)`, `str(datetime)` for a date
  ("2025-08-20 12:00:00+00:00"; a naive one is UTC), "below_lower_bound" / "above_upper_bound" -> below /
  above (questions/serializers/common.py:867-914).
- "annulled" and "ambiguous" -> annulled, for every type. Other types are skipped with a reason.

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

Every row that is not imported is in `batch.skipped` with its reason; a row is taken whole or not at all.
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import OUTCOME, KindSpec, encode_vector, iso_date, summary
from forecast.core.kinds import ABOVE, BELOW, GRID_POINTS, MAX_OPTIONS, ChoiceOption, Choices, ContinuousRange
from forecast.core.model import Kind
from forecast.core.slug import source_slug
from forecast.core.text import clean_line
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
PER_CATEGORY = "Probability Yes Per Category"
CDF = "Continuous CDF"
RANGE = "Continuous Range"
SHORT_LAST = "PDF at Resolution"  # the column Metaculus leaves out on questions without a resolution bucket
SCORE_COLUMNS = ("Question ID", "Score Type", "Score", "Coverage")
RESOLUTIONS = {"yes": "yes", "no": "no", "annulled": "annulled", "ambiguous": "annulled", "": None, "none": None}
UNSUCCESSFUL = {"annulled": "annulled", "ambiguous": "annulled", "": None, "none": None}
KINDS = {"binary": Kind.BINARY, "multiple_choice": Kind.CHOICE, "numeric": Kind.NUMERIC, "discrete": Kind.NUMERIC,
         "date": Kind.DATE}  # fmt: skip
BELOW_LOWER, ABOVE_UPPER = "below_lower_bound", "above_upper_bound"
GEOMETRIC_MEAN = "geometric_mean"
DAY = 86_400.0
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FLOAT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_NP_FLOAT = re.compile(r"^np\.float64\((.*)\)$")  # numpy >= 2's repr, should an export ever be written with it


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
    options_changed: set[str] = field(default_factory=set)  # choice slugs with an option added after the start
    option_added_at: dict[str, list[int | None]] = field(default_factory=dict)  # slug -> per option, when added
    unavailable: set[tuple[str, str]] = field(default_factory=set)  # (slug, forecaster) with a None category
    refused: dict[str, int] = field(default_factory=dict)  # slug -> forecast rows refused (not aggregates)
    kinds: dict[str, Kind] = field(default_factory=dict)  # slug -> kind

    def why(self, slug: str, forecaster: str, score_type: str) -> str:
        """Why our score of this pair may differ from Metaculus's, from what the export shows (every reason
        that applies, the likeliest first)."""
        reasons = []
        if score_type == "peer" and not self.crowd_counts:
            reasons.append("the export has no aggregates, so it may hold only part of the crowd (a personal "
                           "export: yours)")  # fmt: skip
        if slug in self.options_changed:
            mine = (slug, forecaster) in self.unavailable
            reasons.append("an option was added on Metaculus (MC Options History): " + ("this forecaster's" if mine
                           else "some") + " forecasts were made before it and here share their catch-all's "
                           "probability with it, where Metaculus reads the whole catch-all for it and counts only "
                           "the options then available in the baseline")  # fmt: skip
        if self.refused.get(slug):
            reasons.append(f"{self.refused[slug]} forecast rows on this question were refused on import (see the "
                           "skipped rows)")  # fmt: skip
        if (slug, forecaster) in self.withdrawn:
            reasons.append("withdrawn on Metaculus (here the forecast stands until the next one or the close)")
        if score_type == "peer" and self.crowd_counts:
            crowd = {f.forecaster for f in self.batch.forecasts if f.question == slug}
            crowd -= self.crowd_excludes().get(slug, frozenset())
            if self.crowd_counts.get(slug, 0) > len(crowd):
                reasons.append(f"the crowd had {self.crowd_counts[slug]} forecasters; the export holds {len(crowd)}")
            elif any(who != forecaster for who in self.withdrawn_on(slug)):
                reasons.append("another forecaster withdrew on Metaculus, which changes the crowd")
        if self.kinds.get(slug) is Kind.DATE:
            reasons.append("a date question's bounds are exported to the day, so the range here may be up to a "
                           "day off Metaculus's")  # fmt: skip
        if reasons:
            return "; ".join(reasons)
        if score_type != "peer":
            return "not explained by the export"
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
        skipped_questions, specs = _questions(questions, conv)
    finally:
        questions.close()
    forecasts = _open(root, FORECASTS, True)
    try:
        forecasts.require_columns(FORECAST_COLUMNS, f"Metaculus's {FORECASTS}")
        if ANONYMIZED not in forecasts.header:
            forecasts.require_columns(NAMED, f"Metaculus's {FORECASTS}")
        _forecasts(forecasts, conv, skipped_questions, specs, aggregates)
    finally:
        forecasts.close()
    # Both files number their lines from 1; each reason starts with its file's name.
    return summarize(conv, order=lambda item: (not item[1].startswith(QUESTIONS), item[0]))


def _questions(rows: CsvRows, conv: MetaculusConversion) -> tuple[dict[str, str], dict[str, tuple[KindSpec, dict]]]:
    """Read every question row; returns (Question ID -> why skipped, slug -> (spec, raw label -> key))."""
    batch = conv.batch
    skipped: dict[str, str] = {}
    specs: dict[str, tuple[KindSpec, dict]] = {}
    seen: dict[str, int] = {}
    for line, row, cells in rows:
        where = f"{QUESTIONS}: "
        if row is None:
            batch.skipped.append((line, f"{where}expected {len(rows.header)} columns, found {len(cells)}"))
            continue
        qid = row["Question ID"].strip()
        try:
            if not (qid.isascii() and qid.isdigit()):
                raise InvalidInput(f"Question ID {qid!r} is not a number")
            if qid in seen:
                raise InvalidInput(f"question {qid} is also on line {seen[qid]}")
            mtype = row["Question Type"].strip().lower().replace(" ", "_")
            kind = KINDS.get(mtype)
            if kind is None:
                raise InvalidInput(f"question {qid} is {mtype or 'of no type'}: only binary, multiple_choice, "
                                   "numeric, discrete and date questions are supported")  # fmt: skip
            spec, labels = _spec(row, qid, kind, conv)
            q = _question(row, qid, spec, labels)
            bots_in = _flag(row.get(BOTS_IN_CROWD, ""), BOTS_IN_CROWD)
        except InvalidInput as exc:
            if qid not in seen:
                skipped[qid] = str(exc)
            batch.skipped.append((line, f"{where}{exc}"))
            continue
        seen[qid] = line
        batch.questions.append(q)
        batch.question_lines.append(line)
        conv.bots_in_crowd[q.slug] = bool(bots_in)  # Metaculus's default is False
        conv.kinds[q.slug] = kind
        if kind is not Kind.BINARY:
            specs[q.slug] = (spec, labels)
    for slug in conv.options_changed:
        if slug not in specs:
            conv.options_changed.discard(slug)
    return skipped, specs


def _question(row: dict[str, str], qid: str, spec: KindSpec, labels: dict[str, str]) -> QuestionRec:
    raw = row["Resolution"].strip()
    resolution, outcome = _resolution(raw, qid, spec, labels)
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
    title = clean_line(row["Question Title"], 500) or f"Metaculus question {qid}"
    return QuestionRec(
        slug=slug_for(qid),
        title=title,
        kind=spec.kind.value,
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
        kind_spec=spec.to_json(),
        outcome=outcome,
    )


def _resolution(raw: str, qid: str, spec: KindSpec, labels: dict[str, str]) -> tuple[str | None, str | None]:
    """(resolution, canonical outcome) of the Resolution cell as Metaculus stores it."""
    low = raw.lower()
    if spec.binary:
        if low not in RESOLUTIONS:
            raise InvalidInput(f"question {qid}: resolution {raw!r} is not yes, no, annulled or ambiguous")
        return RESOLUTIONS[low], None
    if low in UNSUCCESSFUL:
        return UNSUCCESSFUL[low], None
    try:
        if spec.choices is not None:
            if raw not in labels:
                raise InvalidInput(f"resolution {raw!r} is not one of its options ({', '.join(map(repr, labels))})")
            return OUTCOME, labels[raw]
        if low == BELOW_LOWER:
            return OUTCOME, spec.parse_outcome(BELOW)
        if low == ABOVE_UPPER:
            return OUTCOME, spec.parse_outcome(ABOVE)
        if spec.kind is Kind.DATE:
            return OUTCOME, spec.parse_outcome(iso_date(_instant(raw, "resolution")))
        return OUTCOME, spec.parse_outcome(repr(_number(raw, "resolution")))
    except InvalidInput as exc:
        raise InvalidInput(f"question {qid}: {exc}") from None


# ---- what a question is: options or range ------------------------------------------------------


def _spec(row: dict[str, str], qid: str, kind: Kind, conv: MetaculusConversion) -> tuple[KindSpec, dict[str, str]]:
    """The question's KindSpec, and for a choice question its raw labels -> keys (to read its resolution)."""
    from forecast.core.kind_spec import BINARY

    if kind is Kind.BINARY:
        return BINARY, {}
    try:
        if kind is Kind.CHOICE:
            return _choice_spec(row, qid, conv)
        return _continuous_spec(row, kind), {}
    except InvalidInput as exc:
        raise InvalidInput(f"question {qid}: {exc}") from None


def _choice_spec(row: dict[str, str], qid: str, conv: MetaculusConversion) -> tuple[KindSpec, dict[str, str]]:
    text = row.get("MC Options (All)", "").strip() or row.get("MC Options (Current)", "").strip()
    labels = _labels(text)
    if not 2 <= len(labels) <= MAX_OPTIONS:
        raise InvalidInput(f"a multiple-choice question has 2 to {MAX_OPTIONS} options, not {len(labels)}")
    if len(set(labels)) != len(labels):
        raise InvalidInput("MC Options (All) names an option twice")
    keys = option_keys(labels)
    options = tuple(ChoiceOption(k, clean_line(label, 200) or k) for k, label in zip(keys, labels, strict=True))
    history = row.get("MC Options History", "").strip()
    if history and history.lower() != "none":
        added = _added_at(history, labels)
        if any(a is not None for a in added):
            conv.options_changed.add(slug_for(qid))
            conv.option_added_at[slug_for(qid)] = added
    return KindSpec(Kind.CHOICE, choices=Choices(options)), dict(zip(labels, keys, strict=True))


def _added_at(history: str, labels: list[str]) -> list[int | None]:
    """Per option, when it was added (micros), from "MC Options History" (Python's str of a list of
    [isoformat time, options]); None for an option there from the start."""
    try:
        entries = ast.literal_eval(history)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise InvalidInput("MC Options History is not a list of (time, options)") from None
    if not isinstance(entries, (list, tuple)) or not entries or not all(
        isinstance(e, (list, tuple)) and len(e) == 2 and isinstance(e[0], str) and isinstance(e[1], (list, tuple))
        for e in entries
    ):
        raise InvalidInput("MC Options History is not a list of (time, options)")
    first: dict[str, int | None] = {}
    for i, (when, options) in enumerate(entries):
        at = None
        if i > 0:
            try:
                dt = datetime.fromisoformat(when)
            except ValueError:
                raise InvalidInput(f"MC Options History: {_short(when)} is not a time") from None
            at = iso_micros((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat(), field="MC Options History")
        for label in options:
            first.setdefault(str(label), at)
    return [first.get(label) for label in labels]


def _labels(text: str) -> list[str]:
    """"['Ajax', 'PSV Eindhoven']" (Python's str of a list of str) -> the labels."""
    if not text or text.lower() == "none":
        raise InvalidInput("no MC Options (All) or MC Options (Current)")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise InvalidInput(f"MC Options {_short(text)} is not a list of labels") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"MC Options {_short(text)} is not a list of labels")
    return value


def option_keys(labels: list[str]) -> list[str]:
    """A stable key per label: ASCII-folded, lowercase, runs of other characters as one dash, at most 40
    characters; a label with nothing left is option-N (its position); a repeat gets -2, -3, ..."""
    keys: list[str] = []
    taken: set[str] = set()
    for i, label in enumerate(labels, start=1):
        folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii").lower()
        base = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:40].strip("-") or f"option-{i}"
        key, n = base, 2
        while key in taken:
            suffix = f"-{n}"
            key = base[: 40 - len(suffix)].rstrip("-") + suffix
            n += 1
        keys.append(key)
        taken.add(key)
    return keys


def _continuous_spec(row: dict[str, str], kind: Kind) -> KindSpec:
    read = _day if kind is Kind.DATE else _number
    low, high = read(row.get("Lower Bound", ""), "Lower Bound"), read(row.get("Upper Bound", ""), "Upper Bound")
    open_lower = _flag(row.get("Open Lower Bound", ""), "Open Lower Bound")
    open_upper = _flag(row.get("Open Upper Bound", ""), "Open Upper Bound")
    if open_lower is None or open_upper is None:
        raise InvalidInput("Open Lower Bound and Open Upper Bound must be True or False")
    if not low < high:
        lo, hi = row.get("Lower Bound", ""), row.get("Upper Bound", "")
        raise InvalidInput(f"Lower Bound {_short(lo)} is not below Upper Bound {_short(hi)}")
    grid = _range_values(row.get(RANGE, ""), kind)
    if kind is Kind.DATE:
        linear = [low + (high - low) * i / (GRID_POINTS - 1) for i in range(GRID_POINTS)]
        if any(abs(a - b) > DAY for a, b in zip(grid, linear, strict=True)):
            raise InvalidInput("its Continuous Range is not linear: a date question on a log scale is not supported")
        zero = None
    else:
        zero = zero_point_of(grid, low, high)
    return KindSpec(kind, range=ContinuousRange(low, high, open_lower, open_upper, zero))


def _range_values(text: str, kind: Kind) -> list[float]:
    s = text.strip()
    if not s or s.lower() == "none":
        raise InvalidInput(f"no {RANGE} (the locations of the CDF, which tell a log scale from a linear one)")
    if kind is Kind.DATE:
        try:
            days = ast.literal_eval(s)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            days = None
        if not isinstance(days, list) or not all(isinstance(d, str) for d in days):
            raise InvalidInput(f"{RANGE} is not a list of dates")
        values = [_day(d, RANGE) for d in days]
    else:
        values = [v for v in parse_list_cell(s, RANGE) if v is not None]
    if len(values) != GRID_POINTS:
        raise InvalidInput(f"{RANGE} has {len(values)} locations, not {GRID_POINTS}")
    return values


def zero_point_of(grid: list[float], low: float, high: float) -> float | None:
    """The zero point whose log scale puts `grid` (the range at 201 evenly spaced locations) where it is;
    None for a linear range. InvalidInput when it is neither (or does not start and end at the bounds)."""
    width = high - low
    tol = 1e-9 * width

    def fits(rng: ContinuousRange) -> bool:
        n = len(grid) - 1
        return all(abs(rng.scaled(i / n) - x) <= tol + 1e-12 * abs(x) for i, x in enumerate(grid))

    if abs(grid[0] - low) > tol or abs(grid[-1] - high) > tol:
        raise InvalidInput(f"{RANGE} runs from {grid[0]!r} to {grid[-1]!r}, not from the Lower to the Upper Bound")
    if fits(ContinuousRange(low, high)):
        return None
    mid = grid[(len(grid) - 1) // 2]
    # x(1/2) = low + width / (sqrt(r) + 1) for r = (high - z) / (low - z) (formulas.py:98-102)
    root = width / (mid - low) - 1 if mid > low else -1.0
    if not (root > 0 and math.isfinite(root)) or root == 1:
        raise InvalidInput(f"{RANGE} is neither linear nor on a log scale")
    ratio = root * root
    z = (high - ratio * low) / (1 - ratio)
    for candidate in (0.0, *(round(z, k) for k in range(0, 10)), z):
        try:
            rng = ContinuousRange(low, high, zero_point=candidate)
        except InvalidInput:
            continue
        if fits(rng):
            return candidate
    raise InvalidInput(f"{RANGE} is neither linear nor on a log scale")


# ---- cells -----------------------------------------------------------------------------------------------


def parse_list_cell(text: str, column: str) -> list[float | None]:
    """"[0.1, None, 0.9]" (Python's str of a list of floats, None where a value is missing) -> the values.

    Only numbers and None: no expression is evaluated. InvalidInput names the column and the first bad item;
    non-finite values (nan, inf) are refused.
    """
    s = text.strip()
    if not (s.startswith("[") and s.endswith("]")):
        raise InvalidInput(f"{column} {_short(text)} is not a list of numbers")
    body = s[1:-1].strip()
    if not body:
        return []
    out: list[float | None] = []
    for i, item in enumerate(body.split(","), start=1):
        token = item.strip()
        m = _NP_FLOAT.match(token)
        if m:
            token = m.group(1).strip()
        if token == "None":
            out.append(None)
            continue
        if not _FLOAT.match(token):
            if token.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                raise InvalidInput(f"{column}: value {i} {_short(token)} is not a finite number")
            raise InvalidInput(f"{column}: value {i} {_short(token)} is not a number")
        x = float(token)
        if not math.isfinite(x):
            raise InvalidInput(f"{column}: value {i} {_short(token)} is not a finite number")
        out.append(x)
    return out


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37]) + "..."


def _number(text: str, column: str) -> float:
    s = text.strip()
    if not s or s.lower() == "none":
        raise InvalidInput(f"no {column}")
    if not _FLOAT.match(s):
        raise InvalidInput(f"{column} {_short(text)} is not a number")
    x = float(s)
    if not math.isfinite(x):
        raise InvalidInput(f"{column} {_short(text)} is not a finite number")
    return x


def _instant(text: str, column: str) -> float:
    """An ISO 8601 time or day as Python's datetime writes it -> POSIX seconds; a naive one is UTC."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{column} {_short(text)} is not a date or time") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _day(text: str, column: str) -> float:
    if not text.strip():
        raise InvalidInput(f"no {column}")
    return _instant(text, column)


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
    question has a resolution bucket (resolved yes, no, or to an outcome; None when unknown), for which no
    row is ever short.
    """
    width = len(header)
    if len(cells) == width:
        return dict(zip(header, cells, strict=True))
    if len(cells) == width - 1 and header and header[-1] == SHORT_LAST and resolved is not True:
        return dict(zip(header, [*cells, ""], strict=True))
    if len(cells) == width - 1 and header and header[-1] == SHORT_LAST:
        raise InvalidInput(f"expected {width} columns, found {len(cells)} (short rows are only written for "
                           "questions without a resolution: open, annulled or ambiguous)")  # fmt: skip
    raise InvalidInput(f"expected {width} columns, found {len(cells)}")


def choice_vector(text: str, spec: KindSpec, added_at: list[int | None] | None = None,
                  made: int | None = None) -> tuple[list[float], int]:  # fmt: skip
    """A "Probability Yes Per Category" cell -> (the vector over the options, how many were None).

    None marks an option not available when the forecast was made. One added later (`added_at`, per option,
    after `made`) was covered by the catch-all (the last option) then: the catch-all's probability is shared
    equally between it and every such option. One deleted before (its mass moved to the catch-all,
    multiple_choice_delete_options) gets 0. The result must be a forecast the question can take
    (`KindSpec.check_vector`: at least 0, summing to 1)."""
    assert spec.choices is not None
    values = parse_list_cell(text, PER_CATEGORY)
    n = len(spec.choices.options)
    if len(values) != n:
        raise InvalidInput(f"{PER_CATEGORY} has {len(values)} probabilities for the question's {n} options")
    missing = sum(v is None for v in values)
    if missing == n or values[-1] is None:
        raise InvalidInput(f"{PER_CATEGORY} has no probability for the catch-all (last) option")
    if any(v is not None and not 0.0 <= v <= 1.0 for v in values):
        raise InvalidInput(f"{PER_CATEGORY}: a probability is not between 0 and 1")
    vector = [0.0 if v is None else v for v in values]
    later = [i for i, v in enumerate(values) if v is None and added_at and made is not None
             and added_at[i] is not None and made < added_at[i]]  # fmt: skip
    if later:
        share = values[-1] / (len(later) + 1)
        for i in later:
            vector[i] = share
        vector[-1] = share
    spec.check_vector(vector)
    return vector, missing


def cdf_vector(text: str, spec: KindSpec) -> list[float]:
    """A "Continuous CDF" cell -> the stored CDF: the same 201 locations of the range scaled to [0, 1]."""
    values = parse_list_cell(text, CDF)
    if any(v is None for v in values):
        raise InvalidInput(f"{CDF} has a None value")
    if len(values) != GRID_POINTS:
        hint = f" (a discrete question with {len(values) - 1} outcomes?)" if len(values) > 1 else ""
        raise InvalidInput(f"{CDF} has {len(values)} values, not {GRID_POINTS}{hint}: only {GRID_POINTS}-point "
                           "CDFs can be stored")  # fmt: skip
    spec.check_vector(values)
    return values  # type: ignore[return-value]


def _forecasts(rows: CsvRows, conv: MetaculusConversion, skipped_questions: dict[str, str],
               specs: dict[str, tuple[KindSpec, dict]], aggregates: bool) -> None:  # fmt: skip
    batch = conv.batch
    known = {q.slug: q for q in batch.questions}
    dedup = ForecastDedup(batch, f"{FORECASTS}: ")
    ends: dict[tuple[str, str, int], int | None] = {}
    aggregate_rows = short_rows = bot_rows = unavailable = 0
    where = f"{FORECASTS}: "
    for line, row, cells in rows:
        qid = cells[0].strip() if cells else ""
        q = known.get(slug_for(qid)) if qid.isascii() and qid.isdigit() else None
        try:
            if row is None:
                row = forecast_row(rows.header, cells, None if q is None else q.resolution in ("yes", "no", OUTCOME))
                short_rows += 1
        except InvalidInput as exc:
            batch.skipped.append((line, f"{where}{exc}"))
            continue
        is_aggregate = False
        try:
            if qid in skipped_questions:
                raise InvalidInput(f"question {qid} was skipped")
            if q is None:
                raise InvalidInput(f"Question ID {qid!r} is not in {QUESTIONS}")
            slug = q.slug
            who, is_aggregate = forecaster_name(row)
            if is_aggregate:
                count = row.get("Forecaster Count", "").strip()
                if count.isdigit():
                    conv.crowd_counts[slug] = max(conv.crowd_counts.get(slug, 0), int(count))
            if is_aggregate and not aggregates:
                aggregate_rows += 1
                raise InvalidInput(f"aggregate forecast ({who.split(':', 1)[1]}), not a forecaster's")
            if is_aggregate and who == f"{PREFIX}:{GEOMETRIC_MEAN}":
                raise InvalidInput("aggregate geometric_mean: an unnormalised geometric mean of PMFs, not a forecast")
            made = _time(row["Start Time"], "Start Time")
            if made is None:
                raise InvalidInput("no Start Time")
            end = _time(row.get("End Time", ""), "End Time")
            is_bot = _flag(row.get(IS_BOT, ""), IS_BOT)
            missing = 0
            if q.kind == Kind.BINARY.value:
                p, vector = unit_probability(row["Probability Yes"], "Probability Yes"), None
            else:
                spec = specs[slug][0]
                if spec.choices is not None:
                    values, missing = choice_vector(row.get(PER_CATEGORY, ""), spec, conv.option_added_at.get(slug),
                                                    made)  # fmt: skip
                else:
                    values = cdf_vector(row.get(CDF, ""), spec)
                import numpy as np

                v = np.asarray(values, dtype=np.float64)
                p, vector = summary(spec.kind, v), encode_vector(v)
        except InvalidInput as exc:
            batch.skipped.append((line, f"{where}{exc}"))
            if q is not None and qid not in skipped_questions and not is_aggregate:
                conv.refused[q.slug] = conv.refused.get(q.slug, 0) + 1
            continue
        rec = ForecastRec(
            question=slug, forecaster=who, probability=p, made_at=made, recorded_at=made,
            rationale="", evidence=[], supersedes=None, vector=vector,
        )  # fmt: skip
        dedup.add(rec, line, tuple(cells))
        ends[(slug, who, made)] = end
        if missing:
            unavailable += 1
            conv.unavailable.add((slug, who))
        if is_bot:
            conv.bots.add(who)
            bot_rows += 1
    conv.notes["short_rows_read"] = short_rows
    conv.notes["bot_forecasts"] = bot_rows
    conv.notes["duplicate_rows"] = dedup.duplicates
    conv.notes["replaced_rows"] = dedup.replaced
    conv.notes["aggregate_rows_skipped"] = aggregate_rows
    conv.notes["unavailable_option_forecasts"] = unavailable
    by_kind: dict[str, int] = {}
    for q in batch.questions:
        by_kind[q.kind] = by_kind.get(q.kind, 0) + 1
    for kind in ("binary", "choice", "numeric", "date"):
        conv.notes[f"{kind}_questions"] = by_kind.get(kind, 0)
    if aggregate_rows:
        conv.messages.append(f"{aggregate_rows} aggregate forecasts skipped (import them with --aggregates)")
    if bot_rows:
        left_out = len(conv.crowd_excludes())
        conv.messages.append(
            f"{bot_rows} forecasts by {len(conv.bots)} bots (Is Bot): imported; {left_out} questions leave bots "
            "out of Metaculus's crowd, and --compare-scores does the same"
        )
    if unavailable:
        conv.messages.append(
            f"{unavailable} multiple-choice forecasts have no probability for an option not available then: one "
            "added later shares the catch-all's probability here (Metaculus reads the whole catch-all for it), "
            "one deleted before gets 0"
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
