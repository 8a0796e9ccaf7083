"""The real `forecast evidence` and `forecast feeds` commands, as a user runs them (SQLite)."""

from __future__ import annotations

import pytest

from tests.cli_runner import run
from tests.ingest.webserver import FIXTURES


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "cli.db")
    r = run("q", "add", "Will North Korea launch an ICBM before 2030?", "--opens", "2019-01-01",
            "--closes", "2030-01-01", "--slug", "nk", db=path)  # fmt: skip
    assert r.code == 0, r.err
    return path


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def test_add_from_text_file_then_again_from_stdin(db):
    page = str(FIXTURES / "scraped_header_today.txt")
    r = run("evidence", "add", "nk", "--file", page, "--stance", "no", "--note", "power cuts", db=db)
    assert r.code == 0 and r.out.strip() == "1"
    assert "no publication date found; set it with --published" in r.err
    assert "Friday, March 29, 2024" in r.err  # says which header date it ignored
    again = run("evidence", "add", "--stdin", "--json", db=db, input=page and open(page, encoding="utf-8").read())
    assert again.code == 0
    data = again.json()
    assert data["id"] == 1 and data["created"] is False and data["published_at"] is None
    assert "already stored as [1]" in again.err
    listed = run("evidence", "list", "nk", "--json", db=db).json()
    assert [(e["id"], e["stance"], e["note"]) for e in listed] == [(1, "no", "power cuts")]


def test_add_from_url_with_json_and_the_forecast_that_cites_it(db, web):
    r = run("evidence", "add", "nk", "--url", web.url("/pages/og_article.html"), "--stance", "yes", "--json", db=db)
    assert r.code == 0, r.err
    data = r.json()
    assert data["published_at"] == "2021-06-14T06:30:00Z" and data["published_source"] == "meta"
    assert data["outlet"] == "The Coastal Ledger" and data["linked"] is True and data["retrieved_at"]
    assert "published 2021-06-14 (meta)" in r.err and "no publication date" not in r.err
    p = run("predict", "nk", "0.4", "--evidence", data["key"], "--at", "2021-06-15", db=db)
    assert p.code == 0, p.err
    history = run("forecasts", "nk", "--json", db=db).json()
    assert history[0]["evidence"][0]["key"] == data["key"]
    assert "Harbour authority delays" in run("forecasts", "nk", db=db).out
    shown = run("evidence", "show", str(data["id"]), "--json", db=db).json()
    assert shown["forecasts"][0]["probability"] == 0.4 and shown["links"][0]["stance"] == "yes"
    text = run("evidence", "show", data["key"], db=db).out
    assert "published 2021-06-14 (from meta)" in text and "The Port Merrin harbour authority" in text


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["--url", "/status/404"], None, 1, "answered HTTP 404 Not Found"),
        (["--url", "/binary"], None, 1, "is image/png, not a web page"),
        (["--url", "/big-declared"], None, 1, "larger than 10 MB"),
        (["--url", "/redirect/6"], None, 1, "redirects more than 5 times"),
        (["--stdin"], "", 1, "the text is empty"),
        (["--file", "/nonexistent/x.txt"], None, 1, "no such file"),
        ([], None, 2, "give exactly one of --url, --file or --stdin"),
        (["--stdin", "--url", "/x"], "", 2, "give exactly one of"),
        (["--stdin", "--stance", "maybe"], "text", 2, "stance 'maybe'"),
        (["--stdin", "--published", "someday"], "text", 2, "cannot read date"),
    ],
)
def test_failures_are_one_line_and_store_nothing(db, web, args, stdin, code, message):
    args = [web.url(a) if a.startswith("/") and not a.startswith("/nonexistent") else a for a in args]
    r = run("evidence", "add", "nk", *args, db=db, input=stdin)
    assert r.code == code
    err = lines(r.err)
    assert len(err) == 1 and err[0].startswith("forecast: ") and message in err[0]
    assert r.out == ""
    assert run("evidence", "list", "--json", db=db).json() == []


def test_untrusted_text_is_printed_as_plain_text(db):
    raw = "[bold red]Alert[/] \x1b[31mMarkets fall\x1b[0m\n\nShares fell sharply on Monday after the [link=x]announcement[/link] of a new tax."
    assert run("evidence", "add", "--stdin", db=db, input=raw).code == 0
    out = run("evidence", "list", db=db).out + run("evidence", "show", "1", db=db).out
    assert "\x1b" not in out and "[bold red]Alert[/]" in out and "[link=x]announcement[/link]" in out


def test_edit_search_link_unlink(db):
    run("evidence", "add", "--file", str(FIXTURES / "scraped_byline.txt"), db=db)
    r = run("evidence", "edit", "1", "--published", "2019-03-02", "--outlet", "Daily Example", "--json", db=db)
    assert r.code == 0 and r.json()["published_source"] == "user" and r.json()["outlet"] == "Daily Example"
    found = run("evidence", "search", "mortgage lenders", "--json", db=db).json()
    assert found[0]["id"] == 1 and "«Mortgage» «lenders»" in found[0]["snippet"]
    assert "«Mortgage» «lenders»" in run("evidence", "search", "mortgage lenders", db=db).out
    assert run("evidence", "search", "zeppelin", db=db).err.strip() == "no evidence matches 'zeppelin'"
    assert run("evidence", "link", "1", "nk", "--stance", "no", db=db).code == 0
    assert run("evidence", "list", "nk", "--json", db=db).json()[0]["stance"] == "no"
    assert run("evidence", "unlink", "1", "nk", db=db).code == 0
    r = run("evidence", "unlink", "1", "nk", db=db)
    assert r.code == 1 and "is not linked to nk" in r.err
    assert run("evidence", "edit", "1", db=db).code == 2


def test_feeds_inbox_flow(db, web):
    r = run("feeds", "add", web.url("/feeds/rss.xml"), "--question", "nk", "--keywords", "launch, Sohae, ICBM", db=db)
    assert r.code == 0 and r.out.strip() == "1", r.err
    bad = run("feeds", "add", web.url("/feeds/not_a_feed.html"), db=db)
    assert bad.code == 1 and "is not an RSS or Atom feed" in bad.err
    assert [f["url"] for f in run("feeds", "list", "--json", db=db).json()] == [web.url("/feeds/rss.xml")]
    polled = run("feeds", "poll", "--json", db=db).json()
    assert [len(polled["new"]), polled["proposals"], polled["errors"]] == [2, 2, []]
    text = run("feeds", "poll", db=db)
    assert text.code == 0 and "not modified" in text.err
    inbox = run("evidence", "inbox", "--json", db=db).json()
    assert [p["question"] for i in inbox for p in i["proposals"]] == ["nk", "nk"]
    assert "nk (ICBM)" in run("evidence", "inbox", db=db).out
    first, second = (i["id"] for i in inbox)
    assert run("evidence", "link", str(first), "nk", "--stance", "yes", db=db).code == 0
    assert run("evidence", "dismiss", str(second), db=db).code == 0
    assert run("evidence", "inbox", "--json", db=db).json() == []
    assert run("evidence", "inbox", db=db).err.strip() == "the inbox is empty"
    assert run("feeds", "remove", "1", db=db).code == 0
    assert run("feeds", "list", "--json", db=db).json() == []


def test_feed_poll_failure_exits_non_zero(db, web):
    path = "/custom/cli-flaky.xml"
    web.overrides[path] = ("application/rss+xml", (FIXTURES / "rss.xml").read_bytes())
    try:
        assert run("feeds", "add", web.url(path), db=db).code == 0
    finally:
        web.overrides.pop(path, None)
    r = run("feeds", "poll", db=db)
    assert r.code == 1 and "HTTP 404" in r.err
