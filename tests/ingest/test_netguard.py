"""One deadline for the whole request, and no private addresses where they are not wanted.

Real servers on 127.0.0.1 (and 127.0.0.2, also loopback on Linux) misbehave on purpose: a slow-loris that
drips one byte at a time, and an origin that redirects elsewhere. The address rule is a pure function,
tested on addresses; the end-to-end tests play a "public" origin by passing a classifier to fetch.
"""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from forecast.ingest.fetch import FEED_TYPES, FetchError, fetch
from forecast.ingest.netguard import address_allowed, is_public


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True), ("2606:4700::1111", True), ("127.0.0.1", False), ("127.8.9.10", False),
        ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False),
        ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False), ("fe80::1", False),
        ("fc00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:8.8.8.8", True),
    ],
)  # fmt: skip
def test_public_addresses(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


PUBLIC, PRIVATE = ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("10.0.0.1")


@pytest.mark.parametrize(
    ("ip", "unattended", "origin_public", "allow", "expected"),
    [
        (PUBLIC, True, None, False, True),
        (PRIVATE, True, None, False, False),  # a feed on the user's network: refused unless allowed
        (PRIVATE, True, None, True, True),
        (PRIVATE, False, None, False, True),  # the user typed a private URL: it is theirs to fetch
        (PRIVATE, False, False, False, True),  # ... and it may redirect within their network
        (PRIVATE, False, True, False, False),  # a public page redirecting into the user's network
        (PRIVATE, False, True, True, True),
        (PUBLIC, False, True, False, True),
    ],
)  # fmt: skip
def test_address_rule(ip, unattended, origin_public, allow, expected):
    got = address_allowed(ip, unattended=unattended, origin_public=origin_public, allow_private=allow)
    assert got is expected


class Drip(str):
    """The server's URL; `held` lists, per connection, how long the client stayed before hanging up, and
    `hung_up` is set when a client has."""

    held: list[float]
    hung_up: threading.Event


@contextmanager
def dripping_server(prefix: bytes, interval: float):
    """Answers every connection with `prefix`, then one more byte of a never-ending header every interval."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    held: list[float] = []
    hung_up = threading.Event()

    def serve(conn: socket.socket) -> None:
        opened = time.monotonic()
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(prefix)
                while not stop.wait(interval):
                    conn.sendall(b"x")
            except OSError:
                held.append(time.monotonic() - opened)  # the client hung up: what we want
                hung_up.set()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    url = Drip(f"http://127.0.0.1:{listener.getsockname()[1]}/article")
    url.held = held
    url.hung_up = hung_up
    try:
        yield url
    finally:
        stop.set()
        listener.close()


@pytest.mark.parametrize(
    "prefix",
    [
        b"HTTP/1.1 200 OK\r\nX-Drip: ",  # headers that never end
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<p>",  # a body that never ends
    ],
)
def test_one_deadline_for_headers_and_body(prefix):
    with dripping_server(prefix, 0.05) as url:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"^timed out after 1s fetching http://127\.0\.0\.1:\d+/article$"):
            fetch(url, deadline=1.0, timeout=0.5)  # each byte arrives well within the per-read timeout
        assert time.monotonic() - started < 3.0


def test_evidence_add_url_ends_at_the_deadline(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_FETCH_DEADLINE", "1.5")
    with dripping_server(b"HTTP/1.1 200 OK\r\nX-Drip: ", 0.1) as url:
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "forecast", "--db", str(tmp_path / "f.db"), "evidence", "add", "--url", url],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        assert url.hung_up.wait(10), "the client never hung up"
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [f"forecast: timed out after 1.5s fetching {url}"]
    assert url.held[0] < 1.5 + 1.0  # measured by the server: start-up on a busy machine does not count
    assert elapsed < 60  # without the deadline this never ends


class _Redirect(BaseHTTPRequestHandler):
    target = ""

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/go":
            self.send_response(302)
            self.send_header("Location", self.target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<rss version='2.0'><channel><title>Inside</title></channel></rss>"
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def http_server(host: str, target: str = ""):
    handler = type("Handler", (_Redirect,), {"target": target})
    server = ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _only_first_loopback_is_public(ip) -> bool:
    return str(ip) == "127.0.0.1"


def test_redirect_from_a_public_host_to_a_private_one_is_refused(monkeypatch):
    monkeypatch.delenv("FORECAST_ALLOW_PRIVATE_URLS")
    with http_server("127.0.0.2") as inside, http_server("127.0.0.1", inside + "/feed") as outside:
        with pytest.raises(FetchError, match=r"refusing to connect to 127\.0\.0\.2 \(127\.0\.0\.2\): a loopback"):
            fetch(outside + "/go", allowed=FEED_TYPES, what="a feed", public=_only_first_loopback_is_public)
        monkeypatch.setenv("FORECAST_ALLOW_PRIVATE_URLS", "1")
        got = fetch(outside + "/go", allowed=FEED_TYPES, what="a feed", public=_only_first_loopback_is_public)
        assert got.final_url == inside + "/feed"


def test_a_private_url_typed_by_the_user_may_redirect_within_the_network(monkeypatch):
    monkeypatch.delenv("FORECAST_ALLOW_PRIVATE_URLS")
    with http_server("127.0.0.2") as inside, http_server("127.0.0.1", inside + "/feed") as outside:
        got = fetch(outside + "/go", allowed=FEED_TYPES, what="a feed")
        assert got.final_url == inside + "/feed"
        with pytest.raises(FetchError, match=r"refusing to connect to 127\.0\.0\.1"):
            fetch(outside + "/go", allowed=FEED_TYPES, what="a feed", unattended=True)


def _forecast(tmp_path, *args, env=None):
    import os

    full = {**os.environ, **(env or {})}
    full.pop("FORECAST_ALLOW_PRIVATE_URLS", None)
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "forecast", "--db", str(tmp_path / "f.db"), *args],
                          capture_output=True, text=True, timeout=60, env=full)  # fmt: skip


def test_feeds_on_loopback_need_the_switch(tmp_path, monkeypatch):
    from tests.cli_runner import invoke

    monkeypatch.delenv("FORECAST_ALLOW_PRIVATE_URLS")
    db = str(tmp_path / "f.db")
    with http_server("127.0.0.1") as site:
        refused = invoke("feeds", "add", site + "/feed", db=db)
        assert refused.code == 1
        assert len(refused.err.strip().splitlines()) == 1
        assert "refusing to connect to 127.0.0.1" in refused.err
        assert "FORECAST_ALLOW_PRIVATE_URLS=1" in refused.err
        added = invoke("feeds", "add", site + "/feed", env={"FORECAST_ALLOW_PRIVATE_URLS": "1"}, db=db)
        assert added.code == 0, added.err
        config = tmp_path / "allow.toml"
        config.write_text('name = "tester"\nallow_private_urls = true\n', encoding="utf-8")
        polled = invoke("feeds", "poll", env={"FORECAST_CONFIG": str(config)}, db=db)
        assert polled.code == 0, polled.err
        blocked = invoke("feeds", "poll", "--json", db=db)
        assert "refusing to connect to 127.0.0.1" in blocked.out + blocked.err


def test_check_with_a_dripping_feed_ends_at_the_deadline(tmp_path):
    """The feed poll inside `forecast check` holds the check lock: it must end at the deadline."""
    from forecast.services import feeds
    from forecast.services.database import open_database

    db_file = str(tmp_path / "f.db")
    with dripping_server(b"HTTP/1.1 200 OK\r\nX-Drip: ", 0.1) as url:
        db = open_database(db_file)
        with db.session() as s:
            feeds.add_feed(s, url.replace("/article", "/feed"), check=False)
        db.engine.dispose()
        started = time.monotonic()
        proc = _forecast(tmp_path, "check", "--json",
                         env={"FORECAST_FETCH_DEADLINE": "1.5", "FORECAST_ALLOW_PRIVATE_URLS": "1"})  # fmt: skip
        elapsed = time.monotonic() - started
        assert url.hung_up.wait(10), "the client never hung up"
    assert proc.returncode in (0, 10), proc.stderr
    assert "timed out after 1.5s fetching" in proc.stdout
    assert url.held[0] < 1.5 + 1.0
    assert elapsed < 60
