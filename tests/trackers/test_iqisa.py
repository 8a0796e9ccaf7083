"""The iqisa long CSV (as ../shared/data/predictionbook/public.csv), with a titles file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecast.core.errors import InvalidInput
from forecast.ingest.trackers import iqisa
from forecast.ingest.trackers.common import micros, zone


def us(*args, tz=UTC) -> int:
    return micros(datetime(*args), tz)


@pytest.fixture
def conv(fixtures):
    titles = iqisa.read_titles(str(fixtures / "iqisa_titles.csv.zip"))
    return iqisa.convert(str(fixtures / "iqisa.csv"), source="pb", titles=titles)


def test_questions_outcomes_and_titles(conv):
    qs = {q.slug: q for q in conv.batch.questions}
    assert list(qs) == ["pb-7", "pb-8", "pb-9", "pb-10"]
    assert qs["pb-7"].title == "Obama will win the 2008 US presidential election"
    assert (qs["pb-7"].resolution, qs["pb-7"].resolved_at) == ("yes", us(2009, 1, 14, 10, 49, 1))
    assert qs["pb-7"].opens_at == us(2008, 6, 20, 6, 46, 23) and qs["pb-7"].closes_at == us(2008, 12, 30, 11)
    assert qs["pb-8"].resolution == "no"
    assert qs["pb-8"].closes_at < qs["pb-8"].opens_at  # imported as it is; never scored
    assert (qs["pb-9"].resolution, qs["pb-9"].status) == ("annulled", "annulled")
    assert qs["pb-9"].title == "pb question 9"  # not in the titles file
    assert (qs["pb-10"].resolution, qs["pb-10"].resolved_at, qs["pb-10"].resolves_at) == (None, None, qs["pb-10"].closes_at)


def test_forecasts_duplicates_and_bad_rows(conv):
    got = [(line, f.question, f.forecaster, f.probability) for f, line in zip(conv.batch.forecasts, conv.batch.forecast_lines)]
    assert got == [
        (2, "pb-7", "Trainor", 0.9), (3, "pb-7", "Matt", 0.3), (5, "pb-7", "Adam", 0.4),
        (6, "pb-8", "Natalie", 0.8), (7, "pb-9", "Frank", 0.6),
        (8, "pb-10", "Frank", 0.0), (9, "pb-10", "Trainor", 1.0),
    ]  # fmt: skip
    assert conv.batch.skipped == [
        (4, "duplicate of line 3"),
        (10, "probability '1.25' is not between 0 and 1"),
        (11, "timestamp 'not a time' is not a date-time"),
        (12, "question 11: outcome '2.0' is not 1, 0, -1 or empty"),
        (13, "expected 15 columns, found 6"),
    ]
    assert conv.notes["duplicate_rows"] == 1
    assert conv.notes["late_forecasts"] == 1  # Adam, after the close of pb-7
    assert conv.notes["never_scored_questions"] == 1  # pb-8 closes before it opens
    assert any("never scored" in m for m in conv.messages)


def test_naive_timestamps_in_a_named_zone(fixtures):
    path = str(fixtures / "iqisa_naive.csv")
    utc = iqisa.convert(path)
    berlin = iqisa.convert(path, timestamp_tz=zone("Europe/Berlin"))
    assert utc.notes["naive_timestamps"] == 3 and any("--timestamp-tz" in m for m in utc.messages)
    assert [f.made_at for f in berlin.batch.forecasts] == [
        us(2015, 10, 2, 2, 36, 23, 463465),  # still summer time (CEST, +2)
        us(2015, 12, 15, 3, 34),  # winter (CET, +1): the final point lands exactly on the close
        us(2016, 7, 1, 10),  # CEST, +2
    ]
    assert berlin.notes["late_forecasts"] == 1
    assert [q.slug for q in berlin.batch.questions] == ["iqisa-naive-1", "iqisa-naive-2"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/data/predictionbook/public.csv", "pb"),
        ("/data/metaculus-cp-timeseries/public.csv.zip", "mc"),
        ("/x/gjopen_2023.csv", "gjo"),
        ("/x/my-forecasts/public.csv", "my-forecasts"),
        ("/x/team_a.csv", "team-a"),
    ],
)
def test_default_source_from_the_path(path, expected):
    assert iqisa.default_source(path) == expected


def test_bad_source_and_header(tmp_path, fixtures):
    with pytest.raises(InvalidInput, match="source"):
        iqisa.convert(str(fixtures / "iqisa.csv"), source="Not A Slug")
    bad = tmp_path / "bad.csv"
    bad.write_text("question_id,user_id,probability\n1,a,0.5\n")
    with pytest.raises(InvalidInput, match="not an iqisa long CSV"):
        iqisa.convert(str(bad))
    with pytest.raises(InvalidInput, match="no such file"):
        iqisa.convert(str(tmp_path / "missing.csv"))


def test_titles_from_plain_csv(fixtures):
    titles = iqisa.read_titles(str(fixtures / "iqisa_titles.csv"))
    assert titles["8"] == "=cmd|' /C calc'!A0"
