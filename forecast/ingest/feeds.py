"""RSS and Atom feeds: fetched with our httpx fetcher (conditional requests, caps), parsed by feedparser
from bytes (never letting it open URLs or files itself), entries turned into plain FeedItems.

Feeds as the web serves them:
- an entry with only a link (no title, no text) is kept, titled from its link (polling does not fetch
  the page); links are resolved by feedparser against `xml:base` and the feed's URL, then checked here;
- an encoding the feed does not declare (KOI8-R, Shift_JIS, ...) is detected by feedparser through
  `chardet` (a dependency); a declared encoding that is wrong or unknown (`encoding="bogus"`) falls back
  as feedparser decides, and the result says so in `warnings`;
- a feed cut off before its root element closes reads the entries it has and says
  "N items read; the feed is truncated" (`truncated`);
- every entry left out is named in `skipped`, with the reason.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.sax import SAXParseException

import httpx

from forecast.core.errors import InvalidInput
from forecast.core.model import DateSource
from forecast.core.timeparse import utcnow
from forecast.ingest.draft import ArticleDraft, make_excerpt
from forecast.ingest.fetch import FEED_TYPES, TIMEOUT, Fetched, FetchError, fetch
from forecast.ingest.sanitize import clean_line, clean_text
from forecast.ingest.urls import normalise_url, resolve, shown
from forecast.interchange.keys import content_hash

MAX_ITEMS = 1000  # per feed and poll; a feed that lists more is cut, newest first as feeds list them


@dataclass(frozen=True, slots=True)
class FeedItem:
    entry_id: str  # the entry's id/guid, else its link, else the hash of its text
    url: str | None
    title: str
    text: str
    author: str = ""
    published_at: datetime | None = None
    content_hash: str = ""

    def draft(self, outlet: str = "") -> ArticleDraft:
        """The item as an article, for storing as inbox evidence."""
        return ArticleDraft(
            title=self.title or make_excerpt(self.text, 80),
            text=self.text,
            url=self.url,
            canonical_url=normalise_url(self.url) if self.url else None,
            outlet=outlet,
            author=self.author,
            published_at=self.published_at,
            published_source=DateSource.META if self.published_at else None,
            excerpt=make_excerpt(self.text),
            content_hash=self.content_hash,
        )


@dataclass(frozen=True, slots=True)
class FeedResult:
    url: str
    final_url: str
    title: str
    items: tuple[FeedItem, ...]
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    warnings: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (which entry, why it was left out)
    truncated: str | None = None  # "N items read; the feed is truncated"


@dataclass
class ParsedFeed:
    title: str
    items: tuple[FeedItem, ...]
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    truncated: str | None = None


class _TextOf(HTMLParser):
    """Text of an HTML fragment with block elements as paragraph breaks (scripts and styles dropped)."""

    _BLOCKS = frozenset("p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote tr table section article pre hr figure".split())

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    if "<" not in fragment:
        return clean_text(fragment)
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    paragraphs = [" ".join(p.split()) for p in "".join(parser.parts).split("\n\n")]
    return clean_text("\n\n".join(p for p in paragraphs if p))


def _when(entry, now: datetime) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t:
            try:
                when = datetime(*t[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
            return when if datetime(1990, 1, 1, tzinfo=UTC) <= when <= now + timedelta(days=1) else None
    return None


def _entry_text(entry) -> str:
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if value.strip():
            return html_to_text(value)
    return html_to_text(entry.get("summary") or entry.get("description") or "")


_MARKUP_AROUND = re.compile(r"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", re.S | re.I)
_FIRST_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")


_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})


def is_truncated(text: str) -> bool:
    """True when the document opens as a feed (rss, feed, rdf:RDF) but its root element is never closed:
    the transfer or the file was cut off. Garbage before the root is a malformed feed, not a truncated one."""
    body = _MARKUP_AROUND.sub("", text)
    first = _FIRST_ELEMENT.search(body)
    if first is None or first.group(1).rsplit(":", 1)[-1].lower() not in _FEED_ROOTS:
        return False
    return re.search(r"</\s*" + re.escape(first.group(1)) + r"\s*>\s*$", body) is None


def link_title(url: str) -> str:
    """A title for an entry that has only a link: its host and path, e.g. `example.com/news/launch`."""
    parts = urlsplit(url)
    return clean_line(f"{parts.netloc}{parts.path}".rstrip("/") or url, 500)


def _which(entry, position: int) -> str:
    ident = clean_line(entry.get("id") or entry.get("link") or entry.get("title"), 80)
    return f"item {position}" + (f" ({ident})" if ident else "")


_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def _encoding_problem(problem) -> bool:
    import feedparser

    return isinstance(problem, (feedparser.CharacterEncodingOverride, feedparser.CharacterEncodingUnknown))


def _encoding_warning(data: bytes, content_type: str | None, parsed, problem) -> str | None:
    """What feedparser did about the encoding when it could not use the declared one (or none was)."""
    if not _encoding_problem(problem):
        return None
    read_as = parsed.get("encoding") or "unknown"
    declared = _DECLARED.match(data[:500])
    if declared is None and "charset=" not in (content_type or "").lower():
        return f"encoding: not declared; detected {read_as}"
    return f"encoding: {clean_line(str(problem), 200)}"


def _text_title(entry) -> str:
    title = entry.get("title") or ""
    kind = (entry.get("title_detail") or {}).get("type", "")
    if kind in ("text/html", "application/xhtml+xml") and "<" in title:
        title = html_to_text(title)
    return clean_line(title, 500)


def read_feed(data: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """The feed's title, items, and what was odd about it; InvalidInput when it is not an RSS or Atom feed."""
    import feedparser  # deferred: only feed polling needs it

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
    problem = parsed.get("bozo_exception")
    text = data.decode(parsed.get("encoding") or "utf-8", errors="replace")
    truncated = bool(parsed.get("version")) and is_truncated(text)
    fatal = problem is not None and not _encoding_problem(problem)
    if not parsed.entries and not truncated and (not parsed.get("version") or fatal):
        # An XML syntax error says where the feed breaks; other complaints (content type) would only confuse.
        where = problem.getMessage() if isinstance(problem, SAXParseException) else ""
        detail = f" ({clean_line(where, 100)} at line {problem.getLineNumber()})" if where else ""
        raise InvalidInput(f"{shown(url)} is not an RSS or Atom feed{detail}")
    out = ParsedFeed(clean_line(parsed.feed.get("title"), 300), ())
    warning = _encoding_warning(data, content_type, parsed, problem)
    if warning:
        out.warnings.append(warning)
    now = utcnow()
    items = []
    for position, entry in enumerate(parsed.entries[:MAX_ITEMS], start=1):
        title = _text_title(entry)
        raw_link = entry.get("link")
        link = resolve(url, raw_link)
        text = _entry_text(entry) or title
        if not text and link:
            title = text = link_title(link)
        if not text:
            why = "no title, text or link" if not raw_link else f"no title or text, and its link {shown(raw_link, 80)!r} is not http(s)"
            out.skipped.append((_which(entry, position), why))
            continue
        digest = content_hash(text)
        entry_id = clean_line(entry.get("id"), 1000) or link or f"sha256:{digest}"
        author = clean_line(entry.get("author"), 200)
        items.append(FeedItem(entry_id, link, title, text, author, _when(entry, now), digest))
    if len(parsed.entries) > MAX_ITEMS:
        out.skipped.append((f"items {MAX_ITEMS + 1}-{len(parsed.entries)}", f"only the first {MAX_ITEMS} items are read"))
    out.items = tuple(items)
    if truncated:
        out.truncated = f"{len(items)} items read; the feed is truncated"
    return out


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> tuple[str, tuple[FeedItem, ...]]:
    """The feed's title and items; InvalidInput when the bytes are not an RSS or Atom feed."""
    got = read_feed(data, url, content_type)
    return got.title, got.items


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
    timeout: float = TIMEOUT,
) -> FeedResult:
    """Fetch and parse one feed; a 304 answer to the conditional request gives not_modified and no items."""
    got: Fetched = fetch(
        url, allowed=FEED_TYPES, what="a feed", client=client, timeout=timeout, etag=etag, last_modified=last_modified,
        unattended=True,  # feeds are polled by check/cron: no private addresses (ingest/netguard.py)
    )
    if got.not_modified:
        return FeedResult(url, got.final_url, "", (), got.etag or etag, got.last_modified or last_modified, True)
    try:
        feed = read_feed(got.body, got.final_url, _content_type(got))
    except InvalidInput as exc:
        raise FetchError(str(exc)) from None
    return FeedResult(url, got.final_url, feed.title, feed.items, got.etag, got.last_modified,
                      warnings=tuple(feed.warnings), skipped=tuple(feed.skipped), truncated=feed.truncated)  # fmt: skip


def _content_type(got: Fetched) -> str | None:
    """The media type with the server's charset, which feedparser weighs against the XML declaration."""
    if not got.content_type:
        return None
    return f"{got.content_type}; charset={got.charset}" if got.charset else got.content_type
