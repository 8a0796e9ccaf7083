"""The terminal UI's questions table as columns: a few bulk reads, shaped for filtering and sorting in memory.

`load_columns` is on the start-up path (one pass over `question`, one over `question_tag`, and the
user's standing forecasts); `load_team` adds what needs every forecaster's standing forecast;
`sparklines` reads the history of only the questions on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.core.team_median import RunningMedian, grouped_medians
from forecast.core.timeparse import from_micros
from forecast.services.views import QuestionSearchRow
from forecast.store import bulk
from forecast.store.bulk import Params

if TYPE_CHECKING:  # only for annotations: the UI's first frame is read before SQLAlchemy is imported
    from sqlmodel import Session

_OUTCOME = {"yes": 1.0, "no": 0.0}


@dataclass(frozen=True, eq=False)
class QuestionColumns:
    """One entry per question, ordered by (closes_at, id). Times are int64 microseconds since the epoch."""

    ids: np.ndarray
    slugs: list[str]
    titles: list[str]
    status: list[str]
    opens: np.ndarray
    closes: np.ndarray
    resolves: np.ndarray
    resolution: list[str | None]
    outcome: np.ndarray
    """1.0 YES, 0.0 NO, NaN otherwise."""
    tags: list[tuple[str, ...]]
    mine: np.ndarray
    """The user's standing probability; NaN where they have none."""
    mine_at: np.ndarray
    """When the user's standing forecast was made; 0 where they have none."""
    kinds: list[str] | None = None
    """Each question's kind (None: all binary); `mine` is NaN for a non-binary one (its standing summary is
    no probability)."""

    def kind(self, i: int) -> str:
        return "binary" if self.kinds is None else self.kinds[i]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class TeamColumns:
    """Aligned with QuestionColumns.ids: every forecaster's standing forecasts, summarised."""

    forecasters: np.ndarray
    """How many forecasters have a standing forecast."""
    median: np.ndarray
    """Median of the standing forecasts; NaN without any."""
    last_at: np.ndarray
    """The most recent standing forecast's time (anyone's); 0 without any."""


def _fetch(session: Session, sql: str, params: Params = ()) -> list[tuple]:
    """Rows as plain tuples straight from the driver: SQLAlchemy's Row objects double the cost of bulk reads."""
    return bulk.rows(session.connection(), sql, params)


_QUESTION_SQL = (
    "SELECT id, slug, title, status, opens_at, closes_at, resolves_at, resolution, kind FROM question{where} "
    "ORDER BY closes_at, id{limit}"
)
_TAG_SQL = "SELECT qt.question_id, t.name FROM question_tag qt JOIN tag t ON t.id = qt.tag_id{where} ORDER BY t.name"
_MINE_SQL = (
    "SELECT s.question_id, s.probability, s.made_at FROM standing_forecast s "
    "JOIN forecaster f ON f.id = s.forecaster_id WHERE f.name = :forecaster{only}"
)


def _queries(statuses: tuple[str, ...], limit: int | None, ids: list[int] | None) -> dict[str, str]:
    only = ",".join(str(int(i)) for i in ids) if ids is not None else None
    return {
        "question": _QUESTION_SQL.format(
            where=f" WHERE status IN ({','.join(f':s{i}' for i in range(len(statuses)))})" if statuses else "",
            limit=f" LIMIT {int(limit)}" if limit is not None else "",
        ),
        "tag": _TAG_SQL.format(where=f" WHERE qt.question_id IN ({only})" if only is not None else ""),
        "mine": _MINE_SQL.format(only=f" AND s.question_id IN ({only})" if only is not None else ""),
    }


def load_columns(
    session: Session, *, forecaster: str, statuses: tuple[str, ...] = (), limit: int | None = None
) -> QuestionColumns:
    """Every question, or the first `limit` with one of `statuses` (a first screenful, in the same order)."""
    sql = _queries(statuses, limit, None)
    rows = _fetch(session, sql["question"], tuple(statuses))
    if limit is not None:
        sql = _queries(statuses, limit, [r[0] for r in rows])
    tags = _fetch(session, sql["tag"]) if rows else []
    mine = _fetch(session, sql["mine"], (forecaster,)) if rows else []
    return _columns(rows, tags, mine)


def first_page_sqlite(
    path: Path, *, forecaster: str, statuses: tuple[str, ...] = (), limit: int = 200
) -> QuestionColumns | None:
    """The first screenful read with the standard library's sqlite3, before SQLAlchemy is even imported.

    Only for the terminal UI's first frame: importing SQLAlchemy and checking the schema takes longer
    than everything else on the way to it. Read-only; None when the file is missing or not yet at a
    schema this query understands (the full load, after the schema check, follows either way).
    """
    import sqlite3

    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error:
        return None
    try:
        sql = _queries(statuses, limit, None)
        rows = bulk.sqlite_rows(conn, sql["question"], statuses)
        sql = _queries(statuses, limit, [r[0] for r in rows])
        tags = bulk.sqlite_rows(conn, sql["tag"]) if rows else []
        mine = bulk.sqlite_rows(conn, sql["mine"], (forecaster,)) if rows else []
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return _columns(rows, tags, mine)


def _columns(rows: list[tuple], tag_rows: list[tuple], mine_rows: list[tuple]) -> QuestionColumns:
    n = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [()] * 9
    position = {qid: i for i, qid in enumerate(cols[0])}
    tags: list[list[str]] = [[] for _ in range(n)]
    for qid, name in tag_rows:
        i = position.get(qid)
        if i is not None:
            tags[i].append(name)
    mine = np.full(n, np.nan)
    mine_at = np.zeros(n, dtype=np.int64)
    kinds = list(cols[8])
    for qid, p, made in mine_rows:
        i = position.get(qid)
        if i is not None:
            # A non-binary standing "probability" is a display summary of a distribution (core/kind_spec.py).
            mine[i] = p if kinds[i] == "binary" else np.nan
            mine_at[i] = made
    resolution = list(cols[7])
    return QuestionColumns(
        ids=np.fromiter(cols[0], dtype=np.int64, count=n),
        slugs=list(cols[1]),
        titles=list(cols[2]),
        status=list(cols[3]),
        opens=np.fromiter(cols[4], dtype=np.int64, count=n),
        closes=np.fromiter(cols[5], dtype=np.int64, count=n),
        resolves=np.fromiter(cols[6], dtype=np.int64, count=n),
        resolution=resolution,
        outcome=np.array([_OUTCOME.get(r, np.nan) for r in resolution], dtype=np.float64),
        tags=[tuple(t) for t in tags],
        mine=mine,
        mine_at=mine_at,
        kinds=kinds,
    )


def load_team(session: Session, ids: np.ndarray) -> TeamColumns:
    """Count, median and latest time of the standing forecasts of each question in `ids` (no median for a
    non-binary question: its standing summaries are not probabilities)."""
    rows = _fetch(session, "SELECT question_id, probability, made_at FROM standing_forecast")
    n = len(ids)
    count = np.zeros(n, dtype=np.int64)
    median = np.full(n, np.nan)
    last_at = np.zeros(n, dtype=np.int64)
    if not rows or not n:
        return TeamColumns(count, median, last_at)
    # float64 holds ids and microsecond times exactly (both are far below 2**53).
    table = np.array(rows, dtype=np.float64)
    q, p, t = table[:, 0].astype(np.int64), table[:, 1], table[:, 2].astype(np.int64)
    group_q, sizes, med = grouped_medians(q, p)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    latest = np.maximum.reduceat(t[np.argsort(q, kind="stable")], starts)
    # Align the groups with `ids`, which need not be sorted.
    sorter = np.argsort(ids)
    where = np.searchsorted(ids, group_q, sorter=sorter)
    where = np.clip(where, 0, n - 1)
    found = ids[sorter[where]] == group_q
    target = sorter[where[found]]
    count[target] = sizes[found]
    median[target] = med[found]
    last_at[target] = latest[found]
    other_kinds = [r[0] for r in _fetch(session, "SELECT id FROM question WHERE kind <> 'binary'")]
    if other_kinds:
        median[np.isin(ids, np.array(other_kinds, dtype=np.int64))] = np.nan
    return TeamColumns(count, median, last_at)


def sparklines(session: Session, ids: Sequence[int], *, forecaster: str, points: int = 10) -> dict[int, tuple[tuple[float, ...], bool]]:
    """The last `points` probabilities of the user's updates on each question, oldest first.

    Where the user has none, the running median of everyone's standing forecasts instead; the flag
    says whether the series is the user's own. A non-binary question has none (its forecasts are distributions).
    """
    ids = [int(i) for i in ids]
    if not ids:
        return {}
    marks = ",".join(str(i) for i in ids)
    rows = _fetch(
        session,
        "SELECT f.question_id, f.forecaster_id, f.probability, fr.name = :me "
        "FROM forecast f JOIN forecaster fr ON fr.id = f.forecaster_id JOIN question q ON q.id = f.question_id "
        f"WHERE f.question_id IN ({marks}) AND NOT f.superseded AND q.kind = 'binary' "
        "ORDER BY f.question_id, f.made_at, f.recorded_at, f.id",
        (forecaster,),
    )
    by_q: dict[int, list[tuple[int, float, bool]]] = {}
    for qid, fid, p, is_me in rows:
        by_q.setdefault(qid, []).append((fid, p, bool(is_me)))
    out: dict[int, tuple[tuple[float, ...], bool]] = {}
    for qid in ids:
        history = by_q.get(qid, [])
        own = [p for _, p, is_me in history if is_me]
        if own:
            out[qid] = (tuple(own[-points:]), True)
            continue
        team = RunningMedian()
        medians = [team.update(fid, p) for fid, p, _ in history]
        out[qid] = (tuple(medians[-points:]), False)
    return out


def data_version(session: Session) -> tuple:
    """Cheap fingerprint of everything the UI shows; it changes whenever anyone writes."""
    conn = session.connection()
    parts: list = []
    for sql in (
        "SELECT COUNT(*), MAX(updated_at) FROM question",
        "SELECT MAX(id) FROM forecast",
        "SELECT COUNT(*), MAX(id), SUM(CASE WHEN inbox THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN dismissed THEN 1 ELSE 0 END) FROM evidence",
        "SELECT COUNT(*) FROM evidence_link",
        "SELECT MAX(id) FROM resolution_event",
        "SELECT COUNT(*), MAX(remind_at) FROM reminder",
    ):
        parts.extend(bulk.rows(conn, sql)[0])
    return tuple(parts)


def search_questions(session: Session, text: str, *, limit: int = 30) -> list[QuestionSearchRow]:
    """Questions whose title or slug contains every word of `text`: open ones first, soonest close first."""
    words = [w for w in text.lower().split() if w]
    where, params = [], {}
    for i, w in enumerate(words):
        params[f"w{i}"] = "%" + w.replace("\\", "").replace("%", "").replace("_", "") + "%"
        where.append(f"(lower(title) LIKE :w{i} OR slug LIKE :w{i})")
    sql = (
        "SELECT id, slug, title, status, closes_at FROM question"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'closed' THEN 1 ELSE 2 END, closes_at, id"
        + f" LIMIT {int(limit)}"
    )
    return [
        QuestionSearchRow(qid, slug, title, status, from_micros(closes))
        for qid, slug, title, status, closes in _fetch(session, sql, params)
    ]
