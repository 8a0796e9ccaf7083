"""Feeds as the web serves them: real files from feedparser's own test corpus (tests/fixtures/feeds/,
BSD licence in LICENSES.md there), served from 127.0.0.1 with the headers their `Header:` lines name.
Each test says which corpus file it reads and what that file's own `Expect:` line says of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.ingest.feeds import fetch_feed, is_truncated, read_feed
from forecast.ingest.fetch import FetchError
from forecast.services import feeds as service
from tests.ingest.webserver import FEED_CORPUS

NOW = datetime(2024, 10, 7, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def allow_private_urls(monkeypatch):
    """The server is on 127.0.0.1, which unattended fetches refuse unless this is set."""
    monkeypatch.setenv("FORECAST_ALLOW_PRIVATE_URLS", "1")


@pytest.mark.parametrize(
    ("name", "encoding", "title"),
    [
        ("koi8r.xml", "KOI8-R", "Как пережить новогоднюю ночь"),  # Expect: bozo and encoding == 'KOI8-R'
        ("shiftjis.xml", "CP932", "DrecomRSSに記事投稿が反映されない…"),  # Expect: encoding == 'SHIFT_JIS'
        ("eucjp.xml", "EUC-JP", "ゲーム三昧な正月"),  # Expect: bozo and encoding == 'EUC-JP'
    ],
)
def test_undeclared_encodings_are_detected_not_mojibake(web, name, encoding, title):
    feed = fetch_feed(web.url(f"/corpus/{name}"))
    (item,) = feed.items
    assert item.title == title
    assert "\ufffd" not in item.text and item.text.isprintable()
    assert feed.warnings == (f"encoding: not declared; detected {encoding}",)


def test_a_bogus_declared_encoding_falls_back_with_a_warning(web):
    # bozo_bogus_encoding.xml: <?xml ... encoding="bogus"?>, Expect: bozo (feedparser reads it as ascii)
    feed = fetch_feed(web.url("/corpus/bozo_bogus_encoding.xml"))
    assert feed.items == () and feed.truncated is None
    assert feed.warnings == ("encoding: document declared as bogus, but parsed as ascii",)


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        ("rss_incomplete_cdata.xml", (("item 1", "no title, text or link"),)),  # cut inside <title><![CD
        ("aaa_illformed.xml", ()),  # ends "</rss" with no ">"
    ],
)
def test_a_truncated_feed_says_so(web, name, skipped):
    feed = fetch_feed(web.url(f"/corpus/{name}"))
    assert feed.truncated == "0 items read; the feed is truncated"
    assert feed.skipped == skipped


def test_items_with_only_a_link_are_kept_and_relative_links_resolved(web):
    # http_item_link_base_docuri.xml: <item><link>/relative/uri</link></item>, "item link relative to document URI"
    (item,) = fetch_feed(web.url("/corpus/http_item_link_base_docuri.xml")).items
    assert item.url == web.url("/relative/uri")
    assert item.title == item.text == web.url("/relative/uri").split("://", 1)[1]
    # item_guid_isPermaLink_guidislink.xml: only <guid isPermaLink="true">, which is the link
    (guid,) = fetch_feed(web.url("/corpus/item_guid_isPermaLink_guidislink.xml")).items
    assert (guid.url, guid.title, guid.entry_id) == ("http://guid.example.com/", "guid.example.com", "http://guid.example.com/")
    # http_entry_link_base_content_location.xml: an Atom 0.3 entry with only <link href="/relative/link"/>
    (atom,) = fetch_feed(web.url("/corpus/http_entry_link_base_content_location.xml")).items
    assert atom.url == web.url("/relative/link")


def test_links_follow_xml_base(web):
    # base.xml (feedparser's docs example): <entry xml:base="http://example.org/archives/"> <link href="000001.html"/>
    feed = fetch_feed(web.url("/corpus/base.xml"))
    (item,) = feed.items
    assert item.url == "http://example.org/archives/000001.html" and item.title == "First entry title"
    assert item.text == "skip to anchor 2\n\nSome content\n\nThis is anchor 2"
    # http_relative_xml_base.xml: relative xml:base on feed, entry and title; the title is XHTML -> its text
    (titled,) = fetch_feed(web.url("/corpus/http_relative_xml_base.xml")).items
    assert titled.title == "Example test"


def test_a_real_feed_reads_whole(web):
    # large_atom_feed_that_needs_css_sanitisation.xml: touchnokia.ru's Movable Type feed, 15 entries
    feed = fetch_feed(web.url("/corpus/large_atom_feed_that_needs_css_sanitisation.xml"))
    assert len(feed.items) == 15 and not feed.warnings and not feed.skipped and feed.truncated is None
    assert feed.items[0].url == "http://touchnokia.ru/2009/09/nevidimaja-bronja-dlja-vashego-nokia-5800.html"
    assert all(i.published_at and i.title for i in feed.items)


def test_the_poll_reports_truncation_skips_and_warnings(session, web):
    for name in ("rss_incomplete_cdata.xml", "koi8r.xml", "http_item_link_base_docuri.xml"):
        service.add_feed(session, web.url(f"/corpus/{name}"), check=False, now=NOW)
    report = service.poll_feeds(session, now=NOW)
    by_name = {f.url.rsplit("/", 1)[1]: f for f in report.feeds}
    cut = by_name["rss_incomplete_cdata.xml"]
    assert (cut.status, cut.error, cut.new) == ("truncated", "0 items read; the feed is truncated", 0)
    assert cut.skipped_items == [{"item": "item 1", "reason": "no title, text or link"}]
    assert report.errors == [{"feed": cut.url, "error": "0 items read; the feed is truncated"}]
    koi = by_name["koi8r.xml"]
    assert (koi.status, koi.new, koi.warnings) == ("ok", 1, ["encoding: not declared; detected KOI8-R"])
    assert by_name["http_item_link_base_docuri.xml"].new == 1
    titles = sorted(i.title for i in report.new)
    assert titles[1] == "Как пережить новогоднюю ночь" and titles[0].endswith("/relative/uri")
    assert report.as_dict()["warnings"] == [{"feed": koi.url, "warning": "encoding: not declared; detected KOI8-R"}]


def test_keyword_skips_name_the_item(session, web):
    service.add_feed(session, web.url("/corpus/base.xml"), keywords="volcano", check=False, now=NOW)
    (outcome,) = service.poll_feeds(session, now=NOW).feeds
    assert outcome.skipped == 1
    assert outcome.skipped_items == [{"item": "First entry title", "reason": "does not match the feed's keywords"}]


def test_a_malformed_feed_is_still_refused(web):
    with pytest.raises(FetchError, match="is not an RSS or Atom feed"):
        fetch_feed(web.url("/feeds/malformed.xml"))


def test_every_corpus_file_is_licensed():
    listed = (FEED_CORPUS / "LICENSES.md").read_text()
    for path in FEED_CORPUS.iterdir():
        if path.name != "LICENSES.md":
            assert f"| {path.name} |" in listed, path.name


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_read_feed_raises_only_invalid_input(data):
    from forecast.core.errors import InvalidInput

    try:
        got = read_feed(data, "http://example.test/feed")
    except InvalidInput:
        return
    assert all(i.title and i.text for i in got.items)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_is_truncated_never_raises(text):
    assert is_truncated(text) in (True, False)
