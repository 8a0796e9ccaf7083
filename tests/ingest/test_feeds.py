"""Feeds: RSS 2.0 and Atom into items, conditional requests, and clear refusals of non-feeds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecast.core.model import DateSource
from forecast.ingest.feeds import fetch_feed, html_to_text, parse_feed
from forecast.ingest.fetch import FetchError, make_client


@pytest.fixture(autouse=True)
def allow_private_urls(monkeypatch):
    """The test server is on 127.0.0.1, which unattended fetches refuse unless this is set."""
    monkeypatch.setenv("FORECAST_ALLOW_PRIVATE_URLS", "1")


def test_rss(web):
    feed = fetch_feed(web.url("/feeds/rss.xml"))
    assert feed.title == "Harbour & Coast News" and not feed.not_modified
    assert feed.etag == '"rss.xml-v1"' and feed.last_modified
    assert [i.entry_id for i in feed.items] == ["coast-1001", "coast-1002", "coast-1003", "coast-1004"]
    first = feed.items[0]
    assert first.url == "https://coast.example/news/2019/03/06/sohae-activity.html"
    assert first.published_at == datetime(2019, 3, 6, 0, 30, tzinfo=UTC)
    assert first.author == "Lee Ji-woo"
    assert first.text == "Researchers said work had resumed at the Sohae launch site.\n\nRail-mounted structures were seen being rebuilt."
    third = feed.items[2]
    assert third.text == "Analysts say a new ICBM test cannot be ruled out."  # markup and script gone


def test_atom_resolves_relative_links(web):
    feed = fetch_feed(web.url("/feeds/atom.xml"))
    assert feed.title == "Prairie Wire: Markets"
    wheat, canola = feed.items
    assert wheat.url == web.url("/2023/04/28/wheat-forecast")
    assert wheat.published_at == datetime(2023, 4, 28, 21, 45, tzinfo=UTC)  # published, not updated
    assert canola.published_at == datetime(2023, 5, 1, 12, 0, tzinfo=UTC)  # only updated given
    draft = wheat.draft(outlet="Prairie Wire")
    assert draft.published_source == DateSource.META and draft.content_hash == wheat.content_hash
    assert draft.canonical_url == web.url("/2023/04/28/wheat-forecast")


def test_conditional_poll_returns_not_modified(web):
    with make_client() as client:
        first = fetch_feed(web.url("/feeds/atom.xml"), client=client)
        again = fetch_feed(web.url("/feeds/atom.xml"), etag=first.etag, last_modified=first.last_modified, client=client)
    assert again.not_modified and again.items == ()
    assert again.etag == first.etag
    sent = web.hits("/feeds/atom.xml")[-1]
    assert sent["if-none-match"] == first.etag and sent["if-modified-since"] == first.last_modified


def test_malformed_feed_is_refused_with_where_it_breaks(web):
    with pytest.raises(FetchError, match=r"is not an RSS or Atom feed \(not well-formed .* at line 2\)$"):
        fetch_feed(web.url("/feeds/malformed.xml"))


def test_a_web_page_is_not_a_feed(web):
    with pytest.raises(FetchError, match=r"/feeds/not_a_feed.html is not an RSS or Atom feed$"):
        fetch_feed(web.url("/feeds/not_a_feed.html"))


@pytest.mark.parametrize(("path", "message"), [("/binary", "is image/png, not a feed"), ("/status/404", "HTTP 404")])
def test_feed_fetch_errors(web, path, message):
    with pytest.raises(FetchError, match=message):
        fetch_feed(web.url(path))


def test_entries_without_ids_fall_back_to_link_then_hash():
    xml = b"""<rss version="2.0"><channel><title>t</title>
    <item><title>With link</title><link>https://x.example/a</link><description>one</description></item>
    <item><title>No link</title><description>two</description></item>
    <item><title></title><description></description></item>
    <item><title>Bad link</title><link>javascript:alert(1)</link><description>three</description></item>
    </channel></rss>"""
    _title, items = parse_feed(xml, "https://x.example/feed")
    assert items[0].entry_id == "https://x.example/a"
    assert items[1].entry_id.startswith("sha256:") and items[1].url is None
    assert len(items) == 3  # the empty entry is skipped
    assert items[2].url is None


def test_future_and_ancient_dates_are_dropped():
    xml = b"""<rss version="2.0"><channel><title>t</title>
    <item><title>a</title><description>x</description><pubDate>Mon, 01 Jan 1971 00:00:00 GMT</pubDate></item>
    <item><title>b</title><description>y</description><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>
    </channel></rss>"""
    _title, items = parse_feed(xml, "https://x.example/feed")
    assert [i.published_at for i in items] == [None, None]


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    assert html_to_text("<p>One &amp; two</p><script>evil()</script><ul><li>a</li><li>b</li></ul>") == "One & two\n\na\n\nb"
    assert html_to_text("plain\x1b[31m text") == "plain text"
