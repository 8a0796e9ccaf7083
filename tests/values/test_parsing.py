from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecast.core.errors import InvalidInput
from forecast.core.probability import parse_probability
from forecast.core.slug import is_valid_slug, slugify
from forecast.core.timeparse import from_micros, iso_many, iso_z, parse_iso, parse_when, to_micros

NOW = datetime(2019, 3, 16, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, expected",
    [("0.35", 0.35), (".35", 0.35), ("35%", 0.35), ("35 %", 0.35), ("0", 0.0), ("1", 1.0), ("100%", 1.0),
     ("12.5%", 0.125), (0.2, 0.2)],
)  # fmt: skip
def test_probability_accepts_what_people_type(text, expected):
    assert parse_probability(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["1.5", "-0.1", "abc", "", "nan", "inf", "101%", "35%%", "0,35"])
def test_probability_refuses_everything_else(text):
    with pytest.raises(InvalidInput):
        parse_probability(text)


@pytest.mark.parametrize(
    "text, tz, expected",
    [
        ("2019-07-01", "UTC", "2019-07-01T00:00:00Z"),
        ("2019-07-01", "Asia/Seoul", "2019-06-30T15:00:00Z"),
        ("2019-07-01 18:00+09:00", "Europe/Berlin", "2019-07-01T09:00:00Z"),
        ("2019-07-01T00:00:00Z", "Asia/Seoul", "2019-07-01T00:00:00Z"),
        ("in 3 days", "UTC", "2019-03-19T12:00:00Z"),
        ("2 weeks ago", "UTC", "2019-03-02T12:00:00Z"),
        ("in 1 day", "UTC", "2019-03-17T12:00:00Z"),
        ("tomorrow", "UTC", "2019-03-17T00:00:00Z"),
        ("now", "UTC", "2019-03-16T12:00:00Z"),
        ("next week", "UTC", "2019-03-23T12:00:00Z"),
    ],
)
def test_parse_when(text, tz, expected):
    assert iso_z(parse_when(text, now=NOW, tz=tz)) == expected


@pytest.mark.parametrize("text", ["", "someday", "2019-13-01", "2019-02-30"])
def test_parse_when_refuses(text):
    with pytest.raises(InvalidInput):
        parse_when(text, now=NOW)


def test_strict_iso_refuses_naive_date_times():
    assert iso_z(parse_iso("2019-07-01")) == "2019-07-01T00:00:00Z"
    with pytest.raises(InvalidInput):
        parse_iso("2019-07-01T10:00:00")


def test_micros_round_trip_and_iso_forms():
    dt = datetime(2019, 5, 4, 1, 2, 3, 456, tzinfo=UTC)
    assert from_micros(to_micros(dt)) == dt
    assert iso_z(dt) == "2019-05-04T01:02:03.000456Z"
    assert iso_many([to_micros(dt), None, 0]) == ["2019-05-04T01:02:03.000456Z", None, "1970-01-01T00:00:00Z"]


def test_slugs():
    assert slugify("Will North Korea launch before 2019-07-01?") == "will-north-korea-launch-before-2019-07-01"
    assert slugify("Ünïcode — ok?") == "unicode-ok"
    assert len(slugify("word " * 40)) <= 60
    assert is_valid_slug("nk-launch-2019") and not is_valid_slug("123") and not is_valid_slug("Bad Slug")
