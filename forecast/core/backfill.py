"""Backfilled forecasts: recorded long after the time they claim to have been made.

A forecast typed in today "as of" last March was written with hindsight, so it is no evidence of skill.
It is kept (it is the user's history) but marked, and scores can leave it out. The rule lives here, on
the two stored instants, so every reader (listings, exports, scoring, the TUI) draws the same line.
"""

from __future__ import annotations

from datetime import datetime, timedelta

DEFAULT_BACKFILL_AFTER = timedelta(hours=24)
GLYPH = "↶"  # shown beside a backfilled forecast; the help text says what it means
MEANING = "backfilled: recorded more than {hours:g} h after the time it claims (written with hindsight)"


def lag_micros(after: timedelta) -> int:
    return after // timedelta(microseconds=1)


def is_backfilled(made_at: datetime, recorded_at: datetime, after: timedelta = DEFAULT_BACKFILL_AFTER) -> bool:
    return recorded_at - made_at > after


def is_backfilled_us(made_us: int, recorded_us: int, after: timedelta = DEFAULT_BACKFILL_AFTER) -> bool:
    return recorded_us - made_us > lag_micros(after)
