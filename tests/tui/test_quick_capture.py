"""Quick capture in the `n` form, as `q add` does it: the deadline read from the title when Closes is empty, and
an optional first forecast; reminders shown in the questions list and the detail view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from forecast.core.deadline import deadline_from_title
from forecast.core.probability import parse_probability
from forecast.core.timeparse import from_micros
from tests.tui.conftest import ME, NOW, SIZE, until
from tests.tui.test_form_messages import open_detail, question_id, record_notes

pytestmark = pytest.mark.anyio

TITLE = "Will the bridge open before 2027-03-01?"


def hint(form, field: str) -> str:
    return str(form.query_one(f"#{field} .field-hint").render())


async def new_question_form(pilot):
    from forecast.tui.forms.question import QuestionForm

    app = pilot.app
    await until(pilot, lambda: app.screen.__class__.__name__ == "QuestionsScreen" and app.screen.complete)
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, QuestionForm), what="the question form")
    return app.screen


async def test_deadline_from_the_title_and_a_first_forecast(app_factory, fixture_db):
    from forecast.tui.forms.question import QuestionForm

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_question_form(pilot)
        form.query_one("#title-input").value = TITLE
        await until(pilot, lambda: "read from the title" in hint(form, "closes"))
        assert hint(form, "closes").startswith("read from the title: 2027-03-01 00:00 (UTC)")
        form.query_one("#first-input").value = "35%"
        await until(pilot, lambda: hint(form, "first").startswith("35%"))
        said = record_notes(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, QuestionForm) and said, what="the saved question")
        with fixture_db.session() as s:
            slug, closes, p, made, who = s.connection().execute(text(
                "SELECT q.slug, q.closes_at, f.probability, f.made_at, fr.name FROM question q "
                "JOIN forecast f ON f.question_id = q.id JOIN forecaster fr ON fr.id = f.forecaster_id "
                "WHERE q.title = :t"), {"t": TITLE}).one()  # fmt: skip
        assert from_micros(closes) == deadline_from_title(TITLE, now=NOW, tz="UTC")  # the rule q add uses
        assert (p, from_micros(made), who) == (0.35, NOW, ME)
        assert said == [f"Saved new question {slug}, closes 2027-03-01 00:00 (read from the title), "
                        "with your forecast 35%"]  # fmt: skip


async def test_no_deadline_in_the_title_and_none_typed_is_refused(app_factory, fixture_db):
    from tests.tui.test_bad_input import fingerprint

    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_question_form(pilot)
        form.query_one("#title-input").value = "Will the bridge open?"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.query_one("#form-error").has_class("-shown"))
        assert str(form.query_one("#form-error").render()).startswith("✘ Closes: no deadline in the title")
        assert app.screen is form
    assert fingerprint(fixture_db) == before


@pytest.mark.parametrize("typed", ["150%", "abc", "35", "0.35", "nan"])
async def test_first_forecast_is_validated_like_q_adds_argument(app_factory, typed):
    try:
        expected = parse_probability(typed)  # what `q add TITLE PROB` parses PROB with
    except Exception as exc:  # noqa: BLE001 - its message is what the form must show
        expected = exc
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_question_form(pilot)
        form.query_one("#first-input").value = typed
        field = form.query_one("#first")
        valid = field.validate_now()
        if isinstance(expected, Exception):
            assert not valid and field.error == str(expected)
        else:
            assert valid and field.value == expected


async def test_a_first_forecast_on_a_passed_deadline_is_refused(app_factory, fixture_db):
    from tests.tui.test_bad_input import fingerprint

    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_question_form(pilot)
        form.query_one("#title-input").value = "Did the bridge open before 2026-01-01?"
        form.query_one("#first-input").value = "30%"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.query_one("#form-error").has_class("-shown"))
        assert "Forecast: the deadline has passed" in str(form.query_one("#form-error").render())
    assert fingerprint(fixture_db) == before


async def test_reminders_are_marked_in_the_list_and_shown_in_the_detail(app_factory, fixture_db):
    from forecast.services.reminders import set_reminder

    fixture_db.write(lambda s: set_reminder(s, "rate-cut-q2", NOW - timedelta(days=1), note="after the CPI print",
                                            now=NOW - timedelta(days=5)))  # fmt: skip
    fixture_db.write(lambda s: set_reminder(s, "eu-summit-deal", NOW + timedelta(days=3), now=NOW))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.__class__.__name__ == "QuestionsScreen" and app.screen.complete)
        screen = app.screen
        titles = {}
        for row in range(len(screen.view)):
            cell = screen.rows.cells(row, ["title"])[0]
            titles[screen.view.question_id(row)] = cell
        due = titles.pop(question_id(fixture_db, "rate-cut-q2"))
        later = titles.pop(question_id(fixture_db, "eu-summit-deal"))
        assert due.plain.startswith("◷ ") and later.plain.startswith("◷ ")
        assert "bold" in str(due.spans[0].style) and "bold" not in str(later.spans[0].style)  # due stands out
        assert not any(c.plain.startswith("◷") for c in titles.values())
        assert "◷ 1 reminder due" in str(screen.query_one("#summary").render())

        detail = await open_detail(pilot, fixture_db, "rate-cut-q2")
        assert "◷ reminder due since 2026-02-28 12:00" in str(detail.query_one("#detail-meta").render())
        assert "after the CPI print" in str(detail.query_one("#about-text").render())
        # The update it asked for answers it (the rule `forecast check` applies).
        from forecast.tui.forms.forecast import ForecastForm

        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, ForecastForm))
        app.screen.query_one("#probability-input").value = "25%"
        await pilot.press("ctrl+s")
        meta = detail.query_one("#detail-meta")
        await until(pilot, lambda: app.screen is detail and "reminder" not in str(meta.render()),
                    what="the answered reminder gone")
        await pilot.press("escape")
        detail = await open_detail(pilot, fixture_db, "eu-summit-deal")
        await until(pilot, lambda: detail.data.slug == "eu-summit-deal")
        assert "◷ reminder in 3 days" in str(detail.query_one("#detail-meta").render())
