"""Deadlines read from titles for quick capture: the words decide where the period ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecast.core.deadline import deadline_from_title

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "closes"),
    [
        ("Will X happen before 2027-03-01?", utc(2027, 3, 1)),
        ("Will X happen by 2027-03-01?", utc(2027, 3, 2)),
        ("Will X happen until 2027-03-01?", utc(2027, 3, 1)),
        ("Will the ECB cut rates by end of 2027?", utc(2028, 1, 1)),
        ("Will the ECB cut rates by the end of 2027?", utc(2028, 1, 1)),
        ("Will GDP fall in 2027?", utc(2028, 1, 1)),
        ("Will it launch before March 2027?", utc(2027, 3, 1)),
        ("Will it launch by March 2027?", utc(2027, 4, 1)),
        ("Will it launch by Dec 2027?", utc(2028, 1, 1)),
        ("Will it happen by the end of 2030 in Paris?", utc(2031, 1, 1)),  # the last phrase that is a date
        ("Will it happen in Paris?", None),
        ("Will 2027 be the hottest year?", None),  # a year alone is no deadline
        ("Will it happen before 2027-02-30?", None),  # no such day: never guessed
        ("Will it happen before lunch?", None),
    ],
)
def test_titles(title, closes):
    assert deadline_from_title(title, now=NOW) == closes


def test_a_date_is_read_in_the_users_zone():
    assert deadline_from_title("Will X happen before 2027-03-01?", tz="Europe/Berlin") == utc(2027, 2, 28, 23)


@given(st.text(max_size=200))
def test_any_title_gives_none_or_a_time_in_range(title):
    out = deadline_from_title(title, now=NOW)
    assert out is None or (out.tzinfo is not None and utc(1900, 1, 1) <= out <= utc(2200, 1, 1))


@given(st.dates(min_value=datetime(1900, 1, 1).date(), max_value=datetime(2199, 12, 30).date()))
def test_by_a_day_ends_a_day_after_before_it(day):
    before = deadline_from_title(f"Will it happen before {day.isoformat()}?")
    by = deadline_from_title(f"Will it happen by {day.isoformat()}?")
    assert before is not None and (by - before).days == 1


def test_a_bare_number_above_one_suggests_percent():
    from forecast.core.errors import InvalidInput
    from forecast.core.probability import parse_probability

    with pytest.raises(InvalidInput, match=r"did you mean 35%\?"):
        parse_probability("35")
    for text in ("150", "-3", "150%"):
        with pytest.raises(InvalidInput) as err:
            parse_probability(text)
        assert "did you mean" not in str(err.value)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Будет ли дождь в Москве до 2030 года?", "budet-li-dozhd-v-moskve-do-2030-goda"),
        ("Wird die EZB die Zinsen senken?", "wird-die-ezb-die-zinsen-senken"),
        ("Ελλάδα: εκλογές πριν το 2027;", "ellada-ekloges-prin-to-2027"),
    ],
)
def test_a_new_question_in_any_script_gets_a_readable_slug(title, slug):
    from forecast.core.slug import is_valid_slug, readable_slug

    assert readable_slug(title) == slug and is_valid_slug(slug)


@given(st.text(max_size=120))
def test_readable_slugs_always_pass_the_slug_rule(title):
    from forecast.core.slug import is_valid_slug, readable_slug

    assert is_valid_slug(readable_slug(title))
