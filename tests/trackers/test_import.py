"""Converted batches go through the one write path; importing twice adds nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from forecast.ingest.trackers import fatebook, iqisa, metaculus
from forecast.services.batch_import import import_batch


def _count(db, table: str) -> int:
    with db.session() as s:
        return s.connection().exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()


@pytest.mark.parametrize(
    ("convert", "questions", "forecasts", "forecasters"),
    [
        (lambda fx: fatebook.convert(str(fx / "fatebook.csv")), 5, 8, 2),
        (lambda fx: iqisa.convert(str(fx / "iqisa.csv"), source="pb"), 4, 7, 5),
        (lambda fx: metaculus.convert(str(fx / "metaculus")), 4, 8, 3),
    ],
    ids=["fatebook", "iqisa", "metaculus"],
)
def test_import_is_idempotent(database, fixtures, convert, questions, forecasts, forecasters):
    with database.session() as s:
        first = import_batch(s, convert(fixtures).batch)
    assert (first.questions_added, first.forecasts_added, first.forecasters_added) == (questions, forecasts, forecasters)
    assert first.skipped  # the fixtures all have bad rows, reported with their lines
    with database.session() as s:
        again = import_batch(s, convert(fixtures).batch)
    assert (again.questions_added, again.questions_updated, again.forecasts_added) == (0, 0, 0)
    assert (again.questions_unchanged, again.forecasts_existing) == (questions, forecasts)
    assert _count(database, "forecast") == forecasts and _count(database, "question") == questions


def test_stored_resolutions(database, fixtures):
    with database.session() as s:
        import_batch(s, iqisa.convert(str(fixtures / "iqisa.csv"), source="pb").batch)
    with database.session() as s:
        rows = dict(
            (slug, (status, res))
            for slug, status, res in s.connection().exec_driver_sql("SELECT slug, status, resolution FROM question")
        )
    assert rows == {
        "pb-7": ("resolved", "yes"),
        "pb-8": ("resolved", "no"),
        "pb-9": ("annulled", "annulled"),
        "pb-10": ("open", None),
    }
