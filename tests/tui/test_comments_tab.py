"""The detail screen's Comments tab lists a question's discussion, as plain text (never as markup)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.tui.conftest import SIZE, until

pytestmark = pytest.mark.anyio


async def test_comments_tab_lists_the_discussion(app_factory, fixture_db):
    from forecast.services.comments import add_comment
    from forecast.tui.screens.detail import DetailScreen

    fixture_db.write(lambda s: add_comment(s, "eu-summit-deal", "Draft text leaked: [bold]not markup[/bold]", "ann"))
    fixture_db.write(lambda s: add_comment(s, "eu-summit-deal", "Second thought.\nOn two lines.", "bo"))
    with fixture_db.session() as s:
        qid = s.connection().execute(text("SELECT id FROM question WHERE slug = 'eu-summit-deal'")).scalar_one()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.__class__.__name__ == "QuestionsScreen" and app.screen.complete)
        app.open_question(qid)
        await until(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.data is not None)
        screen = app.screen
        tabs = screen.query_one("#detail-tabs")
        assert str(tabs.get_tab("tab-comments").label) == "Comments (2)"
        tabs.active = "tab-comments"
        await until(pilot, lambda: screen.query_one("#comments").display, what="the comments tab")
        shown = str(screen.query_one("#comments-text").render())
        assert "[bold]not markup[/bold]" in shown  # shown as typed
        assert shown.index("ann") < shown.index("bo") and "On two lines." in shown
        assert not app.unexpected_errors
