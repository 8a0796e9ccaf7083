"""The one rule for a URL we store, fetch or open: absolute http(s) with a host, no white space or
control characters, and no user:password (credentials are stripped, never stored or shown)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from forecast.core.errors import InvalidInput
from forecast.core.text import clean_line

SCHEMES = ("http", "https")


def shown(url: str, limit: int = 120) -> str:
    """A URL (or any untrusted text) as it may appear in a one-line message."""
    return clean_line(url, max_len=limit)


def http_url(url: str | None) -> str:
    """Return the stripped URL without credentials, or raise InvalidInput unless it is an absolute http(s)
    URL with a host."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number in range)
    except ValueError:
        raise InvalidInput(f"not a valid URL: {shown(text)}") from None
    if parts.scheme.lower() not in SCHEMES:
        raise InvalidInput(f"only http and https URLs are accepted, not {shown(text)}")
    if not parts.hostname:
        raise InvalidInput(f"URL has no host: {shown(text)}")
    if any(c.isspace() or ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text):
        raise InvalidInput(f"URL contains white space or control characters: {shown(text)}")
    if "@" in parts.netloc:
        text = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return text


def is_http_url(url: str | None) -> bool:
    try:
        http_url(url)
    except InvalidInput:
        return False
    return True
