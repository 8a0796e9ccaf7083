"""Rows created on first use (a forecaster, a tag): insert-if-absent that two writers may run at once.

`INSERT … ON CONFLICT DO NOTHING` (SQLite 3.24+ and PostgreSQL): on PostgreSQL the second writer waits
for the first one's row and then inserts nothing instead of failing with a unique violation; the
following SELECT, a new statement, sees the committed row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecast.store import bulk

if TYPE_CHECKING:
    from forecast.store.bulk import Bind


def insert_if_absent(bind: Bind, table: str, key: str, values: dict) -> None:
    """Insert `values` into `table` unless a row with the same unique `key` column exists."""
    cols = ", ".join(values)
    params = ", ".join(f":{c}" for c in values)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({params}) ON CONFLICT ({key}) DO NOTHING"
    bulk.execute(bulk.connection_of(bind), sql, values)
