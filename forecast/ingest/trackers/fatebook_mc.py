"""Fatebook's multiple-choice questions -> choice questions (or, when they cannot be one, a binary question per
option).

What Fatebook does (Sage-Future/fatebook at commit 3eb5379f94e9, 2025-12-16):

- A multiple-choice question (`QuestionType.MULTIPLE_CHOICE`, prisma/schema.prisma lines 12-16) has
  `QuestionOption`s (lines 55-67: `text`, its own `resolution` and `resolvedAt`) and `exclusiveAnswers`
  (line 100, default true), which the export does not carry. A forecast is on one option (`Forecast.optionId`,
  line 32; addForecast refuses one without it, lib/web/question_router.ts lines 950-961), each with its own
  `createdAt`: a forecast on a question of three options is three rows (made at the same second when the
  question is created, lib/web/question_router.ts lines 552-571), and a later update is a row per option
  changed, each at its own time.
- The export row of such a forecast names the option's text in "Multiple choice option" and gives
  `mcqOption?.resolution || question?.resolution` and `mcqOption?.resolvedAt || question?.resolvedAt`
  (lib/web/export.ts lines 29, 36-37; lib/web/tournament_router.ts lines 445, 452-453): the option's own.
- Exclusive questions (the default): the web form refuses forecasts whose sum passes 100 %
  (components/questions/UpdateableLatestForecast.tsx lines 74-89, components/predict-form/PredictProvider.tsx
  lines 61-78); "an OTHER option is added by default" (components/predict-form/question-types/
  MultiChoiceQuestion.tsx line 86), which is no QuestionOption but a resolution
  (components/questions/MultiChoiceResolutionOptions.tsx lines 17-19): the rest of the 100 % is OTHER.
  Resolving sets the named option YES and every other NO; OTHER and AMBIGUOUS set every option NO
  (dbResolveExclusiveQuestionOption, lib/interactive_handlers/resolve.ts lines 184-236).
- Non-exclusive questions: each option is resolved on its own, YES, NO or AMBIGUOUS
  (dbResolveNonExclusiveQuestionOption, resolve.ts lines 109-125; handleQuestionResolution lines 563-586), and
  forecasts need not sum to anything.
- Scores: every option is scored as its own binary question (relativeBrierScoring on the option's forecasts
  and resolution, resolve.ts lines 695-697; lib/_scoring.ts lines 34-197, brierScore line 303-306:
  (p - o)^2 + ((1 - p) - (1 - o))^2, the 0-2 scale, averaged over the days from the option's creation to its
  resolution, a day before the forecaster's first forecast counting as 0). The per-option scores are stored
  (scoreOptionForecasts, lines 289-341); the question's sum (exclusive) or mean (non-exclusive) is only
  messaged. Nothing is stored for AMBIGUOUS (lines 748-759). The export's "Your Brier score" is the first of
  the exporting user's score rows with the question's id (lib/web/export.ts lines 13-24): on a
  multiple-choice question, one option's score.

How it is imported:

- Rows are grouped into questions as binary ones are (title and creation time); the question is a
  multiple-choice one when most of its rows name an option, and a row that disagrees is skipped saying so.
- The options are the option texts seen (an option nobody forecast is not in the export). Each gets a key
  derived from its text (lowercase ASCII words joined by "-", at most 36 characters, "option" when none is
  left, "-2", "-3" ... for a key already taken, in the order of the labels, so any order of rows gives the same
  keys); the label is the text on one line, at most 200 characters. `other` (label "Other") is added: the
  rest of each forecast, Fatebook's OTHER, and also any option that appears in no row.
- A forecaster's forecast at time t is what they stand on at t: for each option their latest row at or before
  t, 0 for an option they never gave (Fatebook counts it as 0 in the sum, UpdateableLatestForecast.tsx lines
  74-89), and `other` = 1 - the sum. A forecast is made at each time at which one of their rows is; rows of
  one second are one forecast. The vector is normalised to sum to exactly 1 with `kind_input.normalise`,
  as `predict` normalises; a sum above 1 within `kind_input.SUM_TOLERANCE` (0.5 %) is scaled down to 1.
  Fatebook allows 0 %: unlike `predict`'s 0.1 % minimum per option, zeros are kept (the import path's rule,
  `KindSpec.check_vector`; log scores clamp at 0.1 %, core/scoring/kinds.py).
- The question is one choice question when that reading is possible: no option resolved AMBIGUOUS on its own,
  either no option or every option resolved with at most one YES, every forecaster's sum at every time at
  most 100 % + SUM_TOLERANCE, and at most MAX_OPTIONS - 1 options. Otherwise it is non-exclusive (several
  YES, options resolved one by one, sums Fatebook's exclusive form refuses): each option becomes its own
  binary question, `<title> — <option>`, tagged with the slug the choice question would have had, which is
  how Fatebook itself scores such a question. The import's notes name each such question and why.
- Resolution: the option resolved YES is the outcome. Every option NO is OTHER or AMBIGUOUS, which the export
  writes alike; when a row carries a Brier score Fatebook scored it, which it does not for AMBIGUOUS, so it
  resolves to `other`; else it is left unresolved and the notes say so (`forecast resolve SLUG other`, or
  `annulled`). Fatebook's non-exclusive AMBIGUOUS option annuls that option's binary question.
- Within an option, rows are identified as binary rows are: (forecaster, time). An exact repeat is skipped as
  a duplicate, another probability at the same time replaces the earlier row; rows whose resolution differs
  from the rest of their option's rows are skipped.

Limits: the options come from the forecasts, so a later export in which a first forecast names a new option
changes the question's options, which an import refuses for a question with forecasts (remove it with
`forecast q rm` and import again); one whose sums later pass 100 % becomes binary questions beside the stored
choice question.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo

from forecast.core.errors import InvalidInput
from forecast.core.kind_input import SUM_TOLERANCE, normalise
from forecast.core.kind_spec import OTHER_KEY, OUTCOME, KindSpec, summary
from forecast.core.kinds import MAX_OPTIONS, ChoiceOption, Choices
from forecast.core.model import Kind
from forecast.core.text import one_line
from forecast.interchange.reader import Batch
from forecast.interchange.records import ForecastRec, QuestionRec
from forecast.ingest.trackers.common import micros, title_slug, unit_probability

MAX_LABEL = 200
MAX_KEY_BASE = 36
OTHER_LABEL = "Other"
OPTION_TITLE = "{title} — {option}"
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class QuestionFields:
    """What every row of a question repeats (from the binary converter: one parser for both)."""

    title: str
    identity: str
    opens: int
    resolve_by: int
    description: str
    tags: tuple[str, ...]


@dataclass
class _Row:
    line: int
    cells: tuple[str, ...]
    text: str  # the option's text as Fatebook has it (stripped): the option's identity
    forecaster: str
    p: float
    made: int
    resolution: str | None  # yes, no, annulled or None
    resolved_at: int | None
    brier: bool  # the row carries "Your Brier score for this question"


@dataclass
class Outcome:
    """What one multiple-choice question became, for the import's notes."""

    slug: str
    as_choice: bool
    why_binary: str = ""
    undetermined: bool = False  # every option NO and no score: OTHER or AMBIGUOUS


@dataclass
class McResult:
    outcomes: list[Outcome] = field(default_factory=list)
    duplicates: int = 0
    replaced: int = 0


def option_key_base(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = _NON_WORD.sub("-", ascii_text).strip("-")[:MAX_KEY_BASE].strip("-")
    return base or "option"


def option_label(text: str) -> str:
    label = " ".join(one_line(text, "Multiple choice option").split())
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def option_keys(texts: list[str]) -> list[tuple[str, str, str]]:
    """(text, key, label) in the options' order (by label, then text): unique keys, never `other`."""
    ordered = sorted(texts, key=lambda t: (option_label(t).casefold(), option_label(t), t))
    taken = {OTHER_KEY}
    out = []
    for text in ordered:
        base = option_key_base(text)
        key, n = base, 2
        while key in taken:
            key = f"{base}-{n}"
            n += 1
        taken.add(key)
        out.append((text, key, option_label(text)))
    return out


def convert_question(
    rows: list[tuple[int, dict[str, str], list[str]]],
    fields: Callable[[dict[str, str]], QuestionFields],
    batch: Batch,
    tz: tzinfo,
    result: McResult,
) -> None:
    """One multiple-choice question's rows (its title and creation time already checked) into `batch`."""
    parsed: list[tuple[QuestionFields, _Row]] = []
    for line, row, cells in rows:
        try:
            parsed.append((fields(row), _row(line, row, cells, tz)))
        except InvalidInput as exc:
            batch.skipped.append((line, str(exc)))
    if not parsed:
        return
    # What a question's rows repeat is taken from one of them, the same whatever the order of the rows.
    q = min(parsed, key=lambda item: (item[1].cells, item[1].line))[0]
    kept = _one_resolution_per_option([r for _q, r in parsed], batch)
    kept = _dedup(kept, batch, result)
    if not kept:
        return
    resolution = {r.text: (r.resolution, r.resolved_at) for r in kept}
    options = option_keys(sorted(resolution))
    parent = title_slug("fb", q.title, q.identity)
    why = _why_not_choice(kept, options, resolution)
    if why:
        _as_binaries(q, parent, options, resolution, kept, batch)
        result.outcomes.append(Outcome(parent, False, why))
        return
    undetermined = _as_choice(q, parent, options, resolution, kept, batch)
    result.outcomes.append(Outcome(parent, True, undetermined=undetermined))


def _row(line: int, row: dict[str, str], cells: list[str], tz: tzinfo) -> _Row:
    from forecast.ingest.trackers.fatebook import RESOLUTIONS, parse_stamp

    text = row["Multiple choice option"].strip()
    if not option_label(text):  # which also refuses a NUL
        raise InvalidInput(f"multiple-choice option {text!r} has no visible text")
    who = row["Forecast created by"].strip()
    if not who:
        raise InvalidInput("no forecaster name in 'Forecast created by'")
    p = unit_probability(row["Forecast (scale = 0-1)"], "Forecast (scale = 0-1)")
    made = micros(parse_stamp(row["Forecast created at"], "Forecast created at"), tz, "Forecast created at")
    raw_res = row["Resolution"].strip()
    if raw_res.upper() not in RESOLUTIONS:
        raise InvalidInput(f"Resolution {raw_res!r} is not YES, NO, AMBIGUOUS or empty")
    res = RESOLUTIONS[raw_res.upper()]
    resolved_at = None
    if res is not None:
        if not row["Resolved at"].strip():
            raise InvalidInput(f"Resolution {raw_res} without a 'Resolved at' time")
        resolved_at = micros(parse_stamp(row["Resolved at"], "Resolved at"), tz, "Resolved at")
    brier = bool(row.get("Your Brier score for this question", "").strip())
    return _Row(line, tuple(cells), text, who, p, made, res, resolved_at, brier)


def _one_resolution_per_option(rows: list[_Row], batch: Batch) -> list[_Row]:
    """Fatebook writes an option's resolution on each of its rows; rows that differ from most are skipped."""
    by_option: dict[str, list[_Row]] = {}
    for r in rows:
        by_option.setdefault(r.text, []).append(r)
    kept = []
    for text, mine in by_option.items():
        counts = Counter((r.resolution, r.resolved_at) for r in mine)
        best = min(counts, key=lambda v: (-counts[v], v[0] or "", v[1] if v[1] is not None else -1))
        for r in mine:
            if (r.resolution, r.resolved_at) == best:
                kept.append(r)
            else:
                batch.skipped.append((r.line, f"option {text!r}: its Resolution and 'Resolved at' differ from "
                                              f"those of its other {counts[best]} row(s)"))  # fmt: skip
    return kept


def _dedup(rows: list[_Row], batch: Batch, result: McResult) -> list[_Row]:
    """One row per (option, forecaster, time): as `ForecastDedup` does for binary rows, in file order."""
    seen: dict[tuple[str, str, int], _Row] = {}
    for r in sorted(rows, key=lambda r: r.line):
        key = (r.text, r.forecaster, r.made)
        first = seen.get(key)
        if first is None:
            seen[key] = r
        elif first.cells == r.cells:
            result.duplicates += 1
            batch.skipped.append((r.line, f"duplicate of line {first.line}"))
        else:
            result.replaced += 1
            batch.skipped.append((first.line, f"replaced by line {r.line} (same forecaster, option and time, "
                                              "another probability)"))  # fmt: skip
            seen[key] = r
    return list(seen.values())


def _standing(rows: list[_Row]) -> dict[str, list[tuple[int, int, dict[str, float]]]]:
    """Per forecaster: (time, line of its last row, {option text: standing probability}) at each row's time."""
    out: dict[str, list[tuple[int, int, dict[str, float]]]] = {}
    by_who: dict[str, list[_Row]] = {}
    for r in rows:
        by_who.setdefault(r.forecaster, []).append(r)
    for who, mine in by_who.items():
        mine.sort(key=lambda r: (r.made, r.line))
        standing: dict[str, float] = {}
        steps = out[who] = []
        for r in mine:
            standing[r.text] = r.p
            if steps and steps[-1][0] == r.made:
                steps[-1] = (r.made, r.line, dict(standing))
            else:
                steps.append((r.made, r.line, dict(standing)))
    return out


def _why_not_choice(rows: list[_Row], options: list[tuple[str, str, str]],
                    resolution: dict[str, tuple[str | None, int | None]]) -> str:  # fmt: skip
    """Why these rows cannot be one exclusive question (then each option is a binary question), or ''."""
    states = {text: res for text, (res, _at) in resolution.items()}
    ambiguous = sorted(t for t, s in states.items() if s == "annulled")
    if ambiguous:
        return f"option {ambiguous[0]!r} was resolved AMBIGUOUS on its own"
    resolved = [t for t, s in states.items() if s is not None]
    if resolved and len(resolved) != len(states):
        return f"{len(resolved)} of its {len(states)} options are resolved, the others open"
    yes = sum(1 for s in states.values() if s == "yes")
    if yes > 1:
        return f"{yes} options resolved YES"
    if len(options) + 1 > MAX_OPTIONS:
        return f"{len(options)} options: a choice question has at most {MAX_OPTIONS - 1} besides other"
    for who, steps in sorted(_standing(rows).items()):
        for _t, line, standing in steps:
            total = math.fsum(standing.values())
            if total > 1.0 + SUM_TOLERANCE:
                return f"{who}'s forecasts sum to {total * 100:.4g} % (line {line})"
    return ""


def _times(q: QuestionFields, resolved_at: int | None) -> tuple[int, int]:
    """(closes, resolves) as for a binary question: open until "resolve by", or until a later resolution."""
    closes = max(q.resolve_by, resolved_at) if resolved_at is not None else q.resolve_by
    return closes, q.resolve_by


def _question_rec(q: QuestionFields, slug: str, title: str, *, kind: str, tags, resolution, resolved_at,
                  kind_spec: str = "", outcome: str | None = None) -> QuestionRec:  # fmt: skip
    closes, resolves = _times(q, resolved_at)
    return QuestionRec(
        slug=slug,
        title=title,
        kind=kind,
        description=q.description,
        criteria="",
        opens_at=q.opens,
        closes_at=closes,
        resolves_at=resolves,
        tags=sorted(set(tags)),
        auto=None,
        status="open" if resolution is None else ("annulled" if resolution == "annulled" else "resolved"),
        resolution=resolution,
        resolved_at=resolved_at if resolution is not None else None,
        resolution_note="",
        created_at=q.opens,
        updated_at=None,
        source_file=None,
        kind_spec=kind_spec,
        outcome=outcome,
    )


def _as_choice(q: QuestionFields, slug: str, options: list[tuple[str, str, str]],
               resolution: dict[str, tuple[str | None, int | None]], rows: list[_Row], batch: Batch) -> bool:  # fmt: skip
    """The question as one choice question; True when every option resolved NO and nothing says which of
    OTHER or AMBIGUOUS it was (left unresolved)."""
    import numpy as np

    spec = KindSpec(Kind.CHOICE, choices=Choices(
        tuple(ChoiceOption(key, label) for _t, key, label in options) + (ChoiceOption(OTHER_KEY, OTHER_LABEL),)
    ))  # fmt: skip
    states = {text: res for text, (res, _at) in resolution.items()}
    ends = [at for _res, at in resolution.values() if at is not None]
    resolved_at = max(ends) if ends else None
    outcome = None
    undetermined = False
    if resolved_at is not None:
        yes = [key for text, key, _label in options if states[text] == "yes"]
        if yes:
            outcome = yes[0]
        elif any(r.brier for r in rows):
            outcome = OTHER_KEY  # Fatebook stored scores: OTHER (it stores none for AMBIGUOUS)
        else:
            undetermined = True
    rec = _question_rec(q, slug, q.title, kind=Kind.CHOICE.value, tags=q.tags,
                        resolution=OUTCOME if outcome is not None else None,
                        resolved_at=resolved_at, kind_spec=spec.to_json(), outcome=outcome)  # fmt: skip
    if undetermined:  # unresolved here, but Fatebook took no forecast after its resolution
        rec.closes_at = resolved_at
    batch.questions.append(rec)
    batch.question_lines.append(min(r.line for r in rows))
    keys = [key for _t, key, _label in options]
    for who, steps in sorted(_standing(rows).items()):
        for t, line, standing in steps:
            named = [standing.get(text, 0.0) for text, _key, _label in options]
            rest = max(0.0, 1.0 - math.fsum(named))
            vector = np.array(normalise(np.array([*named, rest], dtype=np.float64)), dtype=np.float64)
            entered = " ".join(f"{k}={v:.6g}" for k, v in zip([*keys, OTHER_KEY], vector, strict=True))
            batch.forecasts.append(ForecastRec(
                question=slug, forecaster=who, probability=summary(Kind.CHOICE, vector), made_at=t, recorded_at=t,
                rationale="", evidence=[], supersedes=None, vector=tuple(float(v) for v in vector), entered=entered,
            ))  # fmt: skip
            batch.forecast_lines.append(line)
    return undetermined


def _as_binaries(q: QuestionFields, parent: str, options: list[tuple[str, str, str]],
                 resolution: dict[str, tuple[str | None, int | None]], rows: list[_Row], batch: Batch) -> None:  # fmt: skip
    """Each option as its own binary question, as Fatebook scores a non-exclusive question."""
    by_option: dict[str, list[_Row]] = {}
    for r in rows:
        by_option.setdefault(r.text, []).append(r)
    for text, _key, label in options:
        res, at = resolution[text]
        slug = title_slug("fb", f"{q.title} {label}", q.identity, "option", text)
        rec = _question_rec(q, slug, OPTION_TITLE.format(title=q.title, option=label), kind=Kind.BINARY.value,
                            tags=(*q.tags, parent), resolution=res, resolved_at=at)  # fmt: skip
        mine = sorted(by_option[text], key=lambda r: (r.made, r.line))
        batch.questions.append(rec)
        batch.question_lines.append(min(r.line for r in mine))
        for r in mine:
            batch.forecasts.append(ForecastRec(question=slug, forecaster=r.forecaster, probability=r.p, made_at=r.made,
                                               recorded_at=r.made, rationale="", evidence=[], supersedes=None))  # fmt: skip
            batch.forecast_lines.append(r.line)


__all__ = ["McResult", "Outcome", "QuestionFields", "convert_question", "option_keys"]
