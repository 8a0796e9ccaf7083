"""The questions table: status toggles, incremental filter, the four sorts, and the view model behind them."""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZE, settle

pytestmark = pytest.mark.anyio


def slugs(screen) -> list[str]:
    c = screen.view.columns
    return [c.slugs[i] for i in screen.view.rows]


async def test_status_toggles_and_counts(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert slugs(screen) == ["launch-window", "rate-cut-q2", "eu-summit-deal"]
        assert screen.view.counts() == {"open": 3, "closed": 0, "resolved": 3, "all": 6}
        await pilot.press("s")
        assert screen.view.status == "closed" and slugs(screen) == []
        assert "No closed questions" in str(screen.query_one("#empty").render())
        await pilot.press("s")
        assert slugs(screen) == ["old-election", "annulled-vote", "storm-season"]
        await pilot.press("s")
        assert len(slugs(screen)) == 6
        await pilot.press("s")
        assert screen.view.status == "open"
        # Clicking a status works too.
        await pilot.click("#statuses", offset=(32, 0))
        await pilot.pause()
        assert screen.view.status == "all"


async def test_filter_as_you_type(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("s", "s", "s")  # all
        await pilot.press("slash")
        assert app.focused.id == "filter"
        await pilot.press("e", "l")
        assert slugs(screen) == ["old-election"]
        await pilot.press("e", "c")
        assert slugs(screen) == ["old-election"]
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        assert len(slugs(screen)) == 6
        screen.query_one("#filter").value = "#politics"
        await pilot.pause()
        assert set(slugs(screen)) == {"old-election", "annulled-vote", "eu-summit-deal"}
        await pilot.press("end", "space", "s")  # refines "#politics" as keys arrive
        screen.query_one("#filter").value = "#politics summit"
        await pilot.pause()
        assert slugs(screen) == ["eu-summit-deal"]
        assert "matching" in str(screen.query_one("#summary").render())
        await pilot.press("enter")
        assert app.focused is screen.table
        await pilot.press("slash", "z")
        assert slugs(screen) == []
        assert "Nothing matches" in str(screen.query_one("#empty").render())
        await pilot.press("escape")
        assert screen.query_one("#filter").value == "" and len(slugs(screen)) == 6
        assert app.focused is screen.table
        assert not app.unexpected_errors


async def test_sorts(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("s", "s", "s")  # all six
        assert slugs(screen)[:3] == ["old-election", "annulled-vote", "storm-season"]
        await pilot.press("o")  # last update, newest first
        assert screen.view.sort == "updated"
        assert slugs(screen)[0] == "eu-summit-deal"  # my update at day -18 is the latest
        await pilot.press("o")  # probability, highest first (mine, else the team's)
        assert slugs(screen)[:2] == ["old-election", "launch-window"]
        await pilot.press("o")  # Brier, worst first; unscored questions last
        assert slugs(screen)[:2] == ["storm-season", "old-election"]
        await pilot.press("O")
        assert screen.view.descending
        assert slugs(screen)[0] == "old-election"
        assert "reversed" in str(screen.query_one("#summary").render())
        await pilot.press("o")
        assert screen.view.sort == "closes" and not screen.view.descending
        # The sorted column's heading carries the marker.
        assert screen.table.labels["closes"] == "Closes ▲"


async def test_open_keeps_cursor_across_reload(app_factory):
    from forecast.tui.screens.detail import DetailScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("down", "down")
        qid = screen.highlighted_id()
        await pilot.press("r")
        await settle(pilot)
        assert screen.highlighted_id() == qid
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.question_id == qid
        await pilot.press("escape")
        assert app.screen is screen


def test_view_refines_only_previous_matches():
    """Extending the filter text re-checks only the rows that matched; the result equals a full scan."""
    import numpy as np

    from forecast.services.questions.table import QuestionColumns
    from forecast.tui.question_view import QuestionView

    n = 1000
    titles = [f"question {i} about {'rates' if i % 3 else 'storms'}" for i in range(n)]
    cols = QuestionColumns(
        ids=np.arange(1, n + 1), slugs=[f"q{i}" for i in range(n)], titles=titles, status=["open"] * n,
        opens=np.zeros(n, np.int64), closes=np.arange(n, dtype=np.int64), resolves=np.arange(n, dtype=np.int64),
        resolution=[None] * n, outcome=np.full(n, np.nan), tags=[()] * n, mine=np.full(n, np.nan),
        mine_at=np.zeros(n, np.int64),
    )  # fmt: skip
    view = QuestionView()
    view.set_columns(cols)
    for typed in ("s", "st", "sto", "stor", "storm", "storms 1"):
        view.set_query(typed)
        expected = [i for i, t in enumerate(titles) if all(w in f"{t}\nq{i}\n" for w in typed.split())]
        assert view.rows.tolist() == expected
