"""Where a fetch may connect, and for how long: one deadline for the whole request, and no private
addresses for unattended fetches.

httpx's timeouts are per socket operation, so a server that sends one header byte every few seconds is
never "timed out". Every fetch therefore sets a deadline (monotonic) for its thread, and the network
backend below clamps each connect, read and write to the time that is left.

Address rule (`address_allowed`, pure): a public address is always allowed. A loopback, private,
link-local or otherwise non-global one is refused for unattended fetches (feed polls by `check` and
`feeds poll`), and for any fetch once the request started at a public address (a redirect from the
internet to the user's network). The host is resolved here and the connection made to the checked
address, so DNS cannot answer differently between the check and the connect. FORECAST_ALLOW_PRIVATE_URLS=1
or `allow_private_urls = true` in the config file lifts the rule (local testing).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpcore
import httpx

from forecast.core.errors import ForecastError

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
ENV_ALLOW = "FORECAST_ALLOW_PRIVATE_URLS"
ENV_DEADLINE = "FORECAST_FETCH_DEADLINE"


class RefusedAddress(ForecastError):
    """The host resolves only to addresses this fetch may not connect to."""


def is_public(ip: IP) -> bool:
    """A globally routable unicast address (IPv4-mapped IPv6 judged as the IPv4 address)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def address_allowed(ip: IP, *, unattended: bool, origin_public: bool | None, allow_private: bool,
                    public: Callable[[IP], bool] = is_public) -> bool:  # fmt: skip
    """origin_public: whether the request's first connection went to a public address (None: this is it)."""
    if allow_private or public(ip):
        return True
    if unattended:
        return False
    return origin_public is not True


def allow_private_urls() -> bool:
    """FORECAST_ALLOW_PRIVATE_URLS=1, else the config key allow_private_urls."""
    env = os.environ.get(ENV_ALLOW)
    if env is not None and env.strip() != "":
        return env.strip().lower() in ("1", "true", "yes", "on")
    from forecast.config import load_settings

    return load_settings().allow_private_urls


def deadline_seconds(default: float) -> float:
    """FORECAST_FETCH_DEADLINE (seconds) overrides the whole-request deadline; a bad value is ignored."""
    raw = os.environ.get(ENV_DEADLINE, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if 0 < value < 86_400 else default


@dataclass
class Guard:
    """What the current thread's fetch may do: until when, and where to."""

    deadline: float = float("inf")  # time.monotonic() value
    unattended: bool = False
    allow_private: bool = True
    public: Callable[[IP], bool] = is_public
    origin_public: bool | None = None
    refused: list[str] = field(default_factory=list)

    def left(self, timeout: float | None, exc: type[Exception]) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise exc("deadline reached")
        return remaining if timeout is None else min(timeout, remaining)


_local = threading.local()
_NO_GUARD = Guard()


def current() -> Guard:
    return getattr(_local, "guard", None) or _NO_GUARD


@contextmanager
def guarded(guard: Guard) -> Iterator[Guard]:
    previous = getattr(_local, "guard", None)
    _local.guard = guard
    try:
        yield guard
    finally:
        _local.guard = previous


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, current().left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, current().left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None):
        left = current().left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's socket backend with the thread's Guard applied to every connection."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:  # fmt: skip
        guard = current()
        guard.left(timeout, httpcore.ConnectTimeout)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from None
        last: Exception | None = None
        for *_, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
            if not address_allowed(ip, unattended=guard.unattended, origin_public=guard.origin_public,
                                   allow_private=guard.allow_private, public=guard.public):  # fmt: skip
                guard.refused.append(str(ip))
                continue
            try:
                stream = self._inner.connect_tcp(str(ip), port, guard.left(timeout, httpcore.ConnectTimeout),
                                                 local_address, socket_options)  # fmt: skip
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            if guard.origin_public is None:
                guard.origin_public = guard.public(ip)
            return _Stream(stream)
        if last is not None:
            raise last
        shown = ", ".join(dict.fromkeys(guard.refused))
        raise RefusedAddress(
            f"refusing to connect to {host} ({shown}): a loopback, private or link-local address "
            f"(set {ENV_ALLOW}=1 or allow_private_urls = true in the config file to allow)"
        )

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on the guarded backend (no proxies: every connection is one we checked)."""

    def __init__(self) -> None:
        super().__init__()
        limits = httpx.Limits()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(),
        )
