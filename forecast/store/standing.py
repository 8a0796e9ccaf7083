"""Keep `standing_forecast` in step with `forecast`: recompute the pairs a write touched.

Every path picks the standing forecast by the one definition of "latest" (core/latest.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from forecast.core.latest import latest_first, latest_last
from forecast.store import bulk

FULL_REFRESH_ABOVE = 20_000
LOCK_PAIRS_UP_TO = 64
"""PostgreSQL: refreshes of up to this many pairs take a transaction lock per pair first, so two writers
refreshing the same pair queue up instead of one failing on the primary key (and being retried, which
is what larger refreshes rely on: thousands of advisory locks would fill the server's lock table)."""

_COLUMNS = "INSERT INTO standing_forecast (question_id, forecaster_id, forecast_id, probability, made_at) "
_LOCK_PAIR = "SELECT pg_advisory_xact_lock(CAST(:q AS integer), CAST(:f AS integer))"
_DELETE_PAIR = "DELETE FROM standing_forecast WHERE question_id = :q AND forecaster_id = :f"
_ONE_PAIR = (
    _COLUMNS + "SELECT question_id, forecaster_id, id, probability, made_at FROM forecast "
    f"WHERE question_id = :q AND forecaster_id = :f AND NOT superseded ORDER BY {latest_first()} LIMIT 1"
)
# PostgreSQL keeps the first row of each pair in the ORDER BY. SQLite keeps the row with no next row in
# the ascending order (one pass over the identity index; a third faster than numbering the rows, and two
# and a half times faster than the MAX(made_at) shortcut, which also broke ties on made_at arbitrarily).
_ALL_PAIRS = {
    "postgresql": _COLUMNS + "SELECT DISTINCT ON (question_id, forecaster_id) "
    "question_id, forecaster_id, id, probability, made_at FROM forecast WHERE NOT superseded "
    f"ORDER BY question_id, forecaster_id, {latest_first()}",
    "sqlite": _COLUMNS + "SELECT question_id, forecaster_id, id, probability, made_at FROM ("
    "SELECT question_id, forecaster_id, id, probability, made_at, lead(1) OVER ("
    f"PARTITION BY question_id, forecaster_id ORDER BY {latest_last()}) AS later "
    "FROM forecast WHERE NOT superseded) WHERE later IS NULL",
}


def refresh_standing(conn: Connection, pairs: Iterable[tuple[int, int]] | None = None) -> None:
    """Recompute the standing forecast of the given (question_id, forecaster_id) pairs, or of all."""
    wanted = None if pairs is None else set(pairs)
    if wanted is None or len(wanted) > FULL_REFRESH_ABOVE:
        refresh_all(conn)
        return
    if not wanted:
        return
    todo = sorted(wanted)
    if conn.dialect.name == "postgresql" and len(todo) <= LOCK_PAIRS_UP_TO:
        # Sorted, so two writers lock shared pairs in the same order and never deadlock on them.
        for pair in todo:
            bulk.execute(conn, _LOCK_PAIR, pair)
    bulk.execute_many(conn, _DELETE_PAIR, todo)
    bulk.execute_many(conn, _ONE_PAIR, todo)


def refresh_all(conn: Connection) -> None:
    """Rebuild the whole cache from the forecasts (also what the migration that created it runs)."""
    bulk.execute(conn, "DELETE FROM standing_forecast")
    bulk.execute(conn, _ALL_PAIRS[conn.dialect.name])
