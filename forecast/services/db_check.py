"""`forecast db check`: find stored rows that break today's rules, without changing anything.

Rows can predate a rule (times outside the supported range, slugs with a trailing newline, control
characters in imported text, broken correction chains) or come from hand-edited SQL. Readers survive them
(times are clamped on reading: core/time_range.py); this scan names each one so it can be fixed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from forecast.core.slug import SLUG_RE
from forecast.core.time_range import MAX_MICROS, MIN_MICROS, RANGE_TEXT

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (newline and tab are text) and bidirectional overrides. The same set as the storage
sanitizer (issue 10 §4); kept here so the check also finds what older versions stored."""


@dataclass(frozen=True)
class Problem:
    table: str
    row: str
    """The row's key: `id=7`, or `question_id=1,tag_id=2` for tables keyed by several columns."""
    column: str
    rule: str
    """time-range, slug, control-characters, probability, supersedes."""
    detail: str

    def line(self) -> str:
        return f"{self.table} {self.row}: {self.column}: {self.detail}"

    def as_dict(self) -> dict:
        return asdict(self)


def _tables():
    # Importing the table modules registers every table on SQLModel.metadata.
    import forecast.store.check_tables  # noqa: F401
    import forecast.store.feed_tables  # noqa: F401
    import forecast.store.tables  # noqa: F401
    from sqlmodel import SQLModel

    return [t for t in SQLModel.metadata.sorted_tables]


def _key(table, row) -> str:
    return ",".join(f"{c.name}={row[c.name]}" for c in table.primary_key.columns)


def _present(conn: Connection) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


def time_problems(conn: Connection, *, limit: int | None = None) -> list[Problem]:
    """Stored times outside the supported range (cheap: one indexed-or-scanned query per time column)."""
    from forecast.store.types import UTCMicros

    found: list[Problem] = []
    present = _present(conn)
    for table in _tables():
        if table.name not in present:
            continue
        cols = [c for c in table.columns if isinstance(c.type, UTCMicros)]
        if not cols:
            continue
        keys = [c.name for c in table.primary_key.columns]
        where = " OR ".join(f'"{c.name}" < :lo OR "{c.name}" > :hi' for c in cols)
        select = ", ".join(f'"{n}"' for n in dict.fromkeys(keys + [c.name for c in cols]))
        sql = f'SELECT {select} FROM "{table.name}" WHERE {where}'
        for row in conn.execute(text(sql), {"lo": MIN_MICROS, "hi": MAX_MICROS}).mappings():
            for c in cols:
                v = row[c.name]
                if v is not None and not MIN_MICROS <= v <= MAX_MICROS:
                    found.append(Problem(table.name, _key(table, row), c.name, "time-range",
                                         f"{v} µs since the epoch is outside {RANGE_TEXT}"))
                    if limit is not None and len(found) >= limit:
                        return found
    return found


def _is_text(sa_type) -> bool:
    from sqlalchemy import String

    # sqlmodel's AutoString is a TypeDecorator over String, not a String itself.
    return isinstance(sa_type, String) or isinstance(getattr(sa_type, "impl_instance", None), String)


def _text_problems(conn: Connection) -> Iterator[Problem]:
    present = _present(conn)
    for table in _tables():
        if table.name not in present:
            continue
        cols = [c for c in table.columns if _is_text(c.type)]
        if not cols:
            continue
        keys = [c.name for c in table.primary_key.columns]
        select = ", ".join(f'"{n}"' for n in dict.fromkeys(keys + [c.name for c in cols]))
        for row in conn.execute(text(f'SELECT {select} FROM "{table.name}"')).mappings():
            for c in cols:
                v = row[c.name]
                if isinstance(v, str):
                    m = CONTROL.search(v)
                    if m:
                        yield Problem(table.name, _key(table, row), c.name, "control-characters",
                                      f"contains U+{ord(m.group()):04X} at position {m.start()}")


def _slug_problems(conn: Connection) -> Iterator[Problem]:
    for qid, slug in conn.execute(text("SELECT id, slug FROM question")):
        if not (isinstance(slug, str) and SLUG_RE.fullmatch(slug) and not slug.isdigit()):
            yield Problem("question", f"id={qid}", "slug", "slug", f"{slug!r:.80} breaks the slug rule "
                          "(lower-case letters, digits and dashes, not only digits, at most 80)")


def _forecast_problems(conn: Connection) -> Iterator[Problem]:
    rows = conn.execute(text(
        "SELECT id, question_id, forecaster_id, probability, supersedes_id, superseded FROM forecast"
    )).all()
    by_id = {r[0]: r for r in rows}
    superseded_by: dict[int, int] = {}
    for fid, qid, who, p, sup, _flag in rows:
        if p is None or not (isinstance(p, float | int) and math.isfinite(p) and 0.0 <= p <= 1.0):
            yield Problem("forecast", f"id={fid}", "probability", "probability", f"{p!r} is not in [0, 1]")
        if sup is None:
            continue
        superseded_by.setdefault(sup, fid)
        target = by_id.get(sup)
        if sup == fid:
            yield Problem("forecast", f"id={fid}", "supersedes_id", "supersedes", "supersedes itself")
        elif target is None:
            yield Problem("forecast", f"id={fid}", "supersedes_id", "supersedes", f"supersedes forecast {sup}, which does not exist")
        elif (target[1], target[2]) != (qid, who):
            yield Problem("forecast", f"id={fid}", "supersedes_id", "supersedes",
                          f"supersedes forecast {sup} of another question or forecaster")
    reported: set[int] = set()
    for start in by_id:
        seen: list[int] = []
        cur = start
        while cur is not None and cur in by_id and cur not in seen:
            seen.append(cur)
            cur = by_id[cur][4]
        if cur is not None and cur in seen and cur != by_id[cur][4] and not reported.intersection(seen):
            cycle = seen[seen.index(cur):]
            reported.update(cycle)
            yield Problem("forecast", f"id={min(cycle)}", "supersedes_id", "supersedes",
                          "correction cycle: " + " -> ".join(str(i) for i in cycle + [cur]))
    for fid, *_rest, flag in rows:
        if bool(flag) and fid not in superseded_by:
            yield Problem("forecast", f"id={fid}", "superseded", "supersedes", "marked superseded, but no forecast supersedes it")
        elif not bool(flag) and fid in superseded_by:
            yield Problem("forecast", f"id={fid}", "superseded", "supersedes",
                          f"superseded by forecast {superseded_by[fid]} but not marked superseded")


def check_database(conn: Connection) -> list[Problem]:
    """Every problem found, in a stable order (by rule, then table and row)."""
    problems = time_problems(conn)
    problems += list(_slug_problems(conn))
    problems += list(_text_problems(conn))
    problems += list(_forecast_problems(conn))
    return problems


def summary(problems: list[Problem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.rule] = counts.get(p.rule, 0) + 1
    return counts
