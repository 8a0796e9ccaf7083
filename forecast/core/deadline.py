"""Reading a question's deadline from its title, for quick capture: "Will X happen before 2027-03-01?".

Titles say a deadline in a few set ways, and the words matter: "before 2027-03-01" closes at the start of
that day, "by 2027-03-01" at its end, "by end of 2027" and "in 2027" at the end of the year, "before
March 2027" at the start of March and "by March 2027" at its end. The last such phrase in the title wins;
anything else is left to `--closes`, never guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from forecast.core.errors import InvalidInput
from forecast.core.timeparse import parse_when

_KEYWORD = re.compile(r"\b(before|until|by the end of|by end of|by|in)\s+", re.IGNORECASE)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"(\d{4})")
_END = frozenset({"by", "by end of", "by the end of", "in"})  # these include the period they name
MAX_WORDS = 3  # "March 2027", "Mar. 2027", "2027-03-01"


def deadline_from_title(title: str, *, now: datetime | None = None, tz: str = "UTC") -> datetime | None:
    """The deadline the title states, as an aware UTC datetime, or None when it states none."""
    for match in reversed(list(_KEYWORD.finditer(title))):
        words = title[match.end():].split()[:MAX_WORDS]
        keyword = " ".join(match.group(1).lower().split())
        for n in range(len(words), 0, -1):
            period = _period(" ".join(words[:n]).rstrip("?.!,;:)"))
            if period is not None:
                start, after = period
                return _local_midnight(after if keyword in _END else start, now, tz)
    return None


def _period(text: str) -> tuple[date, date] | None:
    """The [first day, day after the last) of a day, a month or a year written as text."""
    m = _ISO_DAY.fullmatch(text)
    if m:
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
        return day, date.fromordinal(day.toordinal() + 1)
    for fmt in ("%B %Y", "%b %Y", "%b. %Y"):
        try:
            first = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return first, _next_month(first)
    m = _YEAR.fullmatch(text)
    if m and 1900 <= int(m[1]) < 2200:
        return date(int(m[1]), 1, 1), date(int(m[1]) + 1, 1, 1)
    return None


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _local_midnight(day: date, now: datetime | None, tz: str) -> datetime | None:
    try:
        return parse_when(day.isoformat(), now=now, tz=tz)
    except InvalidInput:
        return None
