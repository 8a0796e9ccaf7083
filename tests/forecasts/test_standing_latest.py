"""The standing forecast, one definition (core/latest.py) on every path, and the bulk import's fast path
storing what the row-at-a-time path stores. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from forecast.core.timeparse import iso_from_micros, to_micros
from forecast.interchange.reader import read_lines
from forecast.services.batch_import import import_batch
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.scoring import score_one_question
from forecast.store import bulk
from forecast.store.standing import refresh_standing

T0 = datetime(2024, 1, 1, tzinfo=UTC)
HEADER = {"type": "header", "format": "forecast-jsonl", "version": 1}


def iso(dt: datetime) -> str:
    return iso_from_micros(to_micros(dt))


def question(slug: str, **extra) -> dict:
    return {"type": "question", "slug": slug, "title": f"Question {slug}?", "opens_at": iso(T0),
            "closes_at": iso(T0 + timedelta(days=100)), **extra}  # fmt: skip


def forecast(slug: str, who: str, p: float, made_day: int, recorded_day: int, **extra) -> dict:
    return {"type": "forecast", "question": slug, "forecaster": who, "probability": p,
            "made_at": iso(T0 + timedelta(days=made_day)), "recorded_at": iso(T0 + timedelta(days=recorded_day)),
            **extra}  # fmt: skip


def run_import(session, records, source="t.jsonl"):
    return import_batch(session, read_lines([orjson.dumps(r) for r in [HEADER, *records]], source))


def standing(session) -> dict[tuple[str, str], tuple[int, float]]:
    """(slug, forecaster) -> (forecast id, probability) of the cache."""
    rows = bulk.rows(
        session.connection(),
        "SELECT q.slug, f.name, s.forecast_id, s.probability FROM standing_forecast s "
        "JOIN question q ON q.id = s.question_id JOIN forecaster f ON f.id = s.forecaster_id",
    )
    return {(slug, name): (fid, p) for slug, name, fid, p in rows}


# Same made_at on each pair; the later recorded forecast is written first, so it has the lower id: a rule
# that looked at made_at and then id (or took whichever row a MAX() met first) would pick the other one.
TIES = [
    question("tie", resolution="no", resolved_at=iso(T0 + timedelta(days=90))),
    forecast("tie", "alice", 0.9, 10, 12),
    forecast("tie", "alice", 0.2, 10, 11),
    forecast("tie", "bob", 0.3, 20, 20),
    forecast("tie", "bob", 0.7, 20, 25),
    forecast("tie", "bob", 0.6, 5, 30),  # recorded last, made earliest: not the standing one
]


def test_every_path_picks_the_same_standing_forecast_on_ties(session):
    run_import(session, TIES)
    per_pair = standing(session)
    assert {k: p for k, (_, p) in per_pair.items()} == {("tie", "alice"): 0.9, ("tie", "bob"): 0.7}

    refresh_standing(session.connection())  # the full refresh (imports of > 20,000 pairs, the migration)
    assert standing(session) == per_pair

    # Scoring: of the forecasts made at one instant one is scored, the others "replaced"; the last one
    # scored is the standing one.
    last_scored = {}
    for f in score_one_question(session, "tie").forecasters:
        scored = [x for x in f.forecasts if x.status == "scored"]
        last = max(x.made_at for x in scored)
        (winner,) = [x.id for x in scored if x.made_at == last]
        last_scored[("tie", f.name)] = winner
    assert last_scored == {k: fid for k, (fid, _) in per_pair.items()}


def test_fast_import_stores_what_one_forecast_at_a_time_stores(database):
    """The bulk path (page cache, index rebuilt after, names cleaned once each) against `record_forecast`
    (the ORM, the text guard's mapper events, the per-pair refresh), on names and text needing the guard."""
    questions = [question("q-one"), question("q-two")]
    messy = [
        ("q-one", "ali\u202ece\t", 0.4, 1, "line one\r\nline\x1b[31m two"),
        ("q-one", "ali\u202ece\t", 0.5, 3, ""),
        ("q-two", "bob", 0.1, 2, "tab\there"),
        ("q-two", "ali\u202ece\t", 0.35, 2, "\u2028 separator"),
        ("q-two", "bob", 0.25, 4, "plain"),
    ]
    fast = [forecast(slug, who, p, day, day, rationale=why) for slug, who, p, day, why in messy]

    def fast_work(session):
        run_import(session, questions + fast)

    def slow_work(session):
        run_import(session, questions)
        for slug, who, p, day, why in messy:
            at = T0 + timedelta(days=day)
            record_forecast(session, ForecastRequest(slug, p, who.strip(), at=at, rationale=why), now=at)

    stored = []
    for work in (fast_work, slow_work):
        with database.session() as s:
            conn = s.connection()
            bulk.execute(conn, "DELETE FROM standing_forecast")
            bulk.execute(conn, "DELETE FROM forecast")
            bulk.execute(conn, "DELETE FROM forecaster")
        database.write(work)
        with database.session() as s:
            forecasts = bulk.rows(
                s.connection(),
                "SELECT q.slug, f.name, x.probability, x.made_at, x.recorded_at, x.rationale, x.superseded "
                "FROM forecast x JOIN question q ON q.id = x.question_id JOIN forecaster f ON f.id = x.forecaster_id "
                "ORDER BY q.slug, f.name, x.made_at",
            )
            cache = {k: p for k, (_, p) in standing(s).items()}
            stored.append((forecasts, cache))
    assert stored[0] == stored[1]
    forecasts, cache = stored[0]
    assert {name for _, name, *_ in forecasts} == {"alice", "bob"}  # the bidi override removed, the tab trimmed
    assert cache == {("q-one", "alice"): 0.5, ("q-two", "alice"): 0.35, ("q-two", "bob"): 0.25}


def test_a_large_import_leaves_the_schema_and_the_connection_as_it_found_them(database):
    def indexes(session):
        return sorted(bulk.rows(session.connection(), "SELECT name, sql FROM sqlite_master WHERE type = 'index'"))

    if database.dialect != "sqlite":
        return
    with database.session() as s:
        before = indexes(s)
    cache_sizes = []

    def work(session):
        cache_sizes.append(bulk.scalar(session.connection(), "PRAGMA cache_size"))
        run_import(session, [question("big"), *(forecast("big", f"f{i}", 0.5, 1, 1) for i in range(50))])
        cache_sizes.append(bulk.scalar(session.connection(), "PRAGMA cache_size"))

    database.write(work)
    with database.session() as s:
        assert indexes(s) == before  # the forecaster index was dropped for the import and built again
    assert cache_sizes[0] == cache_sizes[1]
