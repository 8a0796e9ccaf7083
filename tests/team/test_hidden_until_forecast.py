"""With hide_until_forecast, a member who has not forecast is told that others' forecasts are hidden (the read
model's `others_hidden`, `q show` and the TUI's detail screen), instead of being shown an empty list that reads
as "nobody has forecast"."""

from __future__ import annotations

import pytest

from forecast.services.views import HIDDEN_NOTE, HIDDEN_UNTIL_CLOSE, HIDDEN_UNTIL_FORECAST
from tests.cli_runner import invoke
from tests.team.conftest import _sql

pytestmark = pytest.mark.postgres

SLUG = "will-it-snow-in-oslo-on-2030-01-05"


@pytest.fixture
def asked(team_db):
    """alice asks a question and forecasts it; bob (member), olga (observer) and adam (admin) have not."""
    u = team_db["urls"]
    assert invoke("q", "add", "Will it snow in Oslo on 2030-01-05?", "--closes", "2030-01-05", db=u["alice"]).code == 0
    assert invoke("predict", SLUG, "70%", db=u["alice"]).code == 0
    return team_db


def shown(url: str) -> dict:
    res = invoke("q", "show", SLUG, "--json", db=url)
    assert res.code == 0, res.err
    return res.json()


def test_the_read_model_says_why_others_forecasts_are_missing(asked):
    u, n = asked["urls"], asked["names"]
    bob = shown(u["bob"])
    assert bob["others_hidden"] == HIDDEN_UNTIL_FORECAST and bob["latest"] == {} and bob["forecasts"] == []
    assert shown(u["olga"])["others_hidden"] == HIDDEN_UNTIL_CLOSE
    for who in ("alice", "adam"):  # alice has forecast; admins see everything
        seen = shown(u[who])
        assert seen["others_hidden"] is None and list(seen["latest"]) == [n["alice"]]
    text = invoke("q", "show", SLUG, db=u["bob"])
    assert text.code == 0 and HIDDEN_NOTE[HIDDEN_UNTIL_FORECAST] in text.out

    assert invoke("predict", SLUG, "40%", db=u["bob"]).code == 0  # once bob forecasts, he sees alice's
    bob = shown(u["bob"])
    assert bob["others_hidden"] is None and sorted(bob["latest"]) == sorted([n["alice"], n["bob"]])
    assert HIDDEN_NOTE[HIDDEN_UNTIL_FORECAST] not in invoke("q", "show", SLUG, db=u["bob"]).out


def test_nothing_is_said_when_the_team_shows_forecasts(asked):
    _sql(asked["owner"].replace("+psycopg", ""), "UPDATE team_setting SET value = 'false' WHERE key = 'hide_until_forecast'")
    bob = shown(asked["urls"]["bob"])
    assert bob["others_hidden"] is None and list(bob["latest"]) == [asked["names"]["alice"]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _detail_app(url: str, me: str):
    from forecast.services.database import open_database
    from forecast.tui.app import ForecastApp
    from forecast.tui.context import TuiContext
    from tests.tui.conftest import Clock

    db = open_database(url)
    ctx = TuiContext(target=url, me=me, tz="UTC", clock=Clock(), refresh_seconds=None, label="team", database=db)
    return ForecastApp(ctx), db


@pytest.mark.anyio
@pytest.mark.parametrize("who", ["bob", "alice"])
async def test_the_detail_screen_says_others_are_hidden_until_you_forecast(asked, who):
    from forecast.tui.screens.detail import DetailScreen
    from tests.tui.conftest import SIZE, until

    qid = _sql(asked["urls"]["bob"], "SELECT id FROM question WHERE slug = %s", (SLUG,))[0][0]
    app, db = _detail_app(asked["urls"][who], asked["names"][who])
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.screen.__class__.__name__ == "QuestionsScreen" and app.screen.complete)
            app.open_question(qid)
            await until(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.data is not None)
            screen = app.screen
            meta = str(screen.query_one("#detail-meta").render())
            updates = str(screen.query_one("#update-detail").render())
            if who == "bob":  # a member who has not forecast: told, in the header and where the updates would be
                assert "others hidden until you forecast" in meta
                assert HIDDEN_NOTE[HIDDEN_UNTIL_FORECAST] in updates and "Press f to record a forecast." in updates
                assert "No updates yet" not in updates
            else:  # alice forecast: her update is listed and nothing is said to be hidden
                assert "hidden" not in meta and "hidden" not in updates
                assert "70%" in meta
            assert not app.unexpected_errors
    finally:
        db.engine.dispose()
