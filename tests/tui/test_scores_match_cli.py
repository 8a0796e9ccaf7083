"""The Scores screen shows the same figures, under the same names, as `forecast score --json` on the same database.

"Brier" is the time-weighted headline (`brier`), "Brier/forecast" the mean per forecast (`brier_forecasts`);
see the glossary in docs/scoring.md. The CLI runs (in this process) on the test's database file.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from forecast.core.numbers import fixed
from forecast.tui.scores_data import ScoresFilter
from tests.cli_runner import invoke
from tests.tui.conftest import SIZE, settle, until

pytestmark = pytest.mark.anyio

DIGITS = {"brier": 3, "brier_forecasts": 3, "baseline": 1, "peer": 1}


def cli_json(db, *args: str) -> dict:
    r = invoke("score", *args, "--json", db=db.url)
    assert r.code == 0, r.err
    return r.json()


def shown_rows(table) -> dict[str, dict[str, str]]:
    """The headline table's cells as drawn, by forecaster name and column key."""
    keys = [c.key for c in table.specs]
    rows = {}
    for i in range(table.row_count):
        cells = [c.plain for c in table.source.cells(i, keys)]
        rows[cells[0]] = dict(zip(keys, cells, strict=True))
    return rows


def expected(entry: dict) -> dict[str, str]:
    out = {key: fixed(entry[key], digits, blank="–") for key, digits in DIGITS.items()}
    out["questions"] = str(entry["n_questions"])
    return out


async def test_headline_and_tags_equal_score_json(app_factory, fixture_db):
    mine = cli_json(fixture_db, "--by", "tester", "--breakdown", "tag")
    everyone = cli_json(fixture_db)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert screen.flt.forecaster == "tester"  # the screen opens on the user's own scores
        labels = {c.key: c.label for c in screen.query_one("#headline").specs}
        assert labels["brier"] == "Brier" and labels["brier_forecasts"] == "Brier/forecast"
        rows = shown_rows(screen.query_one("#headline"))
        (tester,) = mine["forecasters"]
        assert set(rows) == {"tester"}
        assert {k: rows["tester"][k] for k in expected(tester)} == expected(tester)
        # The headline Brier is the time-weighted one, and in this fixture the two differ: the names matter.
        assert fixed(tester["brier"], 3) != fixed(tester["brier_forecasts"], 3)

        tags = {t["key"]: t for t in mine["breakdown"] if t["name"] == "tester" and t["n_questions"]}
        tag_table = screen.query_one("#tag-table")
        shown_tags = {}
        for i in range(tag_table.row_count):
            tag, n, brier = (c.plain for c in tag_table.source.cells(i, ["tag", "questions", "brier"]))
            shown_tags[tag] = (n, brier)
        assert shown_tags == {k: (str(t["n_questions"]), fixed(t["brier"], 3)) for k, t in tags.items()}

        screen._reload(ScoresFilter())  # everyone
        await settle(pilot)
        rows = shown_rows(screen.query_one("#headline"))
        people = {f["name"]: f for f in everyone["forecasters"] if f["n_questions"]}
        assert set(rows) == set(people)
        for name, entry in people.items():
            assert {k: rows[name][k] for k in expected(entry)} == expected(entry), name
        assert f"{everyone['questions']['scored']} questions scored" in str(screen.query_one("#scores-filters").render())


def add_backfilled(db) -> None:
    """tester logs, on 2026-03-01, a forecast "made" 100 days earlier on a resolved question: backfilled."""
    from datetime import timedelta

    from forecast.services.forecasts import ForecastRequest, record_forecast
    from tests.tui.conftest import ME, NOW

    db.write(lambda s: record_forecast(s, ForecastRequest("storm-season", 0.9, ME, at=NOW - timedelta(days=100)),
                                       now=NOW))  # fmt: skip


async def test_exclude_backfilled_toggle_equals_score_json(app_factory, fixture_db):
    add_backfilled(fixture_db)
    counted = cli_json(fixture_db, "--by", "tester")
    left_out = cli_json(fixture_db, "--by", "tester", "--exclude-backfilled")
    assert counted["backfilled"]["included"] == 1 and left_out["backfilled"]["included"] == 0
    assert fixed(counted["forecasters"][0]["brier"], 3) != fixed(left_out["forecasters"][0]["brier"], 3)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ScoresScreen" and app.screen.view.headline,
                    what="the scores")  # fmt: skip
        screen = app.screen
        filters = lambda: str(screen.query_one("#scores-filters").render())  # noqa: E731
        assert "↶ 1 counted b" in filters()  # one backfilled forecast among those scored
        assert shown_rows(screen.query_one("#headline"))["tester"] == {
            "name": "tester", **expected(counted["forecasters"][0])}
        assert " b " in str(screen.query_one("KeyBar").render())  # the toggle is in the key bar

        await pilot.press("b")
        await until(pilot, lambda: screen.flt.exclude_backfilled and not screen.query_one("#scores-body").loading)
        assert "↶ left out b" in filters()
        assert shown_rows(screen.query_one("#headline"))["tester"] == {
            "name": "tester", **expected(left_out["forecasters"][0])}

        await pilot.press("b")
        await until(pilot, lambda: not screen.flt.exclude_backfilled and not screen.query_one("#scores-body").loading)
        brier = shown_rows(screen.query_one("#headline"))["tester"]["brier"]
        assert brier == fixed(counted["forecasters"][0]["brier"], 3)


async def test_an_empty_view_says_which_filter_emptied_it(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ScoresScreen" and app.screen.view.headline,
                    what="the scores")  # fmt: skip
        screen = app.screen
        screen._reload(replace(screen.flt, tag="space"))  # its only question is not resolved yet
        await until(pilot, lambda: screen.flt.tag == "space" and not screen.query_one("#scores-body").loading)
        note = str(screen.query_one("#scores-note").render())
        assert note == "Nothing scored for you · questions tagged #space. Press w, t to widen the selection."
        assert "scored" not in str(screen.query_one("#scores-filters").render())  # no count beside it
        assert not screen.query_one("#headline").display


def test_calibration_legend_lists_only_what_is_drawn():
    from forecast.tui.widgets.score_charts import Bin, calibration_legend, render_calibration

    near = Bin(0.3, 0.4, 0.35, 0.35, None, None, 3)  # on the diagonal, no interval
    drawn: set[str] = set()
    render_calibration([near], 40, 12, drawn=drawn)
    assert calibration_legend(drawn).plain.split() == ["⠄⠂", "ideal", "●", "observed"]

    far = Bin(0.8, 0.9, 0.85, 0.1, 0.02, 0.4, 5)  # far below the diagonal, with a tall interval
    drawn = set()
    render_calibration([far], 40, 12, drawn=drawn)
    assert calibration_legend(drawn).plain.split() == ["⠄⠂", "ideal", "●", "off", "│", "95%", "CI"]

    drawn = set()
    render_calibration([near], 10, 3, drawn=drawn)  # too small: no chart, no legend
    assert calibration_legend(drawn).plain == ""


async def test_the_scores_screen_shows_the_legend_of_its_calibration_chart(app_factory):
    from forecast.tui.widgets.score_charts import CalibrationChart

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ScoresScreen" and app.screen.view.headline
                    and app.screen.query_one(CalibrationChart).legend, what="the chart's legend")  # fmt: skip
        chart = app.screen.query_one(CalibrationChart)
        assert "ideal" in chart.legend and "●" in chart.legend
        from tests.tui.screen_text import screen_cells

        shown = ["".join(row) for row in screen_cells(app)]
        assert any(chart.legend.strip() in row for row in shown)  # drawn in the chart's bottom border


def kind_expected(kind: str, entry: dict) -> dict[str, str]:
    from forecast.tui.screens.scores import DIGITS, KIND_COLUMNS

    keys = [c.key for c in KIND_COLUMNS[kind]][2:-1]
    out = {"name": entry["name"], "questions": str(entry["n_questions"])}
    out.update({k: fixed(entry[k], DIGITS[k], blank="–") for k in keys})
    out["coverage"] = f"{entry['coverage'] * 100:.0f}%"
    return out


async def test_each_kind_has_its_own_table_equal_to_score_json(kinds_scored_app, kinds_scored_db):
    """Choice, numeric and date questions: one table per kind with that kind's columns and the numbers of
    `forecast score --json` (its `kinds` block); no binary question is resolved, so no headline."""
    mine = cli_json(kinds_scored_db, "--by", "tester")["kinds"]
    everyone = cli_json(kinds_scored_db)["kinds"]
    assert set(mine) == {"choice", "numeric", "date"}
    app = kinds_scored_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ScoresScreen" and app.screen.view.kinds,
                    what="the scores")  # fmt: skip
        screen = app.screen
        assert screen.flt.forecaster == "tester"
        assert not screen.query_one("#headline").display and not screen.query_one("#scores-note").display
        labels = {k: [c.label for c in screen.query_one(f"#kind-{k} ListTable").specs] for k in mine}
        assert labels["choice"] == ["Forecaster", "Questions", "Brier", "Brier2", "Log", "Baseline", "Peer", "Coverage"]
        assert labels["numeric"] == labels["date"] == ["Forecaster", "Questions", "Log", "CRPS", "Baseline", "Peer",
                                                       "Coverage"]  # fmt: skip
        for kind, block in mine.items():
            table = screen.query_one(f"#kind-{kind} ListTable")
            assert table.display and screen.query_one(f"#kind-{kind}").display
            assert shown_rows(table) == {f["name"]: kind_expected(kind, f) for f in block["forecasters"]}, kind
            title = str(screen.query_one(f"#kind-{kind} .kind-title").render())
            assert title.startswith(f"{kind.capitalize()} questions  {block['questions']['scored']} scored")
        n = sum(b["questions"]["scored"] for b in mine.values())
        assert f"{n} questions scored" in str(screen.query_one("#scores-filters").render())

        screen._reload(ScoresFilter())  # everyone: alice forecast the choice and the date questions too
        await until(pilot, lambda: screen.flt.forecaster is None and not screen.query_one("#scores-body").loading)
        for kind, block in everyone.items():
            rows = shown_rows(screen.query_one(f"#kind-{kind} ListTable"))
            people = [f for f in block["forecasters"] if f["n_questions"]]
            assert rows == {f["name"]: kind_expected(kind, f) for f in people}, kind
        assert set(shown_rows(screen.query_one("#kind-choice ListTable"))) == {"tester", "alice"}


async def test_only_binary_questions_show_no_kind_section(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ScoresScreen" and app.screen.view.headline,
                    what="the scores")  # fmt: skip
        assert app.screen.view.kinds == []
        assert not any(s.display for s in app.screen.query(".kind-section"))
