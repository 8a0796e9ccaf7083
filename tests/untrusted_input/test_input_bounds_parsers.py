"""Nothing out of range gets in: the parsers every entry point shares (issue 10, section 1), with properties
(hypothesis) that would have found the holes: any text through them either gives an in-range value or
InvalidInput, never another exception."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.echo import shown
from forecast.core.errors import InvalidInput, OutOfRange
from forecast.core.ids import INT64_MAX, as_row_id
from forecast.core.probability import parse_decimal, parse_probability
from forecast.core.slug import is_valid_slug, slugify, source_slug
from forecast.core.timeparse import (
    MAX_TIME,
    MAX_US,
    MIN_TIME,
    MIN_US,
    iso_micros,
    iso_z,
    micros_of,
    parse_iso,
    parse_when,
    to_micros,
)
from forecast.ingest.trackers.common import micros, unit_probability
from forecast.interchange.records import micros_from_iso

NOW = datetime(2019, 3, 16, 12, 0, tzinfo=UTC)
FEW = settings(max_examples=150, deadline=None)


# --- the time range -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00:00+01:00", "0001-01-01", "9999-12-31T23:59:59-01:00", "1899-12-31T23:59:59Z",
     "2201-01-01T00:00:00Z", "2200-12-31T23:00:00-01:00"],
)  # fmt: skip
def test_strict_iso_refuses_times_outside_the_range(text):
    with pytest.raises(OutOfRange, match="outside the supported time range 1900-01-01T00:00:00Z to 2200-12-31"):
        parse_iso(text)
    with pytest.raises(OutOfRange, match=r"^opens_at '.*' is outside the supported time range"):
        micros_from_iso(text, "opens_at")


def test_the_range_is_inclusive_at_both_ends():
    assert iso_micros("1900-01-01T00:00:00Z") == MIN_US == to_micros(MIN_TIME)
    assert iso_micros("2200-12-31T23:59:59.999999Z") == MAX_US == to_micros(MAX_TIME)
    assert iso_z(parse_iso("1899-12-31T23:00:00-01:00")) == "1900-01-01T00:00:00Z"
    with pytest.raises(OutOfRange):
        to_micros(MIN_TIME - timedelta(microseconds=1))
    with pytest.raises(OutOfRange):
        to_micros(MAX_TIME + timedelta(microseconds=1))


@pytest.mark.parametrize(
    "text",
    ["in 9999999999 days", "1000000000000000000 seconds ago", "in 99999 years", "in 99999999 weeks",
     "300 years ago", "0001-01-01", "9999-12-31 12:00", "0001-01-01T00:00:00+01:00", "2201-01-02"],
)  # fmt: skip
def test_when_refuses_times_outside_the_range(text):
    with pytest.raises(OutOfRange, match="outside the supported time range"):
        parse_when(text, now=NOW, tz="Asia/Seoul")


def test_tracker_times_share_the_range():
    with pytest.raises(OutOfRange):
        micros(datetime(1, 1, 1), UTC)
    with pytest.raises(OutOfRange):
        micros(datetime(9999, 12, 31, 23), UTC)
    assert micros(datetime(1900, 1, 1, 9), __import__("zoneinfo").ZoneInfo("Asia/Tokyo")) == MIN_US


@pytest.mark.parametrize(
    "text, suggestion",
    [("in -3 months", "3 months ago"), ("-3 months ago", "in 3 months"), ("in +3 days", "in 3 days"),
     ("+2 weeks ago", "2 weeks ago"), ("-3 days", "3 days ago"), ("IN -1 YEAR", "1 year ago")],
)  # fmt: skip
def test_signed_relative_dates_are_refused_with_a_suggestion(text, suggestion):
    with pytest.raises(InvalidInput) as exc:
        parse_when(text, now=NOW)
    assert f"did you mean {suggestion!r}?" in str(exc.value)


@pytest.mark.parametrize("text", ["in ٣ days", "٢٠١٩-07-01", "２０１９-07-01", "in 3 days\u202e"])
def test_dates_are_ascii(text):
    with pytest.raises(InvalidInput):
        parse_when(text, now=NOW)
    with pytest.raises(InvalidInput):
        parse_iso(text)


WHEN_WORDS = st.sampled_from(["in", "ago", "days", "day", "weeks", "months", "years", "hours", "seconds", "a",
                              "now", "today", "tomorrow", "next", "week", "T", "Z", "-", "+", ":", " "])  # fmt: skip
WHEN_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(WHEN_WORDS, st.integers(-(10**20), 10**20).map(str)), max_size=6).map(" ".join),
    st.datetimes(timezones=st.sampled_from([UTC, None])).map(lambda d: d.isoformat()),
    st.integers(1, 9999).map(lambda y: f"{y:04d}-06-15T00:00:00+14:00"),
)


@FEW
@given(text=WHEN_TEXT, tz=st.sampled_from(["UTC", "Asia/Seoul", "America/Los_Angeles"]))
def test_when_gives_an_in_range_time_or_invalid_input(text, tz):
    try:
        dt = parse_when(text, now=NOW, tz=tz)
    except InvalidInput:
        return
    assert dt.tzinfo is not None and MIN_US <= micros_of(dt) <= MAX_US


@FEW
@given(text=WHEN_TEXT)
def test_strict_iso_gives_an_in_range_time_or_invalid_input(text):
    try:
        dt = parse_iso(text)
    except InvalidInput:
        return
    assert dt.utcoffset() == timedelta(0) and MIN_TIME <= dt <= MAX_TIME


# --- probabilities --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["٣٥%", "３５%", "3_5%", "0.3_5", "1e-400", "1e-400%", "5e-324%", "0x1p-2", "½", "0.35\n0.4"]
)
def test_probability_refuses_other_digits_underscores_and_underflow(text):
    with pytest.raises(InvalidInput):
        parse_probability(text)


def test_probability_numbers_and_signs():
    assert parse_probability("-0") == 0.0 and str(parse_probability("-0")) == "0.0"
    assert parse_probability("+0.5") == 0.5 and parse_probability("1e-300") == 1e-300
    with pytest.raises(InvalidInput, match="outside"):
        parse_probability("-0.1")
    with pytest.raises(InvalidInput, match="outside"):
        parse_probability(10**400)  # float() would raise OverflowError


def test_tracker_cells_use_the_same_number_rule():
    assert unit_probability(" 0.25 ", "p") == 0.25
    for cell in ("٠.٥", "0_5", "1e-400", "nan"):
        with pytest.raises(InvalidInput, match="is not between 0 and 1"):
            unit_probability(cell, "p")


@FEW
@given(text=st.one_of(st.text(max_size=20), st.floats().map(repr), st.from_regex(r"[+-]?[0-9]{0,3}\.?[0-9]{0,3}(e-?[0-9]{1,3})?%?", fullmatch=True)))
def test_probability_is_in_unit_interval_or_invalid_input(text):
    try:
        p = parse_probability(text)
    except InvalidInput:
        return
    assert 0.0 <= p <= 1.0
    body = text.strip().rstrip("%").strip()
    assert body.isascii() and "_" not in body
    assert p > 0 or not any(ch in "123456789" for ch in body.lower().split("e")[0])


@FEW
@given(st.text(max_size=30))
def test_decimal_accepts_only_ascii_notation(text):
    try:
        value = parse_decimal(text)
    except InvalidInput:
        return
    assert text.isascii() and "_" not in text and text == text.strip()
    assert value == float(text)


# --- ids and echoes -------------------------------------------------------------------------------------


def test_row_ids_are_ascii_and_64_bit():
    assert as_row_id("42") == 42 and as_row_id("0000042") == 42 and as_row_id(str(INT64_MAX)) == INT64_MAX
    assert as_row_id("٣٤") is None and as_row_id("²") is None and as_row_id("my-slug") is None
    for text in (str(INT64_MAX + 1), "9" * 100, "1" * 5000):
        with pytest.raises(OutOfRange, match="beyond the largest id"):
            as_row_id(text)


def test_echoed_values_are_cut_to_about_80_characters():
    assert shown("abc") == "'abc'"
    long = shown("x" * 10_000)
    assert len(long) < 110 and long.endswith("(10000 characters)")
    assert shown("\x1b]2;owned\x07") == repr("\x1b]2;owned\x07")  # escapes, never raw controls
    assert len(shown(10**5000)) < 40 and len(shown(list(range(1000)))) <= 81


def test_every_parser_message_echoes_a_cut_value():
    for parse in (parse_probability, lambda t: parse_when(t, now=NOW), parse_iso):
        with pytest.raises(InvalidInput) as exc:
            parse("z" * 100_000)
        assert len(str(exc.value)) < 250


# --- slugs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["ok-slug\n", "ok-slug\r\n", "ok\nslug", "-x", "x" * 81, "123", "ab_c", "Ab", "٣٤"])
def test_slug_rule_is_a_full_match(slug):
    assert not is_valid_slug(slug)


def test_slugify_never_makes_a_digits_only_slug():
    assert slugify("2024") == "q-2024" and is_valid_slug(slugify("2024"))
    assert slugify("٣٤") == "question"


def test_source_slug_keeps_clean_ids_and_separates_lossy_ones():
    assert source_slug("pb", "1234") == "pb-1234" and source_slug("pb", "abc-1") == "pb-abc-1"
    a, b = source_slug("pb", "ab_1"), source_slug("pb", "AB-1")
    assert a != b and a.startswith("pb-ab-1--") and b.startswith("pb-ab-1--")
    assert source_slug("metaculus", "٣٤").startswith("metaculus--")
    long = source_slug("metaculus", "9" * 100)
    assert is_valid_slug(long) and len(long) <= 80
    with pytest.raises(ValueError):
        source_slug("a--b", "1")


@FEW
@given(title=st.text(max_size=120))
def test_slugify_always_passes_the_slug_rule(title):
    assert is_valid_slug(slugify(title))


SOURCE_IDS = st.one_of(
    st.text(max_size=90),
    st.from_regex(r"[a-zA-Z0-9_-]{1,12}", fullmatch=True),
    st.integers(0, 10**120).map(str),
)


@FEW
@given(prefix=st.sampled_from(["pb", "mc", "metaculus", "x" * 60]), ids=st.lists(SOURCE_IDS, min_size=2, max_size=6, unique=True))
def test_source_slug_is_valid_and_injective(prefix, ids):
    slugs = [source_slug(prefix, i) for i in ids]
    assert all(is_valid_slug(s) for s in slugs)
    assert len(set(slugs)) == len(ids)
