"""The evidence inbox: link an item to a question with a stance, or dismiss it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.tui.conftest import SIZE, settle, until

pytestmark = pytest.mark.anyio


async def test_link_inbox_item_to_question(app_factory, fixture_db):
    from forecast.tui.forms.link import LinkToQuestionForm
    from forecast.tui.screens.inbox import InboxScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert [i.title for i in app.screen.items] == ["Central bank weighs April cut"]
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LinkToQuestionForm)
        await pilot.press(*"central")
        await until(pilot, lambda: form.shown_for == "central", what="the search to run")
        assert [i.slug for i in form.items] == ["rate-cut-q2"]
        await pilot.click("#stance-yes")
        form.query_one("#note-input").value = "April is in Q2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert app.screen.items == []
        with fixture_db.session() as s:
            link = s.connection().execute(text(
                "SELECT q.slug, l.stance, l.note, e.inbox FROM evidence_link l JOIN question q ON q.id = l.question_id "
                "JOIN evidence e ON e.id = l.evidence_id WHERE e.title = 'Central bank weighs April cut'"
            )).one()  # fmt: skip
        assert tuple(link) == ("rate-cut-q2", "yes", "April is in Q2", False)
        # The question's detail now lists it.
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert [e.title for e in app.screen.evidence] == ["Central bank weighs April cut"]
        assert not app.unexpected_errors


async def test_dismiss_inbox_item(app_factory, fixture_db):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.items == []
        with fixture_db.session() as s:
            row = s.connection().execute(text(
                "SELECT inbox, dismissed FROM evidence WHERE title = 'Central bank weighs April cut'"
            )).one()  # fmt: skip
        assert tuple(row) == (False, True)
        assert not app.unexpected_errors


async def test_link_existing_evidence_from_a_question(app_factory, fixture_db):
    from forecast.tui.forms.link import LinkEvidenceForm

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # rate-cut-q2
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LinkEvidenceForm)
        await pilot.press(*"budget")
        await until(pilot, lambda: form.shown_for == "budget", what="the search to run")
        assert [i.title for i in form.items] == ["Ministers close in on budget framework"]
        await pilot.click("#stance-no")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [(e.title, e.stance) for e in app.screen.evidence] == [
            ("Ministers close in on budget framework", "no")
        ]
        assert not app.unexpected_errors
