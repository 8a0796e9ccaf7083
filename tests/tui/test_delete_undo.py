"""`d` deletes after a confirmation, `u` undoes this session's changes several levels deep (SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.tui.conftest import SIZE, settle, until

pytestmark = pytest.mark.anyio


def _notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _slugs(screen) -> list[str]:
    return [screen.view.columns.slugs[screen.view.position(r)] for r in range(len(screen.view))]


def _count(db, sql: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


async def test_d_asks_first_and_cancel_keeps_the_question(app_factory, fixture_db):
    from forecast.tui.screens.confirm import ConfirmScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        first = _slugs(screen)[0]
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and first in str(app.screen.question)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and _slugs(screen)[0] == first
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and _count(fixture_db, "SELECT count(*) FROM trash") == 0

        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await until(pilot, lambda: first not in _slugs(screen), what="the question to leave the table")
        assert f"Deleted question {first}" in _notes(app)
        assert _count(fixture_db, f"SELECT count(*) FROM question WHERE slug = '{first}'") == 0
        assert not app.unexpected_errors


async def test_u_undoes_several_levels_newest_first(app_factory, fixture_db, clock):
    from forecast.tui.screens.detail import DetailScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("u")
        await settle(pilot)
        assert "Nothing to undo: no changes made in this session." in _notes(app)
        slugs = _slugs(screen)
        on_second = f"SELECT count(*) FROM forecast f JOIN question q ON q.id = f.question_id WHERE q.slug = '{slugs[1]}'"
        forecasts, everything = _count(fixture_db, on_second), _count(fixture_db, "SELECT count(*) FROM forecast")

        # 1: a forecast on the second question (the first is past its close)
        clock.advance(hours=1)
        await pilot.press("down")
        second = screen.highlighted_id()
        await pilot.press("f")
        await settle(pilot)
        await pilot.press(*"0.45", "enter")
        await until(pilot, lambda: len(app.undo_tokens) == 1, what="the forecast")
        # 2: a delete of the question below it
        await pilot.press("down", "d")
        await settle(pilot)
        await pilot.press("y")
        await until(pilot, lambda: len(app.undo_tokens) == 2, what="the delete")
        assert slugs[2] not in _slugs(screen)
        # 3: in the detail of the second question, a delete of its newest forecast
        app.open_question(second)
        await until(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.data is not None,
                    what="the detail")  # fmt: skip
        detail = app.screen
        await pilot.press("end", "d")
        await settle(pilot)
        await pilot.press("y")
        await until(pilot, lambda: len(app.undo_tokens) == 3, what="the forecast's delete")
        assert _count(fixture_db, on_second) == forecasts  # one recorded, one deleted

        await pilot.press("u")
        await until(pilot, lambda: len(app.undo_tokens) == 2 and any(n.startswith("Undid: delete of forecast")
                                                                     for n in _notes(app)), what="undo 3")  # fmt: skip
        assert _count(fixture_db, on_second) == forecasts + 1
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("u")
        await until(pilot, lambda: slugs[2] in _slugs(screen), what="undo 2: the question is back")
        assert f"Undid: delete of question {slugs[2]}" in _notes(app)
        await pilot.press("u")
        await until(pilot, lambda: len(app.undo_tokens) == 0, what="undo 1")
        await settle(pilot)
        assert f"Undid: forecast 45% on {slugs[1]}" in _notes(app)
        assert _count(fixture_db, "SELECT count(*) FROM forecast") == everything
        assert _count(fixture_db, "SELECT count(*) FROM trash WHERE state = 'deleted'") == 1  # the undone forecast
        assert detail is not None and not app.unexpected_errors


async def test_d_on_the_evidence_tab_deletes_the_article_and_u_brings_it_back(app_factory, fixture_db):
    from textual.widgets import TabbedContent

    with fixture_db.engine.connect() as conn:
        qid = conn.execute(text("SELECT id FROM question WHERE slug = 'eu-summit-deal'")).scalar()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_question(qid)
        await until(pilot, lambda: getattr(app.screen, "data", None) is not None, what="the detail")
        detail = app.screen
        detail.query_one(TabbedContent).active = "tab-evidence"
        await settle(pilot)
        assert len(detail.evidence) == 1
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await until(pilot, lambda: detail.evidence == [], what="the article to go")
        assert _count(fixture_db, "SELECT count(*) FROM forecast_evidence") == 0
        await pilot.press("u")
        await until(pilot, lambda: len(detail.evidence) == 1, what="the article to come back")
        assert _count(fixture_db, "SELECT count(*) FROM forecast_evidence") == 1  # still cited by its forecast
        assert any(n.startswith("Undid: delete of evidence") for n in _notes(app)) and not app.unexpected_errors
