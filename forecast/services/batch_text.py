"""The text rules of store/text_guard.py applied to a whole interchange batch before the bulk import,
which writes straight to the driver. A NUL (or a URL that is not http(s)) is refused as `FILE:LINE: …`."""

from __future__ import annotations

from forecast.core.errors import InvalidInput
from forecast.interchange.reader import Batch, raise_line_errors
from forecast.store.text_guard import clean

# record attribute -> (table, column) whose rule it follows
_QUESTION = {
    "slug": ("question", "slug"), "title": ("question", "title"), "description": ("question", "description"),
    "criteria": ("question", "criteria"), "resolution_note": ("question", "resolution_note"),
    "source_file": ("question", "source_file"),
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
}  # fmt: skip


def _apply(rec, fields: dict[str, tuple[str, str]]) -> None:
    for attr, (table, column) in fields.items():
        value = getattr(rec, attr)
        new = clean(table, column, value)
        if new is not value:
            setattr(rec, attr, new)


def clean_batch(batch: Batch) -> None:
    """Clean every text field in place; names, slugs and keys change the same way wherever they appear."""
    errors: list[tuple[int, str]] = []

    def each(records, lines, fields, extra=None):
        for i, rec in enumerate(records):
            try:
                _apply(rec, fields)
                if extra is not None:
                    extra(rec)
            except InvalidInput as exc:
                errors.append((lines[i] if i < len(lines) else 0, str(exc)))

    def question_tags(rec) -> None:
        rec.tags = sorted({clean("tag", "name", t).strip() for t in rec.tags} - {""})

    def forecast_evidence(rec) -> None:
        rec.evidence = [clean("evidence", "key", k) for k in rec.evidence]

    def evidence_links(rec) -> None:
        for link in rec.links:
            _apply(link, _LINK)

    each(batch.questions, batch.question_lines, _QUESTION, question_tags)
    each(batch.forecasts, batch.forecast_lines, _FORECAST, forecast_evidence)
    each(batch.evidence, batch.evidence_lines, _EVIDENCE, evidence_links)
    each(batch.forecasters, batch.forecaster_lines, _FORECASTER)
    each(batch.events, batch.event_lines, _EVENT)
    errors.sort()
    raise_line_errors(batch.source, errors)
