"""Messages say what a person needs: times in their zone to the minute, what a re-added article changed,
and a feed poll that counts as new only what is new (in-process CLI)."""

from __future__ import annotations

import re

import pytest

from tests.evidence.conftest import cli
from tests.ingest.webserver import FIXTURES, LocalServer

ARTICLE = "North Korea fires missile\n\nPyongyang launched a ballistic missile on Tuesday, officials said.\n"


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "m.db")
    r = cli("q", "add", "Will North Korea launch?", "--opens", "2025-01-01T00:00:00Z", "--closes", "2030-01-01",
            "--slug", "nk", db=path)  # fmt: skip
    assert r.code == 0, r.err
    return path


def test_times_in_messages_are_the_users_zone_to_the_minute(db, isolated_env):
    (isolated_env / "config.toml").write_text('name = "tester"\ntimezone = "Asia/Seoul"\n', encoding="utf-8")
    r = cli("predict", "nk", "30%", "--at", "2024-12-31T00:00:00.123456Z", db=db)
    assert r.code == 1
    assert "forecast time 2024-12-31 09:00 KST is before the question opens (2025-01-01 09:00 KST)" in r.err
    ok = cli("predict", "nk", "30%", "--at", "2025-02-01T10:30:15.5Z", db=db)
    assert ok.code == 0 and "at 2025-02-01 19:30 KST" in ok.err
    assert not re.search(r"\d{2}:\d{2}:\d{2}|T\d{2}:", r.err + ok.err)


def test_an_article_added_again_says_what_changed_and_keeps_the_earlier_note(db):
    assert cli("evidence", "add", "nk", "--stdin", "--note", "first launch", db=db, input=ARTICLE).code == 0
    again = cli("evidence", "add", "nk", "--stdin", "--stance", "yes", "--note", "confirmed by Seoul", db=db,
                input=ARTICLE)  # fmt: skip
    assert again.code == 0
    assert "already stored as [1]" in again.err
    assert "stance on nk changed neutral → supports yes" in again.err and "note appended" in again.err
    link = cli("evidence", "list", "nk", "--json", db=db).json()[0]
    assert (link["stance"], link["note"]) == ("yes", "first launch\nconfirmed by Seoul")
    same = cli("evidence", "add", "nk", "--stdin", "--stance", "yes", db=db, input=ARTICLE)
    assert "already linked to nk, unchanged" in same.err
    replaced = cli("evidence", "link", "1", "nk", "--note", "one note", "--replace-note", db=db)
    assert replaced.code == 0 and "note replaced on nk" in replaced.err
    assert cli("evidence", "list", "nk", "--json", db=db).json()[0]["note"] == "one note"


def test_a_poll_counts_as_new_only_articles_it_stored(db):
    with LocalServer() as web:
        web.overrides["/copy/rss.xml"] = ("application/rss+xml", (FIXTURES / "rss.xml").read_bytes())
        for path in ("/feeds/rss.xml", "/copy/rss.xml"):
            assert cli("feeds", "add", web.url(path), db=db).code == 0
        first = cli("feeds", "poll", db=db)
        lines = [line for line in first.err.splitlines() if line.startswith("feed [")]
        assert re.search(r"feed \[1\] .*: (\d+) new$", lines[0])
        stored = int(re.search(r": (\d+) new", lines[0])[1])
        assert lines[1].endswith(f": 0 new, {stored} already stored")
        again = cli("feeds", "poll", db=db)
        assert all(line.endswith((": 0 new", ": not modified")) for line in again.err.splitlines()
                   if line.startswith("feed ["))  # fmt: skip
