"""Full-text search on SQLite (FTS5) and PostgreSQL (tsvector): ranked, highlighted, safe on any input."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from forecast.core.errors import InvalidInput
from forecast.ingest.draft import ArticleDraft
from forecast.interchange.keys import content_hash
from forecast.services import evidence as ev
from forecast.services.evidence_query import fts5_query, search_evidence
from tests.evidence.conftest import NOW

ARTICLES = [
    ("Satellite images show activity at Sohae launch site",
     "Researchers said work had resumed at the Sohae satellite launching station on the west coast."),
    ("Wheat harvest forecast cut after dry spring",
     "The agriculture board cut its wheat forecast. Farmers blamed the dry spring; a launch of new seed is planned."),
    ("Analysts weigh risk of new ICBM test",
     "A new intercontinental ballistic missile test cannot be ruled out, analysts said, pointing to Sohae."),
    ("Copper hits two-year high",
     "Copper prices rose on supply worries at mines in South America."),
]  # fmt: skip


def add_all(session):
    ids = []
    for title, body in ARTICLES:
        draft = ArticleDraft(title=title, text=body, excerpt=body[:50], content_hash=content_hash(body))
        ids.append(ev.store_draft(session, draft, now=NOW).evidence.id)
    session.flush()
    return ids


def test_ranked_with_title_matches_first_and_highlighted(session):
    ids = add_all(session)
    rows = search_evidence(session, "Sohae")
    assert [r.id for r in rows] == [ids[0], ids[2]]  # title and text beat text alone
    assert rows[0].rank == 1 and rows[0].score >= rows[1].score
    assert "«Sohae»" in rows[0].snippet and "\n" not in rows[0].snippet


def test_all_words_must_match_and_stemming_applies(session):
    ids = add_all(session)
    assert [r.id for r in search_evidence(session, "wheat spring")] == [ids[1]]
    assert [r.id for r in search_evidence(session, "prices")] == [ids[3]]
    assert {r.id for r in search_evidence(session, "launches")} == {ids[0], ids[1]}  # launch, launching


def test_phrase_or_and_exclusion(session):
    ids = add_all(session)
    assert [r.id for r in search_evidence(session, '"dry spring"')] == [ids[1]]
    assert {r.id for r in search_evidence(session, "copper OR wheat")} == {ids[1], ids[3]}
    assert [r.id for r in search_evidence(session, "Sohae -ICBM")] == [ids[0]]


def test_no_match_and_empty_query(session):
    add_all(session)
    assert search_evidence(session, "zeppelin") == []
    with pytest.raises(InvalidInput, match="nothing to search for"):
        search_evidence(session, "   ")


ODD = ['"', "(", "NEAR(a b)", "*", "-", "title:copper", "a AND", "OR", "'; DROP TABLE evidence; --", "ü", "c++",
       '"unbalanced phrase', "copper^2", "the", "\x00", "a" * 500]  # fmt: skip


def test_odd_input_never_breaks_the_query(session):
    add_all(session)
    for query in ODD:
        try:
            search_evidence(session, query)
        except InvalidInput:
            pass
    assert session.exec(text("SELECT count(*) FROM evidence")).one()[0] == len(ARTICLES)


def test_rows_written_by_any_path_are_indexed_and_edits_follow(session):
    ids = add_all(session)
    # Bulk import writes with raw SQL; the database keeps the index up to date by itself.
    session.exec(
        text(
            "INSERT INTO evidence (key, title, outlet, author, text, excerpt, content_hash, inbox, dismissed, created_at) "
            "VALUES ('ev-raw', 'Zeppelin returns', '', '', 'An airship flew.', '', 'h', false, false, 0)"
        )
    )
    assert [r.key for r in search_evidence(session, "zeppelin")] == ["ev-raw"]
    ev.edit_evidence(session, ids[3], title="Nickel hits two-year high")
    assert [r.id for r in search_evidence(session, "nickel")] == [ids[3]]
    assert search_evidence(session, '"copper hits"') == []  # the old title is gone from the index
    session.exec(text("DELETE FROM evidence WHERE key = 'ev-raw'"))
    assert search_evidence(session, "zeppelin") == []


def test_prefix_search_on_sqlite(tmp_path):
    """prefix* is FTS5 syntax; PostgreSQL's web search syntax has no prefix operator, so SQLite only."""
    from forecast.services.database import open_database

    with open_database(str(tmp_path / "prefix.db")).session() as session:
        _prefix_search(session)


def _prefix_search(session):
    ids = add_all(session)
    assert [r.id for r in search_evidence(session, "interconti*")] == [ids[2]]


def test_fts5_query_builder():
    assert fts5_query("Sohae launch") == '"Sohae" AND "launch"'
    assert fts5_query('"space launch" OR ICBM') == '"space launch" OR "ICBM"'
    assert fts5_query("Sohae -ICBM") == '"Sohae" NOT "ICBM"'
    assert fts5_query("inter-continental launch*") == '"inter continental" AND "launch"*'
    with pytest.raises(InvalidInput):
        fts5_query("-- * ()")


@pytest.fixture(scope="module")
def fts_memory():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, text, tokenize='porter unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('Sohae launch', 'text about a launch')")
    yield conn
    conn.close()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_typed_text_is_a_valid_fts5_query(fts_memory, typed):
    try:
        query = fts5_query(typed)
    except InvalidInput:
        return
    fts_memory.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,)).fetchall()
