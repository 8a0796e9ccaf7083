"""Time handling, with arrow confined here: what people type -> aware UTC datetimes, and back.

Storage uses integer microseconds since the Unix epoch (UTC) because they are exact and cheap to
turn into numpy arrays; everything above storage works with aware UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from forecast.core.echo import shown
from forecast.core.errors import InvalidInput, OutOfRange
from forecast.core.time_range import MAX_MICROS, MAX_TIME, MIN_MICROS, MIN_TIME, clamp_micros

if TYPE_CHECKING:
    import arrow as _arrow_module


def _arrow() -> _arrow_module:
    """arrow, imported by the first call that reads or shows a time in a zone (0.1 s of start-up that
    commands printing stored UTC times never need)."""
    import arrow

    return arrow

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_RELATIVE_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}
_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NEXT = re.compile(r"^next (day|week|month|year)$")
_ONE = re.compile(r"\b1 (second|minute|hour|day|week|month|year)\b")


def _article(m: re.Match) -> str:
    """arrow reads "an hour" and "a day", not "1 hour" or "a hour"."""
    return ("an " if m[1] == "hour" else "a ") + m[1]
# "in -3 months", "-3 months ago", "in +3 days": arrow drops the sign, so the date would silently flip side.
_SIGN = re.compile(r"(?:^|\s)[+-]\s*[0-9.]")
_SIGNED = re.compile(r"(in\s+)?([+-])\s*([0-9.]+\s*[a-z]+)(\s+ago)?")

# The supported range of every stored time. Wide enough for any forecast and its history, narrow enough
# that every stored value converts back to a datetime, an ISO string and a numpy datetime64 on every backend.
SUPPORTED_RANGE = "1900-01-01T00:00:00Z to 2200-12-31T23:59:59Z"  # the range itself: core/time_range.py
MIN_US, MAX_US = MIN_MICROS, MAX_MICROS


def utcnow() -> datetime:
    return datetime.now(UTC)


def check_micros(us: int, given: object = None) -> int:
    """The one range rule: every time we store passes here. `given` is what the user wrote, for the message."""
    if MIN_US <= us <= MAX_US:
        return us
    raise OutOfRange(f"{shown(given) if given is not None else us} is outside the supported time range {SUPPORTED_RANGE}")


def in_supported_range(dt: datetime) -> bool:
    """For values found rather than given (an article's metadata): out of range means unknown, not an error."""
    try:
        micros_of(dt)
    except OutOfRange:
        return False
    return True


def micros_of(dt: datetime, tz: tzinfo = UTC, *, given: object = None) -> int:
    """Microseconds since the epoch of `dt` (a naive `dt` is wall-clock time in `tz`), inside the supported range.

    Aware subtraction never builds an out-of-range datetime, so year 1 or 9999 with any offset gets here
    and is refused by the range check rather than by an OverflowError.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    delta = dt - EPOCH
    us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return check_micros(us, given if given is not None else dt.isoformat())


def to_micros(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: all times must be timezone-aware")
    return micros_of(dt)


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
    if len(values) < 1_000:  # the same text; numpy's import costs more than a short column does
        return [None if v is None else iso_from_micros(v) for v in values]
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


def datetimes_many(values: list[int | None]) -> list[datetime | None]:
    """from_micros over a whole column at once (numpy), keeping None as None."""
    if len(values) < 1_000:  # the same datetimes; numpy's import costs more than a short column does
        return [None if v is None else from_micros(v) for v in values]
    import numpy as np

    arr = np.array([0 if v is None else v for v in values], dtype=np.int64)
    bad = np.nonzero((arr < MIN_MICROS) | (arr > MAX_MICROS))[0]
    for i in bad.tolist():  # rare: rows from before the range rule; clamped and noted like from_micros
        arr[i] = clamp_micros(int(arr[i]))
    naive = arr.astype("datetime64[us]").tolist()
    return [None if v is None else d.replace(tzinfo=UTC) for v, d in zip(values, naive, strict=True)]


def iso_z(dt: datetime | None) -> str | None:
    """ISO 8601 in UTC with a trailing Z; microseconds only when present."""
    if dt is None:
        return None
    return iso_from_micros(to_micros(dt))


def iso_micros(text: str, *, field: str | None = None) -> int:
    """Strict ISO 8601 as found in files we read, to epoch microseconds: a date, or a date-time with Z or an
    offset, inside the supported range. The one reader of stored and exchanged times (interchange files,
    question files, tracker exports, the services' ISO fields).

    A date alone means midnight UTC; a date-time without an offset is refused, since guessing its
    zone would silently shift history. `field` names the value in the error (OutOfRange stays OutOfRange).
    """
    if field is None:
        return _iso_micros(text)
    try:
        return _iso_micros(text)
    except InvalidInput as exc:
        raise type(exc)(f"{field} {exc}") from None


_NAIVE_EPOCH = datetime(1970, 1, 1)
_ONE_MICRO = timedelta(microseconds=1)


def z_micros(text: str) -> int | None:
    """`iso_micros` of what exporters write, "YYYY-MM-DDTHH:MM:SSZ", without building an aware datetime (a
    million forecast times in an import): the same value, when it is inside the supported range. None for
    anything else, including a malformed or out-of-range string of that shape: `iso_micros` then reads it
    (or says what is wrong with it)."""
    if len(text) == 20 and text[19] == "Z" and text[10] == "T" and text[4] == "-" and text.isascii():
        try:
            dt = _fromisoformat(text[:19])
        except ValueError:
            return None
        if dt.tzinfo is None:
            us = (dt - _NAIVE_EPOCH) // _ONE_MICRO
            if MIN_US <= us <= MAX_US:
                return us
    return None


_fromisoformat = datetime.fromisoformat


def _iso_micros(text: str) -> int:
    us = z_micros(text)  # the usual shape first; anything else the general way, with its message
    if us is not None:
        return us
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        if not s.isascii():  # fromisoformat would read other scripts' digits
            raise ValueError
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise InvalidInput(f"{shown(text)} is not an ISO 8601 date-time") from None
    if dt.tzinfo is None:
        if not _DATE_ONLY.fullmatch(s):
            raise InvalidInput(f"{shown(text)} has no time zone (add Z or an offset such as +00:00)")
        dt = dt.replace(tzinfo=UTC)
    return micros_of(dt, given=text)


def parse_iso(text: str) -> datetime:
    """`iso_micros` as an aware UTC datetime."""
    return from_micros(iso_micros(text))


def parse_when(text: str, *, now: datetime | None = None, tz: str = "UTC") -> datetime:
    """Parse what a person types: ISO dates and times, "now", "tomorrow", "in 3 months", "2 days ago".

    A date or a time without an offset is read in the user's zone `tz`. The result is inside the supported
    range; anything else raises InvalidInput (OutOfRange for a readable date outside the range).
    """
    raw = text.strip()
    if not raw:
        raise InvalidInput("empty date")
    if not raw.isascii():
        raise InvalidInput(f"cannot read date {shown(raw)} (use ASCII digits, e.g. 2019-07-01 or 'in 3 months')")
    result = _parse_when(raw, now or utcnow(), tz)
    micros_of(result, given=raw)
    return result


def _parse_when(raw: str, now: datetime, tz: str) -> datetime:
    base = _arrow().get(now).to(tz)
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
        if not MIN_TIME.year - 1 <= parsed.year <= MAX_TIME.year + 1:
            raise OutOfRange(f"{shown(raw)} is outside the supported time range {SUPPORTED_RANGE}")
        if parsed.tzinfo is None:
            return _arrow().get(parsed, tzinfo=tz).to("UTC").datetime
        return parsed.astimezone(UTC)
    if _SIGN.search(low):
        raise InvalidInput(f"cannot read date {shown(raw)}: a relative date takes no sign{_unsigned(low)}")
    # arrow's dehumanize wants "a day", not "1 day" or "next day".
    low = _ONE.sub(_article, _NEXT.sub(lambda m: "in " + _article(m), low))
    try:
        return base.dehumanize(low).to("UTC").datetime
    except OverflowError:
        raise OutOfRange(f"{shown(raw)} is outside the supported time range {SUPPORTED_RANGE}") from None
    except ValueError as exc:
        if "out of range" in str(exc):  # "year 102018 is out of range"
            raise OutOfRange(f"{shown(raw)} is outside the supported time range {SUPPORTED_RANGE}") from None
    raise InvalidInput(
        f"cannot read date {shown(raw)} (try 2019-07-01, '2019-07-01 18:00+09:00', 'in 3 months', 'tomorrow')"
    )


# (limit in seconds, unit name, unit length in seconds): a distance below `limit` is said in `unit`, rounded.
# Each limit sits where the next unit would round to 1, so no figure is ever rounded across a unit boundary:
# 13.9 days is "14 days", never "a week" (weeks are not used at all: "2 weeks" would hide 3 days).
_DAY = 86400.0
_SPANS = (
    (45 * 60, "minute", 60.0),
    (22 * 3600, "hour", 3600.0),
    (26 * _DAY, "day", _DAY),
    (320 * _DAY, "month", 365.25 / 12 * _DAY),
    (float("inf"), "year", 365.25 * _DAY),
)
def _unsigned(low: str) -> str:
    """The phrase the user probably meant: 'in -3 months' -> '3 months ago', '-3 days ago' -> 'in 3 days'."""
    m = _SIGNED.fullmatch(low)
    if m is None:
        return " (write 'in 3 days' or '3 days ago')"
    into, sign, amount, ago = m.groups()
    if into and ago:
        return " (write 'in 3 days' or '3 days ago')"
    future = (sign == "+") != bool(ago)
    return f" (did you mean {f'in {amount}' if future else f'{amount} ago'!r}?)"


def humanize(dt: datetime, *, now: datetime | None = None) -> str:
    """How far `dt` is from `now`, in the one unit that reads best, rounded: "in 14 days", "3 hours ago",
    "in a month", "just now" (within 45 seconds)."""
    seconds = (dt - (now or utcnow())).total_seconds()
    distance = abs(seconds)
    if distance < 45:
        return "just now"
    for limit, unit, length in _SPANS:
        if distance < limit:
            n = max(round(distance / length), 1)
            break
    amount = ("an" if unit == "hour" else "a") + f" {unit}" if n == 1 else f"{n} {unit}s"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


_LOCAL_FORMATS = {
    "YYYY-MM-DD HH:mm": "{0.year:04d}-{0.month:02d}-{0.day:02d} {0.hour:02d}:{0.minute:02d}",
    "YYYY-MM-DD": "{0.year:04d}-{0.month:02d}-{0.day:02d}",
}


def local(dt: datetime | None, tz: str = "UTC", fmt: str = "YYYY-MM-DD HH:mm") -> str:
    if dt is None:
        return ""
    pattern = _LOCAL_FORMATS.get(fmt)
    zone = _zone(tz) if pattern is not None else None
    if zone is None:  # other formats, and zones only arrow reads ("+09:00")
        return _arrow().get(dt).to(tz).format(fmt)
    return pattern.format(dt.astimezone(zone))  # what arrow prints, without importing it for a listing


def _zone(tz: str) -> tzinfo | None:
    from zoneinfo import ZoneInfo

    if tz == "local":  # arrow's "local", as arrow reads it: today's offset, for every date
        return datetime.now().astimezone().tzinfo
    try:
        return UTC if tz == "UTC" else ZoneInfo(tz)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def check_zone(tz: str) -> str:
    try:
        _arrow().now(tz)
    except Exception:
        raise InvalidInput(f"unknown time zone {tz!r} (use an IANA name such as Europe/Berlin)") from None
    return tz


_display_zone = ["UTC"]


def set_display_zone(tz: str) -> None:
    """The zone messages show times in: the front end sets the user's zone once, at start."""
    _display_zone[0] = tz


def shown_time(dt: datetime | str | None, tz: str | None = None) -> str:
    """A time as a message shows it: in the user's zone, to the minute, with the zone's abbreviation
    ("2019-03-17 09:00 KST"), never raw ISO with microseconds. The one formatting of times in messages."""
    if dt is None:
        return "-"
    at = parse_iso(dt) if isinstance(dt, str) else dt
    zone = _zone(tz or _display_zone[0]) if at.tzinfo is not None else None
    if zone is not None and (name := at.astimezone(zone).tzname()):  # what arrow prints, without importing it
        return f"{_LOCAL_FORMATS['YYYY-MM-DD HH:mm'].format(at.astimezone(zone))} {name}"
    moment = _arrow().get(parse_iso(dt) if isinstance(dt, str) else dt).to(tz or _display_zone[0])
    return f"{moment.format('YYYY-MM-DD HH:mm')} {moment.tzname() or moment.format('ZZ')}"
