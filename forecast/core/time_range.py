"""The supported range of stored times, and what reading does with a stored time outside it.

Everything written is checked against this range at the entry points (core/timeparse, the `inputs` work);
rows written before that rule, or by hand, may still hold any 64-bit value. Reading such a row must not
crash a listing, an export or `check`: the time is clamped to the nearest end of the range, noted here, and
the front end names the rows afterwards and points at `forecast db check`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MIN_TIME = datetime(1900, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(2200, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
RANGE_TEXT = "1900-01-01..2200-12-31 UTC"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_MICROS = (MIN_TIME - _EPOCH) // timedelta(microseconds=1)
MAX_MICROS = (MAX_TIME - _EPOCH) // timedelta(microseconds=1)

_seen: list[int] = []
"""Out-of-range values met while reading in this process (a few are enough to know something is wrong)."""


def clamp_micros(us: int) -> int:
    """`us` if in range; else the nearest end, remembering that a bad value was read."""
    if MIN_MICROS <= us <= MAX_MICROS:
        return us
    if len(_seen) < 100:
        _seen.append(us)
    return MIN_MICROS if us < MIN_MICROS else MAX_MICROS


def out_of_range_seen() -> list[int]:
    return list(_seen)


def in_range(us: int) -> bool:
    return MIN_MICROS <= us <= MAX_MICROS
