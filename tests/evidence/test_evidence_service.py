"""Evidence through the services on SQLite and PostgreSQL: de-duplication, links, inbox, edits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from forecast.core.errors import ForecastError, InvalidInput, NotFound
from forecast.services import evidence as ev
from forecast.services.evidence_query import inbox_items, list_evidence, show_evidence
from forecast.services.forecasts import ForecastRequest, history, record_forecast
from forecast.store.tables import Evidence, EvidenceLink
from tests.evidence.conftest import NOW
from tests.ingest.webserver import FIXTURES


def count(session, table: str) -> int:
    return session.exec(text(f"SELECT count(*) FROM {table}")).one()[0]


def test_add_text_links_and_reports_the_missing_date(session, questions, fixture_text):
    r = ev.add_from_text(session, fixture_text("scraped_header_today.txt"), link=ev.LinkSpec("nk", "yes", "dam"), now=NOW)
    assert r.created and r.linked and r.question == "nk"
    assert r.evidence.published_at is None and r.evidence.published_source is None
    assert "no publication date found; set it with --published" in r.notes
    assert r.evidence.key.startswith("ev-") and r.evidence.retrieved_at == NOW
    link = session.get(EvidenceLink, (r.evidence.id, 1))
    assert (link.stance, link.note) == ("yes", "dam")


def test_the_users_date_wins_and_is_marked_user(session, questions, fixture_text):
    when = datetime(2019, 3, 1, tzinfo=UTC)
    r = ev.add_from_text(session, fixture_text("scraped_header_today.txt"), published=when, now=NOW)
    assert (r.evidence.published_at, r.evidence.published_source) == (when, "user")
    assert not any("no publication date" in n for n in r.notes)


def test_same_text_again_reuses_the_record_and_only_adds_the_link(session, questions, fixture_text):
    raw = fixture_text("scraped_byline.txt")
    first = ev.add_from_text(session, raw, link=ev.LinkSpec("nk", "no"), now=NOW)
    again = ev.add_from_text(session, raw.replace("\n\n", "\n\n\n"), link=ev.LinkSpec("wheat"), now=NOW)
    assert not again.created and again.linked and again.evidence.id == first.evidence.id
    same = ev.add_from_text(session, raw, link=ev.LinkSpec("nk"), now=NOW)
    assert not same.created and not same.linked
    assert session.get(EvidenceLink, (first.evidence.id, 1)).stance == "no"  # no stance given: unchanged
    assert count(session, "evidence") == 1 and count(session, "evidence_link") == 2


def test_same_url_again_does_not_fetch(database, stored_questions, web):
    url = web.url("/news/2019/03/05/url_date_article.html")
    first = ev.add_evidence(database, "url", url, link=ev.LinkSpec("nk"), now=NOW)
    assert first.created and first.evidence.published_source == "url"
    hits = len(web.hits("/news/2019/03/05/url_date_article.html"))
    again = ev.add_evidence(database, "url", url + "?utm_source=newsletter", link=ev.LinkSpec("wheat"), now=NOW)
    assert not again.created and again.linked and again.evidence.id == first.evidence.id
    assert len(web.hits("/news/2019/03/05/url_date_article.html")) == hits


def test_same_canonical_url_from_a_saved_page_is_the_same_record(database, stored_questions, web, tmp_path):
    fetched = ev.add_evidence(database, "url", web.url("/pages/og_article.html"), now=NOW)
    saved = tmp_path / "page.html"
    saved.write_bytes((FIXTURES / "og_article.html").read_bytes())
    again = ev.add_evidence(database, "file", str(saved), link=ev.LinkSpec("nk"), now=NOW)
    assert not again.created and again.evidence.id == fetched.evidence.id
    assert fetched.evidence.canonical_url.startswith("https://www.coastal-ledger.example/")


@pytest.mark.parametrize(
    ("source", "body", "link", "message"),
    [
        ("url", "/status/404", None, "HTTP 404"),
        ("url", "/binary", None, "image/png"),
        ("url", "ftp://x.example/a", None, "only http and https"),
        ("text", "  \n", None, "the text is empty"),
        ("url", "/pages/og_article.html", ev.LinkSpec("nope"), "no question 'nope'"),
        ("text", "Some text here.", ev.LinkSpec("nk", "maybe"), "stance 'maybe'"),
    ],
)
def test_failures_store_nothing(database, stored_questions, web, source, body, link, message):
    before = len(web.requests)
    with pytest.raises(ForecastError, match=message):
        ev.add_evidence(database, source, web.url(body) if body.startswith("/") else body, link=link, now=NOW)
    with database.session() as session:
        assert count(session, "evidence") == 0 and count(session, "evidence_link") == 0
    if "question" in message:
        assert len(web.requests) == before  # the question is checked before fetching


def test_link_unlink_edit(session, questions, fixture_text):
    e = ev.add_from_text(session, fixture_text("scraped_dateline_year.txt"), now=NOW).evidence
    assert e.published_source == "byline"
    assert ev.link_evidence(session, e.key, "nk", stance="yes", note="copper", now=NOW) is True
    assert ev.link_evidence(session, e.id, "nk", stance="no", now=NOW) is False
    rows = list_evidence(session, "nk")
    assert [(r.id, r.stance, r.note) for r in rows] == [(e.id, "no", "copper")]
    ev.unlink_evidence(session, e.id, "nk")
    assert list_evidence(session, "nk") == []
    with pytest.raises(NotFound, match="not linked"):
        ev.unlink_evidence(session, e.id, "nk")
    edited = ev.edit_evidence(session, e.id, title="Copper at a two-year high", published=None, outlet="Wire")
    assert (edited.title, edited.published_at, edited.published_source, edited.outlet) == (
        "Copper at a two-year high", None, None, "Wire")
    edited = ev.edit_evidence(session, e.id, published=datetime(2021, 5, 14, 9, tzinfo=UTC))
    assert edited.published_source == "user"
    with pytest.raises(InvalidInput):
        ev.edit_evidence(session, e.id, title="  ")
    with pytest.raises(NotFound, match="no evidence 'ev-nope'"):
        ev.link_evidence(session, "ev-nope", "nk")


def test_predict_with_evidence_and_history_lists_it(session, questions, fixture_text):
    e = ev.add_from_text(session, fixture_text("scraped_byline.txt"), link=ev.LinkSpec("nk", "yes"), now=NOW).evidence
    record_forecast(session, ForecastRequest("nk", 0.4, "alice", at=datetime(2019, 3, 10, tzinfo=UTC),
                                             evidence=(e.key,)), now=NOW)  # fmt: skip
    record_forecast(session, ForecastRequest("nk", 0.5, "alice", at=datetime(2019, 3, 11, tzinfo=UTC),
                                             evidence=(str(e.id),)), now=NOW)  # fmt: skip
    rows = history(session, "nk")
    assert [r.evidence[0].key for r in rows] == [e.key, e.key]
    shown = show_evidence(session, e.id)
    assert [f.probability for f in shown.forecasts] == [0.4, 0.5]
    assert shown.links[0].question == "nk" and shown.text.startswith("The central bank raised")


def test_inbox_link_and_dismiss(session, questions, fixture_text):
    a = ev.add_from_text(session, fixture_text("scraped_byline.txt"), now=NOW).evidence
    b = ev.add_from_text(session, fixture_text("scraped_dateline.txt"), now=NOW).evidence
    for row in (a, b):
        row.inbox = True
        session.add(row)
    session.flush()
    assert {i.id for i in inbox_items(session)} == {a.id, b.id}
    ev.link_evidence(session, a.id, "nk", stance="yes", now=NOW)
    ev.dismiss_evidence(session, b.id)
    assert inbox_items(session) == []
    assert session.get(Evidence, b.id).dismissed
    assert [r.id for r in list_evidence(session)] == [a.id]
    assert {r.id for r in list_evidence(session, include_dismissed=True)} == {a.id, b.id}
    # Adding a dismissed article again by hand brings it back.
    again = ev.add_from_text(session, fixture_text("scraped_dateline.txt"), now=NOW)
    assert again.evidence.id == b.id and not again.evidence.dismissed
