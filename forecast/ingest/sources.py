"""One entry point per way a user hands us an article: a URL, a saved file (HTML or text), pasted text."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import httpx

from forecast.core.errors import InvalidInput
from forecast.core.timeparse import utcnow
from forecast.ingest.draft import ArticleDraft
from forecast.ingest.fetch import MAX_BYTES, PAGE_TYPES, TIMEOUT, fetch, looks_binary
from forecast.ingest.html_article import extract_html
from forecast.ingest.text_article import extract_text

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx"})
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)\b", re.I | re.S)


def from_url(
    url: str, *, title: str | None = None, client: httpx.Client | None = None, timeout: float = TIMEOUT,
    retrieved_at: datetime | None = None,
) -> ArticleDraft:  # fmt: skip
    got = fetch(url, allowed=PAGE_TYPES, what="a web page", client=client, timeout=timeout)
    retrieved_at = retrieved_at or utcnow()
    if got.content_type == "text/plain":
        return extract_text(got.text(), url=got.final_url, title=title, retrieved_at=retrieved_at)
    return extract_html(got.body, url=got.final_url, title=title, retrieved_at=retrieved_at)


def is_html(data: bytes, name: str = "") -> bool:
    return Path(name).suffix.lower() in _HTML_SUFFIXES or bool(_HTML_START.match(data[:2048]))


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for enc in ("utf-8", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    return data.decode("cp1252", errors="replace")


def from_bytes(
    data: bytes, *, name: str = "", title: str | None = None, url: str | None = None,
    retrieved_at: datetime | None = None,
) -> ArticleDraft:  # fmt: skip
    """A saved page or a text file's content; `name` (a file name) helps tell HTML from text."""
    label = name or "the input"
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"{label} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise InvalidInput(f"{label} is empty")
    if looks_binary(data[:1024]):
        raise InvalidInput(f"{label} is binary, not an HTML page or text")
    if is_html(data, name):
        return extract_html(data, url=url, title=title, retrieved_at=retrieved_at)
    return extract_text(decode_text(data), url=url, title=title, retrieved_at=retrieved_at)


def from_file(path: str | Path, *, title: str | None = None, retrieved_at: datetime | None = None) -> ArticleDraft:
    p = Path(path).expanduser()
    from forecast.files import read_regular_file

    # The cap is counted while reading: st_size is 0 for /dev/zero, and a FIFO is refused, not waited on.
    data = read_regular_file(p, MAX_BYTES)
    return from_bytes(data, name=p.name, title=title, retrieved_at=retrieved_at)


def from_text(
    text: str, *, title: str | None = None, url: str | None = None, retrieved_at: datetime | None = None
) -> ArticleDraft:
    if not text or not text.strip():
        raise InvalidInput("the text is empty")
    if len(text) > MAX_BYTES:
        raise InvalidInput(f"the text is larger than {MAX_BYTES // (1024 * 1024)} MB")
    return extract_text(text, url=url, title=title, retrieved_at=retrieved_at)
