"""The storage boundary for text: every column that holds text has one rule here, applied to every write.

ORM writes pass through the mapper events below (insert, and update of a changed column), installed by
store/types.py, which every table module imports; writes in plain SQL pass their values through `cleaned`
(the everyday commands), and the bulk import applies the same rules first (services/batch_text.py). Rules:
LINE   one-line field: controls and escape sequences removed, line breaks and tabs become a space;
TEXT   multi-line field: controls and escape sequences removed, newlines and tabs kept;
URL    an http(s) URL, credentials stripped (core.urls.http_url) - anything else is refused;
JSON   our own JSON (controls are escaped by the encoder), only NUL is refused.
Every rule refuses NUL with one line. tests/untrusted_input/test_text_guard.py fails when a text column has no rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from forecast.core.text import multi_line, one_line, refuse_nul
from forecast.core.urls import http_url


def _url(value: str, what: str) -> str:
    refuse_nul(value, what)
    return http_url(value)


def _json(value: str, what: str) -> str:
    refuse_nul(value, what)
    return value


LINE: Callable[[str, str], str] = one_line
TEXT: Callable[[str, str], str] = multi_line
URL: Callable[[str, str], str] = _url
JSON: Callable[[str, str], str] = _json

RULES: dict[str, dict[str, Callable[[str, str], str]]] = {
    "forecaster": {"name": LINE},
    "question": {
        "slug": LINE, "title": LINE, "kind": LINE, "description": TEXT, "criteria": TEXT, "status": LINE,
        "resolution": LINE, "resolution_note": TEXT, "auto_rule": LINE, "source_file": LINE,
        "created_by": LINE, "kind_spec": JSON, "outcome": LINE,
    },
    "tag": {"name": LINE},
    "forecast": {"rationale": TEXT, "recorded_by": LINE, "entered": TEXT},
    "evidence": {
        "key": LINE, "url": URL, "canonical_url": URL, "title": LINE, "outlet": LINE, "author": LINE,
        "published_source": LINE, "text": TEXT, "excerpt": TEXT, "content_hash": LINE,
    },
    "evidence_link": {"stance": LINE, "note": TEXT},
    "resolution_event": {"action": LINE, "resolution": LINE, "note": TEXT, "actor": LINE, "outcome": LINE},
    "feed": {"url": URL, "title": LINE, "keywords": JSON, "etag": LINE, "last_modified": LINE, "last_error": LINE},
    "feed_item": {"entry_id": LINE, "url": URL, "content_hash": LINE},
    "link_proposal": {"keywords": JSON, "state": LINE},
    "check_run": {"status": LINE, "summary": JSON, "error": TEXT, "host": LINE},
    "standing_forecast": {},
    "question_sync": {"path": LINE, "file_hash": LINE, "fields": JSON},
    "reminder": {"note": TEXT},
    "trash": {"kind": LINE, "label": LINE, "title": LINE, "payload": JSON, "deleted_by": LINE, "state": LINE,
              "closed_by": LINE},
    "team_setting": {"key": LINE, "value": LINE},
    "write_log": {"role": LINE, "table_name": LINE, "action": LINE},
    "comment": {"author": LINE, "body": TEXT},
    "alembic_version": {"version_num": LINE},
}  # fmt: skip


def clean(table: str, column: str, value):
    """The value as it may be stored in table.column (None and non-text values pass unchanged)."""
    rule = RULES.get(table, {}).get(column)
    if rule is None or not isinstance(value, str):
        return value
    return rule(value, column.replace("_", " "))


def rule_of(table: str, column: str) -> Callable[[object], object]:
    """`clean(table, column, value)` as a function of the value, its rule looked up once (the bulk import
    cleans hundreds of thousands of values)."""
    rule = RULES.get(table, {}).get(column)
    if rule is None:
        return _unchanged
    what = column.replace("_", " ")

    def cleaned(value):
        return rule(value, what) if isinstance(value, str) else value

    return cleaned


def _unchanged(value):
    return value


def cleaned(table: str, values: Mapping[str, object]) -> dict[str, object]:
    """`values` (column -> value) of a row written to `table` with SQL, each as it may be stored."""
    return {column: clean(table, column, value) for column, value in values.items()}


def _guard(target, *, only_changed: bool, table: str) -> None:
    from sqlalchemy import inspect

    rules = RULES.get(table)
    if not rules:
        return
    state = inspect(target) if only_changed else None
    for column, rule in rules.items():
        value = getattr(target, column, None)
        if not isinstance(value, str):
            continue
        if state is not None and not state.attrs[column].history.has_changes():
            continue  # a row stored before these rules is not refused for a change elsewhere
        new = rule(value, column.replace("_", " "))
        if new != value:
            setattr(target, column, new)


def _before_insert(mapper, connection, target) -> None:
    _guard(target, only_changed=False, table=mapper.local_table.name)


def _before_update(mapper, connection, target) -> None:
    _guard(target, only_changed=True, table=mapper.local_table.name)


def install_mapper_events() -> None:
    """Apply the rules to every ORM insert and update (once; the ORM is imported here, not by `clean`'s users)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Mapper

    if not event.contains(Mapper, "before_insert", _before_insert):
        event.listen(Mapper, "before_insert", _before_insert)
        event.listen(Mapper, "before_update", _before_update)
