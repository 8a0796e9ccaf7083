"""Question files of every kind: `q sync` creates choice, numeric and date questions with their options or
range, forecasts and outcome; it updates a spec while the question has no forecasts and refuses to after."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import KindSpec, decode_vector
from forecast.services.questions.files import parse_question_file, sync_directory
from forecast.store import bulk

CHOICE = """\
slug = "who"
title = "Who will lead South Korea in 2023?"
opens_at = 2019-03-16
closes_at = 2022-03-01
kind = "choice"
options = [{key = "moon", label = "Moon Jae-in"}, {key = "yoon", label = "Yoon Suk-yeol"}]
other = true

[resolution]
outcome = "yoon"
resolved_at = 2022-03-10

[[forecasts]]
by = "alice"
forecast = "moon=30% yoon=60% other=10%"
made_at = 2019-03-17T00:00:00Z
"""
NUMERIC = """\
slug = "launches"
title = "How many launches will North Korea make in 2019?"
opens_at = 2019-01-01
closes_at = 2019-03-01
kind = "numeric"
range = [1, 100]
open_upper = true
log = true
unit = "launches"

[resolution]
outcome = 17.5
resolved_at = 2020-01-01

[[forecasts]]
by = "alice"
forecast = "p10=3 p50=12 p90=75"
made_at = 2019-01-02T00:00:00Z
"""
DATE = """\
slug = "satellite"
title = "When will North Korea next launch a satellite?"
opens_at = 2019-03-16
closes_at = 2021-12-31
kind = "date"
range = [2019-03-16, 2021-12-31]
open_upper = true

[resolution]
outcome = "after"
resolved_at = 2022-01-01

[[forecasts]]
forecast = "normal(2020-06-01, 200)"
made_at = 2019-03-17T00:00:00Z
"""


@pytest.fixture
def qdir(tmp_path) -> Path:
    d = tmp_path / "questions"
    d.mkdir()
    for name, text in (("who", CHOICE), ("launches", NUMERIC), ("satellite", DATE)):
        (d / f"{name}.toml").write_text(text, encoding="utf-8")
    return d


def stored(session) -> dict:
    rows = bulk.rows(session.connection(), "SELECT q.slug, q.kind, q.kind_spec, q.resolution, q.outcome, f.vector, "
                                           "f.entered FROM question q JOIN forecast f ON f.question_id = q.id")  # fmt: skip
    return {r[0]: r[1:] for r in rows}


def test_sync_creates_each_kind_with_its_spec_forecasts_and_outcome(session, qdir):
    report = sync_directory(session, qdir, forecaster="me")
    assert (report["added"], report["forecasts_added"]) == (3, 3)
    rows = stored(session)
    kind, spec, res, outcome, vector, entered = rows["who"]
    who = KindSpec.from_stored(kind, spec)
    assert who.choices.keys == ("moon", "yoon", "other") and (res, outcome) == ("outcome", "yoon")
    assert decode_vector(vector).tolist() == [0.3, 0.6, 0.1] and entered == "moon=30% yoon=60% other=10%"
    kind, spec, res, outcome, vector, _ = rows["launches"]
    r = KindSpec.from_stored(kind, spec)
    assert (r.range.low, r.range.high, r.range.open_upper, r.range.zero_point, r.unit) == (1, 100, True, 0.0, "launches")
    assert outcome == "17.5" and decode_vector(vector).shape == (201,)
    kind, spec, res, outcome, *_ = rows["satellite"]
    assert KindSpec.from_stored(kind, spec).to_dict()["high"] == "2021-12-31T00:00:00Z" and outcome == "above"
    again = sync_directory(session, qdir, forecaster="me")
    assert (again["added"], again["updated"], again["forecasts_added"], again["changes"]) == (0, 0, 0, [])


def test_a_spec_changes_only_while_the_question_has_no_forecasts(session, qdir):
    sync_directory(session, qdir, forecaster="me")
    path = qdir / "who.toml"
    path.write_text(CHOICE.replace('"Moon Jae-in"', '"President Moon"'), encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        sync_directory(session, qdir, forecaster="me")
    assert str(exc.value) == (f"{path}:5: question who has 1 forecast(s): its kind and options cannot change "
                              "(stored: choice: moon=Moon Jae-in, yoon=Yoon Suk-yeol, other=Other)")  # fmt: skip
    bare = CHOICE.split("[resolution]")[0]
    (qdir / "who.toml").unlink()
    (qdir / "new.toml").write_text(bare.replace('"who"', '"new"'), encoding="utf-8")
    sync_directory(session, qdir, forecaster="me")
    (qdir / "new.toml").write_text(bare.replace('"who"', '"new"').replace("other = true", 'other = false'), encoding="utf-8")
    report = sync_directory(session, qdir, forecaster="me")
    assert [c["field"] for c in report["changes"]] == ["kind_spec"]


@pytest.mark.parametrize(
    "edit, line, reason",
    [
        (lambda t: t.replace('kind = "choice"\n', ""), 5, "options is not for a binary question (set kind first)"),
        (lambda t: t.replace("options = [", "range = [1, 2]\noptions = ["), 6, "range is not for a choice question"),
        (lambda t: t.replace(', {key = "yoon", label = "Yoon Suk-yeol"}', "").replace("other = true", "other = false"),
         6, "a choice question has 2 to 50 options, not 1"),
        (lambda t: t.replace('"moon=30% yoon=60% other=10%"', '"moon=30%"'), 15, "forecasts[0]: forecast 'moon=30%'"),
        (lambda t: t.replace('forecast = "moon', 'probability = 0.5\n#"'), 15, "forecasts[0]: a choice question's forecast"),
        (lambda t: t.replace('outcome = "yoon"', 'outcome = "kim"'), 10, "outcome 'kim'"),
    ],
)  # fmt: skip
def test_a_bad_kind_key_is_reported_at_its_line(tmp_path, edit, line, reason):
    path = tmp_path / "q" / "who.toml"
    path.parent.mkdir()
    text = edit(CHOICE)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        parse_question_file(path, path.parent, "me")
    message = str(exc.value)
    assert re.match(rf"^{re.escape(str(path))}:{line}: ", message) and reason in message, message


KIND_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=8),
    st.dates(dt.date(1890, 1, 1), dt.date(2300, 1, 1)),
    st.sampled_from(["choice", "numeric", "date", "binary", "kim", "other"]),
    st.lists(st.one_of(st.integers(-5, 200), st.floats(allow_nan=False), st.text(max_size=5),
                       st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
                       st.fixed_dictionaries({"key": st.text(max_size=5)}, optional={"label": st.text(max_size=5)})),
             max_size=4),
)  # fmt: skip
KEYS = ("kind", "options", "other", "range", "open_lower", "open_upper", "log", "unit")


def toml(value) -> str:
    """A TOML literal for the values drawn below (the standard library reads TOML but does not write it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(base=st.sampled_from([CHOICE, NUMERIC, DATE]), changes=st.dictionaries(st.sampled_from(KEYS), KIND_VALUES, max_size=4))
def test_any_kind_key_value_is_a_question_or_a_file_line_error(tmp_path_factory, base, changes):
    lines = [line for line in base.splitlines() if line.split(" = ")[0] not in changes]
    text = "\n".join([f"{k} = {toml(v)}" for k, v in changes.items() if v is not None] + lines) + "\n"
    path = tmp_path_factory.mktemp("q") / "q.toml"
    path.write_text(text, encoding="utf-8")
    try:
        q, forecasts, _ = parse_question_file(path, path.parent, "me")
    except InvalidInput as exc:
        assert re.match(rf"^{re.escape(str(path))}:\d+: \S", str(exc)), str(exc)
        return
    spec = KindSpec.from_stored(q.kind, q.kind_spec)
    for f in forecasts:
        assert (f.vector is None) == spec.binary
