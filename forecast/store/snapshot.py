"""Take rows out of the live tables as plain data, and put them back: the storage half of soft delete.

A snapshot is {table: [row, ...]} with the values as stored (times as integer microseconds), JSON-ready.
Putting one back keeps each row's id when it is free; when a new row has taken it (SQLite hands out the
highest id again once it is deleted) the row gets a new id and every reference to it in the snapshot follows.
A row whose parent no longer exists (a link to evidence deleted since) is left out and counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Boolean, text
from sqlalchemy.engine import Connection

Snapshot = dict[str, list[dict]]


def _table(name: str):
    import forecast.store.check_tables  # noqa: F401  (registers every table on the metadata)
    import forecast.store.feed_tables  # noqa: F401
    import forecast.store.tables  # noqa: F401
    from sqlmodel import SQLModel

    return SQLModel.metadata.tables[name]


def capture(conn: Connection, table: str, where: str, params: Mapping) -> list[dict]:
    """The rows of `table` matching `where`, with the mapped columns only (not PostgreSQL's generated
    search column, which the database computes again on insert)."""
    t = _table(table)
    names = [c.name for c in t.columns]
    bools = {c.name for c in t.columns if isinstance(c.type, Boolean)}
    cols = ", ".join(f'"{n}"' for n in names)
    rows = conn.execute(text(f'SELECT {cols} FROM "{table}" WHERE {where}'), dict(params)).mappings().all()
    return [{k: (bool(v) if k in bools and v is not None else v) for k, v in r.items()} for r in rows]


@dataclass
class Restored:
    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    """Per table, old id -> id now (the same unless the old one had been taken)."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Per table, rows left out because what they pointed at is gone."""

    def id_of(self, table: str, old: int) -> int:
        return self.ids.get(table, {}).get(old, old)


def _exists(conn: Connection, table: str, column: str, value) -> bool:
    return conn.execute(text(f'SELECT 1 FROM "{table}" WHERE "{column}" = :v'), {"v": value}).first() is not None


def put_back(conn: Connection, snapshot: Snapshot) -> Restored:
    """Insert the snapshot's rows, parents before children (and older forecasts before their corrections)."""
    import forecast.store.tables  # noqa: F401
    from sqlmodel import SQLModel

    done = Restored()
    order = [t.name for t in SQLModel.metadata.sorted_tables if t.name in snapshot]
    for name in order:
        t = _table(name)
        single_id = [c.name for c in t.primary_key.columns] == ["id"]
        rows = sorted(snapshot[name], key=lambda r: r.get("id") or 0)
        for row in rows:
            row = dict(row)
            if not _repoint(conn, t, row, done):
                done.skipped[name] = done.skipped.get(name, 0) + 1
                continue
            old = row.get("id")
            if single_id and old is not None and _exists(conn, name, "id", old):
                row.pop("id")
            cols = list(row)
            sql = f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) ' \
                  f'VALUES ({", ".join(":" + c for c in cols)})'  # fmt: skip
            if single_id:
                new = conn.execute(text(sql + " RETURNING id"), row).scalar_one()
                done.ids.setdefault(name, {})[old] = new
            else:
                conn.execute(text(sql), row)
    return done


def _repoint(conn: Connection, t, row: dict, done: Restored) -> bool:
    """Follow the parents' new ids; False when a required parent is gone (a nullable reference is cleared)."""
    for c in t.columns:
        for fk in c.foreign_keys:
            value = row.get(c.name)
            if value is None:
                continue
            target = fk.column.table.name
            value = done.id_of(target, value)
            if _exists(conn, target, fk.column.name, value):
                row[c.name] = value
            elif c.nullable:
                row[c.name] = None
            else:
                return False
    return True


def relink(conn: Connection, table: str, column: str, ids: list[int], value: int) -> int:
    """Point rows that lost a reference on delete (ON DELETE SET NULL: a feed's question) at it again."""
    n = 0
    for rid in ids:
        n += conn.execute(
            text(f'UPDATE "{table}" SET "{column}" = :v WHERE id = :id AND "{column}" IS NULL'), {"v": value, "id": rid}
        ).rowcount
    return n
