"""Bad input in every form: the app keeps running, the error shows inline, and the database is unchanged."""

from __future__ import annotations

import hashlib

import pytest

from tests.tui.conftest import SIZE, settle, until

pytestmark = pytest.mark.anyio


def fingerprint(db) -> str:
    """Every row of every table: equal fingerprints mean nothing was written."""
    with db.session() as s:
        conn = s.connection()
        tables = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' ORDER BY name"
        )]  # fmt: skip
        digest = hashlib.sha256()
        for t in tables:
            for row in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY 1'):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def hint(screen, field: str) -> str:
    return str(screen.query_one(f"#{field} .field-hint").render())


def form_error(screen) -> str:
    return str(screen.query_one("#form-error").render())


async def open_form(pilot, *keys: str):
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    return pilot.app.screen


async def test_forecast_form_rejects_bad_probabilities(app_factory, fixture_db):
    from forecast.tui.forms.forecast import ForecastForm

    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "down", "f")  # rate-cut-q2: open, my last forecast 30%
        assert isinstance(form, ForecastForm)
        await pilot.press(*"ab")  # validated as you type
        assert "not a number" in hint(form, "probability")
        for typed, message in (("abc", "not a number"), ("150%", "outside [0, 1]"), ("-0.2", "outside [0, 1]"),
                               ("nan", "not a finite number")):  # fmt: skip
            form.query_one("#probability-input").value = typed
            await pilot.pause()
            assert message in hint(form, "probability")
            assert form.query_one("#probability").has_class("-invalid")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert message in form_error(form)
        # A good value previews the change from the last forecast.
        form.query_one("#probability-input").value = "45"
        await pilot.press("%")
        assert "+15 pts" in hint(form, "probability") and "from 30%" in hint(form, "probability")
        # A date the parser cannot read, and one in the future the service refuses.
        form.query_one("#when-input").value = "somed"
        await pilot.press("tab", "end", "a", "y")
        assert "cannot read date" in hint(form, "when")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        form.query_one("#when-input").value = "in 2 days"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "in the future" in form_error(form)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ForecastForm)
        assert not app.unexpected_errors
    assert fingerprint(fixture_db) == before


async def test_forecast_on_a_resolved_question_is_refused(app_factory, fixture_db):
    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "s", "s", "f")  # resolved: old-election
        assert "takes no more forecasts" in str(form.query_one("#form-context").render())
        await pilot.press(*"50%", "enter")
        await settle(pilot)
        assert app.screen is form and "takes no more forecasts" in form_error(form)
        assert not app.unexpected_errors
    assert fingerprint(fixture_db) == before


async def test_question_form_rejects_bad_fields(app_factory, fixture_db):
    from forecast.tui.forms.question import QuestionForm

    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "n")
        assert isinstance(form, QuestionForm)
        await pilot.press("ctrl+s")  # everything empty
        await settle(pilot)
        assert app.screen is form and "title must not be empty" in form_error(form)
        form.query_one("#title-input").value = "Will it rain [tomorrow]?"
        await pilot.press("tab", *"whenever")
        assert "cannot read date" in hint(form, "closes")
        form.query_one("#closes-input").value = "2026-01-01"  # before it opens (now)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The words on the form, not the service's column names (tui/forms/words.py).
        assert app.screen is form and "✘ Closes must be after Opens" in form_error(form)
        assert "closes_at" not in form_error(form)
        form.query_one("#closes-input").value = "in 1 month"
        form.query_one("#tags-input").value = "fine, bad,tag"
        form.query_one("#tags-input").value = "weather"
        form.query_one("#resolves-input").value = "in 1 week"  # before it closes
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "✘ Resolves must not be before Closes" in form_error(form)
        assert not app.unexpected_errors
    assert fingerprint(fixture_db) == before


async def test_edit_question_rejects_a_taken_slug_free_title(app_factory, fixture_db):
    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "e")
        assert form.query_one("#title-input").value == "Will the crewed launch happen before its window closes?"
        form.query_one("#title-input").value = "   "
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "title must not be empty" in form_error(form)
        assert not app.unexpected_errors
    assert fingerprint(fixture_db) == before


async def test_resolve_form_requires_an_outcome_and_a_past_time(app_factory, fixture_db):
    from forecast.tui.forms.resolve import ResolveForm

    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, "enter")
        form = await open_form(pilot, "x")
        assert isinstance(form, ResolveForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "choose an outcome" in form_error(form)
        await pilot.press("n")
        form.query_one("#at-input").value = "tomorrow"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "in the future" in form_error(form)
        form.query_one("#at-input").value = "2020-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "before the question opens" in form_error(form)
        assert not app.unexpected_errors
    assert fingerprint(fixture_db) == before


async def test_evidence_form_rejects_missing_and_bad_sources(app_factory, fixture_db, tmp_path):
    from forecast.tui.forms.evidence import AddEvidenceForm

    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, "enter")
        form = await open_form(pilot, "a")
        assert isinstance(form, AddEvidenceForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "give the article's URL" in form_error(form)
        form.query_one("#url-input").value = "not a url"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and form_error(form).strip()
        await pilot.click("#source-file")
        form.query_one("#file-input").value = str(tmp_path / "missing.html")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and form_error(form).strip()
        form.query_one("#published-input").value = "the day after"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "cannot read date" in form_error(form)
        assert not app.unexpected_errors
    assert fingerprint(fixture_db) == before


async def test_link_form_requires_a_pick(app_factory, fixture_db):
    from forecast.tui.forms.link import LinkEvidenceForm

    before = fingerprint(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, "down", "enter")  # rate-cut-q2
        form = await open_form(pilot, "l")
        assert isinstance(form, LinkEvidenceForm)
        await pilot.press(*"zzzz")
        await until(pilot, lambda: form.shown_for == "zzzz", what="the search to run")
        assert form.items == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "pick one from the list" in form_error(form)
        # Search syntax alone is not an error while typing.
        form.query_one("#search-input").value = '"'
        await until(pilot, lambda: form.shown_for == '"', what="the search to run")
        assert app.screen is form
        assert not app.unexpected_errors
    assert fingerprint(fixture_db) == before
