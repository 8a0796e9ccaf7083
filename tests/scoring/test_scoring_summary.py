"""The summary's typed records and their JSON shape, forecaster selection, and breakdowns by tag, question and
period."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from forecast.cli.score_json import breakdown_json, engine_json
from forecast.core.errors import InvalidInput
from forecast.core.scoring import ScoringInput, score
from forecast.core.scoring.results import BreakdownRow, ForecasterScores, Summary
from forecast.core.timeparse import to_micros
from tests.scoring.read_models import assert_plain_records

FORECASTER_KEYS = {
    "name", "n_questions", "n_forecasts", "n_late", "brier", "brier_forecasts", "brier2", "log_score",
    "baseline", "baseline_total", "peer", "peer_total", "relative_brier", "n_relative", "coverage",
    "calibration", "decomposition", "regression",
}  # fmt: skip


def us(*args) -> int:
    return to_micros(datetime(*args, tzinfo=UTC))


@pytest.fixture
def inp():
    questions = [
        {"opens": us(2024, 1, 1), "closes": us(2024, 3, 1), "resolved_at": us(2024, 2, 10), "outcome": 1, "label": "q-a"},
        {"opens": us(2024, 1, 1), "closes": us(2024, 5, 1), "resolved_at": us(2024, 5, 2), "outcome": 0, "label": "q-b"},
        {"opens": us(2024, 1, 1), "closes": us(2025, 1, 1), "resolved_at": us(2025, 1, 3), "outcome": 1, "label": "q-c"},
        {"opens": us(2024, 1, 1), "closes": us(2025, 1, 1), "outcome": None, "label": "q-d"},
    ]  # fmt: skip
    forecasts = [
        (0, "ann", us(2024, 1, 1), 0.8), (0, "bob", us(2024, 1, 15), 0.4),
        (1, "ann", us(2024, 1, 1), 0.3), (1, "bob", us(2024, 2, 1), 0.1), (1, "bob", us(2024, 6, 1), 0.9),
        (2, "ann", us(2024, 3, 1), 0.7), (3, "bob", us(2024, 3, 1), 0.5),
    ]  # fmt: skip
    tags = {0: ["politics"], 1: ["economy", "politics"], 2: ["economy"]}
    return ScoringInput.from_rows(questions, forecasts, tags)


def test_summary_shape_is_complete_and_json_safe(inp):
    out = engine_json(score(inp).summary())
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text) == out
    assert list(out) == ["unit", "bin_width", "questions", "forecasters", "aggregates", "overall", "extremizing"]
    assert [f["name"] for f in out["forecasters"]] == ["ann", "bob"]
    for entry in out["forecasters"] + out["aggregates"]:
        assert set(entry) == FORECASTER_KEYS
        assert len(entry["calibration"]) == 10
        assert set(entry["regression"]) == {"n", "intercept", "intercept_ci", "slope", "slope_ci", "verdict", "reason"}
        assert set(entry["decomposition"]) >= {"reliability", "resolution", "uncertainty", "within", "brier"}
    bob = out["forecasters"][1]
    assert bob["n_questions"] == 2 and bob["n_forecasts"] == 2 and bob["n_late"] == 1


def test_summary_and_breakdown_are_frozen_records_of_plain_numbers(inp):
    scores = score(inp)
    summary = scores.summary()
    assert type(summary) is Summary
    assert all(type(f) is ForecasterScores for f in summary.forecasters + summary.aggregates)
    rows = scores.breakdown("tag")
    assert rows and all(type(r) is BreakdownRow for r in rows)
    assert_plain_records(summary, "summary") > 500
    assert_plain_records(rows, "breakdown")
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.forecasters[0].brier = 0.0  # type: ignore[misc]


def test_selecting_forecasters_keeps_the_crowd(inp):
    everyone = score(inp)
    only_bob = everyone.summary(["bob"])
    assert [f.name for f in only_bob.forecasters] == ["bob"]
    assert only_bob.forecasters[0] == everyone.summary().forecasters[1]
    assert len(only_bob.aggregates) == 3
    assert only_bob.overall.calibration == only_bob.forecasters[0].calibration
    with pytest.raises(InvalidInput, match="no forecaster named 'eve'"):
        everyone.summary(["eve"])


def rows_by(scores, by, names=None):
    return {(r.key, r.name): r for r in scores.breakdown(by, names)}


def test_breakdown_json_keys_in_the_documented_order(inp):
    (row, *_) = breakdown_json(score(inp).breakdown("tag", ["ann"]))
    assert list(row) == ["by", "key", "name", "n_questions", "n_forecasts", "n_late", "brier", "brier_forecasts",
                         "brier2", "log_score", "baseline", "baseline_total", "peer", "peer_total", "relative_brier",
                         "n_relative", "coverage"]  # fmt: skip
    assert (row["by"], row["key"], row["name"]) == ("tag", "economy", "ann")


def test_breakdown_by_tag_counts_a_question_under_each_of_its_tags(inp):
    rows = rows_by(score(inp), "tag", ["ann"])
    assert [k for k in rows if k[1] == "ann"] == [("economy", "ann"), ("politics", "ann")]
    assert rows[("economy", "ann")].n_questions == 2
    assert rows[("politics", "ann")].n_questions == 2
    assert rows[("economy", "@median")].n_questions == 2


def test_breakdown_by_question_matches_the_per_question_scores(inp):
    scores = score(inp)
    rows = rows_by(scores, "question")
    assert rows[("q-a", "ann")].brier == pytest.approx(0.04)
    assert rows[("q-b", "bob")].n_late == 1 and rows[("q-b", "bob")].brier == pytest.approx(0.01)
    assert ("q-d", "bob") not in rows  # unresolved: neither scored nor late


@pytest.mark.parametrize(
    ("by", "keys"),
    [("month", ["2024-02", "2024-05", "2025-01"]), ("quarter", ["2024-Q1", "2024-Q2", "2025-Q1"]), ("year", ["2024", "2025"])],
)
def test_breakdown_by_period_of_resolution(inp, by, keys):
    rows = score(inp).breakdown(by, ["ann"])
    assert sorted({r.key for r in rows if r.name == "ann"}) == keys
    if by == "year":
        ann_2024 = next(r for r in rows if r.key == "2024" and r.name == "ann")
        assert ann_2024.n_questions == 2
        assert ann_2024.brier == pytest.approx((0.04 + 0.09) / 2)


def test_unknown_breakdown_is_refused(inp):
    with pytest.raises(InvalidInput):
        score(inp).breakdown("week")
