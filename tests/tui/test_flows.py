"""The daily flow, driven by keys: create a question, add evidence, forecast with it, resolve, see the score."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.tui.conftest import ME, SIZE, make_app, settle

pytestmark = pytest.mark.anyio


async def type_text(pilot, value: str) -> None:
    """Type the last few characters as keys (so validation runs as it does for a person); paste the rest."""
    focused = pilot.app.focused
    head, tail = value[:-4], value[-4:]
    if head:
        focused.insert_text_at_cursor(head) if hasattr(focused, "insert_text_at_cursor") else focused.insert(head)
    await pilot.press(*tail)


async def test_question_to_score(empty_db, clock):
    from forecast.tui.forms.evidence import AddEvidenceForm
    from forecast.tui.forms.forecast import ForecastForm
    from forecast.tui.forms.question import QuestionForm
    from forecast.tui.forms.resolve import ResolveForm
    from forecast.tui.screens.detail import DetailScreen
    from forecast.tui.screens.scores import ScoresScreen

    app = make_app(empty_db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No questions yet" in str(app.screen.query_one("#empty").render())

        # 1. Create a question.
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, QuestionForm)
        await type_text(pilot, "Will the [bold]bridge[/] open by July?")
        await pilot.press("tab")
        await type_text(pilot, "in 4 months")
        await pilot.press("tab", "tab", "tab", "tab")  # past First forecast, Opens and Resolves
        await type_text(pilot, "infra city")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, QuestionForm)
        with empty_db.session() as s:
            (qid, title, slug) = s.connection().execute(text("SELECT id, title, slug FROM question")).one()
            tags = s.connection().execute(text("SELECT t.name FROM tag t ORDER BY t.name")).scalars().all()
        assert title == "Will the [bold]bridge[/] open by July?"
        assert tags == ["city", "infra"]
        table = app.screen.table
        assert app.screen.view.question_id(table.cursor_row) == qid
        # The title is shown literally, brackets and all.
        assert "[bold]bridge[/]" in table.get_row_at(table.cursor_row)[1].plain

        # 2. Open it and add evidence from pasted text.
        clock.advance(days=1)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddEvidenceForm)
        await pilot.click("#source-paste")
        await settle(pilot)
        app.screen.query_one("#paste-input").insert("The city council approved the final inspection schedule.")
        app.screen.query_one("#title-input").value = "Council approves inspections"
        await pilot.click("#stance-yes")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen), app.screen
        assert [e.title for e in app.screen.evidence] == ["Council approves inspections"]

        # 3. Forecast with that evidence ticked.
        clock.advance(days=1)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ForecastForm)
        await type_text(pilot, "35%")
        hint = str(app.screen.query_one("#probability .field-hint").render())
        assert "35%" in hint and "first forecast" in hint
        app.screen.query_one("#rationale-input").insert("Inspections scheduled; slippage is common.")
        app.screen.query_one("#evidence-input").select_all()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        with empty_db.session() as s:
            rows = s.connection().execute(text(
                "SELECT f.probability, fr.name, f.rationale, COUNT(fe.evidence_id) FROM forecast f "
                "JOIN forecaster fr ON fr.id = f.forecaster_id LEFT JOIN forecast_evidence fe ON fe.forecast_id = f.id "
                "GROUP BY f.id"
            )).all()  # fmt: skip
        assert rows == [(0.35, ME, "Inspections scheduled; slippage is common.", 1)]
        assert app.screen.updates[0].evidence[0].title == "Council approves inspections"

        # 4. Resolve it YES.
        clock.advance(days=5)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ResolveForm)
        await pilot.press("y")
        app.screen.query_one("#note-input").value = "Opened on schedule"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.data.resolution == "yes"
        assert app.screen.query_one("#chart").data.resolution is not None

        # 5. The scores screen counts it.
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, ScoresScreen)
        view = app.screen.view
        assert [f.name for f in view.headline] == [ME]
        assert view.headline[0].n_questions == 1
        assert view.headline[0].brier_forecasts == pytest.approx((1 - 0.35) ** 2)
        assert not app.unexpected_errors


async def test_back_to_questions_shows_the_new_forecast(app_factory, fixture_db, clock):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("down")  # rate-cut-q2
        qid = screen.view.question_id(screen.table.cursor_row)
        clock.advance(hours=1)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press(*"0.45", "enter")
        await settle(pilot)
        assert app.screen is screen, str(app.screen.query_one("#form-error").render())
        row = screen.view.row_of(qid)
        assert screen.table.get_row_at(row)[2].plain == "45%"
        assert not app.unexpected_errors


async def test_unresolve_from_detail(app_factory, fixture_db, clock):
    from forecast.tui.forms.resolve import UnresolveForm

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "s")  # resolved
        await settle(pilot)
        await pilot.press("enter")  # soonest close first: old-election, resolved YES
        await settle(pilot)
        assert app.screen.data.slug == "old-election"
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, UnresolveForm)
        await pilot.press(*"recount", "enter")
        await settle(pilot)
        assert app.screen.data.resolution is None
        assert app.screen.data.resolution_history[-1].action == "unresolve"
        assert not app.unexpected_errors
