"""Forms and screens say what a person needs: the default stance is the highlighted one, saves are confirmed,
errors use the words on the form, and `b` on an article without a URL says why nothing opened."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.tui.conftest import SIZE, until

pytestmark = pytest.mark.anyio


def question_id(db, slug: str) -> int:
    with db.session() as s:
        return s.connection().execute(text("SELECT id FROM question WHERE slug = :s"), {"s": slug}).scalar_one()


async def open_detail(pilot, db, slug: str):
    from forecast.tui.screens.detail import DetailScreen

    app = pilot.app
    await until(pilot, lambda: app.screen.__class__.__name__ == "QuestionsScreen" and app.screen.complete)
    app.open_question(question_id(db, slug))
    await until(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.data is not None,
                what="the detail screen")  # fmt: skip
    return app.screen


@pytest.mark.parametrize("key", ["a", "l"])
async def test_the_default_stance_is_the_highlighted_one(app_factory, fixture_db, key):
    from forecast.tui.forms.base import FormScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, fixture_db, "eu-summit-deal")
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
        radio = app.screen.query_one("#stance-input")
        radio.focus()
        await until(pilot, lambda: app.focused is radio)
        (highlighted,) = radio.query(".-selected")
        assert highlighted is radio.pressed_button
        assert highlighted.id == "stance-neutral"
