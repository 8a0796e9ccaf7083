"""Every screen, drawn at 100x32 on the fixture database with a frozen clock (plus 80x24, NO_COLOR, light).

Update with `pytest tests/tui/test_snapshots.py --snapshot-update`, and look at the report before
accepting: `snapshot_report.html` shows the old and new drawings side by side.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZE, settle


@pytest.fixture
def colour(monkeypatch):
    """Snapshots in colour; the NO_COLOR one sets it back."""
    monkeypatch.delenv("NO_COLOR", raising=False)


def steady_cursors(app) -> None:
    """Text cursors blink every half second, so a picture taken on a busy machine (pytest -n 2) could catch
    either phase: stop the blink (a steady cursor is drawn) in every input on every screen."""
    for screen in app.screen_stack:
        for box in screen.query("Input, TextArea"):
            box.cursor_blink = False


def keys(*presses: str):
    async def run(pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.05)  # focus and post-refresh callbacks (the key bar) land before the picture
        steady_cursors(pilot.app)
        await settle(pilot)

    return run


def test_questions(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys())


def test_questions_all_statuses_sorted_by_brier(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys("s", "s", "s", "o", "o", "o"))


def test_questions_filtered(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys("s", "s", "s", "slash", "p", "o", "l"))


def test_questions_80x24(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=keys())


def test_questions_no_color(app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys())


def test_questions_light(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(theme="textual-light"), terminal_size=SIZE, run_before=keys())


def test_detail(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys("end", "enter"))


def test_detail_evidence_tab(colour, app_factory, snap_compare):
    async def run(pilot) -> None:
        await keys("end", "enter")(pilot)
        pilot.app.screen.query_one("TabbedContent").active = "tab-evidence"
        steady_cursors(pilot.app)
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)


def test_detail_resolved_80x24(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=keys("s", "s", "end", "enter"))


def test_forecast_form_preview(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys("f", "7", "0", "percent_sign"))


def test_question_form_error(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE,
                        run_before=keys("n", "W", "i", "l", "l", "tab", "s", "o", "o", "n"))  # fmt: skip


def test_inbox(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys("2"))


def test_scores(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys("3"))


def test_help(colour, app_factory, snap_compare):
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=keys("question_mark"))


def _detail_tab(tab: str):
    async def run(pilot) -> None:
        await keys("end", "enter")(pilot)
        pilot.app.screen.query_one("TabbedContent").active = tab
        steady_cursors(pilot.app)
        await settle(pilot)

    return run


EVERY_SCREEN = {
    "questions": keys(),
    "detail_updates": _detail_tab("tab-updates"),
    "detail_evidence": _detail_tab("tab-evidence"),
    "detail_about": _detail_tab("tab-about"),
    "inbox": keys("2"),
    "scores": keys("3"),
    "help": keys("question_mark"),
}


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("screen", list(EVERY_SCREEN))
def test_every_screen_at(colour, app_factory, snap_compare, screen, size):
    """Each screen at the smallest and a large terminal (the resize tests check the same sizes reached by resizing)."""
    assert snap_compare(app_factory(), terminal_size=size, run_before=EVERY_SCREEN[screen])


def _typed(text: str) -> tuple[str, ...]:
    names = {" ": "space", "=": "equals_sign", "%": "percent_sign", "-": "minus", "(": "left_parenthesis",
             ")": "right_parenthesis", ",": "comma", ".": "full_stop"}  # fmt: skip
    return tuple(names.get(ch, ch) for ch in text)


def _about(before):
    """After `before` opens a question's detail: its About tab, scrolled to its end (the linked questions)."""

    async def run(pilot) -> None:
        await before(pilot)
        pilot.app.screen.query_one("TabbedContent").active = "tab-about"
        await settle(pilot)
        pilot.app.screen.query_one("#about").scroll_end(animate=False, immediate=True)
        steady_cursors(pilot.app)
        await settle(pilot)

    return run


KINDS_SCREEN = {
    # On the kinds fixture (conftest.build_kinds): by close, summit-host, launch-before-july, next-launch.
    "questions": keys(),
    "detail_choice": keys("enter"),
    "detail_linked_binary": keys("down", "enter"),
    "detail_date_fan": keys("down", "down", "enter"),
    "detail_date_linked": _about(keys("down", "down", "enter")),
    "forecast_choice": keys("enter", "f", *_typed("50%"), "tab", *_typed("30%"), "tab", *_typed("15")),
    "forecast_quantiles": keys("down", "down", "enter", "f", *_typed("p10=2026-05-01 p50=2026-08-01 p90=2027-01-01")),
}


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("screen", list(KINDS_SCREEN))
def test_kinds_at(colour, kinds_app, snap_compare, screen, size):
    """Choice, numeric and date questions: the table's kind column, the stacked and fan charts, the event
    line of a linked binary question and, on the date question, the binary questions linked to it (its head
    line and About tab), the option table's running sum and the quantile entry's sparklines."""
    assert snap_compare(kinds_app(), terminal_size=size, run_before=KINDS_SCREEN[screen])


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_kind_scores_at(colour, kinds_scored_app, snap_compare, size):
    """The scores screen with resolved choice, numeric and date questions and no resolved binary one: a table
    per kind with that kind's columns (choice: Brier, Brier2, Log; numeric and date: Log, CRPS)."""
    assert snap_compare(kinds_scored_app(), terminal_size=size, run_before=keys("3"))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_help_kinds_at(colour, kinds_scored_app, snap_compare, size):
    """The help opened on the scores screen, scrolled to the kind tables (their columns as the screen draws them)
    and the kinds' forms and charts."""

    async def run(pilot) -> None:
        await keys("3", "question_mark")(pilot)
        screen = pilot.app.screen
        screen.query_one("#help-box").scroll_to_widget(screen.query_one("#help-kind-scores"), animate=False, top=True)
        await settle(pilot)

    assert snap_compare(kinds_scored_app(), terminal_size=size, run_before=run)
