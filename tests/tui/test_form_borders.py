"""No widget draws over a form's border, at the smallest supported terminal and a large one: every form (and
the picker) is opened, in its tallest state, and the four sides of its box are read back from the screen."""

from __future__ import annotations

import pytest

from tests.tui.conftest import until
from tests.tui.screen_text import screen_cells

pytestmark = pytest.mark.anyio

SIZES = [(80, 24), (160, 48)]


def broken_border(app, box) -> list[str]:
    """What is not border on the box's four sides (empty when the border is whole)."""
    cells = screen_cells(app)
    r = box.region
    x0, y0, x1, y1 = r.x, r.y, r.right - 1, r.bottom - 1
    wrong = []
    for y, left, right in ((y0, "╭", "╮"), (y1, "╰", "╯")):
        if (cells[y][x0], cells[y][x1]) != (left, right):
            wrong.append(f"corners of row {y}: {cells[y][x0]!r} {cells[y][x1]!r}")
    bottom = "".join(cells[y1][x0 + 1:x1])
    if set(bottom) != {"─"}:
        wrong.append(f"bottom border: {bottom!r}")
    for y in range(y0 + 1, y1):
        if cells[y][x0] != "│" or cells[y][x1] != "│":
            wrong.append(f"row {y}: {cells[y][x0]!r} … {cells[y][x1]!r}")
    return wrong


async def open_on_detail(pilot, db, slug: str, *keys: str) -> None:
    from tests.tui.test_form_messages import open_detail

    await open_detail(pilot, db, slug)
    for key in keys:
        await pilot.press(key)


def forms():
    """(name, how to open it: an async function of (pilot, db), what to do once it is open)."""

    async def questions(pilot, db, key):
        app = pilot.app
        await until(pilot, lambda: app.screen.__class__.__name__ == "QuestionsScreen" and app.screen.complete)
        await pilot.press(key)

    async def scores_picker(pilot, db):
        app = pilot.app
        await pilot.press("3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ScoresScreen" and app.screen.view.tags)
        await pilot.press("t")

    async def inbox_link(pilot, db):
        app = pilot.app
        await pilot.press("2")
        await until(pilot, lambda: app.screen.__class__.__name__ == "InboxScreen" and app.screen.items)
        await pilot.press("enter")

    async def paste_and_fail(pilot, form):
        form.query_one("#source-paste").value = True
        form.action_save()  # nothing pasted: the error line shows too

    async def save_empty(pilot, form):
        form.action_save()

    async def open_choices(pilot, form):
        """The choice widget opened: a drop-down would cover the border and the buttons."""
        form.query_one("#auto-input").focus()
        await pilot.press("enter")

    return {
        "new question": (lambda p, db: questions(p, db, "n"), open_choices),
        "edit question": (lambda p, db: open_on_detail(p, db, "eu-summit-deal", "e"), None),
        "forecast": (lambda p, db: open_on_detail(p, db, "eu-summit-deal", "f"), save_empty),
        "add evidence": (lambda p, db: open_on_detail(p, db, "eu-summit-deal", "a"), paste_and_fail),
        "link evidence": (lambda p, db: open_on_detail(p, db, "eu-summit-deal", "l"), None),
        "resolve": (lambda p, db: open_on_detail(p, db, "launch-window", "x"), save_empty),
        "unresolve": (lambda p, db: open_on_detail(p, db, "old-election", "x"), None),
        "link to question": (inbox_link, None),
        "tag picker": (scores_picker, None),
    }


FORMS = forms()


@pytest.mark.parametrize("name", list(FORMS))
async def test_nothing_draws_over_a_form_border(app_factory, fixture_db, name):
    from forecast.tui.forms.base import FormScreen
    from forecast.tui.screens.pick import PickScreen

    opening, then = FORMS[name]
    app = app_factory()
    async with app.run_test(size=SIZES[0]) as pilot:
        await opening(pilot, fixture_db)
        await until(pilot, lambda: isinstance(app.screen, FormScreen | PickScreen), what=f"the {name} form")
        form = app.screen
        if then is not None:
            await then(pilot, form)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await until(pilot, lambda: app.size == size and not getattr(form, "saving", False))
            box = form.query_one(".form-box, .pick-box")
            assert broken_border(app, box) == [], (name, size)
        assert not app.unexpected_errors
