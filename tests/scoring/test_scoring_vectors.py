"""Scoring rules, case by case: published vectors and hand-worked examples (docs/scoring.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.core.errors import InvalidInput
from forecast.core.scoring import ScoringInput, question_detail, score
from forecast.core.scoring.results import QuestionCounts
from forecast.core.timeparse import from_micros
from tests.scoring.read_models import assert_plain_records

YES_0_100 = {"opens": 0, "closes": 100, "outcome": 1}
NO_0_100 = {"opens": 0, "closes": 100, "outcome": 0}


def summary(questions, forecasts, **kw):
    scores = score(ScoringInput.from_rows(questions, forecasts), **kw)
    out = scores.summary()
    return {f.name: f for f in out.forecasters + out.aggregates}, out


def one(questions, forecasts, name="a", **kw):
    return summary(questions, forecasts, **kw)[0][name]


# --- published vectors (issue 3; Metaculus score_math.py) ---------------------------------------------


@pytest.mark.parametrize(
    ("p", "start", "baseline", "coverage"),
    [
        (0.9, 0, 84.79969066, 1.0),
        (0.1, 0, -232.19280949, 1.0),
        (0.9, 50, 42.39984533, 0.5),
    ],
)
def test_metaculus_baseline_vectors(p, start, baseline, coverage):
    f = one([YES_0_100], [(0, "a", start, p)])
    assert f.baseline == pytest.approx(baseline, abs=1e-8)
    assert f.coverage == pytest.approx(coverage)


def test_metaculus_peer_vector_three_forecasters():
    by_name, _ = summary([YES_0_100], [(0, "a", 0, 0.1), (0, "b", 0, 0.5), (0, "c", 0, 0.9)])
    # n/(n-1) * ln(p / GM of all three) equals ln(p / GM of the other two)
    assert by_name["a"].peer == pytest.approx(100 * math.log(0.1 / math.sqrt(0.5 * 0.9)), abs=1e-9)
    assert by_name["a"].peer == pytest.approx(1.5 * 100 * math.log(0.1 / (0.1 * 0.5 * 0.9) ** (1 / 3)), abs=1e-9)
    assert by_name["c"].peer == pytest.approx(100 * math.log(0.9 / math.sqrt(0.1 * 0.5)), abs=1e-9)
    assert sum(by_name[n].peer for n in "abc") == pytest.approx(0.0, abs=1e-9)


def test_brier2_seventy_percent_on_yes():
    f = one([YES_0_100], [(0, "a", 0, 0.7)])
    assert f.brier == pytest.approx(0.09)
    assert f.brier2 == pytest.approx(0.18)


# --- hand-worked rules -------------------------------------------------------------------------------------


def test_update_mid_window():
    f = one([YES_0_100], [(0, "a", 0, 0.6), (0, "a", 50, 0.8)])
    assert f.brier == pytest.approx((0.16 * 50 + 0.04 * 50) / 100)
    assert f.brier_forecasts == pytest.approx((0.16 + 0.04) / 2)
    assert f.n_forecasts == 2 and f.n_questions == 1
    assert f.baseline == pytest.approx(100 * (math.log2(1.2) * 0.5 + math.log2(1.6) * 0.5))
    assert f.log_score == pytest.approx(0.5 * math.log(0.6) + 0.5 * math.log(0.8))


def test_late_first_forecast_covers_only_its_span():
    f = one([YES_0_100], [(0, "a", 25, 0.6), (0, "a", 75, 0.8)])
    assert f.brier == pytest.approx((0.16 * 50 + 0.04 * 25) / 75)
    assert f.coverage == pytest.approx(0.75)
    assert f.baseline == pytest.approx(100 * (math.log2(1.2) * 0.5 + math.log2(1.6) * 0.25))


def test_early_yes_resolution_ends_the_window_and_later_forecasts_are_late():
    q = {"opens": 0, "closes": 100, "resolved_at": 40, "outcome": 1}
    f = one([q], [(0, "a", 0, 0.9), (0, "a", 60, 0.2)])
    assert f.brier == pytest.approx(0.01)
    assert f.coverage == pytest.approx(1.0)  # of the window [opens, resolved_at)
    # Metaculus divides by the scheduled duration, so an early resolution scores 40% of the horizon
    assert f.baseline == pytest.approx(84.79969066 * 0.4, abs=1e-8)
    assert f.n_late == 1 and f.n_forecasts == 1


def test_forecast_at_end_is_late_and_changes_nothing():
    base = one([YES_0_100], [(0, "a", 0, 0.8)])
    f = one([YES_0_100], [(0, "a", 0, 0.8), (0, "a", 100, 0.0), (0, "a", 150, 0.0)])
    assert f.n_late == 2
    for key in ("brier", "baseline", "peer", "log_score", "coverage", "n_forecasts"):
        assert getattr(f, key) == getattr(base, key)


def test_forecaster_with_only_late_forecasts():
    by_name, _ = summary([YES_0_100], [(0, "a", 0, 0.8), (0, "b", 120, 0.9)])
    b = by_name["b"]
    assert b.n_questions == 0 and b.n_late == 1 and b.n_forecasts == 0
    assert b.brier is None and b.baseline is None and b.relative_brier is None
    assert by_name["a"].peer == 0.0  # b never stood, so a was alone


@pytest.mark.parametrize(
    ("p", "o", "brier", "log_score", "baseline"),
    [
        (0.0, 1, 1.0, math.log(0.001), 100 * math.log2(0.002)),
        (1.0, 1, 0.0, math.log(0.999), 100 * math.log2(1.998)),
        (0.0, 0, 0.0, math.log(0.999), 100 * math.log2(1.998)),
        (1.0, 0, 1.0, math.log(0.001), 100 * math.log2(0.002)),
    ],
)
def test_probabilities_zero_and_one_are_clamped_for_logs_only(p, o, brier, log_score, baseline):
    f = one([{"opens": 0, "closes": 100, "outcome": o}], [(0, "a", 0, p)])
    assert f.brier == pytest.approx(brier)
    assert f.log_score == pytest.approx(log_score)
    assert f.baseline == pytest.approx(baseline)


def test_peer_with_certain_forecasts_is_finite():
    by_name, _ = summary([YES_0_100], [(0, "a", 0, 1.0), (0, "b", 0, 0.0)])
    assert by_name["a"].peer == pytest.approx(100 * math.log(0.999 / 0.001))
    assert by_name["b"].peer == pytest.approx(-100 * math.log(0.999 / 0.001))


@pytest.mark.parametrize("outcome", [None])
def test_annulled_and_unresolved_questions_are_not_scored(outcome):
    qs = [YES_0_100, {"opens": 0, "closes": 100, "outcome": outcome}]
    by_name, out = summary(qs, [(0, "a", 0, 0.9), (1, "a", 0, 0.1), (1, "b", 0, 0.2)])
    assert by_name["a"].n_questions == 1 and by_name["a"].brier == pytest.approx(0.01)
    assert by_name["b"].n_questions == 0 and by_name["b"].n_late == 0
    assert out.questions == QuestionCounts(scored=1, not_scored=1, empty_window=0)


def test_lone_forecaster_peer_is_zero():
    f = one([YES_0_100], [(0, "a", 0, 0.3), (0, "a", 60, 0.95)])
    assert f.peer == 0.0
    assert f.relative_brier is None


@pytest.mark.parametrize("q", [{"opens": 50, "closes": 50, "outcome": 1}, {"opens": 50, "closes": 20, "outcome": 0},
                               {"opens": 50, "closes": 90, "resolved_at": 40, "outcome": 1}])  # fmt: skip
def test_empty_windows_are_counted_not_scored(q):
    by_name, out = summary([q], [(0, "a", 0, 0.5), (0, "a", 60, 0.5)])
    assert out.questions == QuestionCounts(scored=0, not_scored=0, empty_window=1)
    assert by_name["a"].n_questions == 0 and by_name["a"].n_late == 0


def test_forecasts_before_opening_count_from_opening_and_the_last_one_stands():
    q = {"opens": 0, "closes": 100, "outcome": 1}
    f = one([q], [(0, "a", -50, 0.2), (0, "a", -10, 0.7)])
    assert f.n_forecasts == 1
    assert f.brier == pytest.approx(0.09)
    assert f.coverage == 1.0
    assert f.baseline == pytest.approx(100 * math.log2(1.4))


def test_same_instant_forecasts_last_in_tie_order_stands():
    f = one([YES_0_100], [(0, "a", 10, 0.2), (0, "a", 10, 0.7)])
    assert f.n_forecasts == 1 and f.brier == pytest.approx(0.09)
    rows = ScoringInput.from_rows([YES_0_100], [(0, "a", 10, 0.2), (0, "a", 10, 0.7)])
    flipped = ScoringInput(**{**rows.__dict__, "seq": np.array([2, 1])})
    assert score(flipped).summary().forecasters[0].brier == pytest.approx(0.64)


def test_relative_brier_and_peer_with_a_newcomer():
    by_name, _ = summary([YES_0_100], [(0, "a", 0, 0.9), (0, "b", 50, 0.5)])
    # [0, 50): a alone (difference 0, peer 0); [50, 100): median Brier of 0.01 and 0.25 is 0.13
    assert by_name["a"].relative_brier == pytest.approx((0.01 - 0.13) * 50 / 100)
    assert by_name["b"].relative_brier == pytest.approx(0.25 - 0.13)
    # with n = 2, n/(n-1) ln(p / GM) = ln(p / p_other)
    assert by_name["a"].peer == pytest.approx(100 * math.log(0.9 / 0.5) * 0.5)
    assert by_name["b"].peer == pytest.approx(-100 * math.log(0.9 / 0.5) * 0.5)


def test_no_question_scores_mean_over_questions():
    qs = [NO_0_100, {"opens": 0, "closes": 200, "outcome": 1}]
    f = one(qs, [(0, "a", 0, 0.2), (1, "a", 100, 0.6)])
    assert f.brier == pytest.approx((0.04 + 0.16) / 2)
    assert f.coverage == pytest.approx((1.0 + 0.5) / 2)
    assert f.baseline == pytest.approx((100 * math.log2(1.6) + 100 * math.log2(1.2) * 0.5) / 2)
    assert f.baseline_total == pytest.approx(100 * math.log2(1.6) + 100 * math.log2(1.2) * 0.5)


def test_team_aggregates_over_time():
    fs = [(0, "a", 0, 0.2), (0, "b", 0, 0.6), (0, "c", 50, 0.9), (0, "d", 50, 0.8)]
    by_name, out = summary([YES_0_100], fs)
    # [0, 50): {0.2, 0.6}; [50, 100): {0.2, 0.6, 0.8, 0.9}
    med = (0.4, 0.7)
    mean = (0.4, 0.625)
    assert by_name["@median"].brier == pytest.approx(((1 - med[0]) ** 2 + (1 - med[1]) ** 2) / 2)
    assert by_name["@mean"].brier == pytest.approx(((1 - mean[0]) ** 2 + (1 - mean[1]) ** 2) / 2)
    odds = [(0.2 / 0.8 * 0.6 / 0.4) ** 0.5, (0.2 / 0.8 * 0.6 / 0.4 * 0.9 / 0.1 * 0.8 / 0.2) ** 0.25]
    geo = [x / (1 + x) for x in odds]
    assert by_name["@geo-odds"].brier == pytest.approx(((1 - geo[0]) ** 2 + (1 - geo[1]) ** 2) / 2)
    assert "@extremized" not in by_name
    assert out.extremizing.exponent is None and "20" in out.extremizing.reason
    assert by_name["@median"].n_late == 0 and by_name["@median"].n_questions == 1


def test_unknown_unit_and_bad_bin_width_are_refused():
    inp = ScoringInput.from_rows([YES_0_100], [(0, "a", 0, 0.5)])
    with pytest.raises(InvalidInput):
        score(inp, unit="days")
    with pytest.raises(InvalidInput):
        score(inp, bin_width=0.3)


def test_invalid_input_is_refused():
    with pytest.raises(InvalidInput):
        ScoringInput.from_rows([YES_0_100], [(0, "a", 0, 1.5)])
    with pytest.raises(InvalidInput):
        ScoringInput.from_rows([YES_0_100], [(3, "a", 0, 0.5)])
    with pytest.raises(InvalidInput):
        ScoringInput.from_rows([{"opens": 0, "closes": 1, "outcome": 0.5}], [])


def test_empty_input():
    out = score(ScoringInput.from_rows([], [])).summary()
    assert out.forecasters == () and out.questions.scored == 0
    assert [a.name for a in out.aggregates] == ["@median", "@mean", "@geo-odds"]
    assert all(a.n_questions == 0 for a in out.aggregates)


def test_question_detail_contributions_add_up():
    q = {"opens": 0, "closes": 100, "resolved_at": 80, "outcome": 1, "label": "rain"}
    fs = [(0, "a", -5, 0.5), (0, "a", 20, 0.7), (0, "b", 40, 0.4), (0, "a", 90, 0.1), (0, "a", 20, 0.6)]
    inp = ScoringInput.from_rows([q], fs)
    d = question_detail(inp, 0)
    assert d.question.label == "rain" and d.question.scored and d.question.end == from_micros(80)
    a = next(f for f in d.forecasters if f.name == "a")
    statuses = [x.status for x in a.forecasts]
    assert statuses == ["scored", "replaced", "scored", "late"]
    scored = [x for x in a.forecasts if x.status == "scored"]
    assert sum(x.contribution for x in scored) == pytest.approx(a.brier)
    assert sum(x.weight for x in scored) == pytest.approx(1.0)
    assert sum(x.baseline for x in scored) == pytest.approx(a.baseline)
    assert sum(x.peer for x in scored) == pytest.approx(a.peer)
    assert a.brier == pytest.approx((0.25 * 20 + 0.16 * 60) / 80)  # 0.6 replaced 0.7 at 20
    assert a.n_late == 1 and a.n_forecasts == 2
    assert all(x.starts is None and x.weight is None for x in a.forecasts if x.status != "scored")
    totals = summary([q], fs)[0]
    for name in ("a", "b", "@median"):
        entry = next(f for f in d.forecasters + d.aggregates if f.name == name)
        for key in ("brier", "baseline", "peer", "relative_brier", "coverage"):
            assert getattr(entry, key) == pytest.approx(getattr(totals[name], key)), (name, key)
    assert assert_plain_records(d, "detail") > 50


def test_question_detail_of_an_unscored_question():
    inp = ScoringInput.from_rows([{"opens": 0, "closes": 10, "outcome": None}], [(0, "a", 1, 0.5)])
    d = question_detail(inp, 0, ids=np.array([41]))
    assert not d.question.scored and d.question.reason == "not resolved YES or NO"
    (x,) = d.forecasters[0].forecasts
    assert x.status == "not scored" and x.id == 41 and x.made_at == from_micros(1)
    assert d.forecasters[0].brier is None and d.aggregates == ()
