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


def record_notes(app) -> list[str]:
    """Every notification the app shows from now on, as text."""
    said: list[str] = []
    show = app.notify

    def notify(message, *args, **kwargs):
        said.append(str(message))
        return show(message, *args, **kwargs)

    app.notify = notify
    return said


async def test_b_on_an_article_without_a_url_says_so(app_factory, fixture_db):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, fixture_db, "eu-summit-deal")
        said = record_notes(app)
        opened: list[str] = []
        app.open_url = lambda url, new_tab=True: opened.append(url)
        screen.query_one("TabbedContent").active = "tab-evidence"
        await until(pilot, lambda: screen.query_one("TabbedContent").active == "tab-evidence")
        await pilot.press("b")
        await until(pilot, lambda: said, what="a notification")
        assert opened == []
        assert said == ["Nothing to open: “Ministers close in on budget framework” has no URL "
                        "(it was added from a file or pasted text)."]  # fmt: skip


async def test_b_in_the_inbox_on_an_item_without_a_url_names_it(app_factory, fixture_db):
    from forecast.ingest.sources import from_text
    from forecast.services.evidence import store_draft

    fixture_db.write(lambda s: store_draft(s, from_text("Pasted notes on the rates decision.", title="My pasted notes"),
                                           inbox=True))  # fmt: skip
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: app.screen.__class__.__name__ == "InboxScreen" and app.screen.items,
                    what="the inbox")  # fmt: skip
        screen = app.screen
        row = next(i for i, item in enumerate(screen.items) if item.title == "My pasted notes")
        screen.query_one("#inbox-table").move_cursor(row=row)
        said = record_notes(app)
        await pilot.press("b")
        await until(pilot, lambda: said, what="a notification")
        assert said == ["Nothing to open: “My pasted notes” has no URL (it was added from a file or pasted text)."]


async def save_form(pilot, form_type, fill, said: list[str]) -> None:
    """Wait for the form, fill it (a function of the form), save, and wait for the confirmation."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, form_type), what=form_type.__name__)
    fill(app.screen)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not isinstance(app.screen, form_type) and said, what="the saved confirmation")


async def test_every_saved_change_is_confirmed(app_factory, fixture_db):
    from forecast.tui.forms.forecast import ForecastForm
    from forecast.tui.forms.link import LinkEvidenceForm
    from forecast.tui.forms.question import QuestionForm
    from forecast.tui.forms.resolve import ResolveForm, UnresolveForm
    from forecast.tui.widgets.keybar import KeyBar

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, fixture_db, "eu-summit-deal")
        said = record_notes(app)

        def value(selector: str, text: str):
            return lambda form: setattr(form.query_one(selector), "value", text)

        await pilot.press("f")
        await save_form(pilot, ForecastForm, value("#probability-input", "35%"), said)
        assert said.pop() == "Saved forecast 35% on eu-summit-deal"
        footer = app.screen.query_one(KeyBar)  # the footer says it too, until the keys come back
        await until(pilot, lambda: "✓ Saved forecast 35% on eu-summit-deal" in str(footer.render()), what="the footer")
        await pilot.press("u")
        await until(pilot, lambda: "✓ Undid: forecast 35% on eu-summit-deal" in str(footer.render()),
                    what="the undo in the footer")  # fmt: skip
        footer._unsay()  # what the timer does after SAID_SECONDS: the keys are back
        assert "Forecast" in str(footer.render()) and "✓" not in str(footer.render())
        said.clear()

        await pilot.press("e")
        await save_form(pilot, QuestionForm, value("#tags-input", "eu politics budget"), said)
        assert said.pop() == "Saved question eu-summit-deal: tags"

        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LinkEvidenceForm) and app.screen.items,
                    what="the candidates")  # fmt: skip
        await save_form(pilot, LinkEvidenceForm, lambda form: None, said)
        assert said.pop() == "Linked “Central bank weighs April cut” (neutral) to eu-summit-deal"  # the newest first

        await pilot.press("x")
        await save_form(pilot, ResolveForm, lambda form: setattr(form.query_one("#yes"), "value", True), said)
        assert said.pop() == "Resolved eu-summit-deal YES"

        await pilot.press("x")
        await save_form(pilot, UnresolveForm, value("#note-input", "too early"), said)
        assert said.pop() == "Unresolved eu-summit-deal: open to forecasts again"
        assert not app.unexpected_errors


async def test_auto_resolve_choice_round_trips_and_evidence_saves_are_confirmed(app_factory, fixture_db):
    from forecast.tui.forms.evidence import AddEvidenceForm
    from forecast.tui.forms.question import QuestionForm

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, fixture_db, "rate-cut-q2")
        said = record_notes(app)
        await pilot.press("e")
        await save_form(pilot, QuestionForm, lambda form: setattr(form.query_one("#auto-no_at_close"), "value", True),
                        said)  # fmt: skip
        assert said.pop() == "Saved question rate-cut-q2: auto-resolve"
        with fixture_db.session() as s:
            rule = s.connection().execute(text("SELECT auto_rule FROM question WHERE slug = 'rate-cut-q2'")).scalar()
        assert rule == "no_at_close"
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, QuestionForm) and app.screen.original is not None)
        assert app.screen.query_one("#auto-input").pressed_button.id == "auto-no_at_close"
        await pilot.press("escape")

        def paste(form):
            form.query_one("#source-paste").value = True
            form.query_one("#paste-input").insert("The governor signalled patience on rates.")
            form.query_one("#title-input").value = "Governor signals patience"

        await pilot.press("a")
        await save_form(pilot, AddEvidenceForm, paste, said)
        assert said.pop().startswith("Saved evidence “Governor signals patience” (neutral) on rate-cut-q2")
        assert not app.unexpected_errors
