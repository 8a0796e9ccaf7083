"""How numbers, probabilities, counts and time distances read: one rule, used by the CLI, the TUI and the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.numbers import count, fixed, noun, percent
from forecast.core.timeparse import humanize

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "digits", "sign", "text"),
    [(-0.04, 1, False, "0.0"), (-0.0, 1, False, "0.0"), (-0.06, 1, False, "-0.1"), (7.5, 1, False, "7.5"),
     (-0.00001, 4, True, "0.0000"), (0.0123, 4, True, "+0.0123"), (-0.0123, 4, True, "-0.0123"),
     (None, 3, False, ""), (float("nan"), 3, False, "")],
)  # fmt: skip
def test_fixed(value, digits, sign, text):
    assert fixed(value, digits, sign=sign) == text


@settings(max_examples=200)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 6))
def test_fixed_never_shows_a_negative_zero(value, digits):
    text = fixed(value, digits)
    assert float(text) == pytest.approx(round(value, digits), abs=10**-digits)
    assert not (text.startswith("-") and float(text) == 0)


@pytest.mark.parametrize(
    ("p", "text"),
    [(1e-7, "0.00001%"), (0.35, "35%"), (0.355, "35.5%"), (0.07, "7%"), (1.0, "100%"), (0.0, "0%"),
     (0.9999999, "99.99999%"), (None, "")],
)  # fmt: skip
def test_percent(p, text):
    assert percent(p) == text


@settings(max_examples=200)
@given(st.floats(min_value=0.0, max_value=1.0))
def test_percent_has_no_exponent_and_reads_back(p):
    text = percent(p)
    assert "e" not in text.lower() and text.endswith("%")
    assert float(text[:-1]) / 100 == pytest.approx(p, abs=1e-8)


def test_counts_agree_with_their_noun():
    assert count(1, "question") == "1 question"
    assert count(0, "question") == "0 questions"
    assert count(12345, "question") == "12,345 questions"
    assert noun(1, "item") == "item" and noun(7, "item") == "items"


@pytest.mark.parametrize(
    ("delta", "text"),
    [(timedelta(days=13.9), "in 14 days"), (timedelta(days=7), "in 7 days"), (timedelta(days=30), "in a month"),
     (timedelta(days=90), "in 3 months"), (timedelta(days=-2), "2 days ago"), (timedelta(seconds=20), "just now"),
     (timedelta(hours=1), "in an hour"), (timedelta(minutes=-5), "5 minutes ago"), (timedelta(days=400), "in a year"),
     (timedelta(days=800), "in 2 years")],
)  # fmt: skip
def test_humanize(delta, text):
    assert humanize(NOW + delta, now=NOW) == text


@settings(max_examples=200)
@given(st.floats(min_value=-4e8, max_value=4e8, allow_nan=False))
def test_humanize_rounds_within_the_unit_it_names(seconds):
    """Whatever unit is named, the figure is the distance in that unit rounded (never 13.9 days as 'a week')."""
    text = humanize(NOW + timedelta(seconds=seconds), now=NOW)
    if text == "just now":
        assert abs(seconds) < 45
        return
    assert text.startswith("in ") == (seconds > 0) and text.endswith(" ago") == (seconds < 0)
    amount = text.removeprefix("in ").removesuffix(" ago")
    n_text, unit = amount.split(" ")
    n = 1 if n_text in ("a", "an") else int(n_text)
    length = {"minute": 60, "hour": 3600, "day": 86400, "month": 365.25 / 12 * 86400, "year": 365.25 * 86400}
    assert abs(abs(seconds) / length[unit.rstrip("s")] - n) <= 0.5 + 1e-9 or n == 1
