"""The Scores screen shows the same figures, under the same names, as `forecast score --json` on the same database.

"Brier" is the time-weighted headline (`brier`), "Brier/forecast" the mean per forecast (`brier_forecasts`);
see the glossary in docs/scoring.md. The CLI runs (in this process) on the test's database file.
"""

from __future__ import annotations

import pytest

from forecast.core.numbers import fixed
from forecast.tui.scores_data import ScoresFilter
from tests.cli_runner import invoke
from tests.tui.conftest import SIZE, settle

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
