"""Dates as printed on news pages: "March 1, 2019", "1 March 2019", "2019-03-01T10:00Z", and where they
sit (a "Published ..." line, a "By X | date" byline, a "SEOUL, March 8 (Reuters) -" dateline, a bare date).

Only full dates become datetimes; a time is kept only when a zone is given, otherwise the date is read as
midnight UTC (a day is what a byline reliably tells us).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_TIME = (
    r"(?:(?:,|\s+at|\s*[-|])?\s+(?P<h>[01]?\d|2[0-3])[:.h](?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?)?\s*(?P<tz>UTC|GMT|Z|[+-](?:[01]\d):?[0-5]\d)?(?![\w:]))?"
)
_PATTERNS = (
    # 2019-03-01, 2019-03-01T10:00:00+09:00, 2019/03/01
    re.compile(
        rf"(?<![\w/.-])(?P<year>{_YEAR})(?P<sep>[-/.])(?P<mon>0?[1-9]|1[0-2])(?P=sep)(?P<day>[12]\d|3[01]|0?[1-9])"
        r"(?:[T ](?P<h>[01]\d|2[0-3]):(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d)(?:\.\d+)?)?\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
        r"(?![\w/-])",
        re.I,
    ),
    # March 1, 2019 / Mar. 1st 2019 / March 8 (no year)
    re.compile(rf"(?<!\w)(?P<mname>{_MON})\s+(?P<day>{_DAY})(?:,?\s+(?P<year>{_YEAR}))?(?!\w){_TIME}", re.I),
    # 1 March 2019 / 8 March (no year)
    re.compile(rf"(?<!\w)(?P<day>{_DAY})\s+(?:of\s+)?(?P<mname>{_MON}),?(?:\s+(?P<year>{_YEAR}))?(?!\w){_TIME}", re.I),
    # 01.03.2019 (day first, as written wherever dots are used)
    re.compile(r"(?<![\w.])(?P<day>[12]\d|3[01]|0?[1-9])\.(?P<mon>0?[1-9]|1[0-2])\.(?P<year>(?:19|20)\d{2})(?![\w.])"),
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?"
_LEADING_WEEKDAY = re.compile(rf"^\s*(?:{_WEEKDAY})[\s,]*", re.I)
_BARE_REST = re.compile(rf"^[\s,|·•/–—-]*(?:{_WEEKDAY})?[\s,|·•/–—-]*$", re.I)
# What a line says its date is, in the languages we read (en, de, fr, es, it): words of the labels news
# pages print, not month names (those come from dateparser).
_PUBLISHED = re.compile(
    r"^\W*(?:first\s+)?(?:published|posted|publication\s+date|date\s+published|released|issued|dated|date|"
    r"ver[öo]ffentlicht|erschienen|datum|publi[ée]e?|mis\s+en\s+ligne|publicad[oa]|fecha|pubblicat[oa]|data)\b"
    r"(?:\s+(?:on|am|le|el|il|the))?\W*",
    re.I,
)
_UPDATED = re.compile(
    r"^\W*(?:last\s+)?(?:updated|modified|edited|revised|aktualisiert|editiert|ge[äa]ndert|stand|"
    r"mis\s+[àa]\s+jour|modifi[ée]e?|actualizad[oa]|aggiornat[oa]|ultima\s+modifica)\b"
    r"(?:\s+(?:on|am|le|el|il|alle))?\W*",
    re.I,
)
_LEADING_STAMP = re.compile(
    r"^(?:\d{1,2}[./]\d{1,2}[./](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2})[,\s|–-]*(?:[01]?\d|2[0-3])[:.][0-5]\d"
)
_BY = re.compile(r"^\s*(?:by|von|par|por|di|de)\s+(?P<rest>.+)$", re.I)
_BY_SPLIT = re.compile(r"\s*(?:\||·|•|—|–|\s-\s|,|\bon\b|\bpublished\b|\bposted\b|\bupdated\b)\s*", re.I)
# "SEOUL, March 8 (Reuters) -", "NEW YORK, March 1, 2019 /PRNewswire/ --"
_DATELINE_PLACE = re.compile(r"^(?P<place>[A-Z][A-Za-z.'’ -]{1,40}?)\s*,\s*")
_DATELINE_TAIL = re.compile(r"^\s*(?:\([^()]{1,40}\)|/[^/]{1,40}/)?\s*(?:--?|–|—)\s")


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in text. `year` is None for "March 8" without a year."""

    year: int | None
    month: int
    day: int
    when: datetime | None  # the full moment when a year (and, for a time, a zone) is known
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class LineDate:
    """A date found on a byline-like line, and what kind of line it was."""

    kind: str  # "published", "updated", "byline", "dateline", "bare"
    match: DateMatch
    author: str = ""


def _month(m: re.Match) -> int:
    if m.groupdict().get("mname"):
        return _MONTHS[m.group("mname").lower()[:3]]
    return int(m.group("mon"))


def _zone(tz: str | None) -> timezone | None:
    if not tz:
        return None
    tz = tz.upper()
    if tz in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _build(m: re.Match) -> DateMatch | None:
    g = m.groupdict()
    try:
        month, day = _month(m), int(re.match(r"\d+", g["day"]).group())
        year = int(g["year"]) if g.get("year") else None
        datetime(year or 2000, month, day)  # validates day-of-month (2000 is a leap year)
    except (ValueError, KeyError):
        return None
    when = None
    if year is not None:
        when = datetime(year, month, day, tzinfo=UTC)
        zone = _zone(g.get("tz"))
        if zone is not None and g.get("h") is not None:
            hour = int(g["h"])
            ampm = (g.get("ampm") or "").lower()
            if ampm.startswith("p") and hour < 12:
                hour += 12
            elif ampm.startswith("a") and hour == 12:
                hour = 0
            local = datetime(year, month, day, hour, int(g["mi"]), int(g.get("s") or 0), tzinfo=zone)
            when = local.astimezone(UTC)
    return DateMatch(year, month, day, when, m.start(), m.end(), m.group(0).strip())


def find_date(text: str) -> DateMatch | None:
    """The first date in text: the numeric and English forms by pattern, any other language's written
    dates ("19. Oktober 2019", "martes, 22 de diciembre de 2020") through dateparser."""
    found = _pattern_date(text)
    if found is not None and found.year is not None:
        return found
    return _dateparser_date(text) or found


# A run that may be a written date: an optional word (weekday or month), a number, then up to four more
# numbers or words ("19. Oktober 2019 15:07", "Mon 20 Jan 2020", "28 luglio 2020").
_SPAN = re.compile(
    r"(?:(?<![^\W\d_])[^\W\d_]{2,12}\.?,?\s+(?:de\s+)?)?(?<![\w.])\d{1,4}(?:st|nd|rd|th|er|º|\.)?"
    r"(?:(?:\s*[./-]\s*|,?\s+(?:de\s+|del\s+|of\s+)?)(?:[^\W\d_]{3,12}\.?|\d{1,4}(?:st|nd|rd|th)?(?![\d:]))){1,3}"
)
_YEARISH = re.compile(r"(?<!\d)(?:(?:19|20)\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2})(?!\d)|\b\d{1,2}\s+[^\W\d_]{3,9}\.?\s+\d{2}\b")
# Text copied from adjacent elements runs together: "Oktober202010:43", "2. Februar 20202. Februar 2020".
_GLUED = re.compile(
    r"(?<=[^\W\d_])(?=\d)|(?<=(?:19|20)\d{2})(?=\d{1,2}:\d{2})|(?<=\s(?:19|20)\d{2})(?=\d{1,2}\.\s*[^\W\d_]{3})"
    r"|(?<=[a-zß-ÿ])(?=[A-ZÀ-Þ][a-zß-ÿ]{2,}\.?\s*\d)"  # "Shana Nys DambrotNovember 6, 2023"
    r"|(?<=[\s/.](?:19|20)\d{2})(?=\d{1,4}(?:\s|$))"  # a count after the year: "7. Januar 20220 (comments)"
    # a month's short name between dots: "21.dez.2018 às 12h55" (Folha), "12.Okt.2019"
    r"|(?<=\d\.)(?=[^\W\d_]{3,4}\.(?:19|20)\d{2}(?!\d))|(?<=\d\.[^\W\d_]{3}\.)(?=(?:19|20)\d{2}(?!\d))"
    r"|(?<=\d\.[^\W\d_]{4}\.)(?=(?:19|20)\d{2}(?!\d))"
)
LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "el", "tr",
    "ca", "sv", "da", "nb", "fi", "cs", "ro", "bg", "id", "hu",
    "ar", "sq", "hr", "sk", "sl", "lt", "lv", "et", "he", "fa", "hi",
)  # fmt: skip
_SHORT_WEEKDAY_LANGUAGES = 12


# The order of day and month in "02/11/2023" on the page being read ("DMY", "MDY"), None when unknown.
_ORDER: ContextVar[str | None] = ContextVar("numeric_date_order", default=None)
_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d{2}|\d{2})(?![\d/.])")
_ENGLISH = frozenset("the and of to in is for on that with was it as by".split())


def numeric_order(text: str) -> str | None:
    """How a page writes numeric dates: told by its unambiguous ones ("19/02/2020" is day first), then by
    the days it also writes out ("02/11/2023" on a page that says "November 2, 2023" is day first), else
    by its language (only English pages write the month first), None when it writes none."""
    found = _NUMERIC.findall(text)
    if not found:
        return None
    pairs = [(int(a), int(b)) for a, b, _ in found]
    day_first = sum(1 for a, b in pairs if a > 12 >= b)
    month_first = sum(1 for a, b in pairs if b > 12 >= a)
    if day_first == month_first:
        written = {(m.year, m.month, m.day) for m in _written_dates(text)}
        for a, b, y in found:
            year = int(y) if len(y) == 4 else 2000 + int(y)
            day_first += (year, int(b), int(a)) in written and a != b
            month_first += (year, int(a), int(b)) in written and a != b
    if day_first != month_first:
        return "DMY" if day_first > month_first else "MDY"
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(1 for t in tokens if t in _ENGLISH)
    return None if tokens and english / len(tokens) >= 0.03 else "DMY"


def _written_dates(text: str) -> Iterator[DateMatch]:
    """The dates a text writes with an English month name and a year (the page's unambiguous days)."""
    for pattern in _PATTERNS[1:3]:
        for m in pattern.finditer(text):
            found = _build(m)
            if found is not None and found.year is not None:
                yield found


@contextmanager
def date_order(order: str | None) -> Iterator[None]:
    """Read numeric dates in this order while inside the block."""
    token = _ORDER.set(order)
    try:
        yield
    finally:
        _ORDER.reset(token)


def _dateparse(span: str) -> datetime | None:
    return _dateparse_in(span, _ORDER.get())


@functools.lru_cache(maxsize=4096)
def _dateparse_in(span: str, order: str | None) -> datetime | None:
    import dateparser  # slow to import (~0.4 s): only when a page has a date our patterns do not read

    settings = {"STRICT_PARSING": True, "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if order:
        settings["DATE_ORDER"] = order
    # Only the languages that name a month (or a weekday) of the span: dateparser weighs every language
    # it is given, which is most of its cost; numbers alone read the same in any of them.
    words = {w.lower().strip(".") for w in re.findall(r"[^\W\d_]+\.?", span)}
    names = _names_by_language()
    languages = [lang for lang in LANGUAGES if words & names[lang]] if words else ["en"]
    if not languages:
        return None
    try:
        got = dateparser.parse(span, languages=languages, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; no date is the honest answer
        return None
    if got is None or not 1990 <= got.year <= 2100:
        return None
    return datetime(got.year, got.month, got.day, tzinfo=UTC)


_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # fmt: skip


@functools.cache
def _names_by_language() -> dict[str, frozenset[str]]:
    """The month and weekday names (and their short forms) of each language, lower case."""
    from dateparser.languages.loader import default_loader

    out = {}
    for lang in LANGUAGES:
        info = default_loader.get_locale(lang).info
        out[lang] = frozenset(n.lower().strip(".") for key in _MONTH_KEYS for n in info.get(key, []))
    return out


def _dateparser_date(text: str) -> DateMatch | None:
    if len(text) > 300:
        return None
    spaced = _GLUED.sub(" ", text)
    if not _YEARISH.search(spaced):
        return None
    # Overlapping runs: "5 Min. 1. November 2023" holds the date one run after the reading time.
    pos = 0
    while (m := _SPAN.search(spaced, pos)) is not None:
        pos = m.start() + 1
        if not _YEARISH.search(m.group(0)):
            continue
        tokens = m.group(0).split()
        for first in (0, 1):  # with and without the leading word (a weekday, or a word glued to the date)
            for cut in range(len(tokens), first, -1):  # the longest run dateparser reads as a full date
                span = " ".join(tokens[first:cut]).rstrip(",.-/")
                if _YEARISH.search(span) and (when := _dateparse(span)) is not None:
                    start = _map_back(text, spaced, m.start())
                    end = _map_back(text, spaced, m.start() + len(" ".join(tokens[:cut])))
                    return DateMatch(when.year, when.month, when.day, when, start, max(end, start + 1), span)
    return None


def _map_back(original: str, spaced: str, pos: int) -> int:
    """A position in the spaced copy, in the original (only spaces were inserted)."""
    extra = spaced[:pos].count(" ") - original[: max(0, pos - (len(spaced) - len(original)))].count(" ")
    return max(0, min(len(original), pos - max(0, extra)))


def _pattern_date(text: str) -> DateMatch | None:
    best: DateMatch | None = None
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            found = _build(m)
            if found is None:
                continue
            if best is None or (found.start, found.year is None) < (best.start, best.year is None):
                best = found
            break
    return best


_CLOCK = re.compile(
    r"(?<!\d)(?:[01]?\d|2[0-3])(?:[:.h]\s?[0-5]\d(?::[0-5]\d)?|\s*[ap]\.?\s?m\.?)(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:uhr|h))?(?![\w:])"
    r"|\b(?:[A-Z]{1,4}T|UTC|GMT|Z|uhr|at|um|alle|ore|à|a\s+las|[+-]\d{2}:?\d{2})\b|\([^()]{0,20}\)"
    r"|(?<!\w)[πμ]\.?μ\.?(?!\w)",  # Greek a.m./p.m.: "19 Αυγούστου 2020 9:02 μμ"
    re.I,
)


def _weekdays() -> frozenset[str]:
    from dateparser.languages.loader import default_loader

    names = set()
    for n, lang in enumerate(LANGUAGES):
        info = default_loader.get_locale(lang).info
        # Short forms only from the first languages: in others they are common words ("Min." is
        # Indonesian for Sunday and German for minutes).
        shortest = 3 if n < _SHORT_WEEKDAY_LANGUAGES else 5
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            names.update(n.lower().strip(".") for n in info.get(day, []) if len(n) >= shortest)
    return frozenset(names)


_WEEKDAY_NAMES: frozenset[str] | None = None


def has_weekday(text: str) -> bool:
    """Names a day of the week (any of our languages): "Friday, March 29, 2024", "martes, 22 de ...".
    A short form ("Fri", "Mi.") counts only as dates write it -- with a dot, or next to a number -- since
    many are common words elsewhere ("mit", "die", "so")."""
    global _WEEKDAY_NAMES
    if _WEEKDAY_NAMES is None:
        _WEEKDAY_NAMES = _weekdays()
    for m in re.finditer(r"[^\W\d_]+\.?", text):
        name = m.group(0).lower().strip(".,")
        if name not in _WEEKDAY_NAMES:
            continue
        if len(name) > 3 or m.group(0).endswith(".") or len(text.split()) == 1:
            return True
        if re.match(r"\s*,?\s*\d", text[m.end() :]) or re.search(r"\d[\s,]*$", text[: m.start()]):
            return True
    return False


def has_clock(text: str) -> bool:
    return bool(re.search(r"(?<!\d)(?:[01]?\d|2[0-3])[:.h][0-5]\d(?!\d)|\d\s*[ap]\.?m\.?(?!\w)", text, re.I))


def is_bare_date(line: str) -> DateMatch | None:
    """The date when the line is nothing but a date (with an optional weekday, time and zone)."""
    found = find_date(line)
    if found is None:
        return None
    rest = _CLOCK.sub(" ", line[: found.start] + " " + line[found.end :])
    if _BARE_REST.match(rest):
        return found
    leftover = [w for w in re.findall(r"[^\W\d_]+", rest) if not has_weekday(w)]
    return found if not leftover and not re.search(r"\d", rest) else None


# Small words inside names ("Ursula von der Leyen", "Luis de la Fuente").
_NAME_PARTICLES = frozenset("von van der den de da di del la le y e and und et".split())


def _author_from_by(rest: str) -> str:
    name = _BY_SPLIT.split(rest, maxsplit=1)[0].strip(" .,:;|-")
    if not name or len(name.split()) > 6 or find_date(name) is not None or not re.search(r"[^\W\d_]{2}", name):
        return ""  # (a name has letters: "BY 0000;A00|..." names nobody)
    # Names are capitalised: "Von Youtube-Netzwerken lernen: ..." is a headline, not a byline.
    if any(w[:1].islower() and w.lower() not in _NAME_PARTICLES for w in name.split()) or ":" in name:
        return ""
    return name


def line_date(line: str) -> LineDate | None:
    """Classify a short line that carries a date: a "Published"/"Updated" line, a "By X | date" byline,
    a news-agency dateline opening a paragraph, or a bare date. None when it is none of these."""
    text = line.strip()
    if not text:
        return None
    for cue, kind in ((_PUBLISHED, "published"), (_UPDATED, "updated")):
        m = cue.match(text)
        if m:
            rest = text[m.end() :]
            lead = _LEADING_WEEKDAY.match(rest)
            found = find_date(rest)
            near = found is not None and found.start <= (lead.end() if lead else 0) + 3
            if found is not None and (near or len(text.split()) <= 16):
                return LineDate(kind, found)
    by = _BY.match(text)
    if by and (len(text.split()) <= 25 or len(text) < 300):
        found = find_date(by.group("rest"))
        # (a long line: a byline the renderer ran into the text, "by Jane Doe, Posted: July 18, 2020 ...")
        if found is not None and (len(text.split()) <= 25 or found.start < 80 and _author_from_by(by.group("rest"))):
            return LineDate("byline", found, _author_from_by(by.group("rest")))
    place = _DATELINE_PLACE.match(text)
    if place and place.group("place").split()[0][:1].isupper():
        after = text[place.end() :]
        found = find_date(after[:40])
        if found is not None and found.start == 0 and _DATELINE_TAIL.match(after[found.end :]):
            return LineDate("dateline", found)
    bare = is_bare_date(text)
    if bare is not None:
        return LineDate("bare", bare)
    # A short line that is mostly a date stamp: "Mon 20 Jan 2020 06.05 GMT Last modified on ...",
    # "Redazione ANSA ROMA 28 luglio 2020 10:43", "Jane Doe, London 19.10.2019, 23:38 Uhr".
    if len(text.split()) <= 18 and not text.rstrip().endswith((".", "?", "!", ":")):
        found = find_date(text)
        if found is not None and found.year is not None:
            return LineDate("stamp", found)
    # A date and time opening a line, the text run into it: "19.10.2019, 15:30 UhrAm 8. Spieltag ...".
    stamp = _LEADING_STAMP.match(text)
    if stamp is not None:
        found = find_date(stamp.group(0))
        if found is not None and found.year is not None and found.start == 0:
            return LineDate("stamp", found)
    # ... or a written date with a caption or credit run into it ("25. Oktober 2023 US-NEWS-MD-... Der
    # Markt ..."): the next word is no lower-case word continuing a sentence.
    if len(text) > 40:
        found = find_date(text[:40])
        if found is not None and found.year is not None and found.start == 0:
            nxt = text[found.end :].split(maxsplit=1)[:1]
            if nxt and not nxt[0][0].islower() and not nxt[0][0].isdigit() and re.search(r"[^\W\d_]", found.text):
                return LineDate("stamp", found)
    return None


_CUE_INSIDE = re.compile(
    r"(?<!\w)(?:published|posted|ver[öo]ffentlicht|erschienen|publi[ée]e?|publicad[oa]|pubblicat[oa]|updated|aktualisiert)"
    r"\b",
    re.I,
)


def cued_date(line: str) -> LineDate | None:
    """A "Published ..." or "Updated ..." date run into a longer line ("... Online-Redaktion
    Veröffentlicht: 26.12.2022 mehrere kleine Schalen ..."), read from the cue on."""
    for m in _CUE_INSIDE.finditer(line):
        got = line_date(line[m.start() : m.start() + 80])
        if got is not None and got.kind in ("published", "updated"):
            return got
    return None


def byline_author(line: str) -> str:
    """The name on a "By Jane Doe" line without a date, or ""."""
    by = _BY.match(line.strip())
    if not by or len(line.split()) > 10:
        return ""
    return _author_from_by(by.group("rest"))
