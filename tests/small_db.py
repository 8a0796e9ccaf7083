"""A small database for command-line tests: two questions, three forecasts, one resolution, made by the
commands themselves; and a fingerprint of a SQLite file's rows, to prove a command changed nothing."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from tests.cli_runner import invoke


def make_small_db(db: str) -> None:
    """Two questions, three forecasts, one resolution: enough for every command to have something to do."""
    assert invoke("q", "add", "Will it rain", "--closes", "2030-01-01", "--opens", "2020-01-01", "--slug", "rain",
                  db=db).code == 0
    assert invoke("q", "add", "Will it snow", "--closes", "2030-01-01", "--opens", "2020-01-01", "--slug", "snow",
                  "--tag", "weather", db=db).code == 0
    for slug, p, at in (("rain", "0.3", "2024-01-01"), ("rain", "40%", "2024-02-01"), ("snow", "0.8", "2024-03-01")):
        r = invoke("predict", slug, p, "--at", at, "--why", "base rate", db=db)
        assert r.code == 0, r.err
    assert invoke("resolve", "snow", "yes", "--at", "2024-06-01", db=db).code == 0


def sqlite_fingerprint(path: Path) -> tuple[dict[str, int], str]:
    """Row counts and a hash of every row of every table, read through a read-only connection."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        counts, digest = {}, hashlib.sha256()
        for t in tables:
            rows = sorted(repr(r) for r in con.execute(f'SELECT * FROM "{t}"'))
            counts[t] = len(rows)
            digest.update(t.encode())
            for r in rows:
                digest.update(r.encode())
        return counts, digest.hexdigest()
    finally:
        con.close()


def fold_wal(path: Path) -> None:
    """Fold the write-ahead log into the file, so that copying the file copies everything."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
