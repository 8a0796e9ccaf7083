"""A local HTTP server on 127.0.0.1 serving the evidence fixtures and misbehaving on purpose.

Routes: /pages/NAME and /news/2019/03/05/NAME (fixture files), /redirect/N (N hops to a page),
/redirect-ftp, /no-location, /status/CODE, /binary, /nul-html, /pdf, /big-declared, /big-stream,
/slow, /empty, /text/NAME (text/plain), /feeds/NAME (ETag + Last-Modified, 304 when unchanged),
/no-type/NAME (no Content-Type), /gen-feed/N (a generated feed of 50 items), /set (replace a route's body),
/corpus/NAME (a file of feedparser's test corpus, tests/fixtures/feeds/, sent with the headers its
`Header:` lines name, else as application/xml).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "evidence"
FEED_CORPUS = FIXTURES.parent / "feeds"
_CORPUS_HEADER = re.compile(rb"^Header:\s+([^:]+):(.*)$", re.MULTILINE)  # as feedparser's tests/helpers.py reads them
LAST_MODIFIED = "Wed, 01 May 2024 10:00:00 GMT"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def generated_feed(n: int, items: int = 50) -> bytes:
    parts = [f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Feed {n}</title>"]
    for i in range(items):
        parts.append(
            f"<item><title>Feed {n} story {i}: launch window update</title><guid>feed-{n}-item-{i}</guid>"
            f"<link>http://example.test/{n}/{i}</link><pubDate>Wed, 01 May 2024 10:{i:02d}:00 GMT</pubDate>"
            f"<description>&lt;p&gt;Story {i} from feed {n} about the ICBM programme and the Sohae site."
            f" {'More words in the body. ' * 20}&lt;/p&gt;</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


@dataclass
class Served:
    """What the tests can inspect and change: requests seen, and bodies overridden per path."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    overrides: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]


class _Handler(BaseHTTPRequestHandler):
    served: Served
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str | None = "text/html; charset=utf-8", headers=None):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _file(self, name: str, ctype: str, headers=None):
        path = FIXTURES / name
        if not path.is_file():
            return self._send(404, b"missing")
        return self._send(200, path.read_bytes(), ctype, headers)

    def do_GET(self):  # noqa: C901 - one flat routing table is the clearest form here
        s = self.served
        path = self.path
        s.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
        if path in s.overrides:
            ctype, body = s.overrides[path]
            return self._send(200, body, ctype)
        parts = path.strip("/").split("/")
        head = parts[0]
        if head in ("pages", "news"):
            return self._file(parts[-1], "text/html; charset=utf-8")
        if head == "text":
            return self._file(parts[-1], "text/plain; charset=utf-8")
        if head == "no-type":
            return self._file(parts[-1], None)
        if head == "redirect":
            n = int(parts[1])  # /redirect/N takes exactly N hops
            target = "/pages/og_article.html" if n <= 1 else f"/redirect/{n - 1}"
            return self._send(302, b"", None, {"Location": target})
        if head == "redirect-ftp":
            return self._send(301, b"", None, {"Location": "ftp://127.0.0.1/file.txt"})
        if head == "no-location":
            return self._send(302, b"", None)
        if head == "status":
            return self._send(int(parts[1]), b"<html><body>error page</body></html>")
        if head == "binary":
            return self._send(200, PNG, "image/png")
        if head == "nul-html":
            return self._send(200, b"<html>\x00\x01\x02\x00" + b"\x00" * 100, "text/html")
        if head == "pdf":
            return self._send(200, b"%PDF-1.4 fake", "application/pdf")
        if head == "empty":
            return self._send(200, b"")
        if head == "big-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            return None
        if head == "big-stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            try:
                for _ in range(int(parts[1]) if len(parts) > 1 else 200):
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if head == "slow":
            time.sleep(1.0)
            return self._send(200, b"<html><body><p>late</p></body></html>")
        if head == "feeds":
            name = parts[1]
            etag = f'"{name}-v1"'
            if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                return self._send(304, b"", None, {"ETag": etag, "Last-Modified": LAST_MODIFIED})
            ctype = "application/rss+xml" if "rss" in name else "application/atom+xml"
            if name.endswith(".html"):
                ctype = "text/html; charset=utf-8"
            return self._file(name, ctype, {"ETag": etag, "Last-Modified": LAST_MODIFIED})
        if head == "corpus":
            path = FEED_CORPUS / parts[1]
            if not path.is_file():
                return self._send(404, b"missing")
            body = path.read_bytes()
            headers = {k.decode().strip().lower(): v.decode().strip() for k, v in _CORPUS_HEADER.findall(body)}
            return self._send(200, body, headers.pop("content-type", "application/xml"), headers)
        if head == "gen-feed":
            return self._send(200, generated_feed(int(parts[1])), "application/rss+xml")
        return self._send(404, b"not found")


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # clients hanging up early is what some tests do
        pass


class LocalServer:
    def __init__(self):
        self.served = Served()
        handler = type("Handler", (_Handler,), {"served": self.served})
        self.httpd = _Quiet(("127.0.0.1", 0), handler)
        self.served.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        return self.served

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
