"""The entry points: a URL, a saved file (HTML or text), pasted text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecast.core.errors import ForecastError, InvalidInput
from forecast.core.model import DateSource
from forecast.ingest.sources import from_bytes, from_file, from_text, from_url
from tests.ingest.conftest import RETRIEVED


def test_from_url_html(web):
    d = from_url(web.url("/news/2019/03/05/url_date_article.html"), retrieved_at=RETRIEVED)
    assert d.title == "Observatory confirms new comet will pass close to Earth"
    assert (d.published_at, d.published_source) == (datetime(2019, 3, 5, tzinfo=UTC), DateSource.URL)
    assert d.url == web.url("/news/2019/03/05/url_date_article.html")


def test_from_url_follows_redirects_and_records_the_final_url(web):
    d = from_url(web.url("/redirect/3"), retrieved_at=RETRIEVED)
    assert d.url == web.url("/pages/og_article.html")
    assert d.canonical_url.startswith("https://www.coastal-ledger.example/")


def test_from_url_plain_text_page_uses_the_text_rules(web):
    d = from_url(web.url("/text/scraped_byline.txt"), retrieved_at=RETRIEVED)
    assert d.title == "Central bank raises rates for the third time this year"
    assert d.published_source == DateSource.BYLINE


def test_from_url_failure_is_one_line(web):
    with pytest.raises(ForecastError, match=r"answered HTTP 404 Not Found$"):
        from_url(web.url("/status/404"))


def test_from_file_tells_html_from_text(tmp_path, fixture_bytes):
    page = tmp_path / "saved.html"
    page.write_bytes(fixture_bytes("jsonld_article.html"))
    assert from_file(page, retrieved_at=RETRIEVED).published_source == DateSource.META
    sniffed = tmp_path / "saved-without-suffix"
    sniffed.write_bytes(fixture_bytes("jsonld_article.html"))
    assert from_file(sniffed, retrieved_at=RETRIEVED).outlet == "Prairie Wire"
    text = tmp_path / "article.txt"
    text.write_bytes(fixture_bytes("scraped_header_today.txt"))
    d = from_file(text, retrieved_at=RETRIEVED)
    assert d.title == "Drought forces hydro plant to halve output: ministry" and d.published_at is None


def test_from_file_reads_windows_1252_and_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeffCaf\u00e9 owners protest new rules\n\nOwners of caf\u00e9s said the new rules were unfair to them.".encode())
    assert from_file(p).title == "Café owners protest new rules"
    p.write_bytes("Caf\u00e9 owners protest new rules\n\nOwners said the new rules were unfair.".encode("cp1252"))
    assert from_file(p).title == "Café owners protest new rules"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"  \n ", "is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "is binary"), (b"%PDF-1.7\n", "is binary")],
)
def test_from_file_refuses(tmp_path, content, message):
    p = tmp_path / "x.txt"
    p.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        from_file(p)


def test_from_file_missing_directory_and_oversize(tmp_path):
    with pytest.raises(InvalidInput, match="no such file"):
        from_file(tmp_path / "nope.txt")
    with pytest.raises(InvalidInput, match="is a directory"):
        from_file(tmp_path)
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(11 * 1024 * 1024)
    with pytest.raises(InvalidInput, match="larger than 10 MB"):
        from_file(big)


def test_from_text_and_bytes():
    with pytest.raises(InvalidInput, match="the text is empty"):
        from_text("   ")
    d = from_bytes(b"<p>Ministers agreed a new budget on Monday after weeks of talks.</p>", name="x.html")
    assert d.text == "Ministers agreed a new budget on Monday after weeks of talks."
