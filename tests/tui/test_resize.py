"""Every screen through 140x40 -> 80x24 -> 50x12 -> 160x48: the tables re-lay out at each size, without `r`.

What is checked is what the terminal shows (the composited screen, tests/tui/screen_text.py): for every
table on screen, the header and each visible row are exactly the table's current layout of its cells, the
one-space gutters between columns are blank on every line (so no cell runs into the next column and every
header sits over its cells), and the columns shown are the ones expected at that width.
"""

from __future__ import annotations

import pytest
from rich.cells import set_cell_size
from textual.geometry import Region
from textual.widget import Widget

from forecast.tui.scores_data import ScoresFilter
from forecast.tui.widgets.view_table import ViewTable
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_cells

pytestmark = pytest.mark.anyio

SIZES = ((140, 40), (80, 24), (50, 12), (160, 48))
QUESTIONS = {
    140: ["status", "title", "mine", "team", "trend", "closes", "tags"],
    80: ["status", "title", "mine", "team", "trend", "closes"],
    50: ["status", "title", "mine", "closes"],
    160: ["status", "title", "mine", "team", "trend", "closes", "tags"],
}
UPDATES = {
    140: ["when", "who", "p", "change", "ev", "why"],
    80: ["when", "who", "p", "change", "ev", "why"],
    50: ["when", "p", "why"],
    160: ["when", "who", "p", "change", "ev", "why"],
}
EVIDENCE = {
    140: ["stance", "published", "outlet", "title"],
    80: ["stance", "published", "title"],
    50: ["stance", "published", "title"],
    160: ["stance", "published", "outlet", "title"],
}
INBOX = {
    140: ["date", "outlet", "title", "proposed"],
    80: ["date", "title", "proposed"],
    50: ["date", "title"],
    160: ["date", "outlet", "title", "proposed"],
}
HEADLINE = {
    140: ["name", "questions", "brier", "brier_forecasts", "baseline", "peer"],
    80: ["name", "questions", "brier", "brier_forecasts", "baseline", "peer"],
    50: ["name", "questions", "brier", "baseline"],
    160: ["name", "questions", "brier", "brier_forecasts", "baseline", "peer"],
}

TAGS = {w: ["tag", "questions", "brier"] for w, _ in SIZES}


def _clip(widget: Widget) -> Region:
    """The part of the widget's content that can be seen: inside every container above it."""
    clip = widget.content_region
    for node in widget.ancestors:
        if isinstance(node, Widget):
            clip = clip.intersection(node.region)
    return clip


def check_tables(app) -> dict[str, list[str]]:
    """Assert every table on screen is drawn for its current width; returns the visible columns by table id."""
    cells = screen_cells(app)
    seen: dict[str, list[str]] = {}
    for table in app.screen.query(ViewTable):
        if not table.is_on_screen or not table.display:
            continue
        laid = table.current_layout()
        assert laid.width == table.scrollable_content_region.width, table.id
        clip = _clip(table)
        x0, y0 = table.content_region.x, table.content_region.y
        span = min(laid.width, clip.right - x0)
        seen[table.id] = list(laid.keys)
        lines = [(y0, table.header_cells(laid))]
        top = int(table.scroll_y)
        for i in range(table.content_region.height - 1):
            if top + i < table.row_count:
                lines.append((y0 + 1 + i, table.source.cells(top + i, laid.keys)))
        for y, row_cells in lines:
            if not clip.y <= y < clip.bottom:
                continue
            shown = cells[y][x0 : x0 + span]
            expected = set_cell_size(ViewTable.line_text(laid, row_cells).plain, laid.width)
            assert "".join(shown) == set_cell_size(expected, span), f"{table.id} line {y - y0} at {app.size}"
            for offset, width in zip(laid.offsets, laid.widths, strict=True):
                for gutter in (offset - 1, offset + width):
                    if gutter < span:
                        assert shown[gutter] == " ", f"{table.id} line {y - y0}: column gutter {gutter} at {app.size}"
    return seen


async def walk_sizes(pilot, expect: dict[str, dict[int, list[str]]]) -> None:
    """Resize through SIZES (the first is where the test started) and check the tables at each."""
    for width, height in SIZES:
        if (width, height) != tuple(pilot.app.size):
            await pilot.resize_terminal(width, height)
        await settle(pilot)
        seen = check_tables(pilot.app)
        for table_id, by_width in expect.items():
            assert seen.get(table_id) == by_width[width], f"{table_id} at {width}x{height}"
        assert not pilot.app.unexpected_errors


async def test_questions_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        await walk_sizes(pilot, {"questions": QUESTIONS})
        await pilot.press("s", "s", "s")  # all six, the resolved ones too
        await walk_sizes(pilot, {"questions": QUESTIONS})


@pytest.mark.parametrize("tab", ["tab-updates", "tab-evidence", "tab-about"])
async def test_detail_screen(app_factory, tab):
    app = app_factory()
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        await pilot.press("end", "enter")  # eu-summit-deal: three updates, one linked article
        await settle(pilot)
        app.screen.query_one("TabbedContent").active = tab
        await settle(pilot)
        expect = {"tab-updates": {"updates-table": UPDATES}, "tab-evidence": {"evidence-table": EVIDENCE},
                  "tab-about": {}}[tab]  # fmt: skip
        await walk_sizes(pilot, expect)
        if tab == "tab-about":
            assert not any(t.is_on_screen for t in app.screen.query(ViewTable))


async def test_inbox_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await walk_sizes(pilot, {"inbox-table": INBOX})


async def test_scores_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await walk_sizes(pilot, {"headline": HEADLINE, "tag-table": TAGS})
        app.screen._reload(ScoresFilter())  # everyone: both forecasters in the table
        await walk_sizes(pilot, {"headline": HEADLINE, "tag-table": TAGS})


async def test_help_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            await settle(pilot)
            box = app.screen.query_one("#help-box")
            assert box.region.right <= width and box.region.bottom <= height
            lines = ["".join(row) for row in screen_cells(app)]
            top, bottom = box.region.y, box.region.bottom - 1
            left, right = box.region.x, box.region.right - 1
            assert lines[top][left] == "╭" and lines[top][right] == "╮", f"help box top at {width}x{height}"
            assert lines[bottom][left] == "╰" and lines[bottom][right] == "╯"
            for y in range(top + 1, bottom):  # nothing inside draws over the border
                assert lines[y][left] == "│" and lines[y][right] in "│▁▂▃▄▅▆▇█▔▏▕", f"help line {y} at {width}x{height}"
