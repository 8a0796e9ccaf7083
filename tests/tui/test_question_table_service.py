"""services/questions/table.py on SQLite and PostgreSQL, and the app's main screens on PostgreSQL."""

from __future__ import annotations

import math

import pytest

from tests.tui.conftest import ME, NOW, SIZE, Clock, build_fixture, settle


@pytest.fixture
def filled(database):
    ids = build_fixture(database)
    return database, ids


def test_columns_team_and_sparklines(filled):
    from forecast.services.questions import table as qt

    db, ids = filled
    with db.session() as s:
        cols = qt.load_columns(s, forecaster=ME)
        team = qt.load_team(s, cols.ids)
        sparks = qt.sparklines(s, [ids["eu-summit-deal"], ids["launch-window"]], forecaster=ME, points=6)
        version = qt.data_version(s)
        found = qt.search_questions(s, "central bank")
    assert len(cols) == 6
    assert cols.slugs[0] == "old-election"  # ordered by close date
    i = cols.slugs.index("eu-summit-deal")
    assert cols.mine[i] == pytest.approx(0.62)
    assert cols.tags[i] == ("eu", "politics")
    assert team.forecasters[i] == 2 and team.median[i] == pytest.approx((0.62 + 0.55) / 2)
    assert math.isnan(cols.outcome[i]) and cols.outcome[cols.slugs.index("old-election")] == 1.0
    assert sparks[ids["eu-summit-deal"]] == ((0.40, 0.62), True)
    assert sparks[ids["launch-window"]] == ((0.80,), True)
    assert [q.slug for q in found] == ["rate-cut-q2"]
    with db.session() as s:
        assert qt.data_version(s) == version


def test_first_page_is_the_head_of_the_full_order(filled):
    from forecast.services.questions import table as qt

    db, _ = filled
    with db.session() as s:
        full = qt.load_columns(s, forecaster=ME)
        first = qt.load_columns(s, forecaster=ME, statuses=("resolved", "annulled"), limit=2)
    expected = [slug for slug, st in zip(full.slugs, full.status, strict=True) if st in ("resolved", "annulled")][:2]
    assert first.slugs == expected
    if db.dialect == "sqlite":
        from pathlib import Path

        raw = qt.first_page_sqlite(Path(db.url.removeprefix("sqlite:///")), forecaster=ME,
                                   statuses=("resolved", "annulled"), limit=2)  # fmt: skip
        assert raw.slugs == expected and raw.tags == first.tags


@pytest.mark.anyio
async def test_app_on_each_backend(filled, anyio_backend):
    from forecast.tui.app import ForecastApp
    from forecast.tui.context import TuiContext
    from forecast.tui.screens.detail import DetailScreen

    db, _ = filled
    ctx = TuiContext(target=db.url, me=ME, clock=Clock(NOW), refresh_seconds=None, database=db)
    app = ForecastApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.screen.view) == 3
        await pilot.press("end", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and len(app.screen.updates) == 3
        assert not app.unexpected_errors
