"""The `forecast evidence` and `forecast feeds` commands: exit codes, stdout data, stderr diagnostics.

Most run in this process (tests/cli_runner.py `invoke`); the first runs the installed executable end to end,
with a real pipe on stdin.
"""

from __future__ import annotations

from tests.cli_runner import invoke, run
from tests.evidence.conftest import cli
from tests.ingest.webserver import FIXTURES


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def test_real_executable_add_then_again_from_stdin(cli_db):
    page = FIXTURES / "scraped_header_today.txt"
    r = run("evidence", "add", "nk", "--file", str(page), "--stance", "no", "--note", "power cuts", db=cli_db)
    assert r.code == 0 and r.out.strip() == "1"
    assert "no publication date found; set it with --published" in r.err
    assert "Friday, March 29, 2024" in r.err  # says which header date it ignored
    again = run("evidence", "add", "--stdin", "--json", db=cli_db, input=page.read_text(encoding="utf-8"))
    assert again.code == 0
    data = again.json()
    assert data["id"] == 1 and data["created"] is False and data["published_at"] is None
    assert "already stored as [1]" in again.err
    listed = cli("evidence", "list", "nk", "--json", db=cli_db).json()
    assert [(e["id"], e["stance"], e["note"]) for e in listed] == [(1, "no", "power cuts")]


def test_a_failure_is_one_line_and_exit_1(cli_db, web):
    r = invoke("evidence", "add", "nk", "--url", web.url("/status/404"), db=cli_db)
    assert r.code == 1 and r.out == ""
    assert lines(r.err) == [f"forecast: {web.url('/status/404')} answered HTTP 404 Not Found"]


def test_add_from_url_with_json_and_the_forecast_that_cites_it(cli_db, web):
    db = cli_db
    r = cli("evidence", "add", "nk", "--url", web.url("/pages/og_article.html"), "--stance", "yes", "--json", db=db)
    assert r.code == 0, r.err
    data = r.json()
    assert data["published_at"] == "2021-06-14T06:30:00Z" and data["published_source"] == "meta"
    assert data["outlet"] == "The Coastal Ledger" and data["linked"] is True and data["retrieved_at"]
    assert "published 2021-06-14 (meta)" in r.err and "no publication date" not in r.err
    p = cli("predict", "nk", "0.4", "--evidence", data["key"], "--at", "2021-06-15", db=db)
    assert p.code == 0, p.err
    history = cli("forecasts", "nk", "--json", db=db).json()
    assert history[0]["evidence"][0]["key"] == data["key"]
    assert "Harbour authority delays" in cli("forecasts", "nk", db=db).out
    shown = cli("evidence", "show", str(data["id"]), "--json", db=db).json()
    assert shown["forecasts"][0]["probability"] == 0.4 and shown["links"][0]["stance"] == "yes"
    text = cli("evidence", "show", data["key"], db=db).out
    assert "published 2021-06-14 (from meta)" in text and "The Port Merrin harbour authority" in text


FAILURES = [
    (["--url", "/status/500"], None, 1, "answered HTTP 500 Internal Server Error"),
    (["--url", "/binary"], None, 1, "is image/png, not a web page"),
    (["--url", "/big-declared"], None, 1, "larger than 10 MB"),
    (["--url", "/redirect/6"], None, 1, "redirects more than 5 times"),
    (["--url", "/empty"], None, 1, "returned an empty body"),
    (["--url", "file:///etc/passwd"], None, 1, "only http and https URLs"),
    (["--stdin"], "", 1, "the text is empty"),
    (["--stdin"], "- Advertisement -\nspot_img\n", 1, "only site furniture"),
    (["--file", "/nonexistent/x.txt"], None, 1, "no such file"),
    ([], None, 2, "give exactly one of --url, --file or --stdin"),
    (["--stdin", "--url", "/x"], "", 2, "give exactly one of"),
    (["--stdin", "--stance", "maybe"], "text", 2, "stance 'maybe'"),
    (["--stdin", "--published", "someday"], "text", 2, "cannot read date"),
]


def test_failures_are_one_line_and_store_nothing(cli_db, web):
    for args, stdin, code, message in FAILURES:
        args = [web.url(a) if a.startswith("/") and not a.startswith("/nonexistent") else a for a in args]
        r = cli("evidence", "add", "nk", *args, db=cli_db, input=stdin)
        err = lines(r.err)
        assert (r.code, len(err), r.out) == (code, 1, ""), (args, r.err)
        assert err[0].startswith("forecast: ") and message in err[0], (args, err)
    bad_question = cli("evidence", "add", "nope", "--url", web.url("/pages/og_article.html"), db=cli_db)
    assert bad_question.code == 1 and "no question 'nope'" in bad_question.err
    assert cli("evidence", "list", "--json", db=cli_db).json() == []


def test_untrusted_text_is_printed_as_plain_text(cli_db):
    raw = ("[bold red]Alert[/] \x1b[31mMarkets fall\x1b[0m\n\n"
           "Shares fell sharply on Monday after the [link=x]announcement[/link] of a new tax.")  # fmt: skip
    assert cli("evidence", "add", "--stdin", db=cli_db, input=raw).code == 0
    out = cli("evidence", "list", db=cli_db).out + cli("evidence", "show", "1", db=cli_db).out
    assert "\x1b" not in out and "[bold red]Alert[/]" in out and "[link=x]announcement[/link]" in out


def test_edit_search_link_unlink(cli_db):
    db = cli_db
    assert cli("evidence", "add", "--file", str(FIXTURES / "scraped_byline.txt"), db=db).code == 0
    r = cli("evidence", "edit", "1", "--published", "2019-03-02", "--outlet", "Daily Example", "--json", db=db)
    assert r.code == 0 and r.json()["published_source"] == "user" and r.json()["outlet"] == "Daily Example"
    assert cli("evidence", "edit", "1", "--published", "none", "--json", db=db).json()["published_at"] is None
    found = cli("evidence", "search", "mortgage lenders", "--json", db=db).json()
    assert found[0]["id"] == 1 and "«Mortgage» «lenders»" in found[0]["snippet"]
    assert "«Mortgage» «lenders»" in cli("evidence", "search", "mortgage lenders", db=db).out
    assert cli("evidence", "search", "zeppelin", db=db).err.strip() == "no evidence matches 'zeppelin'"
    assert cli("evidence", "link", "1", "nk", "--stance", "no", db=db).code == 0
    assert cli("evidence", "list", "nk", "--json", db=db).json()[0]["stance"] == "no"
    assert cli("evidence", "unlink", "1", "nk", db=db).code == 0
    r = cli("evidence", "unlink", "1", "nk", db=db)
    assert r.code == 1 and "is not linked to nk" in r.err
    assert cli("evidence", "edit", "1", db=db).code == 2
    assert cli("evidence", "show", "99", db=db).code == 1


def test_feeds_inbox_flow(cli_db, web):
    db = cli_db
    r = cli("feeds", "add", web.url("/feeds/rss.xml"), "--question", "nk", "--keywords", "launch, Sohae, ICBM", db=db)
    assert r.code == 0 and r.out.strip() == "1", r.err
    bad = cli("feeds", "add", web.url("/feeds/not_a_feed.html"), db=db)
    assert bad.code == 1 and "is not an RSS or Atom feed" in bad.err
    assert [f["url"] for f in cli("feeds", "list", "--json", db=db).json()] == [web.url("/feeds/rss.xml")]
    polled = cli("feeds", "poll", "--json", db=db).json()
    assert [len(polled["new"]), polled["proposals"], polled["errors"]] == [2, 2, []]
    text = cli("feeds", "poll", db=db)
    assert text.code == 0 and "not modified" in text.err
    inbox = cli("evidence", "inbox", "--json", db=db).json()
    assert [p["question"] for i in inbox for p in i["proposals"]] == ["nk", "nk"]
    assert "nk (ICBM)" in cli("evidence", "inbox", db=db).out
    first, second = (i["id"] for i in inbox)
    assert cli("evidence", "link", str(first), "nk", "--stance", "yes", db=db).code == 0
    assert cli("evidence", "dismiss", str(second), db=db).code == 0
    assert cli("evidence", "inbox", "--json", db=db).json() == []
    assert cli("evidence", "inbox", db=db).err.strip() == "the inbox is empty"
    assert cli("feeds", "remove", "1", db=db).code == 0
    assert cli("feeds", "list", "--json", db=db).json() == []


def test_feed_poll_failure_exits_non_zero(cli_db, web):
    path = "/custom/cli-flaky.xml"
    web.overrides[path] = ("application/rss+xml", (FIXTURES / "rss.xml").read_bytes())
    try:
        assert cli("feeds", "add", web.url(path), db=cli_db).code == 0
    finally:
        web.overrides.pop(path, None)
    r = cli("feeds", "poll", db=cli_db)
    assert r.code == 1 and "HTTP 404" in r.err


def test_a_close_call_headline_is_named_and_a_given_title_silences_it(cli_db):
    # stern's real lynx dump: the ranker's pick and the real title (a line further up) score within a point
    from tests.ingest.realworld_corpus import ROOT

    dump = ROOT / "text" / "stern.lynx.txt"
    r = cli("evidence", "add", "--file", str(dump), "--json", db=cli_db)
    assert r.code == 0
    notes = r.json()["notes"]
    close = [n for n in notes if n.startswith("the headline is a close call: ")]
    assert len(close) == 1 and "Niederlage für Johnson: Parlament vertagt Votum über Brexit" in close[0]
    assert "set the title with --title" in close[0] and close[0] in r.err
    titled = cli("evidence", "add", "--stdin", "--title", "Niederlage für Johnson", "--json", db=cli_db,
                 input=dump.read_text(encoding="utf-8"))  # fmt: skip
    assert titled.code == 0 and not any("close call" in n for n in titled.json()["notes"])


def test_a_reader_view_copy_is_stored_with_its_title_author_and_outlet(cli_db):
    # Firefox's Reader View of BBC's page, copied (the corpus's reader form): the head names the outlet
    from tests.ingest.realworld_corpus import ROOT

    r = cli("evidence", "add", "--file", str(ROOT / "text" / "bbc.reader.txt"), "--json", db=cli_db)
    assert r.code == 0
    got = r.json()
    assert got["title"] == "New York ramps up mass burials amid virus outbreak"
    assert got["author"] == "BBC News" and got["outlet"] == "bbc.com"
    assert not any("close call" in n for n in got["notes"])
