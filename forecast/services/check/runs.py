"""The history of `forecast check` runs in the check_run table (store/check_tables.py), in plain SQL."""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from forecast.core.timeparse import from_micros, iso_z, to_micros, utcnow
from forecast.store.transaction import run_write_connection

RUNNING, DONE, ERROR, INTERRUPTED = "running", "done", "error", "interrupted"


def _host() -> str:
    try:
        return socket.gethostname()[:255]
    except OSError:
        return ""


def start_run(engine: Engine, *, as_of: datetime, dry_run: bool) -> tuple[int, int]:
    """Insert a `running` row; returns (its id, how many earlier runs were found killed midway).

    Called with the check lock held, so any other `running` real run belongs to a dead process.
    """
    values = {
        "started": to_micros(utcnow()),
        "as_of": to_micros(as_of),
        "status": RUNNING,
        "dry": dry_run,
        "host": _host(),
        "pid": os.getpid(),
    }
    insert = (
        "INSERT INTO check_run (started_at, as_of, status, dry_run, summary, host, pid) "
        "VALUES (:started, :as_of, :status, :dry, '', :host, :pid)"
    )

    def work(conn: Connection) -> tuple[int, int]:
        interrupted = 0
        if not dry_run:
            interrupted = conn.execute(
                text("UPDATE check_run SET status = :i WHERE status = :r AND dry_run = :f"),
                {"i": INTERRUPTED, "r": RUNNING, "f": False},
            ).rowcount
        if conn.dialect.name == "postgresql":
            run_id = conn.execute(text(insert + " RETURNING id"), values).scalar_one()
        else:
            run_id = conn.execute(text(insert), values).lastrowid
        return run_id, interrupted

    return run_write_connection(engine, work)


def finish_run(engine: Engine, run_id: int, *, status: str, summary: dict, error: str | None = None) -> None:
    values = {"s": status, "j": json.dumps(summary, sort_keys=True), "e": error, "id": run_id}
    run_write_connection(engine, lambda conn: conn.execute(
        text("UPDATE check_run SET finished_at = :f, status = :s, summary = :j, error = :e WHERE id = :id"),
        {"f": to_micros(utcnow()), **values},
    ))  # fmt: skip


def previous_as_of(engine: Engine, as_of: datetime) -> int | None:
    """The "now" of the latest finished real run at or before `as_of` (microseconds), if any.

    What became due after it is new; what was due then was already reported.
    """
    with engine.connect() as conn:
        return conn.execute(
            # Only clean runs: one that failed may not have listed (and so announced) everything.
            text("SELECT MAX(as_of) FROM check_run WHERE dry_run = :f AND status = :d AND as_of <= :now"),
            {"f": False, "d": DONE, "now": to_micros(as_of)},
        ).scalar()


def history(engine: Engine, *, limit: int = 20) -> list[dict]:
    """The latest runs, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, started_at, finished_at, as_of, status, dry_run, summary, error, host, pid "
                "FROM check_run ORDER BY started_at DESC, id DESC LIMIT :n"
            ),
            {"n": max(int(limit), 0)},
        ).all()
    out = []
    for rid, started, finished, as_of, status, dry, summary, error, host, pid in rows:
        try:
            data = json.loads(summary) if summary else {}
        except ValueError:
            data = {}
        out.append(
            {
                "id": rid,
                "started_at": iso_z(from_micros(started)),
                "finished_at": iso_z(from_micros(finished)) if finished is not None else None,
                "seconds": round((finished - started) / 1e6, 3) if finished is not None else None,
                "as_of": iso_z(from_micros(as_of)),
                "status": status,
                "dry_run": bool(dry),
                "summary": data,
                "error": error,
                "host": host,
                "pid": pid,
            }
        )
    return out
