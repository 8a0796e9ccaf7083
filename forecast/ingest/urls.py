"""URL checks and normalisation: http(s) only, canonical form for de-duplication, dates in URL paths."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from forecast.core.errors import InvalidInput
from forecast.core.urls import http_url, shown

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|ref_src|cmpid|ocid)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# /2019/03/01/, /2019-03-01-, /20190301/ ; the year must be plausible and the parts separated the same way.
_URL_DATE = re.compile(
    r"(?<![0-9])((?:19|20)\d{2})([/_.-])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?![0-9])"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)


def check_http_url(url: str) -> str:
    """The stripped URL without credentials, or InvalidInput unless it is an absolute http(s) URL (core.urls)."""
    return http_url(url)


def resolve(base: str | None, href: str | None) -> str | None:
    """An absolute http(s) URL for href relative to base, or None when it is not one."""
    if not href:
        return None
    href = href.strip()
    absolute = urljoin(base, href) if base else href
    try:
        return check_http_url(absolute)
    except InvalidInput:
        return None


def normalise_url(url: str) -> str:
    """Canonical form used to recognise the same article: lower-case scheme and host, no default port,
    no fragment, no tracking parameters, query parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def host_of(url: str | None) -> str:
    if not url:
        return ""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def date_from_url(url: str | None) -> datetime | None:
    """A full year-month-day in the URL path (not the query or host), as midnight UTC; None otherwise."""
    if not url:
        return None
    path = urlsplit(url).path
    for m in _URL_DATE.finditer(path):
        y, mo, d = (m.group(1), m.group(3), m.group(4)) if m.group(1) else (m.group(5), m.group(6), m.group(7))
        try:
            return datetime(int(y), int(mo), int(d), tzinfo=UTC)
        except ValueError:
            continue
    return None
