"""The text rules of store/text_guard.py applied to a whole interchange batch before the bulk import,
which writes straight to the driver. A NUL (or a URL that is not http(s)) is refused as `FILE:LINE: …`."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from forecast.core.errors import InvalidInput
from forecast.interchange.reader import Batch, raise_line_errors
from forecast.store.text_guard import rule_of

# record attribute -> (table, column) whose rule it follows
_QUESTION = {
    "slug": ("question", "slug"), "title": ("question", "title"), "description": ("question", "description"),
    "criteria": ("question", "criteria"), "resolution_note": ("question", "resolution_note"),
    "source_file": ("question", "source_file"), "outcome": ("question", "outcome"),
    "event_question": ("question", "slug"),
}  # fmt: skip
_FORECAST = {
    "question": ("question", "slug"), "forecaster": ("forecaster", "name"), "rationale": ("forecast", "rationale"),
}  # fmt: skip
_EVIDENCE = {
    "key": ("evidence", "key"), "url": ("evidence", "url"), "canonical_url": ("evidence", "canonical_url"),
    "title": ("evidence", "title"), "outlet": ("evidence", "outlet"), "author": ("evidence", "author"),
    "text": ("evidence", "text"), "excerpt": ("evidence", "excerpt"), "content_hash": ("evidence", "content_hash"),
}  # fmt: skip
_LINK = {"question": ("question", "slug"), "note": ("evidence_link", "note")}
_FORECASTER = {"name": ("forecaster", "name")}
_EVENT = {
    "question": ("question", "slug"), "note": ("resolution_event", "note"), "actor": ("resolution_event", "actor"),
    "outcome": ("resolution_event", "outcome"),
}  # fmt: skip
_COMMENT = {"question": ("question", "slug"), "author": ("comment", "author"), "body": ("comment", "body")}


# Names that repeat on every forecast; other text (rationales, articles) is mostly distinct.
_REPEATED = {("question", "slug"), ("forecaster", "name"), ("evidence", "key"), ("tag", "name")}


class _Rules:
    """`clean(table, column, value)` per field; each distinct name is cleaned once (a million forecasts
    name a few thousand questions and forecasters). A refused value is not remembered: it raises again."""

    def __init__(self) -> None:
        self._rules: dict[tuple[str, str], Callable] = {}
        self._fields: dict[int, list[tuple[str, Callable]]] = {}  # by id of the module-level field tables

    def of(self, where: tuple[str, str]) -> Callable:
        rule = self._rules.get(where)
        if rule is None:
            rule = self._rules[where] = _remembering(*where) if where in _REPEATED else rule_of(*where)
        return rule

    def clean(self, where: tuple[str, str], value):
        return self.of(where)(value)

    def apply(self, rec, fields: dict[str, tuple[str, str]]) -> None:
        for attr, rule in self.each_field(fields):
            value = getattr(rec, attr)
            new = rule(value)
            if new is not value:
                setattr(rec, attr, new)

    def each_field(self, fields: dict[str, tuple[str, str]]) -> list[tuple[str, Callable]]:
        """(attribute, its rule) of `fields`, looked up once per set of fields."""
        found = self._fields.get(id(fields))
        if found is None:
            found = self._fields[id(fields)] = [(attr, self.of(where)) for attr, where in fields.items()]
        return found


def _remembering(table: str, column: str) -> Callable:
    memo: dict[str, str] = {}
    rule = rule_of(table, column)

    def cleaned(value):
        new = memo.get(value)
        if new is None:
            new = rule(value)
            if isinstance(value, str):
                memo[value] = new
        return new

    return cleaned


def clean_batch(batch: Batch) -> None:
    """Clean every text field in place; names, slugs and keys change the same way wherever they appear."""
    errors: list[tuple[int, str]] = []
    rules = _Rules()

    def each(records, lines, fields, extra=None):
        for i, rec in enumerate(records):
            try:
                rules.apply(rec, fields)
                if extra is not None:
                    extra(rec)
            except InvalidInput as exc:
                errors.append((lines[i] if i < len(lines) else 0, str(exc)))

    def question_tags(rec) -> None:
        rec.tags = sorted({rules.clean(("tag", "name"), t).strip() for t in rec.tags} - {""})

    def evidence_links(rec) -> None:
        for link in rec.links:
            rules.apply(link, _LINK)

    each(batch.questions, batch.question_lines, _QUESTION, question_tags)
    _clean_forecasts(batch, rules, errors)
    each(batch.evidence, batch.evidence_lines, _EVIDENCE, evidence_links)
    each(batch.forecasters, batch.forecaster_lines, _FORECASTER)
    each(batch.events, batch.event_lines, _EVENT)
    each(batch.comments, batch.comment_lines, _COMMENT)
    errors.sort()
    raise_line_errors(batch.source, errors)


def _clean_forecasts(batch: Batch, rules: _Rules, errors: list[tuple[int, str]]) -> None:
    """`_FORECAST` and the evidence keys, as `each` would apply them: field by field where nothing is refused
    (`_clean_apart`), else record by record, unrolled (this runs a million times), to say which lines."""
    if _clean_apart(batch.forecasts, rules):
        return
    question, forecaster, rationale = (rules.of(_FORECAST[attr]) for attr in ("question", "forecaster", "rationale"))
    key = rules.of(("evidence", "key"))
    entered = rules.of(("forecast", "entered"))
    lines = batch.forecast_lines
    # The rules remember each name they cleaned; these two lookups, inline, spare a call per forecast.
    questions: dict[str, str] = {}
    forecasters: dict[str, str] = {}
    for i, rec in enumerate(batch.forecasts):
        try:
            value = rec.question
            new = questions.get(value)
            if new is None:
                new = questions[value] = question(value)
            if new is not value:
                rec.question = new
            value = rec.forecaster
            new = forecasters.get(value)
            if new is None:
                new = forecasters[value] = forecaster(value)
            if new is not value:
                rec.forecaster = new
            value = rec.rationale
            if value and (new := rationale(value)) is not value:  # its rule (TEXT) keeps "" as it is
                rec.rationale = new
            if rec.entered:  # what was typed for a non-binary forecast ("" on every binary one)
                rec.entered = entered(rec.entered)
            if rec.evidence:
                rec.evidence = [key(k) for k in rec.evidence]
        except InvalidInput as exc:
            errors.append((lines[i] if i < len(lines) else 0, str(exc)))


def _clean_apart(forecasts: list, rules: _Rules) -> bool:
    """The forecasts' fields cleaned one field at a time: each distinct question and forecaster name once
    (a million forecasts name a few thousand), then the rationales, typed entries and evidence keys that
    are not empty, every record skipped by C-level filters where a field is empty (every binary forecast's
    entry, most rationales). The same values as the loop of `_clean_forecasts`; nothing is changed until
    every value passed its rule. False, with nothing changed, when one is refused."""
    rationale, entered, key = (rules.of(w) for w in (_FORECAST["rationale"], ("forecast", "entered"), ("evidence", "key")))
    try:
        renamed = []
        for attr in ("question", "forecaster"):
            rule = rules.of(_FORECAST[attr])
            changed = {v: new for v in set(map(attrgetter(attr), forecasts)) if (new := rule(v)) is not v}
            if changed:
                renamed.append((attr, changed))
        texts = [(rec, new) for rec in filter(attrgetter("rationale"), forecasts)
                 if (new := rationale(rec.rationale)) is not rec.rationale]  # fmt: skip
        entries = [(rec, entered(rec.entered)) for rec in filter(attrgetter("entered"), forecasts)]
        keys = [(rec, [key(k) for k in rec.evidence]) for rec in filter(attrgetter("evidence"), forecasts)]
    except InvalidInput:
        return False
    for attr, changed in renamed:
        for rec in forecasts:
            new = changed.get(getattr(rec, attr))
            if new is not None:
                setattr(rec, attr, new)
    for rec, new in texts:
        rec.rationale = new
    for rec, new in entries:
        rec.entered = new
    for rec, new in keys:
        rec.evidence = new
    return True
