"""Which questions `forecast score` scores, and the question query: apart from services/scoring.py (numpy and the
engine) so that the score command can start its reads (services/score_read.py) before importing those."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from forecast.core.backfill import DEFAULT_BACKFILL_AFTER
from forecast.core.errors import NotFound
from forecast.core.timeparse import to_micros
from forecast.store import bulk

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

NO_TIME = 2**63 - 1  # core.scoring.NO_TIME (the largest int64), without importing numpy
# resolved_at NULL -> NO_TIME; outcome: 1 YES, 0 NO, -1 not scored (NaN in the engine)
QUESTIONS_SQL = (
    f"SELECT id, opens_at, closes_at, COALESCE(resolved_at, {NO_TIME}), "
    "CAST(CASE resolution WHEN 'yes' THEN 1 WHEN 'no' THEN 0 ELSE -1 END AS DOUBLE PRECISION) "
    "FROM question WHERE {where} ORDER BY id"
)


@dataclass(frozen=True)
class ScoreFilter:
    forecasters: tuple[str, ...] = ()  # whose scores to show; empty: everyone
    tag: str | None = None
    since: datetime | None = None  # resolved at or after
    until: datetime | None = None  # resolved before
    exclude_backfilled: bool = False  # leave out forecasts recorded long after their claimed time
    backfill_after: timedelta = DEFAULT_BACKFILL_AFTER


def question_where(conn: Connection | bulk.Sqlite, flt: ScoreFilter) -> tuple[str, dict]:
    """The SQL condition on `question` for the filter's tag and resolution times, and its parameters."""
    where, params = [], {}
    if flt.tag is not None:
        tag = bulk.scalar(conn, "SELECT id FROM tag WHERE name = :name", (flt.tag,))
        if tag is None:
            raise NotFound(f"no tag named {flt.tag!r}")
        where.append("id IN (SELECT question_id FROM question_tag WHERE tag_id = :tag)")
        params["tag"] = int(tag)
    if flt.since is not None:
        where.append("resolved_at >= :since")
        params["since"] = to_micros(flt.since)
    if flt.until is not None:
        where.append("resolved_at < :until")
        params["until"] = to_micros(flt.until)
    return (" AND ".join(where) or "1 = 1"), params
