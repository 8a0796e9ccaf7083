"""The backfill rule on the two stored instants, and its setting in the config file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecast.config import load_settings
from forecast.core.backfill import DEFAULT_BACKFILL_AFTER, is_backfilled, is_backfilled_us, lag_micros
from forecast.core.errors import ForecastError
from forecast.core.timeparse import to_micros

T = datetime(2019, 3, 16, tzinfo=UTC)


def test_the_line_is_drawn_strictly_after_the_threshold():
    assert not is_backfilled(T, T + DEFAULT_BACKFILL_AFTER)
    assert is_backfilled(T, T + DEFAULT_BACKFILL_AFTER + timedelta(microseconds=1))
    assert not is_backfilled(T, T)  # recorded as made: the ordinary case


@given(st.integers(0, 10**13), st.integers(-(10**10), 10**13), st.integers(0, 10**12))
def test_micros_and_datetimes_agree(made, lag, after_us):
    after = timedelta(microseconds=after_us)
    made_dt = T + timedelta(microseconds=made)
    rec_dt = made_dt + timedelta(microseconds=lag)
    assert is_backfilled(made_dt, rec_dt, after) == is_backfilled_us(to_micros(made_dt), to_micros(rec_dt), after)
    assert lag_micros(after) == after_us


def test_backfill_hours_is_read_from_the_config(isolated_env):
    config = isolated_env / "config.toml"
    config.write_text('name = "a"\nbackfill_hours = 2.5\n', encoding="utf-8")
    assert load_settings().backfill_after == timedelta(hours=2.5)
    for bad in ('"soon"', "-1", "true", "1e9"):
        config.write_text(f'name = "a"\nbackfill_hours = {bad}\n', encoding="utf-8")
        with pytest.raises(ForecastError, match="backfill_hours"):
            load_settings()
