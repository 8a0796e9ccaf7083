"""Small pure pieces: dates as printed, URL rules, keyword matching."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.ingest.dates import find_date, line_date
from forecast.ingest.keywords import KeywordMatcher, match_keywords, parse_keywords
from forecast.ingest.urls import check_http_url, date_from_url, normalise_url


def day(y, m, d):
    return datetime(y, m, d, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "kind", "when"),
    [
        ("Published March 1, 2019", "published", day(2019, 3, 1)),
        ("Posted on 2019-03-01T09:15:00+09:00", "published", datetime(2019, 3, 1, 0, 15, tzinfo=UTC)),
        ("First published: 1 March 2019", "published", day(2019, 3, 1)),
        ("By Jane Doe | 2019-03-01", "byline", day(2019, 3, 1)),
        ("By Jane Doe, Mar. 1st 2019 at 5:30 pm UTC", "byline", datetime(2019, 3, 1, 17, 30, tzinfo=UTC)),
        ("Updated: 3 March 2019 10:30 GMT", "updated", datetime(2019, 3, 3, 10, 30, tzinfo=UTC)),
        ("SEOUL, March 8 (Reuters) - North Korea said", "dateline", None),
        ("NEW YORK, March 1, 2019 /PRNewswire/ -- A company", "dateline", day(2019, 3, 1)),
        ("Friday, March 29, 2024", "bare", day(2024, 3, 29)),
        ("01.03.2019", "bare", day(2019, 3, 1)),
        ("The photos show cars on February 22, said NPR", None, None),
        ("By Kim Tong-hyung, Associated Press", None, None),
        ("March 2019", None, None),
        ("February 30, 2019", None, None),
    ],
)
def test_line_date(line, kind, when):
    found = line_date(line)
    if kind is None:
        assert found is None
    else:
        assert found.kind == kind and found.match.when == when


def test_find_date_keeps_partial_dates_partial():
    found = find_date("on August 23 the storm")
    assert (found.year, found.month, found.day, found.when) == (None, 8, 23, None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/news/2019/03/05/story.html", day(2019, 3, 5)),
        ("https://a.example/2019-03-05-story", day(2019, 3, 5)),
        ("https://a.example/archive/20190305/story", day(2019, 3, 5)),
        ("https://a.example/2019/03/story", None),  # a month is not a date
        ("https://a.example/story?date=2019-03-05", None),  # only the path counts
        ("https://2019-03-05.a.example/story", None),
        ("https://a.example/2019/13/40/story", None),
        ("https://a.example/id/1234567890", None),
        (None, None),
    ],
)
def test_date_from_url(url, expected):
    assert date_from_url(url) == expected


def test_normalise_url():
    assert (
        normalise_url("HTTPS://WWW.Example.COM:443/a/b?utm_source=x&b=2&a=1&fbclid=z#frag")
        == "https://www.example.com/a/b?a=1&b=2"
    )
    assert normalise_url("http://example.com") == "http://example.com/"
    assert normalise_url("http://example.com:8080/x") == "http://example.com:8080/x"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x", "http://", "//host/x", "data:text/html,hi"])
def test_check_http_url_refuses(url):
    with pytest.raises(InvalidInput):
        check_http_url(url)


@pytest.mark.parametrize(
    ("text", "keywords", "expected"),
    [
        ("Activity at the Sohae site", ["launch", "Sohae", "ICBM"], ("Sohae",)),
        ("Sohaeville elects a mayor", ["Sohae"], ()),
        ("a new icbm test; LAUNCH soon", ["launch", "ICBM"], ("launch", "ICBM")),
        ("relaunched the rocket", ["launch"], ()),
        ("the space   launch window", ["space launch"], ("space launch",)),
        ("the space launcher", ["space launch"], ()),
        ("C++ and C# news", ["C++", "C#", "C"], ("C++", "C#", "C")),
        ("KIM JONG UN visits", ["kim jong un"], ("kim jong un",)),
        ("Äpfel und Straße", ["straße", "äpfel"], ("straße", "äpfel")),
        ("nothing here", [], ()),
    ],
)
def test_keyword_matching_is_whole_word_and_case_insensitive(text, keywords, expected):
    assert match_keywords(text, keywords) == expected


def test_matcher_checks_title_and_text():
    m = KeywordMatcher(["ICBM", "Sohae"])
    assert m.matches("Analysts weigh risk of new ICBM test", "Work resumed at Sohae") == ("ICBM", "Sohae")


def test_parse_keywords():
    assert parse_keywords("launch, Sohae,ICBM ,, launch , sohae") == ("launch", "Sohae", "ICBM")
    assert parse_keywords(None) == () and parse_keywords("") == ()
    assert parse_keywords(["a b", " c "]) == ("a b", "c")
    with pytest.raises(InvalidInput):
        parse_keywords("launch, ***")


@given(st.text(min_size=1, max_size=20).filter(lambda s: s.strip()), st.text(max_size=60))
def test_a_keyword_is_found_when_surrounded_by_spaces(word, noise):
    if not any(c.isalnum() for c in word):
        return
    kw = " ".join(word.split())
    assert match_keywords(f"{noise} {kw} {noise}", [kw]) == (kw,)
