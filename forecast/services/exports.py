"""Tables for `forecast export forecasts|scores|calibration|comments` (columns in docs/exports.md).

Bulk reads go through the driver's cursor into numpy columns: a million forecasts must export in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlmodel import Session

from forecast.core.backfill import DEFAULT_BACKFILL_AFTER, lag_micros
from forecast.core.errors import NotFound
from forecast.core.timeparse import to_micros
from forecast.export.table import Table, bools, coded, floats, ints, text, times
from forecast.store import bulk
from forecast.store.bulk import Params

FORECAST_COLUMNS = (
    "slug", "title", "tags", "forecaster", "probability", "made_at", "recorded_at",
    "status", "outcome", "resolved_at", "brier", "late", "backfilled",
)  # fmt: skip


@dataclass(frozen=True)
class ExportFilter:
    """Which forecasts an export covers: by forecaster names, one tag, and a [since, until) window."""

    forecasters: tuple[str, ...] = ()
    tag: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    exclude_backfilled: bool = False  # leave out forecasts recorded long after their claimed time
    backfill_after: timedelta = DEFAULT_BACKFILL_AFTER


def fetch_columns(session: Session, sql: str, params: Params, dtypes: tuple) -> list[np.ndarray]:
    """Run `sql` (`:name` parameters) on the driver's cursor and return one numpy array per column."""
    row = np.dtype([(f"c{i}", dt) for i, dt in enumerate(dtypes)])
    # straight from the driver's tuples, no Python lists
    rows = np.fromiter(bulk.iterate(session.connection(), sql, params), dtype=row)
    return [np.ascontiguousarray(rows[name]) for name in row.names]


@dataclass(eq=False)
class QuestionColumns:
    """Every question, indexed by position; `pos` maps a question id to its position."""

    ids: np.ndarray
    slugs: list[str]
    titles: list[str]
    status: list[str]
    outcome: np.ndarray  # 1.0, 0.0 or NaN
    resolved_at: np.ndarray  # int64, valid where has_resolved
    has_resolved: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    tags: list[tuple[str, ...]]
    pos: np.ndarray


def load_questions(session: Session) -> QuestionColumns:
    conn = session.connection()
    rows = bulk.rows(
        conn, "SELECT id, slug, title, status, resolution, resolved_at, opens_at, closes_at FROM question ORDER BY slug"
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    res = [r[4] for r in rows]
    outcome = np.array([1.0 if x == "yes" else 0.0 if x == "no" else np.nan for x in res])
    resolved = np.array([r[5] if r[5] is not None else 0 for r in rows], dtype=np.int64)
    has_resolved = np.array([r[5] is not None and r[4] is not None for r in rows], dtype=bool)
    tags: dict[int, list[str]] = {}
    for qid, name in bulk.iterate(
        conn, "SELECT qt.question_id, t.name FROM question_tag qt JOIN tag t ON t.id = qt.tag_id ORDER BY t.name"
    ):
        tags.setdefault(qid, []).append(name)
    pos = np.full(int(ids.max()) + 1 if len(ids) else 1, -1, dtype=np.int64)
    pos[ids] = np.arange(len(ids))
    return QuestionColumns(
        ids=ids,
        slugs=[r[1] for r in rows],
        titles=[r[2] for r in rows],
        status=[r[3] for r in rows],
        outcome=outcome,
        resolved_at=resolved,
        has_resolved=has_resolved,
        opens=np.array([r[6] for r in rows], dtype=np.int64),
        closes=np.array([r[7] for r in rows], dtype=np.int64),
        tags=[tuple(tags.get(int(i), ())) for i in ids],
        pos=pos,
    )


def forecaster_ids(session: Session, names: tuple[str, ...]) -> dict[int, str]:
    """id -> name of every forecaster, or of the named ones (NotFound for an unknown name)."""
    rows = dict(bulk.rows(session.connection(), "SELECT id, name FROM forecaster"))
    if not names:
        return rows
    by_name = {v: k for k, v in rows.items()}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFound(f"no forecaster named {missing[0]!r}")
    return {by_name[n]: n for n in names}


def require_tag(session: Session, tag: str) -> int:
    found = bulk.scalar(session.connection(), "SELECT id FROM tag WHERE name = :name", (tag,))
    if found is None:
        raise NotFound(f"no tag named {tag!r}")
    return int(found)


def _tag_question_ids(session: Session, tag: str) -> list[int]:
    tag_id = require_tag(session, tag)
    sql = "SELECT question_id FROM question_tag WHERE tag_id = :tag"
    return [r[0] for r in bulk.iterate(session.connection(), sql, (tag_id,))]


def forecasts_table(session: Session, flt: ExportFilter = ExportFilter()) -> Table:
    """One row per forecast (corrections excluded), ordered by question slug, forecaster and time.

    `brier` is (p - o)^2 when the question resolved YES or NO; `late` marks forecasts made at or after
    the question's end (the earlier of its close and its resolution), which scoring leaves out.
    """
    qs = load_questions(session)
    names = forecaster_ids(session, flt.forecasters)
    where, params = ["NOT superseded"], {}
    if flt.forecasters:
        where.append(f"forecaster_id IN ({', '.join(str(i) for i in names)})")
    if flt.since is not None:
        where.append("made_at >= :since")
        params["since"] = to_micros(flt.since)
    if flt.until is not None:
        where.append("made_at < :until")
        params["until"] = to_micros(flt.until)
    if flt.exclude_backfilled:
        where.append("recorded_at - made_at <= :lag")
        params["lag"] = lag_micros(flt.backfill_after)
    qid, fid, p, made, rec = fetch_columns(
        session,
        "SELECT question_id, forecaster_id, probability, made_at, recorded_at FROM forecast "
        f"WHERE {' AND '.join(where)}",
        params,
        (np.int64, np.int64, np.float64, np.int64, np.int64),
    )
    if flt.tag is not None:
        keep = np.isin(qid, np.array(_tag_question_ids(session, flt.tag), dtype=np.int64))
        qid, fid, p, made, rec = qid[keep], fid[keep], p[keep], made[keep], rec[keep]
    qi = qs.pos[qid]
    fnames = sorted(set(names.values()))
    fcode_of = {name: i for i, name in enumerate(fnames)}
    fmap = np.full(max(names) + 1 if names else 1, -1, dtype=np.int64)
    for i, name in names.items():
        fmap[i] = fcode_of[name]
    fi = fmap[fid]
    order = np.lexsort((rec, made, fi, qi))  # slugs and names are sorted, so codes sort like them
    qi, fi, p, made, rec = qi[order], fi[order], p[order], made[order], rec[order]
    o = qs.outcome[qi]
    end = np.where(qs.has_resolved[qi], np.minimum(qs.closes[qi], qs.resolved_at[qi]), qs.closes[qi])
    scored = ~np.isnan(o)
    return Table(
        (
            coded("slug", qi, qs.slugs),
            coded("title", qi, qs.titles),
            coded("tags", qi, qs.tags, kind="tags"),
            coded("forecaster", fi, fnames),
            floats("probability", p),
            times("made_at", made),
            times("recorded_at", rec),
            coded("status", qi, qs.status),
            ints("outcome", np.nan_to_num(o).astype(np.int64), valid=scored),
            times("resolved_at", qs.resolved_at[qi], valid=qs.has_resolved[qi]),
            floats("brier", (p - o) ** 2),
            bools("late", scored & (made >= end), valid=scored),
            bools("backfilled", rec - made > lag_micros(flt.backfill_after)),
        )
    )


COMMENT_COLUMNS = ("id", "slug", "title", "tags", "author", "body", "created_at", "updated_at", "edited")


def _check_authors(session: Session, names: tuple[str, ...]) -> None:
    """A name that neither commented nor forecast is a typo, not an empty export: say so, as --by does elsewhere."""
    conn = session.connection()
    known = {r[0] for r in bulk.iterate(conn, "SELECT DISTINCT author FROM comment")}
    known |= {r[0] for r in bulk.iterate(conn, "SELECT name FROM forecaster")}
    missing = [n for n in names if n not in known]
    if missing:
        raise NotFound(f"no forecaster or comment author named {missing[0]!r}")


def comments_table(session: Session, flt: ExportFilter = ExportFilter()) -> Table:
    """One row per comment, ordered by question slug, then time written; `--since`/`--until` select by that time.

    `edited` is true when the text was changed after it was written (`updated_at` later than `created_at`).
    """
    qs = load_questions(session)
    where, params = [], {}
    if flt.forecasters:
        _check_authors(session, flt.forecasters)
        where.append("author IN (" + ", ".join(f":a{i}" for i in range(len(flt.forecasters))) + ")")
        params.update({f"a{i}": name for i, name in enumerate(flt.forecasters)})
    if flt.since is not None:
        where.append("created_at >= :since")
        params["since"] = to_micros(flt.since)
    if flt.until is not None:
        where.append("created_at < :until")
        params["until"] = to_micros(flt.until)
    sql = "SELECT id, question_id, author, body, created_at, updated_at FROM comment"
    rows = bulk.rows(session.connection(), sql + (f" WHERE {' AND '.join(where)}" if where else ""), params)
    if flt.tag is not None:
        tagged = set(_tag_question_ids(session, flt.tag))
        rows = [r for r in rows if r[1] in tagged]
    # only comments on live questions, as for forecasts (a row without its question has nothing to name it by)
    rows = [r for r in rows if r[1] < len(qs.pos) and qs.pos[r[1]] >= 0]
    qi = np.array([qs.pos[r[1]] for r in rows], dtype=np.int64)
    created = np.array([r[4] for r in rows], dtype=np.int64)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    order = np.lexsort((ids, created, qi))  # slugs are sorted, so question positions sort like them
    rows = [rows[i] for i in order.tolist()]
    qi, created, ids = qi[order], created[order], ids[order]
    updated = np.array([r[5] for r in rows], dtype=np.int64)
    return Table(
        (
            ints("id", ids),
            coded("slug", qi, qs.slugs),
            coded("title", qi, qs.titles),
            coded("tags", qi, qs.tags, kind="tags"),
            text("author", [r[2] for r in rows]),
            text("body", [r[3] for r in rows]),
            times("created_at", created),
            times("updated_at", updated),
            bools("edited", updated > created),
        )
    )
