"""RSS and Atom feeds: fetched with our httpx fetcher (conditional requests, caps), parsed by feedparser
from bytes (never letting it open URLs or files itself), entries turned into plain FeedItems."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from xml.sax import SAXParseException

import httpx

from forecast.core.errors import InvalidInput
from forecast.core.model import DateSource
from forecast.core.timeparse import utcnow
from forecast.ingest.article import ArticleDraft, make_excerpt
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


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> tuple[str, tuple[FeedItem, ...]]:
    """The feed's title and items; InvalidInput when the bytes are not an RSS or Atom feed."""
    import feedparser  # deferred: only feed polling needs it

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
    problem = parsed.get("bozo_exception")
    if not parsed.entries and (not parsed.get("version") or problem is not None):
        # An XML syntax error says where the feed breaks; other complaints (content type) would only confuse.
        where = problem.getMessage() if isinstance(problem, SAXParseException) else ""
        detail = f" ({clean_line(where, 100)} at line {problem.getLineNumber()})" if where else ""
        raise InvalidInput(f"{shown(url)} is not an RSS or Atom feed{detail}")
    now = utcnow()
    items = []
    for entry in parsed.entries[:MAX_ITEMS]:
        title = clean_line(entry.get("title"), 500)
        text = _entry_text(entry) or title
        if not text:
            continue
        link = resolve(url, entry.get("link"))
        digest = content_hash(text)
        entry_id = clean_line(entry.get("id"), 1000) or link or f"sha256:{digest}"
        author = clean_line(entry.get("author"), 200)
        items.append(FeedItem(entry_id, link, title, text, author, _when(entry, now), digest))
    return clean_line(parsed.feed.get("title"), 300), tuple(items)


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
        title, items = parse_feed(got.body, got.final_url, got.content_type or None)
    except InvalidInput as exc:
        raise FetchError(str(exc)) from None
    return FeedResult(url, got.final_url, title, items, got.etag, got.last_modified)
