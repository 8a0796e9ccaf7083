"""Adding evidence from a URL holds no database transaction while the page is fetched (services/evidence.py):
a site that answers slowly must not block `forecast check`, the TUI or another writer."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from forecast.services import evidence as ev
from forecast.services.questions.authoring import QuestionDraft, add_question
from forecast.store.engine import sqlite_path
from tests.evidence.conftest import NOW
from tests.ingest.webserver import FIXTURES

WAIT = 10  # seconds; only reached when something is broken


class HeldPage:
    """Serves one article, but only once the test lets it go: `arrived` is set when the request is in."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        page, held = (FIXTURES / "og_article.html").read_bytes(), self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                held.arrived.set()
                held.release.wait(WAIT)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/article.html"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HeldPage:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def open_transactions(database) -> list[str]:
    """What holds a transaction on the database right now, seen from outside the engine's pool."""
    path = sqlite_path(database.url)
    if path is not None:
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # fails at once while anyone holds the write lock
            probe.execute("ROLLBACK")
            busy, _log, _done = probe.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return ["a reader's snapshot"] if busy else []  # an open read transaction blocks the truncation
        except sqlite3.OperationalError as exc:
            return [str(exc)]
        finally:
            probe.close()
    with database.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )).all()  # fmt: skip
    return [r[0] for r in rows]


def test_the_fetch_holds_no_transaction_and_another_writer_goes_ahead(database, stored_questions):
    outcome: dict = {}

    def add() -> None:
        try:
            outcome["result"] = ev.add_evidence(database, "url", page.url, link=ev.LinkSpec("nk", "yes"), now=NOW)
        except BaseException as exc:  # reported below, in the test's thread
            outcome["error"] = exc

    with HeldPage() as page:
        adder = threading.Thread(target=add)
        adder.start()
        try:
            assert page.arrived.wait(WAIT), outcome.get("error")
            assert open_transactions(database) == []
            draft = QuestionDraft(title="Written while the page loads", closes_at=datetime(2030, 1, 1, tzinfo=UTC))
            meanwhile = database.write(lambda s: add_question(s, draft, now=NOW).slug)
        finally:
            page.release.set()
            adder.join(WAIT)
    assert not adder.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    assert result.created and result.linked and result.question == "nk"
    with database.session() as s:
        assert s.exec(text("SELECT count(*) FROM evidence")).one()[0] == 1
        assert s.exec(text("SELECT count(*) FROM question WHERE slug = :s").bindparams(s=meanwhile)).one()[0] == 1


@pytest.fixture
def holding_session(database, stored_questions):
    """The pattern this guards against: a session kept open (with a write in it) across a fetch."""
    with database.session() as s:
        s.exec(text("UPDATE question SET title = title WHERE slug = 'nk'"))
        yield


def test_the_probe_sees_a_transaction_left_open(database, holding_session):
    assert open_transactions(database) != []
