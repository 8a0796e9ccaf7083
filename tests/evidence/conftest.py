"""Evidence service and CLI tests: questions to link to, and the local web server (127.0.0.1 only)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecast.services.questions.authoring import QuestionDraft, add_question
from tests.ingest.webserver import FIXTURES, LocalServer

T0 = datetime(2019, 1, 1, tzinfo=UTC)
NOW = datetime(2024, 10, 7, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def web():
    with LocalServer() as served:
        yield served


_QUESTIONS = (("nk", "Will North Korea launch an ICBM before 2030?"), ("wheat", "Will the wheat harvest beat 3 Mt?"))


def _add_questions(session) -> tuple[str, ...]:
    for slug, title in _QUESTIONS:
        add_question(session, QuestionDraft(title=title, opens_at=T0, closes_at=datetime(2030, 1, 1, tzinfo=UTC),
                                            slug=slug), now=T0)  # fmt: skip
    session.flush()
    return tuple(slug for slug, _ in _QUESTIONS)


@pytest.fixture
def questions(session):
    """Two open questions: `nk` (North Korea launch) and `wheat` (harvest)."""
    return _add_questions(session)


@pytest.fixture
def stored_questions(database):
    """The two questions of `questions`, committed: for the services that fetch first and then write."""

    return database.write(_add_questions)


def cli(*args: str, db: str, input: str | None = None):
    """Run a `forecast` command in this process (tests/cli_runner.py)."""
    from tests.cli_runner import invoke

    return invoke(*args, db=db, input=input)


@pytest.fixture
def cli_db(tmp_path):
    """A SQLite file with the question `nk`, made through the services."""
    from forecast.services.database import open_database

    path = str(tmp_path / "cli.db")
    db = open_database(path)
    with db.session() as session:
        add_question(session, QuestionDraft(title="Will North Korea launch an ICBM before 2030?", opens_at=T0,
                                            closes_at=datetime(2030, 1, 1, tzinfo=UTC), slug="nk"), now=T0)  # fmt: skip
    db.engine.dispose()
    return path


@pytest.fixture
def fixture_text():
    return lambda name: (FIXTURES / name).read_text(encoding="utf-8")
