"""Tags: many-to-many with questions, created on first use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from forecast.core.errors import InvalidInput
from forecast.core.text import one_line
from forecast.store import bulk
from forecast.store.first_use import insert_if_absent

if TYPE_CHECKING:
    from forecast.store.bulk import Bind


def clean_tags(names: Iterable[str]) -> list[str]:
    out = set()
    for name in names:
        tag = one_line(name, "tag").strip().lower()
        if not tag:
            continue
        if any(ch.isspace() for ch in tag) or "," in tag:
            raise InvalidInput(f"tag {name!r} must be one word (use dashes)")
        out.add(tag)
    return sorted(out)


def tag_ids(bind: Bind, names: Iterable[str]) -> list[int]:
    conn = bulk.connection_of(bind)
    ids = []
    for name in clean_tags(names):
        row = bulk.scalar(conn, "SELECT id FROM tag WHERE name = :name", (name,))
        if row is None:  # a concurrent writer may be adding the same tag
            insert_if_absent(conn, "tag", "name", {"name": name})
            row = bulk.scalar(conn, "SELECT id FROM tag WHERE name = :name", (name,))
        ids.append(row)
    return ids


def set_tags(bind: Bind, question_id: int, names: Iterable[str]) -> None:
    conn = bulk.connection_of(bind)
    bulk.execute(conn, "DELETE FROM question_tag WHERE question_id = :q", (question_id,))
    ids = tag_ids(conn, names)
    if ids:
        bulk.execute_many(conn, "INSERT INTO question_tag (question_id, tag_id) VALUES (:q, :t)",
                          [(question_id, t) for t in ids])  # fmt: skip


def all_tags(bind: Bind) -> list[str]:
    return [r[0] for r in bulk.rows(bulk.connection_of(bind), "SELECT name FROM tag ORDER BY name")]


def tags_of(bind: Bind, question_id: int) -> list[str]:
    rows = bulk.rows(bulk.connection_of(bind), "SELECT t.name FROM tag t JOIN question_tag qt ON qt.tag_id = t.id "
                                               "WHERE qt.question_id = :q", (question_id,))  # fmt: skip
    return sorted(r[0] for r in rows)
