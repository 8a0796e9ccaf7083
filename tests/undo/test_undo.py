"""The undo service on both backends: every kind of change the TUI makes, undone through Database.write,
several levels deep, leaves the database as it was (and `db check` clean)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from forecast.core.errors import Conflict
from forecast.core.model import Resolution
from forecast.services import evidence as evidence_service
from forecast.services import resolution, trash, undo
from forecast.services.db_check import check_database
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question, edit_question

T0 = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _state(db) -> dict:
    """Every row a user can see, without the trash (which records the undone changes) and event history."""
    tables = ("question", "question_tag", "forecast", "standing_forecast", "evidence_link", "forecast_evidence")
    with db.engine.connect() as conn:
        out = {t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all())) for t in tables}
        assert check_database(conn) == []
        # updated_at moves with every change, undoing included
        out["question"] = conn.execute(text(
            "SELECT id, slug, title, description, criteria, opens_at, closes_at, resolves_at, status, resolution, "
            "resolved_at, resolution_note, auto_rule FROM question ORDER BY id")).all()  # fmt: skip
    return out


@pytest.fixture
def db(database):
    def setup(s):
        add_question(s, QuestionDraft(title="Will North Korea launch?", opens_at=T0, closes_at=datetime(2030, 1, 1, tzinfo=UTC),
                                      slug="nk", tags=("korea",)), now=T0)  # fmt: skip
        evidence_service.add_from_text(s, "Pyongyang launched a missile on Tuesday.", title="Missile fired", now=T0)
        record_forecast(s, ForecastRequest("nk", 0.3, "tester", at=T0), now=T0)

    database.write(setup)
    return database


def test_undo_several_levels_restores_each_state(db):
    tokens, states = [], [_state(db)]

    def change(work):
        tokens.append(db.write(work))
        states.append(_state(db))

    def forecast(s):
        return undo.for_forecast(s, record_forecast(s, ForecastRequest("nk", 0.35, "tester"), now=NOW))

    def correction(s):
        return undo.for_forecast(s, record_forecast(s, ForecastRequest("nk", 0.4, "tester", corrects=2), now=NOW))

    def link(s):
        token = undo.before_link(s, 1, 1)
        evidence_service.link_evidence(s, 1, "nk", stance="yes", note="launch", now=NOW)
        return token

    def edit(s):
        token = undo.before_edit(s, 1)
        edit_question(s, "nk", title="Will the DPRK launch?", slug="dprk", tags=("asia",), now=NOW)
        return token

    def resolve(s):
        return undo.for_resolution(resolution.resolve(s, 1, Resolution.YES, actor="tester", now=NOW), before=None)

    def delete(s):
        return undo.for_delete(trash.delete_evidence(s, 1, actor="tester", now=NOW))

    for work in (forecast, correction, link, edit, resolve, delete):
        change(work)
    assert [t.what for t in tokens] == ["forecast 35% on nk", "correction 40% on nk", "link of Missile fired to nk",
                                        "edit of nk", "resolve dprk yes", "delete of evidence " + _key(db)]  # fmt: skip
    while tokens:
        token = tokens.pop()
        states.pop()
        assert db.write(lambda s: undo.undo(s, token, actor="tester", now=NOW)) == token.what
        assert _state(db) == states[-1], token.what


def _key(db) -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT label FROM trash WHERE kind = 'evidence'")).scalar()


def test_undo_of_unresolve_and_of_a_new_question_and_a_question_delete(db):
    db.write(lambda s: resolution.resolve(s, "nk", Resolution.NO, actor="tester", at=NOW, note="no launch", now=NOW))
    before = _state(db)

    def unresolve(s):
        q = resolution.get_question(s, "nk")
        state = undo.resolution_state(q)
        return undo.for_resolution(resolution.unresolve(s, "nk", actor="tester", now=NOW), before=state)

    token = db.write(unresolve)
    db.write(lambda s: undo.undo(s, token, actor="tester", now=NOW))
    assert _state(db) == before
    new = db.write(lambda s: undo.for_new_question(add_question(s, QuestionDraft(
        title="Wheat?", opens_at=T0, closes_at=datetime(2030, 1, 1, tzinfo=UTC), slug="wheat"), now=NOW)))
    db.write(lambda s: undo.undo(s, new, actor="tester", now=NOW))
    assert _state(db) == before
    gone = db.write(lambda s: undo.for_delete(trash.delete_question(s, "nk", actor="tester", now=NOW)))
    db.write(lambda s: undo.undo(s, gone, actor="tester", now=NOW))
    assert _state(db) == before


def test_undo_of_a_forecast_corrected_since_is_refused(db):
    token = db.write(lambda s: undo.for_forecast(s, record_forecast(s, ForecastRequest("nk", 0.35, "tester"), now=NOW)))
    db.write(lambda s: record_forecast(s, ForecastRequest("nk", 0.4, "tester", corrects=2), now=NOW))
    with pytest.raises(Conflict, match="corrected since"):
        db.write(lambda s: undo.undo(s, token, actor="tester", now=NOW))
