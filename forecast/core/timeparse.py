"""Time handling, with arrow confined here: what people type -> aware UTC datetimes, and back.

Storage uses integer microseconds since the Unix epoch (UTC) because they are exact and cheap to
turn into numpy arrays; everything above storage works with aware UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import arrow

from forecast.core.errors import InvalidInput
from forecast.core.time_range import MAX_MICROS, MIN_MICROS, clamp_micros

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_RELATIVE_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NEXT = re.compile(r"^next (day|week|month|year)$")
_ONE = re.compile(r"\b1 (second|minute|hour|day|week|month|year)\b")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_micros(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: all times must be timezone-aware")
    return (dt - EPOCH) // _US


def from_micros(us: int) -> datetime:
    # A stored time outside the supported range is read clamped (and noted), never as an OverflowError.
    return EPOCH + timedelta(microseconds=clamp_micros(int(us)))


_NAIVE_EPOCH = datetime(1970, 1, 1)


def iso_from_micros(us: int) -> str:
    """ISO 8601 UTC with Z from epoch microseconds; the hot path of every listing and export."""
    seconds, frac = divmod(clamp_micros(int(us)), 1_000_000)
    text = (_NAIVE_EPOCH + timedelta(seconds=seconds)).isoformat()
    return f"{text}.{frac:06d}Z" if frac else text + "Z"


def iso_many(values: list[int | None]) -> list[str | None]:
    """iso_from_micros over a whole column at once (numpy), keeping None as None."""
    import numpy as np

    arr = np.array([0 if v is None else v for v in values], dtype=np.int64)
    bad = np.nonzero((arr < MIN_MICROS) | (arr > MAX_MICROS))[0]
    for i in bad.tolist():  # rare: rows from before the range rule; clamped and noted like from_micros
        arr[i] = clamp_micros(int(arr[i]))
    text = np.char.add(np.datetime_as_string(arr.astype("datetime64[us]"), unit="s"), "Z").tolist()
    fractions = np.nonzero(arr % 1_000_000)[0]
    for i in fractions.tolist():
        text[i] = iso_from_micros(int(arr[i]))
    for i, v in enumerate(values):
        if v is None:
            text[i] = None
    return text


def iso_z(dt: datetime | None) -> str | None:
    """ISO 8601 in UTC with a trailing Z; microseconds only when present."""
    if dt is None:
        return None
    return iso_from_micros(to_micros(dt))


def parse_iso(text: str) -> datetime:
    """Strict ISO 8601 as found in files we read: a date, or a date-time with Z or an offset.

    A date alone means midnight UTC; a date-time without an offset is refused, since guessing its
    zone would silently shift history.
    """
    s = text.strip()
    if _DATE_ONLY.match(s):
        return datetime.fromisoformat(s).replace(tzinfo=UTC)
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{text!r} is not an ISO 8601 date-time") from None
    if dt.tzinfo is None:
        raise InvalidInput(f"{text!r} has no time zone (add Z or an offset such as +00:00)")
    return dt.astimezone(UTC)


def parse_when(text: str, *, now: datetime | None = None, tz: str = "UTC") -> datetime:
    """Parse what a person types: ISO dates and times, "now", "tomorrow", "in 3 months", "2 days ago".

    A date or a time without an offset is read in the user's zone `tz`.
    """
    raw = text.strip()
    if not raw:
        raise InvalidInput("empty date")
    now = now or utcnow()
    base = arrow.get(now).to(tz)
    low = raw.lower()
    if low == "now":
        return now.astimezone(UTC)
    if low in _RELATIVE_DAYS:
        day = base.floor("day").shift(days=_RELATIVE_DAYS[low])
        return day.to("UTC").datetime
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is not None:
        if parsed.tzinfo is None:
            return arrow.get(parsed, tzinfo=tz).to("UTC").datetime
        return parsed.astimezone(UTC)
    # arrow's dehumanize wants "a day", not "1 day" or "next day".
    low = _ONE.sub(r"a \1", _NEXT.sub(r"in a \1", low))
    try:
        return base.dehumanize(low).to("UTC").datetime
    except ValueError:
        pass
    raise InvalidInput(
        f"cannot read date {raw!r} (try 2019-07-01, '2019-07-01 18:00+09:00', 'in 3 months', 'tomorrow')"
    )


def humanize(dt: datetime, *, now: datetime | None = None) -> str:
    return arrow.get(dt).humanize(arrow.get(now or utcnow()))


def local(dt: datetime | None, tz: str = "UTC", fmt: str = "YYYY-MM-DD HH:mm") -> str:
    if dt is None:
        return ""
    return arrow.get(dt).to(tz).format(fmt)


def check_zone(tz: str) -> str:
    try:
        arrow.now(tz)
    except Exception:
        raise InvalidInput(f"unknown time zone {tz!r} (use an IANA name such as Europe/Berlin)") from None
    return tz
