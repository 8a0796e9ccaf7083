"""Articles from plain text as copied or scraped from a web page, site furniture and all.

The page is read as a column of lines: the header (before the first line of running text), the body
and the footer (after the last). Furniture rules (furniture.py) drop ads, placeholders, labels and share
bars anywhere; short and menu-like lines are dropped only in the header and footer, so every body
paragraph stays, in order. The headline is picked from the header.

Dates are honest: a date alone in the header *above* the headline is what news sites print as "today"
(the day the page was viewed), so it is ignored and said so. A publication date comes only from a
"Published ..." or "By X | date" line, a date line right under the headline, a news-agency dateline
("SEOUL, March 8 (Reuters) -") or a date in the URL path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from forecast.core.errors import InvalidInput
from forecast.core.model import DateSource
from forecast.core.timeparse import local, utcnow
from forecast.ingest import furniture as F
from forecast.ingest.article import ArticleDraft, finish, plausible
from forecast.ingest.dates import LineDate, byline_author, line_date
from forecast.ingest.sanitize import clean_line, clean_text
from forecast.ingest.urls import date_from_url, host_of, normalise_url

_HEADER_SCAN = 15  # a byline further down than this many lines is not part of the page header
_MAX_HEADLINE_WORDS = 40
_WRAP_MIN = 50  # a line at least this long followed by a lower-case line is a hard-wrapped paragraph
_RELATIVE = re.compile(
    r"^\W*(?:(?:published|posted|updated)\s+)?(?:\d+|an?|one)\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)"
    r"\s+ago\W*$",
    re.I,
)
_PARAGRAPH_WORDS = 12  # an opening paragraph is at least this long; a headline phrased as a question is not


@dataclass(slots=True)
class _Line:
    text: str
    why: str | None = None  # furniture reason, None while it may be text
    date: LineDate | None = None


@dataclass(frozen=True, slots=True)
class TextParts:
    """The result of reading a scraped page before it becomes an ArticleDraft (exposed for the HTML path)."""

    headline: str
    paragraphs: list[str]
    author: str
    published_at: datetime | None
    published_how: str  # "published line", "byline", "date under the headline", "dateline" or ""
    notes: list[str]


def _unwrap(block: str) -> list[str]:
    """Split a blank-line separated block into lines, re-joining hard-wrapped paragraph lines."""
    out: list[str] = []
    for line in block.split("\n"):
        line = line.strip()
        if not line:
            continue
        if out and len(out[-1]) >= _WRAP_MIN and line[:1].islower() and not F.is_sentence(out[-1]):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _lines(text: str) -> list[_Line]:
    lines = [_Line(t) for block in text.split("\n\n") for t in _unwrap(block)]
    for ln in lines:
        ln.why = F.furniture_reason(ln.text)
    # Short lines that recur are navigation or repeated slots; a paragraph is never this short and repeated.
    counts: dict[str, int] = {}
    for ln in lines:
        counts[F.normal(ln.text)] = counts.get(F.normal(ln.text), 0) + 1
    for ln in lines:
        if ln.why is None and counts[F.normal(ln.text)] > 1 and len(F.words(ln.text)) <= 8:
            ln.why = "repeated"
    # Once the text has begun, a label such as "Related stories" starts a list of other articles'
    # headlines, which goes too, up to the next running text.
    in_text = in_list = False
    for ln in lines:
        if ln.why in ("list label", "teaser") and in_text:
            in_list = True
        elif ln.why is None and _is_prose(ln.text):
            in_text, in_list = True, False
        elif ln.why is None and in_list:
            ln.why = "promoted links"
    return lines


def _is_prose(text: str) -> bool:
    return F.is_sentence(text) or (len(F.words(text)) >= 16 and not F.is_menu(text))


def _is_byline(ln: _Line) -> bool:
    return bool((ln.date and ln.date.kind in ("published", "updated", "byline")) or byline_author(ln.text))


def _headline_score(text: str) -> tuple[bool, bool, int]:
    """Headlines run to several words; a long line without any lower-case word is more likely a menu row."""
    ws = F.words(text)
    sentence_case = any(w[:1].islower() for w in ws[1:])
    return (len(ws) >= 5, sentence_case or len(ws) <= 12, len(ws))


def _headline_candidate(ln: _Line) -> bool:
    n = len(F.words(ln.text))
    return (
        ln.why is None and ln.date is None and 3 <= n <= _MAX_HEADLINE_WORDS
        and not F.is_menu(ln.text) and not F.is_site_notice(ln.text)
    )  # fmt: skip


def read_text(raw: str) -> TextParts:
    """Split scraped text into headline, body paragraphs, author and an honest publication date."""
    text = clean_text(raw)
    if not text:
        raise InvalidInput("the text is empty")
    lines = _lines(text)
    kept = [i for i, ln in enumerate(lines) if ln.why is None]
    if not kept:
        raise InvalidInput("no article text found (only site furniture such as menus and ads)")
    notes: list[str] = []
    for i in kept[:_HEADER_SCAN]:
        lines[i].date = line_date(lines[i].text)
        if lines[i].date is None and _RELATIVE.match(lines[i].text):
            lines[i].why = "relative date"
            notes.append(f"the page gives only a relative date ({lines[i].text!r}); set the date with --published")
    kept = [i for i in kept if lines[i].why is None]

    prose = [
        i for i in kept
        if _is_prose(lines[i].text) and (lines[i].date is None or lines[i].date.kind == "dateline")
    ]  # fmt: skip
    # Header: up to the last byline-like line before the first real paragraph (a headline may itself read
    # like a sentence, "Will the canal pay?"), else up to the first running text.
    first_paragraph = next((i for i in prose if len(F.words(lines[i].text)) >= _PARAGRAPH_WORDS), len(lines))
    bylines = [i for i in kept[:_HEADER_SCAN] if i < first_paragraph and _is_byline(lines[i])]
    header_end = bylines[-1] + 1 if bylines else (prose[0] if prose else 0)
    body_start = next((i for i in prose if i >= header_end), None)
    if body_start is None:  # nothing reads like running text: keep every remaining line
        body_start, body_end = header_end, len(lines) - 1
    else:
        body_end = max(i for i in prose if i >= body_start)

    # Headline: the best-looking candidate above the first byline, else in the whole header.
    head = [i for i in kept if i < (bylines[0] if bylines else header_end) and _headline_candidate(lines[i])]
    headline_at = max(head, key=lambda i: (_headline_score(lines[i].text), i)) if head else None
    if headline_at is None and body_start <= body_end:
        first = lines[body_start].text
        rest = next((i for i in kept if i > body_start), None)
        if rest is not None and len(F.words(first)) <= 25 and not first.rstrip().endswith("."):
            headline_at, body_start = body_start, rest

    # Dates near the top, in order of how much they say about publication.
    found: dict[str, LineDate] = {}
    for i in kept:
        d = lines[i].date
        if d is None or i > max(header_end, body_start):
            continue
        kind = d.kind
        if kind == "bare":
            if headline_at is not None and i > headline_at:
                kind = "under headline"
            else:
                notes.append(f"ignored the page-header date {lines[i].text!r}: "
                             "it is likely the day the page was viewed")  # fmt: skip
                continue
        found.setdefault(kind, d)
    for i in kept[-5:]:  # some sites print "Published ..." after the text
        if i > body_end and (d := line_date(lines[i].text)) is not None and d.kind == "published":
            found.setdefault("published", d)

    published_at, how = None, ""
    for kind, label in (("published", "published line"), ("byline", "byline"),
                        ("under headline", "date under the headline"), ("dateline", "dateline")):  # fmt: skip
        d = found.get(kind)
        if d is None:
            continue
        if d.match.when is None:
            notes.append(f"the {label} gives {d.match.text!r} without a year; set the date with --published")
            continue
        published_at, how = d.match.when, label
        break
    if published_at is None and "updated" in found and found["updated"].match.when is not None:
        when = found["updated"].match.when
        day = local(when, fmt="YYYY-MM-DD")
        notes.append(f"only an 'updated' date was found ({day}); it is not the publication date")

    author = next((ln.date.author for i in bylines if (ln := lines[i]).date and ln.date.author), "")
    author = author or next((a for i in bylines if (a := byline_author(lines[i].text))), "")

    paragraphs = []
    for i in range(len(lines)):
        ln = lines[i]
        if ln.why is not None or i == headline_at or i in bylines:
            continue
        if i < body_start:
            # A deck under the headline is text; anything above it, short, or a notice is header furniture.
            above = headline_at is None or i < headline_at
            short = not _is_prose(ln.text) and len(F.words(ln.text)) < 6
            if above or short or ln.date is not None or F.is_site_notice(ln.text):
                continue
        elif i > body_end:
            continue
        paragraphs.append(ln.text)
    headline = clean_line(lines[headline_at].text) if headline_at is not None else ""
    return TextParts(headline, paragraphs, author, published_at, how, notes)


def extract_text(
    raw: str, *, url: str | None = None, title: str | None = None, retrieved_at: datetime | None = None
) -> ArticleDraft:
    """An ArticleDraft from pasted or scraped text; `url` (when known) gives the outlet and a URL date."""
    retrieved_at = retrieved_at or utcnow()
    parts = read_text(raw)
    notes = list(parts.notes)
    published_at = plausible(parts.published_at, retrieved_at, notes, parts.published_how)
    source = DateSource.BYLINE if published_at else None
    if published_at is None and (url_date := plausible(date_from_url(url), retrieved_at, notes, "URL")):
        published_at, source = url_date, DateSource.URL
    headline = clean_line(title) or parts.headline
    if not headline:
        notes.append("no headline found; the title is the start of the text (set it with --title)")
    return finish(
        title=headline,
        paragraphs=parts.paragraphs,
        url=url,
        canonical_url=normalise_url(url) if url else None,
        outlet=host_of(url),
        author=clean_line(parts.author, 200),
        published_at=published_at,
        published_source=source,
        notes=notes,
    )


def strip_furniture(paragraphs: list[str]) -> list[str]:
    """Only the anywhere-rules, for text another extractor already separated from the page."""
    return [p for p in paragraphs if F.furniture_reason(p) is None and not re.fullmatch(r"\W*", p)]
