"""A small database for the export tests, built once per module from tests/fixtures/exports/small.jsonl."""

from __future__ import annotations

import math
from pathlib import Path

SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "exports" / "small.jsonl"
LN2 = math.log(2.0)


def build(url: str) -> None:
    from forecast.interchange.reader import read_file
    from forecast.services.batch_import import import_batch
    from forecast.services.database import open_database

    db = open_database(url)
    try:
        with db.session() as session:
            import_batch(session, read_file(str(SMALL)))
    finally:
        db.engine.dispose()
