"""Properties of the scoring engine on random small inputs (hypothesis), and agreement with a slow reference."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.cli.score_json import engine_json
from forecast.core.scoring import ScoringInput, score
from forecast.core.scoring import medians as medians_module
from forecast.core.scoring.calibration import wilson_interval
from forecast.core.scoring.results import ForecasterScores
from forecast.core.scoring.segments import sort_order
from forecast.core.scoring.timeline import build
from tests.scoring.scoring_reference import reference

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ["a", "b", "c", "d"]
probabilities = st.one_of(st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.9, 1.0]), st.floats(0.0, 1.0))


@st.composite
def inputs(draw, max_questions: int = 4, max_forecasts: int = 16):
    questions = []
    for _ in range(draw(st.integers(1, max_questions))):
        opens = draw(st.integers(0, 20))
        questions.append({
            "opens": opens,
            "closes": opens + draw(st.integers(-5, 60)),
            "resolved_at": draw(st.one_of(st.none(), st.integers(0, 90))),
            "outcome": draw(st.sampled_from([0, 1, 1, 0, None])),
        })  # fmt: skip
    n_q = len(questions)
    forecasts = draw(st.lists(
        st.tuples(st.integers(0, n_q - 1), st.sampled_from(NAMES), st.integers(-10, 80), probabilities),
        max_size=max_forecasts,
    ))  # fmt: skip
    tags = {qi: draw(st.lists(st.sampled_from(["x", "y", "z"]), max_size=2, unique=True)) for qi in range(n_q)}
    return ScoringInput.from_rows(questions, forecasts, tags)


def pair_scores(scores) -> dict:
    pt = scores.pairs
    return {
        (int(q), scores.names[f]): {
            "brier": pt.brier[i], "log": pt.log[i], "baseline": pt.baseline[i], "peer": pt.peer[i],
            "relative": None if np.isnan(pt.relative[i]) else pt.relative[i], "coverage": pt.coverage[i],
        }  # fmt: skip
        for i, (q, f) in enumerate(zip(pt.q.tolist(), pt.f.tolist(), strict=True))
    }


def assert_close(a, b, path="", tol=1e-9):
    if dataclasses.is_dataclass(a):
        assert type(a) is type(b), path
        for f in dataclasses.fields(a):
            assert_close(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}", tol)
    elif isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            assert_close(a[k], b[k], f"{path}.{k}", tol)
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{path}[{i}]", tol)
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None, (path, a, b)
        assert math.isclose(a, b, rel_tol=tol, abs_tol=tol), (path, a, b)
    else:
        assert a == b, (path, a, b)


def with_rows(inp: ScoringInput, **changes) -> ScoringInput:
    return ScoringInput(**{**inp.__dict__, **changes})


@SETTINGS
@given(inputs())
def test_engine_matches_the_slow_reference(inp):
    ours = pair_scores(score(inp))
    ref = reference(inp)
    assert set(ours) - {k for k in ours if k[1] == "@extremized"} == set(ref)
    for key, want in ref.items():
        got = ours[key]
        for name, value in want.items():
            if value is None:
                assert got[name] is None, (key, name)
            else:
                assert math.isclose(got[name], value, rel_tol=1e-9, abs_tol=1e-9), (key, name, got[name], value)


@SETTINGS
@given(inputs(), st.randoms(use_true_random=False), st.sampled_from(["time", "forecast", "final"]))
def test_results_do_not_depend_on_row_order(inp, rnd, unit):
    n = inp.n_forecasts
    perm = list(range(n))
    rnd.shuffle(perm)
    perm = np.array(perm, dtype=np.int64)
    shuffled = with_rows(
        inp, q_idx=inp.q_idx[perm], f_idx=inp.f_idx[perm], t=inp.t[perm], p=inp.p[perm], seq=perm
    )  # the original row order stays the tie order
    a, b = score(inp, unit=unit), score(shuffled, unit=unit)
    assert_close(a.summary(), b.summary())
    assert_close(a.breakdown("tag"), b.breakdown("tag"))


@SETTINGS
@given(inputs(), st.data())
def test_splitting_a_forecast_in_two_identical_ones_changes_nothing(inp, data):
    tl = build(inp)
    candidates = np.flatnonzero(tl.stop - tl.te >= 2)
    if len(candidates) == 0:
        return
    r = int(data.draw(st.sampled_from(candidates.tolist())))
    t_mid = data.draw(st.integers(int(tl.te[r]) + 1, int(tl.stop[r]) - 1))
    split = with_rows(
        inp,
        q_idx=np.append(inp.q_idx, tl.q[r]),
        f_idx=np.append(inp.f_idx, tl.f[r]),
        t=np.append(inp.t, t_mid),
        p=np.append(inp.p, tl.p[r]),
    )
    a, b = score(inp), score(split)
    assert_close(pair_scores(a), pair_scores(b))
    sa, sb = engine_json(a.summary()), engine_json(b.summary())  # as `score --json` writes them, to leave keys out
    for entry in sa["forecasters"] + sa["aggregates"]:
        entry.pop("n_forecasts"), entry.pop("brier_forecasts")
    for entry in sb["forecasters"] + sb["aggregates"]:
        entry.pop("n_forecasts"), entry.pop("brier_forecasts")
    for group in sa["forecasters"] + sa["aggregates"] + sb["forecasters"] + sb["aggregates"] + [sa["overall"], sb["overall"]]:
        for row in group["calibration"]:
            row.pop("count"), row.pop("n_eff"), row.pop("ci_low"), row.pop("ci_high")
        group["regression"].pop("n")
    assert_close(sa, sb, tol=1e-7)


@SETTINGS
@given(inputs())
def test_time_weighted_brier_lies_between_its_forecasts(inp):
    scores = score(inp, aggregates=False)
    tl = scores.tl
    b = (tl.p - tl.o) ** 2
    lo = np.minimum.reduceat(b, tl.pair_first) if len(b) else b
    hi = np.maximum.reduceat(b, tl.pair_first) if len(b) else b
    assert np.all(scores.pairs.brier >= lo - 1e-12)
    assert np.all(scores.pairs.brier <= hi + 1e-12)


@SETTINGS
@given(inputs(), st.sampled_from(["time", "forecast", "final"]), st.sampled_from([0.05, 0.1, 0.2, 0.25, 0.5, 1.0]))
def test_murphy_decomposition_identity(inp, unit, width):
    out = score(inp, unit=unit, bin_width=width).summary()
    for entry in (*out.forecasters, *out.aggregates, out.overall):
        d = entry.decomposition
        if d.brier is None:
            continue
        total = d.reliability - d.resolution + d.uncertainty + d.within
        assert total == pytest.approx(d.brier, abs=1e-9)
        weight = sum(b.weight for b in entry.calibration)
        if isinstance(entry, ForecasterScores):
            expected = {"time": entry.n_questions, "final": entry.n_questions, "forecast": entry.n_forecasts}
            assert weight == pytest.approx(expected[unit])
            if unit == "time":
                assert d.brier == pytest.approx(entry.brier, abs=1e-12)


@SETTINGS
@given(inputs(max_questions=3, max_forecasts=30))
def test_matrix_and_sorted_list_medians_agree(inp):
    tl = build(inp)
    old = medians_module._CELLS_PER_QUESTION
    medians_module._CELLS_PER_QUESTION = -1  # every question through the sorted list
    try:
        slow = build(inp)
    finally:
        medians_module._CELLS_PER_QUESTION = old
    assert np.array_equal(tl.ev_lo, slow.ev_lo) and np.array_equal(tl.ev_hi, slow.ev_hi)


@st.composite
def crowded_question(draw):
    n_people = draw(st.integers(1, 45))
    n = draw(st.integers(1, 160))
    people = [f"p{i}" for i in range(n_people)]
    forecasts = [
        (0, draw(st.sampled_from(people)), draw(st.integers(-5, 99)), draw(st.sampled_from([0.05, 0.2, 0.5, 0.51, 0.9])))
        for _ in range(n)
    ]
    return ScoringInput.from_rows([{"opens": 0, "closes": 100, "outcome": draw(st.sampled_from([0, 1]))}], forecasts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded_question())
def test_medians_of_wide_questions(inp):
    """Sorting networks (widths up to 32), np.partition (wider) and the sorted list agree with the reference."""
    tl = build(inp)
    old = medians_module._CELLS_PER_QUESTION
    medians_module._CELLS_PER_QUESTION = -1
    try:
        slow = build(inp)
    finally:
        medians_module._CELLS_PER_QUESTION = old
    assert np.array_equal(tl.ev_lo, slow.ev_lo) and np.array_equal(tl.ev_hi, slow.ev_hi)
    ours = pair_scores(score(inp))
    for key, want in reference(inp).items():
        assert math.isclose(ours[key]["brier"], want["brier"], rel_tol=1e-9, abs_tol=1e-12), key
        if want["relative"] is not None:
            assert math.isclose(ours[key]["relative"], want["relative"], rel_tol=1e-9, abs_tol=1e-12), key


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 3)), max_size=40))
def test_sort_order_is_lexsort(rows):
    major = np.array([r[0] for r in rows], dtype=np.int64)
    minor = np.array([r[1] for r in rows], dtype=np.int64)
    tie = np.array([r[2] for r in rows], dtype=np.int64)
    n = np.arange(len(rows))
    assert np.array_equal(sort_order(major, minor), np.lexsort((n, minor, major)))
    assert np.array_equal(sort_order(major, minor, tie), np.lexsort((n, tie, minor, major)))


@SETTINGS
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0.01, 1e4)), min_size=1, max_size=20))
def test_wilson_formula_is_statsmodels(pairs):
    from statsmodels.stats.proportion import proportion_confint

    freq = np.array([f for f, _ in pairs])
    nobs = np.array([n for _, n in pairs])
    lo, hi = wilson_interval(freq, nobs)
    want_lo, want_hi = proportion_confint(freq * nobs, nobs, alpha=0.05, method="wilson")
    assert np.allclose(lo, want_lo, rtol=1e-12, atol=1e-14) and np.allclose(hi, want_hi, rtol=1e-12, atol=1e-14)
