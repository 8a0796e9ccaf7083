"""Fetch untrusted web pages and feeds with httpx, safely: http(s) only, at most 5 redirects (each checked),
a size cap enforced while streaming, one deadline for the whole request (connect, headers and body; see
netguard.py), no private addresses where netguard.py says so, and a content-type check.
Every failure is a FetchError with one line naming the URL and the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

import httpx

from forecast import __version__
from forecast.core.errors import ForecastError, InvalidInput
from forecast.ingest import netguard
from forecast.ingest.urls import check_http_url, shown

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 15.0  # seconds for connecting and for each read
DEADLINE = 60.0  # seconds for the whole request, so a server dripping bytes cannot hold us (FORECAST_FETCH_DEADLINE)
USER_AGENT = f"forecast/{__version__} (evidence fetcher)"

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
     "text/html", "text/plain"}
)  # fmt: skip
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"RIFF", b"OggS", b"ID3", b"\x00\x00\x01")


class FetchError(ForecastError):
    """A URL could not be fetched as what we wanted; the message is one line."""


class Unreachable(FetchError):
    """The host could not be reached at all (no network, DNS, refused, timed out): the URL may be fine."""


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str  # media type, lower case, without parameters ("" when the server sent none)
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body decoded with the declared charset, else UTF-8, else Windows-1252 (never fails)."""
        for enc in (self.charset, "utf-8"):
            if enc:
                try:
                    return self.body.decode(enc)
                except (LookupError, UnicodeDecodeError):
                    pass
        return self.body.decode("cp1252", errors="replace")


def make_client(timeout: float = TIMEOUT) -> httpx.Client:
    """A client for fetch(); share one across many requests (feed polling) to reuse connections."""
    return httpx.Client(
        transport=netguard.GuardedTransport(),  # every connect/read/write bounded by the fetch's deadline
        follow_redirects=False,  # redirects are followed by hand so every hop is checked
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
    )


def _accept(allowed: frozenset[str]) -> str:
    if "application/rss+xml" in allowed:
        return "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
    return "text/html, application/xhtml+xml, text/plain;q=0.8, */*;q=0.5"


def _media_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    msg = Message()
    msg["content-type"] = header
    return msg.get_content_type().lower(), msg.get_param("charset")


def looks_binary(head: bytes) -> bool:
    """Known binary signatures, or NUL bytes where text would have none (UTF-16 byte-order marks aside)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return head.startswith(_MAGIC) or b"\x00" in head[:1024]


def _check_type(url: str, media: str, allowed: frozenset[str], what: str) -> None:
    if not media or media in allowed:
        return
    if media.startswith(("image/", "audio/", "video/", "font/")) or media in (
        "application/octet-stream", "application/pdf", "application/zip", "application/gzip",
    ):  # fmt: skip
        raise FetchError(f"{shown(url)} is {media}, not {what}")
    if media.endswith(("+xml", "/xml")) and "text/html" not in allowed:
        return  # feeds are served under many XML types
    raise FetchError(f"{shown(url)} is {media}, not {what}")


def _error_line(url: str, exc: httpx.HTTPError, timeout: float) -> str:
    host = httpx.URL(url).host if url else ""
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g}s fetching {shown(url)}"
    if isinstance(exc, httpx.ConnectError):
        reason = str(exc).split("] ")[-1] or "connection failed"
        return f"cannot connect to {host}: {shown(reason, 100)}"
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return f"not a fetchable URL: {shown(url)}"
    return f"fetching {shown(url)} failed: {shown(str(exc) or type(exc).__name__, 100)}"


def fetch(
    url: str,
    *,
    allowed: frozenset[str] = PAGE_TYPES,
    what: str = "a web page",
    client: httpx.Client | None = None,
    timeout: float = TIMEOUT,
    deadline: float | None = None,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    etag: str | None = None,
    last_modified: str | None = None,
    unattended: bool = False,
    public: Callable | None = None,
) -> Fetched:
    """GET url following redirects by hand. A 304 (when etag/last_modified are given) returns an empty
    body with status 304; any other non-2xx status, a refused type, a binary or oversize body raises.
    unattended (feed polls): no loopback/private/link-local address at all, unless allowed (netguard.py).
    public: the address classifier (tests pass one to play a public host on 127.0.0.1)."""
    deadline = netguard.deadline_seconds(DEADLINE) if deadline is None else deadline
    try:
        start_url = check_http_url(url)
    except InvalidInput as exc:
        raise FetchError(str(exc)) from None
    own = client is None
    client = client or make_client(timeout)
    headers = {"Accept": _accept(allowed)}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    current = start_url
    guard = netguard.Guard(
        deadline=started + deadline,
        unattended=unattended,
        allow_private=netguard.allow_private_urls(),
        public=public or netguard.is_public,
    )
    try:
        with netguard.guarded(guard):
            return _follow(client, start_url, headers, allowed, what, timeout, deadline, max_bytes, max_redirects,
                           started)  # fmt: skip
    finally:
        if own:
            client.close()


def _follow(client, start_url, headers, allowed, what, timeout, deadline, max_bytes, max_redirects, started):
    current = start_url
    try:
        for _hop in range(max_redirects + 1):
            with client.stream("GET", current, headers=headers, timeout=timeout) as resp:
                if resp.status_code in _REDIRECTS:
                    location = resp.headers.get("location")
                    if not location:
                        raise FetchError(f"{shown(current)} redirects without saying where to")
                    nxt = str(resp.url.join(location))
                    try:
                        current = check_http_url(nxt)
                    except InvalidInput:
                        where = f"{shown(current)} redirects to a URL that is not http(s): {shown(nxt)}"
                        raise FetchError(where) from None
                    continue
                return _read(start_url, resp, allowed, what, max_bytes, started, deadline, timeout)
        raise FetchError(f"{shown(start_url)} redirects more than {max_redirects} times")
    except httpx.HTTPError as exc:
        unreachable = isinstance(exc, (httpx.ConnectError, httpx.TimeoutException))
        if time.monotonic() - started >= deadline - 0.05:
            raise Unreachable(f"timed out after {deadline:g}s fetching {shown(current)}") from None
        raise (Unreachable if unreachable else FetchError)(_error_line(current, exc, timeout)) from None
    except netguard.RefusedAddress as exc:
        raise FetchError(f"{shown(current)}: {exc}") from None


def _read(
    url: str, resp: httpx.Response, allowed: frozenset[str], what: str,
    max_bytes: int, started: float, deadline: float, timeout: float,
) -> Fetched:  # fmt: skip
    final = str(resp.url)
    etag, modified = resp.headers.get("etag"), resp.headers.get("last-modified")
    if resp.status_code == 304:
        return Fetched(url, final, 304, "", None, b"", etag, modified)
    if resp.status_code >= 400 or resp.status_code < 200:
        reason = shown(resp.reason_phrase or "", 60)
        raise FetchError(f"{shown(final)} answered HTTP {resp.status_code} {reason}".rstrip())
    media, charset = _media_type(resp.headers.get("content-type"))
    _check_type(final, media, allowed, what)
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{shown(final)} is larger than {max_bytes // (1024 * 1024)} MB")
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{shown(final)} is larger than {max_bytes // (1024 * 1024)} MB")
        if time.monotonic() - started > deadline:
            raise FetchError(f"timed out after {deadline:g}s fetching {shown(final)}")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        raise FetchError(f"{shown(final)} returned an empty body")
    if looks_binary(body[:1024]):
        raise FetchError(f"{shown(final)} returned binary data, not {what}")
    return Fetched(url, final, resp.status_code, media, charset, body, etag, modified)
