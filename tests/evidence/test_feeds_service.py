"""Feeds through the services on SQLite and PostgreSQL: add, poll into the inbox, never twice, proposals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from forecast.core.errors import Conflict, ForecastError, NotFound
from forecast.services import evidence as ev
from forecast.services import feeds as service
from forecast.services.evidence_query import inbox_items, show_evidence
from forecast.store.feed_tables import Feed
from tests.evidence.conftest import NOW

KEYWORDS = "launch, Sohae, ICBM"


def count(session, table: str, where: str = "") -> int:
    return session.exec(text(f"SELECT count(*) FROM {table} {where}")).one()[0]


def rss_item(guid: str, title: str, body: str, link: str) -> str:
    return (f"<item><title>{title}</title><guid>{guid}</guid><link>{link}</link>"
            f"<pubDate>Fri, 08 Mar 2019 07:15:00 GMT</pubDate><description>{body}</description></item>")  # fmt: skip


def rss(*items: str) -> bytes:
    return ("<?xml version='1.0'?><rss version='2.0'><channel><title>Custom</title>" + "".join(items)
            + "</channel></rss>").encode()  # fmt: skip


def test_add_checks_the_feed_and_refuses_duplicates(session, questions, web):
    feed = service.add_feed(session, web.url("/feeds/rss.xml"), question="nk", keywords=KEYWORDS, now=NOW)
    data = service.feed_fields(session, feed)
    assert data["title"] == "Harbour & Coast News" and data["question"] == "nk"
    assert data["keywords"] == ["launch", "Sohae", "ICBM"] and data["last_polled_at"] is None
    assert feed.etag is None  # the first poll must fetch everything
    with pytest.raises(Conflict, match="already added"):
        service.add_feed(session, web.url("/feeds/rss.xml"), now=NOW)


@pytest.mark.parametrize(
    ("path", "kwargs", "error", "message"),
    [
        ("/feeds/not_a_feed.html", {}, ForecastError, "is not an RSS or Atom feed"),
        ("/feeds/malformed.xml", {}, ForecastError, "not well-formed"),
        ("/status/500", {}, ForecastError, "HTTP 500"),
        ("/feeds/rss.xml", {"question": "nope"}, NotFound, "no question 'nope'"),
        ("/feeds/rss.xml", {"keywords": "launch, !!"}, ForecastError, "keyword"),
    ],
)
def test_bad_feeds_store_nothing(session, questions, web, path, kwargs, error, message):
    with pytest.raises(error, match=message):
        service.add_feed(session, web.url(path), now=NOW, **kwargs)
    assert count(session, "feed") == 0


def test_poll_stores_matching_items_proposes_links_and_never_duplicates(session, questions, web):
    feed = service.add_feed(session, web.url("/feeds/rss.xml"), question="nk", keywords=KEYWORDS, now=NOW)
    report = service.poll_feeds(session, now=NOW)
    outcome = report.feeds[0]
    assert (outcome.status, outcome.new, outcome.skipped) == ("ok", 2, 2)  # ferry and Sohaeville do not match
    assert [i.title for i in report.new] == ["Satellite images show new activity at Sohae launch site",
                                             "Analysts weigh risk of new ICBM test"]  # fmt: skip
    assert report.new[0].proposals == [{"question": "nk", "keywords": ["launch", "Sohae"]}]
    assert report.new[1].proposals == [{"question": "nk", "keywords": ["ICBM"]}]
    assert count(session, "evidence", "WHERE inbox") == 2 and count(session, "feed_item") == 4

    inbox = inbox_items(session)
    assert {i.title for i in inbox} == {n.title for n in report.new}
    assert all(i.feed == feed.url and i.proposals[0].state == "open" for i in inbox)
    first = next(i for i in inbox if "Sohae" in i.title)
    assert first.published_source == "meta" and first.published_at == datetime(2019, 3, 6, 0, 30, tzinfo=UTC)

    # The server answers 304 to the conditional request: nothing new, nothing fetched twice.
    again = service.poll_feeds(session, now=NOW + timedelta(hours=1))
    assert again.feeds[0].status == "not modified" and again.new == []
    assert web.hits("/feeds/rss.xml")[-1]["if-none-match"] == '"rss.xml-v1"'
    assert count(session, "evidence") == 2 and count(session, "link_proposal") == 2
    assert session.get(Feed, feed.id).last_polled_at == NOW + timedelta(hours=1)


def test_repeated_polls_without_conditional_support_never_duplicate(session, questions, web):
    path = f"/custom/{id(session)}.xml"
    one = rss_item("a", "ICBM test feared", "Analysts fear an ICBM test.", "https://n.example/a")
    web.overrides[path] = ("application/rss+xml", rss(one))
    try:
        service.add_feed(session, web.url(path), question="nk", now=NOW)
        assert len(service.poll_feeds(session, now=NOW).new) == 1
        assert service.poll_feeds(session, now=NOW).new == []  # same entry id
        moved = rss_item("a-2", "ICBM test feared", "Analysts fear an ICBM test.", "https://n.example/a")
        fresh = rss_item("b", "Launch window opens", "A launch window opens next week.", "https://n.example/b")
        web.overrides[path] = ("application/rss+xml", rss(moved, fresh))  # a new id for the same URL, and a new item
        report = service.poll_feeds(session, now=NOW)
        assert [i.title for i in report.new] == ["Launch window opens"]
        rehashed = rss_item("c", "Other title", "A launch window opens next week.", "https://n.example/c")
        web.overrides[path] = ("application/rss+xml", rss(rehashed))  # same text under a new id and URL
        assert service.poll_feeds(session, now=NOW).new == []
        assert count(session, "evidence") == 2
    finally:
        web.overrides.pop(path, None)


def test_an_article_in_two_feeds_is_one_record_proposed_to_each_matching_question(session, questions, web):
    service.add_feed(session, web.url("/feeds/rss.xml"), question="nk", keywords=KEYWORDS, now=NOW)
    path = f"/custom/general-{id(session)}.xml"
    same = rss_item("elsewhere-1", "Sohae launch site busy", "Work resumed at the Sohae site.",
                    "https://coast.example/news/2019/03/06/sohae-activity.html")
    crop = rss_item("elsewhere-2", "Wheat crop suffers", "Dry weather hurt the wheat crop.", "https://w.example/1")
    web.overrides[path] = ("application/rss+xml", rss(same, crop))
    try:
        general = service.add_feed(session, web.url(path), now=NOW)  # no question, no keywords: keeps everything
        service.add_feed(session, web.url("/feeds/atom.xml"), question="wheat", keywords="wheat", now=NOW)
        report = service.poll_feeds(session, now=NOW)
    finally:
        web.overrides.pop(path, None)
    by_feed = {f.url: f for f in report.feeds}
    assert (by_feed[general.url].new, by_feed[general.url].known) == (1, 1)  # the Sohae article was stored already
    wheat_items = [i for i in report.new if any(p["question"] == "wheat" for p in i.proposals)]
    # The general feed's crop story matches the wheat feed's keyword; the Atom wheat story is proposed too.
    assert {i.title for i in wheat_items} == {"Wheat crop suffers", "Wheat harvest forecast cut after dry spring"}
    sohae = show_evidence(session, next(i.evidence_id for i in report.new if "Sohae" in i.title and not i.reused))
    assert sohae.url == "https://coast.example/news/2019/03/06/sohae-activity.html"
    assert count(session, "evidence", "WHERE url = 'https://coast.example/news/2019/03/06/sohae-activity.html'") == 1


def test_failing_feed_is_reported_and_the_others_still_poll(session, questions, web):
    path = f"/custom/flaky-{id(session)}.xml"
    web.overrides[path] = ("application/rss+xml", rss(rss_item("x", "ICBM", "ICBM news.", "https://f.example/x")))
    try:
        flaky = service.add_feed(session, web.url(path), now=NOW)
    finally:
        web.overrides.pop(path, None)  # now the path answers 404
    service.add_feed(session, web.url("/feeds/atom.xml"), now=NOW)
    report = service.poll_feeds(session, now=NOW)
    assert report.errors == [{"feed": flaky.url, "error": f"{flaky.url} answered HTTP 404 Not Found"}]
    assert sum(f.new for f in report.feeds) == 2
    assert session.get(Feed, flaky.id).last_error.endswith("HTTP 404 Not Found")


def test_inbox_flow_link_accepts_and_dismiss_declines(session, questions, web):
    service.add_feed(session, web.url("/feeds/rss.xml"), question="nk", keywords=KEYWORDS, now=NOW)
    new = service.poll_feeds(session, now=NOW).new
    ev.link_evidence(session, new[0].evidence_id, "nk", stance="yes", now=NOW)
    ev.dismiss_evidence(session, new[1].evidence_id)
    assert inbox_items(session) == []
    states = dict(session.exec(text("SELECT evidence_id, state FROM link_proposal")).all())
    assert states == {new[0].evidence_id: "accepted", new[1].evidence_id: "dismissed"}
    with pytest.raises(NotFound, match="no open proposal"):
        ev.dismiss_evidence(session, new[0].evidence_id, "nk")


def test_remove_feed_keeps_its_evidence(session, questions, web):
    feed = service.add_feed(session, web.url("/feeds/rss.xml"), question="nk", keywords=KEYWORDS, now=NOW)
    service.poll_feeds(session, now=NOW)
    service.remove_feed(session, feed.url)
    assert count(session, "feed") == 0 and count(session, "feed_item") == 0
    assert count(session, "evidence") == 2
    with pytest.raises(NotFound):
        service.remove_feed(session, feed.id)


def test_poll_all_is_what_the_scheduled_check_calls(database, web):
    assert service.poll_all(database, now=NOW) is None  # no feeds
    path = f"/gen-feed/{id(database) % 1000}"
    with database.session() as session:
        service.add_feed(session, web.url(path), now=NOW)
    out = service.poll_all(database, now=NOW)
    assert out["feeds"] == 1 and len(out["new"]) == 50 and out["errors"] == []
    assert {"key", "title", "url", "question"} <= set(out["new"][0])
    assert service.poll_all(database, now=NOW)["new"] == []
