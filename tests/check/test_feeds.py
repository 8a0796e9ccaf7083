"""`forecast check` polls the registered feeds through the evidence feature, from a local web server."""

from __future__ import annotations

import pytest

from forecast.cli.check_text import render_report
from forecast.services import feeds
from forecast.services.check.run import CheckOptions, run_check
from tests.check.helpers import DAY, T0, populate



@pytest.fixture(autouse=True)
def allow_private_urls(monkeypatch):
    """The test server is on 127.0.0.1, which unattended fetches refuse unless this is set."""
    monkeypatch.setenv("FORECAST_ALLOW_PRIVATE_URLS", "1")


@pytest.fixture(scope="module")
def web():
    from tests.ingest.webserver import LocalServer

    with LocalServer() as served:
        yield served


def test_new_feed_items_need_attention_once(database, web):
    populate(database)
    with database.session() as s:
        feeds.add_feed(s, web.url("/gen-feed/7"), question="d-later", check=False, now=T0)
    first = run_check(database, T0 + DAY, CheckOptions(soon_days=0))
    assert first.evidence["feeds"] == 1 and first.evidence["errors"] == []
    assert first.new_evidence == 50 and first.attention and first.new_attention == 50
    assert first.evidence["new"][0]["question"] == "d-later"
    text = render_report(first, "UTC")
    assert "New evidence from feeds (50):" in text and "-> d-later" in text
    again = run_check(database, T0 + DAY, CheckOptions(soon_days=0))
    assert again.new_evidence == 0 and not again.attention


def test_feeds_are_not_polled_on_a_dry_run_or_with_no_feeds(database, web):
    populate(database)
    with database.session() as s:
        feeds.add_feed(s, web.url("/gen-feed/8"), check=False, now=T0)
    assert run_check(database, T0 + DAY, CheckOptions(dry_run=True)).evidence is None
    assert run_check(database, T0 + DAY, CheckOptions(poll_feeds=False)).evidence is None
    assert len(web.hits("/gen-feed/8")) == 0


def test_a_failing_feed_is_reported_without_failing_the_check(database, web):
    populate(database)
    with database.session() as s:
        feeds.add_feed(s, web.url("/status/500"), check=False, now=T0)
    report = run_check(database, T0 + 4 * DAY)
    assert report.auto_resolved and not report.errors
    assert len(report.evidence["errors"]) == 1 and "500" in report.evidence["errors"][0]["error"]
    assert "Feeds that could not be polled (1):" in render_report(report, "UTC")


def test_truncated_feeds_and_guessed_encodings_are_reported(database, web):
    populate(database)
    with database.session() as s:
        feeds.add_feed(s, web.url("/corpus/rss_incomplete_cdata.xml"), check=False, now=T0)  # feedparser's corpus
        feeds.add_feed(s, web.url("/corpus/koi8r.xml"), check=False, now=T0)
    report = run_check(database, T0 + DAY, CheckOptions(soon_days=0))
    assert report.evidence["errors"] == [
        {"feed": web.url("/corpus/rss_incomplete_cdata.xml"), "error": "0 items read; the feed is truncated"}
    ]
    assert report.evidence["warnings"] == [
        {"feed": web.url("/corpus/koi8r.xml"), "warning": "encoding: not declared; detected KOI8-R"}
    ]
    text = render_report(report, "UTC")
    assert "0 items read; the feed is truncated" in text and "Feed warnings (1):" in text
