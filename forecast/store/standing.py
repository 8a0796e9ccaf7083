"""Keep `standing_forecast` in step with `forecast`: recompute the pairs a write touched."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

FULL_REFRESH_ABOVE = 20_000
LOCK_PAIRS_UP_TO = 64
"""PostgreSQL: refreshes of up to this many pairs take a transaction lock per pair first, so two writers
refreshing the same pair queue up instead of one failing on the primary key (and being retried, which
is what larger refreshes rely on: thousands of advisory locks would fill the server's lock table)."""

_ONE_PAIR = (
    "INSERT INTO standing_forecast (question_id, forecaster_id, forecast_id, probability, made_at) "
    "SELECT question_id, forecaster_id, id, probability, made_at FROM forecast "
    "WHERE question_id = {p} AND forecaster_id = {p} AND NOT superseded "
    "ORDER BY made_at DESC, recorded_at DESC, id DESC LIMIT 1"
)


def refresh_standing(conn: Connection, pairs: Iterable[tuple[int, int]] | None = None) -> None:
    """Recompute the standing forecast of the given (question_id, forecaster_id) pairs, or of all."""
    ph = "?" if conn.dialect.name == "sqlite" else "%s"
    todo = None if pairs is None else sorted(set(pairs))
    if todo is not None and len(todo) <= FULL_REFRESH_ABOVE:
        if not todo:
            return
        if conn.dialect.name == "postgresql" and len(todo) <= LOCK_PAIRS_UP_TO:
            # Sorted, so two writers lock shared pairs in the same order and never deadlock on them.
            for pair in todo:
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(CAST(%s AS integer), CAST(%s AS integer))", pair)
        conn.exec_driver_sql(f"DELETE FROM standing_forecast WHERE question_id = {ph} AND forecaster_id = {ph}", todo)
        conn.exec_driver_sql(_ONE_PAIR.format(p=ph), todo)
        return
    conn.exec_driver_sql("DELETE FROM standing_forecast")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "INSERT INTO standing_forecast (question_id, forecaster_id, forecast_id, probability, made_at) "
            "SELECT DISTINCT ON (question_id, forecaster_id) question_id, forecaster_id, id, probability, made_at "
            "FROM forecast WHERE NOT superseded "
            "ORDER BY question_id, forecaster_id, made_at DESC, recorded_at DESC, id DESC"
        )
    else:
        # SQLite takes the bare columns from the row holding MAX(): one pass over the identity index.
        conn.exec_driver_sql(
            "INSERT INTO standing_forecast (question_id, forecaster_id, forecast_id, probability, made_at) "
            "SELECT question_id, forecaster_id, id, probability, made_at FROM ("
            "SELECT question_id, forecaster_id, id, probability, MAX(made_at) AS made_at "
            "FROM forecast WHERE superseded = 0 GROUP BY question_id, forecaster_id)"
        )
