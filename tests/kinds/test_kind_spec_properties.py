"""Properties of core/kind_spec.py, the one reader of a question's kind: every text a user or a file gives is
either read or refused with InvalidInput (never another exception), what is stored reads back the same, and
an outcome's canonical form reads back to itself."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import (
    KindSpec, choice_spec, continuous_spec, decode_vector, encode_vector, parse_option,
)  # fmt: skip
from forecast.core.model import Kind

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
keys = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True)
labels = st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=30).filter(str.strip)


@st.composite
def choice_specs(draw):
    ks = draw(st.lists(keys, min_size=2, max_size=8, unique=True))
    return choice_spec([f"{k}={draw(labels)}" for k in ks], other=draw(st.booleans()))


@st.composite
def numeric_specs(draw):
    low = draw(st.floats(-1e6, 1e6, allow_nan=False))
    width = draw(st.floats(1e-3, 1e6, allow_nan=False))
    log = draw(st.booleans()) and low > 0
    return continuous_spec(Kind.NUMERIC, f"{low!r}..{low + width!r}", open_lower=draw(st.booleans()),
                           open_upper=draw(st.booleans()), log=log, unit=draw(st.sampled_from(["", "km", "°C"])))  # fmt: skip


@st.composite
def date_specs(draw):
    start = draw(st.dates(min_value=__import__("datetime").date(1970, 1, 2),
                          max_value=__import__("datetime").date(2150, 1, 1)))  # fmt: skip
    days = draw(st.integers(1, 15_000))
    end = start + __import__("datetime").timedelta(days=days)
    return continuous_spec(Kind.DATE, f"{start}..{end}", open_lower=draw(st.booleans()), open_upper=draw(st.booleans()))


specs = st.one_of(choice_specs(), numeric_specs(), date_specs())


@FAST
@given(specs)
def test_a_spec_reads_back_from_its_stored_and_public_forms(spec):
    assert KindSpec.from_stored(spec.kind.value, spec.to_json()) == spec
    assert KindSpec.from_dict(spec.kind.value, spec.to_dict()) == spec


@FAST
@given(specs, st.text(max_size=60))
def test_any_forecast_text_is_read_or_refused(spec, text):
    try:
        summary, vector, entered = spec.parse_forecast(text)
    except InvalidInput:
        return
    assert 0.0 <= summary <= 1.0 and np.all(np.isfinite(vector))
    spec.check_vector(vector)  # what was built from typed text passes the import check too
    assert math.isclose(float(spec.pmf(vector).sum()), 1.0, abs_tol=1e-9)


@FAST
@given(specs, st.text(max_size=40))
def test_any_outcome_text_is_read_or_refused_and_its_canonical_form_is_stable(spec, text):
    try:
        stored = spec.parse_outcome(text)
    except InvalidInput:
        return
    assert spec.parse_outcome(stored) == stored
    spec.outcome_value(stored)
    assert spec.shown_outcome(stored)


@FAST
@given(choice_specs(), st.data())
def test_a_choice_forecast_sums_to_exactly_one(spec, data):
    n = len(spec.choices.keys)
    raw = data.draw(st.lists(st.integers(1, 1000), min_size=n, max_size=n))
    total = sum(raw)
    text = " ".join(f"{k}={v / total * 100!r}%" for k, v in zip(spec.choices.keys, raw, strict=True))
    try:
        _, vector, _ = spec.parse_forecast(text)
    except InvalidInput as exc:  # an option under 0.1 %
        assert "0.1 %" in str(exc)
        return
    assert math.fsum(vector) == 1.0


@FAST
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=300))
def test_a_vector_survives_its_text_encoding_bit_for_bit(values):
    v = np.array(values, dtype=np.float64)
    assert decode_vector(encode_vector(v)).tobytes() == v.tobytes()


@FAST
@given(st.text(max_size=80))
def test_a_stored_vector_that_is_not_base64_float64_is_refused(text):
    try:
        decode_vector(text)
    except (InvalidInput, ValueError):
        pass


@FAST
@given(st.text(max_size=50))
def test_an_option_argument_is_read_or_refused(text):
    try:
        opt = parse_option(text)
    except InvalidInput:
        return
    assert opt.key == opt.key.strip().lower() and opt.label.strip()


@FAST
@given(st.sampled_from(["choice", "numeric", "date", "binary", "ternary"]),
       st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=5),
                    max_leaves=12))  # fmt: skip
def test_a_spec_from_a_hostile_file_is_read_or_refused(kind, data):
    try:
        spec = KindSpec.from_dict(kind, data)
    except InvalidInput:
        return
    assert KindSpec.from_dict(kind, spec.to_dict()) == spec


@FAST
@given(choice_specs(), st.data())
def test_any_vector_from_a_file_is_taken_or_refused(spec, data):
    """A file's vector of any finite floats (huge ones made math.fsum overflow: an OverflowError, not a
    refusal) is either a forecast the question can take or InvalidInput."""
    n = len(spec.choices.options)
    size = data.draw(st.sampled_from([n, n - 1, n + 1]))
    values = data.draw(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=size, max_size=size))
    try:
        v = spec.check_vector(np.array(values, dtype=np.float64))
    except InvalidInput:
        return
    assert np.all(v >= 0) and abs(math.fsum(v) - 1.0) <= 1e-6


def test_a_vector_of_huge_values_is_refused_not_an_overflow():
    spec = choice_spec(["a=A", "b=B"], other=False)
    try:
        spec.check_vector(np.array([8.988465674311579e307, 8.98846567431158e307]))
    except InvalidInput as exc:
        assert "sum to 1" in str(exc)
    else:
        raise AssertionError("a vector summing past 1 was taken")
