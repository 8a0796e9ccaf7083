"""HTML pages: trafilatura's text and metadata, and a publication date only from real evidence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecast.core.errors import InvalidInput
from forecast.core.model import DateSource
from forecast.ingest.draft import NO_DATE_NOTE
from forecast.ingest.html_article import extract_html, parse_meta_value
from tests.ingest.conftest import RETRIEVED


def extract(fixture_bytes, name: str, url: str | None = None):
    return extract_html(fixture_bytes(name), url=url, retrieved_at=RETRIEVED)


def test_opengraph_page(fixture_bytes):
    d = extract(fixture_bytes, "og_article.html")
    assert d.title == "Harbour authority delays Port Merrin expansion vote"
    assert d.outlet == "The Coastal Ledger" and d.author == "Ines Carvalho"
    # article:published_time 08:30+02:00, not the modified time, not the page-header "today" date.
    assert (d.published_at, d.published_source) == (datetime(2021, 6, 14, 6, 30, tzinfo=UTC), DateSource.META)
    assert d.canonical_url == "https://www.coastal-ledger.example/business/port-merrin-expansion-vote-delayed?ref=home"
    paragraphs = d.text.split("\n\n")
    assert len(paragraphs) == 6 and paragraphs[0].startswith("The Port Merrin harbour authority has postponed")
    assert paragraphs[-1].startswith("The board is now expected to meet again")
    for chrome in ("Most read", "Ferry timetable", "All rights reserved", "18.5 C", "Sport"):
        assert chrome not in d.text
    assert d.notes == ()


def test_json_ld_date_of_the_article_not_the_web_page(fixture_bytes):
    d = extract(fixture_bytes, "jsonld_article.html", "https://prairiewire.example/markets/wheat")
    assert (d.published_at, d.published_source) == (datetime(2023, 4, 28, 21, 45, tzinfo=UTC), DateSource.META)
    assert d.outlet == "Prairie Wire" and d.author == "Dale Henning"
    assert d.title == "Wheat harvest forecast cut after dry spring"  # " - Prairie Wire" dropped
    assert "Tuesday, 9 July 2024" not in d.text


def test_byline_date_inside_the_article_not_the_site_header(fixture_bytes):
    d = extract(fixture_bytes, "byline_article.html", "https://rail.example/strike")
    assert (d.published_at, d.published_source) == (datetime(2019, 3, 3, tzinfo=UTC), DateSource.BYLINE)
    assert d.author == "Jonas Lindqvist"
    assert d.text.split("\n\n")[-1] == "No new date for talks has been set."
    assert "Unions announce strike ballot" not in d.text


def test_date_only_in_the_url(fixture_bytes):
    d = extract(fixture_bytes, "url_date_article.html", "https://obs.example/news/2019/03/05/comet.html")
    assert (d.published_at, d.published_source) == (datetime(2019, 3, 5, tzinfo=UTC), DateSource.URL)
    assert d.outlet == "obs.example"


@pytest.mark.parametrize("name", ["no_date_article.html", "header_today.html"])
def test_no_date_is_left_empty_and_said(fixture_bytes, name):
    d = extract(fixture_bytes, name, "https://example.test/story")
    assert d.published_at is None and d.published_source is None
    assert NO_DATE_NOTE in d.notes


def test_header_today_page_keeps_the_body_and_drops_the_widgets(fixture_bytes):
    d = extract(fixture_bytes, "header_today.html")
    assert d.title == "Satellite photos suggest activity at northern missile site"
    assert d.outlet == "Bay Times"
    assert len(d.text.split("\n\n")) == 4
    for chrome in ("29.3 C", "Pattaya", "spot_img", "March 29, 2024"):
        assert chrome not in d.text


def test_saved_page_remembers_where_it_was_saved_from(fixture_bytes):
    html = b"<!-- saved from url=(0049)https://obs.example/news/2019/03/05/comet.html -->\n" + fixture_bytes(
        "url_date_article.html"
    )
    d = extract_html(html, retrieved_at=RETRIEVED)
    assert d.url == "https://obs.example/news/2019/03/05/comet.html"
    assert d.published_source == DateSource.URL


def test_saved_page_without_url_uses_its_canonical_link(fixture_bytes):
    d = extract(fixture_bytes, "og_article.html")
    assert d.url == d.canonical_url


def test_untrusted_markup_and_escapes_are_plain_text():
    html = (
        "<html><head><title>[bold red]Alert[/] \x1b[31mnow</title></head><body><article>"
        "<p>The report said [link=file:///etc/passwd]click[/link] and \x1b]0;title\x07 nothing else of note "
        "happened during the long meeting of the committee on Tuesday afternoon.</p>"
        "<p>A second paragraph with enough words to count as the text of an article for the extractor.</p>"
        "</article></body></html>"
    )
    d = extract_html(html, retrieved_at=RETRIEVED)
    assert "\x1b" not in d.title + d.text and "\x07" not in d.text
    assert "[bold red]Alert[/]" in d.title  # kept literally; front ends must not interpret it


@pytest.mark.parametrize(
    ("html", "message"),
    [("", "the page is empty"), ("   ", "the page is empty"), ("<html><body></body></html>", "no article text")],
)
def test_pages_without_text_are_refused(html, message):
    with pytest.raises(InvalidInput, match=message):
        extract_html(html, retrieved_at=RETRIEVED)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-03-01T09:00:00+09:00", datetime(2019, 3, 1, 0, 0, tzinfo=UTC)),
        ("2019-03-01T09:00:00Z", datetime(2019, 3, 1, 9, 0, tzinfo=UTC)),
        ("2019-03-01", datetime(2019, 3, 1, tzinfo=UTC)),
        ("2019-03-01T23:30:00", datetime(2019, 3, 1, tzinfo=UTC)),  # no zone: the day only, no guessed shift
        ("Fri, 01 Mar 2019 10:00:00 GMT", datetime(2019, 3, 1, 10, 0, tzinfo=UTC)),
        ("March 1, 2019", datetime(2019, 3, 1, tzinfo=UTC)),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_meta_value(value, expected):
    assert parse_meta_value(value) == expected
