"""Backfilling from the TUI: the forecast form's "Made at" takes what `predict --at` takes, accepted by the same
rule (the question's window), and a backfilled forecast is marked ↶ where forecasts are listed."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from forecast.core.errors import InvalidInput
from forecast.services.forecasts import ForecastRequest, record_forecast
from tests.tui.conftest import ME, NOW, SIZE, until
from tests.tui.test_form_messages import open_detail, record_notes

pytestmark = pytest.mark.anyio


def hint(form, field: str) -> str:
    return str(form.query_one(f"#{field} .field-hint").render())


async def open_forecast_form(pilot, db, slug: str):
    from forecast.tui.forms.forecast import ForecastForm

    await open_detail(pilot, db, slug)
    await pilot.press("f")
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, ForecastForm) and app.screen.question is not None,
                what="the forecast form with its question")  # fmt: skip
    return app.screen


async def test_backfill_a_resolved_question_from_the_form(app_factory, fixture_db):
    from forecast.tui.screens.detail import DetailScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_forecast_form(pilot, fixture_db, "storm-season")  # resolved NO 29 days ago
        context = str(form.query_one("#form-context").render())
        assert "set Made at to a time before 2026-01-30 12:00" in context
        form.query_one("#probability-input").value = "42%"
        form.query_one("#when-input").value = "2025-09-01 10:00"
        await until(pilot, lambda: "backfilled" in hint(form, "when"))
        assert "↶ backfilled: recorded now, long after this time" in hint(form, "when")
        said = record_notes(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen) and said, what="the saved forecast")
        assert said == ["Saved forecast 42% on storm-season, made 2025-09-01 10:00"]
        with fixture_db.session() as s:
            made = s.connection().execute(text(
                "SELECT f.made_at FROM forecast f JOIN question q ON q.id = f.question_id "
                "WHERE q.slug = 'storm-season' AND f.probability = 0.42")).scalar_one()  # fmt: skip
        assert made == int(datetime(2025, 9, 1, 10, tzinfo=NOW.tzinfo).timestamp() * 1_000_000)

        detail = app.screen
        await until(pilot, lambda: any(u.probability == 0.42 for u in detail.updates), what="the new update")
        table = detail.query_one("#updates-table")
        row = next(i for i, u in enumerate(detail.updates) if u.probability == 0.42)
        cells = [c.plain for c in table.source.cells(row, [c.key for c in table.specs])]
        assert "↶42%" in cells
        others = [i for i, u in enumerate(detail.updates) if not u.backfilled]
        assert all("↶" not in c.plain for i in others for c in table.source.cells(i, ["p"]))
        table.move_cursor(row=row)
        await until(pilot, lambda: "↶ backfilled, recorded 2026-03-01 12:00" in
                    str(detail.query_one("#update-detail").render()))  # fmt: skip
        # The legend, where the forecasts are listed, says what the glyph means.
        assert "↶ backfilled: recorded more than 24 h after the time it claims" in str(
            detail.query_one("#update-detail").render())
        assert not app.unexpected_errors


WINDOW_CASES = [
    "2025-04-01",  # before the question opened
    "2025-09-01 10:00",  # inside the window, long ago: a backfill
    "2026-01-29 23:00",  # inside, just before it closed
    "2026-02-15",  # after it closed (and resolved)
    "in 2 days",  # the future
    "",  # now: the question is resolved
]


@pytest.mark.parametrize("typed", WINDOW_CASES)
async def test_made_at_is_accepted_exactly_when_predict_accepts_it(app_factory, fixture_db, typed):
    """The form runs the service's rule; `predict --at` runs the same: each time is accepted by both or neither."""
    from forecast.core.timeparse import parse_when

    from forecast.tui.forms.words import on_the_form

    at = parse_when(typed, now=NOW, tz="UTC") if typed else None

    def probe(session) -> None:  # record, then roll back: only the verdict is wanted
        record_forecast(session, ForecastRequest("storm-season", 0.5, ME, at=at), now=NOW)
        raise _Rollback

    try:
        fixture_db.write(probe)
    except InvalidInput as exc:
        service = str(exc)
    except _Rollback:
        service = None
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_forecast_form(pilot, fixture_db, "storm-season")
        field = form.query_one("#when")
        form.query_one("#when-input").value = typed
        valid = field.validate_now()
        assert valid == (service is None), (typed, service, field.error)
        if service is not None:  # the same refusal, in the words on the form ("Made at", not "--at")
            assert field.error == on_the_form(service) and "--at" not in field.error


class _Rollback(Exception):
    pass


async def test_help_says_what_the_backfilled_glyph_means(app_factory):
    from forecast.tui.screens.help import HelpScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        from tests.tui.screen_text import screen_cells

        box = app.screen.query_one("#help-box")
        box.scroll_to_widget(app.screen.query_one("#help-marks"), animate=False)
        await until(pilot, lambda: any("↶" in "".join(row) for row in screen_cells(app)), what="the marks in view")
        shown = "\n".join("".join(row) for row in screen_cells(app))
        assert "Marks: what the glyphs mean" in shown
        assert "backfilled: recorded more than 24 h after the time it claims" in shown
