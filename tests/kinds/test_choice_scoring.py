"""Choice questions: scored by hand-worked cases, by Metaculus's formulas, and exactly like binary with two options."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.core.kind_input import normalise, parse_choice
from forecast.core.kinds import ChoiceOption, Choices
from forecast.core.scoring import ScoringInput, score
from forecast.core.scoring.kinds import KindForecast, choice_baseline, choice_brier2, choice_calibration, score_choice

KIM = Choices((ChoiceOption("kim", "Kim Jong Un"), ChoiceOption("moon", "Moon Jae-in"), ChoiceOption("other", "Other")))


def test_hand_worked_three_options():
    pmf = np.array([0.5, 0.3, 0.2])
    # outcome kim: (0.5-1)^2 + 0.3^2 + 0.2^2 = 0.25 + 0.09 + 0.04
    assert choice_brier2(pmf, 0) == pytest.approx(0.38)
    # Metaculus baseline: 100 ln(3 * 0.5) / ln 3
    assert choice_baseline(pmf, 0) == pytest.approx(100 * math.log(1.5) / math.log(3))
    assert choice_baseline(np.full(3, 1 / 3), 2) == pytest.approx(0.0)


def test_parse_choice_normalises_within_half_a_percent_and_refuses_beyond():
    f = parse_choice("kim=50% moon=30% other=20%", KIM)
    assert f.probabilities == (0.5, 0.3, 0.2) and not f.normalised
    g = parse_choice("kim=50.2% moon=30% other=20%", KIM)
    assert g.normalised and math.fsum(g.probabilities) == 1.0
    assert g.probabilities[0] == pytest.approx(0.502 / 1.002)
    for bad, words in [
        ("kim=50% moon=30% other=10%", "sum to 90"),
        ("kim=50% moon=50%", "missing: other"),
        ("kim=99.95% moon=0.05% other=0%", "at least 0.1 %"),
        ("kim=50% kim=30% other=20%", "twice"),
        ("kim=50% sun=30% other=20%", "not an option"),
        ("kim:50%", "KEY=VALUE"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            parse_choice(bad, KIM)


@given(st.lists(st.floats(0.001, 1.0), min_size=2, max_size=50))
def test_normalise_sums_to_exactly_one(values):
    out = normalise(np.array(values))
    assert math.fsum(out) == 1.0
    assert all(v > 0 for v in out)


forecast_rows = st.lists(
    st.tuples(st.sampled_from("abcd"), st.integers(0, 120), st.floats(0.0, 1.0)), min_size=1, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(forecast_rows, st.integers(0, 1), st.integers(30, 130))
def test_two_options_score_exactly_like_the_binary_question(rows, yes, resolved_at):
    """The binary engine (core/scoring) and the choice scorer agree on every shared score."""
    opens, closes = 0, 100
    binary = score(
        ScoringInput.from_rows(
            [{"opens": opens, "closes": closes, "outcome": yes, "resolved_at": resolved_at}],
            [(0, who, t, p) for who, t, p in rows],
        ),
        aggregates=False,
    ).summary()
    by_name = {f.name: f for f in binary.forecasters if f.n_questions}
    choice = score_choice(
        [KindForecast(who, t, np.array([1.0 - p, p])) for who, t, p in rows],
        opens=opens, closes=closes, resolved_at=resolved_at, outcome=yes,
    )  # fmt: skip
    assert {c.forecaster for c in choice} == set(by_name)
    for c in choice:
        b = by_name[c.forecaster]
        assert c.brier == pytest.approx(b.brier, abs=1e-12)
        assert c.brier2 == pytest.approx(b.brier2, abs=1e-12)
        assert c.log == pytest.approx(b.log_score, abs=1e-12)
        assert c.baseline == pytest.approx(b.baseline_total, abs=1e-9)
        assert c.peer == pytest.approx(b.peer_total, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(forecast_rows, st.integers(0, 2), st.integers(1, 119))
def test_splitting_a_forecast_in_two_changes_nothing(rows, outcome, cut):
    pmfs = {who: np.array(normalise(np.array([0.2 + (ord(who) % 3) * 0.1, 0.3, 0.4]))) for who, _, _ in rows}
    base = [KindForecast(who, t, pmfs[who]) for who, t, _ in rows]
    first = min(base, key=lambda f: f.t)
    later = [f for f in base if f.forecaster == first.forecaster and f.t > first.t]
    if later and cut >= min(f.t for f in later):
        return
    split = base + [KindForecast(first.forecaster, max(first.t, cut), first.pmf)]  # the same forecast again
    kw = dict(opens=0, closes=100, resolved_at=100, outcome=outcome)
    one = {s.forecaster: s for s in score_choice(base, **kw)}
    two = {s.forecaster: s for s in score_choice(split, **kw)}
    for name, s in one.items():
        for field in ("brier", "log", "baseline", "peer", "coverage"):
            assert getattr(two[name], field) == pytest.approx(getattr(s, field), abs=1e-9)


def test_per_option_calibration_counts_every_option():
    rows = choice_calibration([np.array([0.5, 0.3, 0.2]), np.array([0.55, 0.25, 0.2])], [0, 2])
    assert sum(r["n"] for r in rows) == 6
    top = next(r for r in rows if r["bin"] == 5)
    assert top["n"] == 2 and top["observed"] == 0.5
