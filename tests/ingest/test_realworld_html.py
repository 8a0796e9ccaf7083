"""Saved pages from trafilatura's and htmldate's evaluation sets (tests/fixtures/realworld/html, see
LICENSES.md): the <h1> over a generic page title, a date printed on the page when the metadata has none,
and furniture trafilatura leaves in. The answers are the corpora's own annotations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from forecast.core.model import DateSource
from forecast.ingest.html_article import extract_html

HTML = Path(__file__).resolve().parents[1] / "fixtures" / "realworld" / "html"
RETRIEVED = datetime(2026, 1, 1, tzinfo=UTC)


def extract(name: str):
    return extract_html((HTML / name).read_bytes(), retrieved_at=RETRIEVED)


def test_date_printed_in_the_info_box_when_metadata_has_none():
    # DW prints "Date 23.05.2011" in a list under the article; the page has no date metadata.
    d = extract("dw.com-elephants.html")
    assert d.title == "La perte des terres fertiles et les éléphants en Guinée-Conakry"
    assert d.published_at.date() == date(2011, 5, 23) and d.published_source == DateSource.BYLINE


def test_date_printed_in_the_title():
    # <title>08.11.2021 | Online-Fachtag zum Intersex Day of Remembrance</title>, no date metadata.
    d = extract("regenbogenportal.de-intersex.html")
    assert d.published_at.date() == date(2021, 11, 8)
    assert d.title == "Online-Fachtag zum Intersex Day of Remembrance"


def test_the_pages_h1_beats_a_generic_title():
    # trafilatura's title is the section heading "Pressemitteilungen"; the article's <h1> is the headline.
    d = extract("leichtathletik-berlin.de-norddeutschland.html")
    assert d.title == "Norddeutschland findet seine Meister"
    assert d.published_at.date() == date(2022, 1, 31)


@pytest.mark.parametrize("furniture", ["Crédits photos : Bestimage", "Articles les plus lus"])
def test_drops_furniture_trafilatura_keeps(furniture):
    import trafilatura

    d = extract("gala.fr.surnom.html")
    assert furniture not in d.text
    assert d.published_at.date() == date(2019, 12, 9)
    assert "Jacques Chirac" in d.title
    if furniture.startswith("Crédits"):  # the reason this test exists: the bare library keeps it
        bare = trafilatura.bare_extraction((HTML / "gala.fr.surnom.html").read_bytes(), with_metadata=True)
        assert furniture in bare.text
