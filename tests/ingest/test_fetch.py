"""Fetching refuses everything a page should not be, with one clear line, against a local server."""

from __future__ import annotations

import socket

import pytest

from forecast.core.errors import ForecastError
from forecast.ingest.fetch import FEED_TYPES, FetchError, fetch


def test_fetches_a_page(web):
    got = fetch(web.url("/pages/og_article.html"))
    assert got.status == 200 and got.content_type == "text/html" and got.charset == "utf-8"
    assert b"Port Merrin" in got.body
    assert "Port Merrin" in got.text()


def test_follows_five_redirects_and_reports_the_final_url(web):
    got = fetch(web.url("/redirect/5"))
    assert got.final_url == web.url("/pages/og_article.html")
    assert got.url == web.url("/redirect/5")


def test_refuses_a_sixth_redirect(web):
    with pytest.raises(FetchError, match=r"redirects more than 5 times"):
        fetch(web.url("/redirect/6"))


def test_refuses_redirect_to_another_scheme(web):
    with pytest.raises(FetchError, match=r"redirects to a URL that is not http\(s\): ftp://"):
        fetch(web.url("/redirect-ftp"))


def test_redirect_without_location(web):
    with pytest.raises(FetchError, match="redirects without saying where"):
        fetch(web.url("/no-location"))


@pytest.mark.parametrize(("code", "reason"), [(404, "Not Found"), (500, "Internal Server Error"), (403, "Forbidden")])
def test_http_errors(web, code, reason):
    with pytest.raises(FetchError, match=rf"answered HTTP {code} {reason}$"):
        fetch(web.url(f"/status/{code}"))


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/binary", r"is image/png, not a web page"),
        ("/pdf", r"is application/pdf, not a web page"),
        ("/nul-html", r"returned binary data, not a web page"),
        ("/empty", r"returned an empty body"),
    ],
)
def test_refuses_non_pages(web, path, message):
    with pytest.raises(FetchError, match=message):
        fetch(web.url(path))


def test_refuses_an_oversize_page_by_its_declared_length(web):
    with pytest.raises(FetchError, match=r"is larger than 10 MB"):
        fetch(web.url("/big-declared"))


def test_enforces_the_cap_while_streaming(web):
    # 200 chunks of 64 KiB without a Content-Length: about 12.5 MiB, so the 10 MB cap trips mid-stream.
    with pytest.raises(FetchError, match=r"is larger than 10 MB"):
        fetch(web.url("/big-stream/200"))
    with pytest.raises(FetchError, match=r"is larger than 1 MB"):
        fetch(web.url("/big-stream/20"), max_bytes=1024 * 1024)


def test_times_out(web):
    with pytest.raises(FetchError, match=r"^timed out after 0.2s fetching http://127.0.0.1:\d+/slow$"):
        fetch(web.url("/slow"), timeout=0.2)


def test_unreachable_host():
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match=r"^cannot connect to 127.0.0.1: "):
        fetch(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https URLs are accepted"),
        ("ftp://example.test/x", "only http and https URLs are accepted"),
        ("javascript:alert(1)", "only http and https URLs are accepted"),
        ("http://", "URL has no host"),
        ("not a url", "only http and https URLs"),
        ("http://exa mple.test/", "white space"),
    ],
)
def test_refuses_bad_urls_before_connecting(url, message):
    with pytest.raises(FetchError, match=message):
        fetch(url)


def test_errors_are_forecast_errors_on_one_line(web):
    with pytest.raises(ForecastError) as info:
        fetch(web.url("/status/404") + "%0a%1b[31m")
    assert "\n" not in str(info.value) and "\x1b" not in str(info.value)


def test_plain_text_pages_are_allowed(web):
    got = fetch(web.url("/text/scraped_byline.txt"))
    assert got.content_type == "text/plain"


def test_missing_content_type_is_sniffed(web):
    assert fetch(web.url("/no-type/og_article.html")).content_type == ""


def test_conditional_request_gets_304(web):
    first = fetch(web.url("/feeds/rss.xml"), allowed=FEED_TYPES, what="a feed")
    assert first.etag == '"rss.xml-v1"' and first.last_modified
    again = fetch(web.url("/feeds/rss.xml"), allowed=FEED_TYPES, what="a feed", etag=first.etag)
    assert again.not_modified and again.body == b""
    assert web.hits("/feeds/rss.xml")[-1]["if-none-match"] == '"rss.xml-v1"'
    by_date = fetch(web.url("/feeds/rss.xml"), allowed=FEED_TYPES, what="a feed", last_modified=first.last_modified)
    assert by_date.not_modified
