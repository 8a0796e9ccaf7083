"""Scraped text: furniture goes, every body paragraph stays intact and in order, and dates are honest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.core.model import DateSource
from forecast.ingest.draft import NO_DATE_NOTE
from forecast.core.text import clean_text
from forecast.ingest.text_article import extract_text
from tests.ingest.conftest import RETRIEVED

# Body paragraphs of each fixture, by their first words; the test takes the full lines from the fixture.
BODY = {
    "scraped_header_today.txt": ["The country's largest", "The ministry said", "Officials said imports", "“If we do not",
                                 "Households have been", "Farmers downstream"],
    "scraped_byline.txt": ["The central bank raised", "The decision was", "Governor Luis", "Mortgage lenders",
                           "He declined", "Business groups"],
    "scraped_dateline.txt": ["SEOUL, August 23", "More than 2,000", "Forecasters said"],
    "scraped_dateline_year.txt": ["LONDON, May 14", "Benchmark copper", "Analysts said"],
    "scraped_question_headline.txt": ["Ten years after", "Supporters say", "Critics point out"],
    "scraped_date_under_headline.txt": ["Volunteers counted", "The conservation group", "Hatchlings are"],
    "scraped_relative_date.txt": ["The central bank has held", "The decision comes", "Governor Anders Bell"],
    "scraped_two_dates.txt": ["The supreme court on Tuesday", "Lawyers for the campaign"],
}  # fmt: skip


def body_lines(text: str, prefixes: list[str]) -> list[str]:
    lines = [ln.strip() for ln in text.splitlines()]
    return [next(ln for ln in lines if ln.startswith(p)) for p in prefixes]


@pytest.mark.parametrize("name", sorted(BODY))
def test_keeps_every_body_paragraph_intact_and_in_order(name, fixture_text):
    raw = fixture_text(name)
    draft = extract_text(raw, retrieved_at=RETRIEVED)
    assert draft.text.split("\n\n") == body_lines(raw, BODY[name])


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("scraped_header_today.txt", "Drought forces hydro plant to halve output: ministry"),
        ("scraped_byline.txt", "Central bank raises rates for the third time this year"),
        ("scraped_dateline.txt", "Typhoon closes ports as it nears southern coast"),
        ("scraped_question_headline.txt", "Will the new canal ever pay for itself?"),
        ("scraped_date_under_headline.txt", "Volunteers count record number of nesting turtles"),
        ("scraped_relative_date.txt", "Central bank holds interest rates at 5.25%"),
        ("scraped_two_dates.txt", "Court ruling leaves campaign in limbo"),
    ],
)
def test_picks_the_headline(name, title, fixture_text):
    assert extract_text(fixture_text(name), retrieved_at=RETRIEVED).title == title


@pytest.mark.parametrize(
    "furniture",
    ["22.1 C", "Kingsport", "spot_img", "Must read", "Advertisement", "Latest article", "Ferry operator adds",
     "Council approves", "Skip to content", "Home | World", "Subscribe", "Sign in", "Share on", "[Image]",
     "Story continues", "Share this article", "Facebook Twitter", "Read more:", "©", "Menu", "Tags", "Updated 13",
     "2 hours ago", "Economics editor", "Inflation falls", "more than 5 years old", "Last modified", "Reuse this"],
)  # fmt: skip
def test_furniture_is_gone(furniture, fixture_text):
    for name in BODY:
        assert furniture not in extract_text(fixture_text(name), retrieved_at=RETRIEVED).text


def test_a_page_header_today_date_is_not_a_publication_date(fixture_text):
    draft = extract_text(fixture_text("scraped_header_today.txt"), retrieved_at=RETRIEVED)
    assert draft.published_at is None and draft.published_source is None
    assert NO_DATE_NOTE in draft.notes
    assert any("Friday, March 29, 2024" in n and "day the page was viewed" in n for n in draft.notes)


@pytest.mark.parametrize(
    ("name", "when", "author"),
    [
        ("scraped_byline.txt", datetime(2019, 3, 1, tzinfo=UTC), "Maria Ortega"),
        ("scraped_dateline_year.txt", datetime(2021, 5, 14, tzinfo=UTC), ""),
        ("scraped_question_headline.txt", datetime(2022, 1, 12, tzinfo=UTC), ""),
        ("scraped_date_under_headline.txt", datetime(2018, 6, 30, tzinfo=UTC), ""),
        # The published date and time under the headline, not the "Last modified" line after it.
        ("scraped_two_dates.txt", datetime(2019, 3, 5, 18, 4, tzinfo=UTC), ""),
    ],
)
def test_byline_and_dateline_dates(name, when, author, fixture_text):
    draft = extract_text(fixture_text(name), retrieved_at=RETRIEVED)
    assert (draft.published_at, draft.published_source, draft.author) == (when, DateSource.BYLINE, author)
    assert NO_DATE_NOTE not in draft.notes


def test_a_date_under_the_headline_counts_but_the_header_date_above_it_does_not(fixture_text):
    draft = extract_text(fixture_text("scraped_date_under_headline.txt"), retrieved_at=RETRIEVED)
    assert draft.published_at == datetime(2018, 6, 30, tzinfo=UTC)
    assert any("Thursday, 4 July 2024" in n for n in draft.notes)


def test_a_relative_date_is_not_turned_into_a_date(fixture_text):
    draft = extract_text(fixture_text("scraped_relative_date.txt"), retrieved_at=RETRIEVED)
    assert draft.published_at is None
    assert any("relative date ('2 hours ago')" in n for n in draft.notes)


def test_a_dateline_without_a_year_is_not_guessed(fixture_text):
    draft = extract_text(fixture_text("scraped_dateline.txt"), retrieved_at=RETRIEVED)
    assert draft.published_at is None
    assert any("'August 23' without a year" in n for n in draft.notes)


def test_a_date_in_the_url_path_is_used_when_the_text_has_none(fixture_text):
    url = "https://news.example/energy/2019/03/02/hydro-output.html?utm_source=x"
    draft = extract_text(fixture_text("scraped_header_today.txt"), url=url, retrieved_at=RETRIEVED)
    assert (draft.published_at, draft.published_source) == (datetime(2019, 3, 2, tzinfo=UTC), DateSource.URL)
    assert draft.canonical_url == "https://news.example/energy/2019/03/02/hydro-output.html"
    assert draft.outlet == "news.example"


def test_future_dates_are_refused():
    raw = "Headline about the thing\nPublished March 1, 2030\n\nThe body of the article says something useful here."
    draft = extract_text(raw, retrieved_at=RETRIEVED)
    assert draft.published_at is None
    assert any("not a plausible publication date" in n for n in draft.notes)


def test_control_characters_and_escapes_are_stripped(fixture_text):
    draft = extract_text(fixture_text("scraped_control_chars.txt"), retrieved_at=RETRIEVED)
    assert draft.title == "Red alert: markets fall sharply after surprise announcement"
    assert "\x1b" not in draft.text and "\x00" not in draft.text and "pwned" not in draft.text
    assert draft.text.startswith("Traders sold shares across the board")


def test_hard_wrapped_paragraphs_are_rejoined():
    raw = (
        "Bridge reopens after repairs\n\n"
        "The old river bridge reopened to traffic on Monday after eight months of\n"
        "repairs that cost far more than the council had planned.\n\n"
        "Cyclists will have a separate lane for the first time."
    )
    draft = extract_text(raw, retrieved_at=RETRIEVED)
    assert draft.text.split("\n\n")[0].endswith("months of repairs that cost far more than the council had planned.")


def test_a_title_given_by_the_user_wins(fixture_text):
    assert extract_text(fixture_text("scraped_byline.txt"), title="Mine", retrieved_at=RETRIEVED).title == "Mine"


def test_text_without_headline_says_so():
    draft = extract_text("Rates went up today. Borrowers will pay more from next month.", retrieved_at=RETRIEVED)
    assert draft.title.startswith("Rates went up today.")
    assert any("no headline found" in n for n in draft.notes)


def test_a_single_line_is_kept():
    draft = extract_text("Quick note on the launch", retrieved_at=RETRIEVED)
    assert draft.text == "Quick note on the launch"


@pytest.mark.parametrize(
    ("raw", "message"),
    [("", "the text is empty"), ("  \n\t\n", "the text is empty"), ("\x1b[2J\x00", "the text is empty"),
     ("- Advertisement -\nspot_img\nShare this article\n", "only site furniture")],
)  # fmt: skip
def test_empty_or_furniture_only_text_is_refused(raw, message):
    with pytest.raises(InvalidInput, match=message):
        extract_text(raw)


def test_content_hash_ignores_white_space_differences(fixture_text):
    raw = fixture_text("scraped_byline.txt")
    a = extract_text(raw, retrieved_at=RETRIEVED)
    b = extract_text(raw.replace("\n\n", "\n\n\n").replace(" the ", "  the "), retrieved_at=RETRIEVED)
    assert a.content_hash == b.content_hash and len(a.content_hash) == 64


paragraph = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=80)


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=12))
def test_output_paragraphs_come_from_the_input_in_order(paras):
    raw = "\n\n".join(paras)
    try:
        draft = extract_text(raw, retrieved_at=RETRIEVED)
    except InvalidInput:
        return
    # Each output paragraph is input text (hard-wrapped lines may be rejoined), never rewritten or reordered.
    flat = " ".join(clean_text(raw).split())
    pos = 0
    for out in draft.text.split("\n\n"):
        found = flat.find(" ".join(out.split()), pos)
        assert found >= 0
        pos = found
    assert draft.title and "\n" not in draft.title
