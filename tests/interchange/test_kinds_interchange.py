"""Interchange v2: choice, numeric and date questions with their specs, vectors and outcomes round-trip
losslessly; v1 files still import; a forecast that does not fit its question's kind is a FILE:LINE error."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import choice_spec, continuous_spec, decode_vector
from forecast.core.model import Kind
from forecast.interchange.reader import read_lines
from forecast.services import resolution as res
from forecast.services.batch_export import export_jsonl
from forecast.services.batch_import import import_batch
from forecast.services.database import open_database
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question
from forecast.store import bulk

T0 = datetime(2019, 3, 16, tzinfo=UTC)
NOW = datetime(2019, 4, 1, tzinfo=UTC)


def export_bytes(session) -> bytes:
    buf = io.BytesIO()
    export_jsonl(session, buf)
    return buf.getvalue()


def kinds_database(session) -> dict[str, str]:
    """One question of each kind, with forecasts (one corrected), resolved through the history."""
    close = T0 + timedelta(days=60)
    specs = {
        "who": choice_spec(["kim=Kim Jong Un", "moon=Moon Jae-in"], other=True),
        "how-many": continuous_spec(Kind.NUMERIC, "1..1000", open_upper=True, log=True, unit="launches"),
        "when": continuous_spec(Kind.DATE, "2019-03-16..2021-12-31", open_upper=True),
        "rain": None,
    }
    slugs = {}
    for name, spec in specs.items():
        draft = QuestionDraft(title=f"Question {name}?", opens_at=T0, closes_at=close, slug=name,
                              **({"spec": spec} if spec else {}))  # fmt: skip
        slugs[name] = add_question(session, draft, now=NOW).slug
    typed = {"who": ["kim=50% moon=30% other=20%", "kim=0.6 moon=0.3 other=0.1"],
             "how-many": ["p10=3 p50=12 p90=75", "lognormal(2.5, 1)"],
             "when": ["p10=2019-06-01 p50=2020-01-01 p90=2021-06-01", "normal(2020-06-01, 200)"],
             "rain": [0.3, 0.45]}  # fmt: skip
    for name, (first, second) in typed.items():
        f = record_forecast(session, ForecastRequest(name, first, "alice", at=T0 + timedelta(days=1)), now=NOW)
        record_forecast(session, ForecastRequest(name, second, "alice", corrects=f.id), now=NOW)
        record_forecast(session, ForecastRequest(name, second, "bob", at=T0 + timedelta(days=2)), now=NOW)
    later = NOW + timedelta(days=70)
    res.resolve(session, "who", "moon", actor="alice", now=later)
    res.resolve(session, "how-many", "above", actor="alice", now=later)
    res.unresolve(session, "how-many", actor="alice", now=later)
    res.resolve(session, "how-many", "17.5", actor="alice", now=later + timedelta(seconds=1))
    res.resolve(session, "when", "2019-05-04", actor="alice", now=later)
    return slugs


def test_round_trip_of_every_kind_is_lossless(database, tmp_path):
    with database.session() as s:
        kinds_database(s)
    with database.session() as s:
        first = export_bytes(s)
        stored = bulk.rows(s.connection(), "SELECT q.slug, f.made_at, f.recorded_at, f.vector, f.entered, f.probability "
                                           "FROM forecast f JOIN question q ON q.id = f.question_id ORDER BY 1, 2, 3")  # fmt: skip
    other = open_database(str(tmp_path / "copy.db"))
    with other.session() as s:
        report = import_batch(s, read_lines(first.splitlines(), "export.jsonl"))
        assert report.forecasts_added == 12
    with other.session() as s:
        second = export_bytes(s)
        copied = bulk.rows(s.connection(), "SELECT q.slug, f.made_at, f.recorded_at, f.vector, f.entered, f.probability "
                                           "FROM forecast f JOIN question q ON q.id = f.question_id ORDER BY 1, 2, 3")  # fmt: skip
    assert first == second
    assert [tuple(r) for r in stored] == [tuple(r) for r in copied]  # the vectors bit for bit, the summaries too
    records = [orjson.loads(line) for line in first.splitlines()]
    assert records[0] == {"type": "header", "format": "forecast-jsonl", "version": 2}
    questions = {r["slug"]: r for r in records if r["type"] == "question"}
    assert questions["who"]["spec"]["options"][2] == {"key": "other", "label": "Other"}
    assert (questions["who"]["resolution"], questions["who"]["outcome"]) == ("outcome", "moon")
    assert questions["how-many"]["outcome"] == "17.5" and questions["when"]["outcome"] == "2019-05-04T00:00:00Z"
    assert questions["rain"]["spec"] is None and questions["rain"]["outcome"] is None
    forecasts = [r for r in records if r["type"] == "forecast"]
    assert all(("vector" in f) == (f["question"] != "rain") for f in forecasts)
    assert all(f["probability"] is None for f in forecasts if f["question"] != "rain")
    assert {len(f["vector"]) for f in forecasts if f["question"] in ("how-many", "when")} == {201}
    events = [r for r in records if r["type"] == "resolution_event" and r["question"] == "how-many"]
    assert [(e["action"], e["outcome"]) for e in events] == [("resolve", "above"), ("unresolve", None), ("resolve", "17.5")]


HEADER2 = {"type": "header", "format": "forecast-jsonl", "version": 2}
CHOICE_Q = {"type": "question", "slug": "who", "title": "Who?", "kind": "choice", "opens_at": "2019-03-16",
            "closes_at": "2019-07-01", "spec": {"options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}]}}
BINARY_Q = {"type": "question", "slug": "yes-no", "title": "Y?", "opens_at": "2019-03-16", "closes_at": "2019-07-01"}
F = {"type": "forecast", "forecaster": "alice", "made_at": "2019-03-17T00:00:00Z"}


def _import(session, records):
    return import_batch(session, read_lines([orjson.dumps(r) for r in records], "f.jsonl"))


@pytest.mark.parametrize(
    "forecast, reason",
    [
        ({**F, "question": "who", "probability": 0.6}, "a forecast on choice question 'who' needs its vector"),
        ({**F, "question": "yes-no", "probability": 0.6, "vector": [0.6, 0.4]},
         "a forecast on binary question 'yes-no' has a probability, not a vector"),
        ({**F, "question": "who", "vector": [0.6, 0.3, 0.1]}, "vector: a forecast on this question gives 2"),
        ({**F, "question": "who", "vector": [0.6, 0.6]}, "vector: a choice forecast's probabilities"),
        ({**F, "question": "who", "vector": [0.6, "0.4"]}, "vector holds '0.4', not a number"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("stored", [False, True], ids=["question-in-file", "question-stored"])
def test_a_forecast_that_does_not_fit_its_kind_is_refused_by_line(session, forecast, reason, stored):
    if stored:  # the import checks against the stored question as the reader does against the file's
        _import(session, [HEADER2, CHOICE_Q, BINARY_Q])
    records = [HEADER2, forecast] if stored else [HEADER2, CHOICE_Q, BINARY_Q, forecast]
    with pytest.raises(InvalidInput) as exc:
        _import(session, records)
    assert str(exc.value).startswith(f"f.jsonl:{len(records)}: {reason}"), str(exc.value)


def test_a_v1_file_still_imports(session):
    v1 = [{"type": "header", "format": "forecast-jsonl", "version": 1}, BINARY_Q,
          {**F, "question": "yes-no", "probability": 0.25}]  # fmt: skip
    report = _import(session, v1)
    assert (report.questions_added, report.forecasts_added) == (1, 1)


def test_the_kind_of_a_question_with_forecasts_cannot_change(session):
    _import(session, [HEADER2, CHOICE_Q, {**F, "question": "who", "vector": [0.5, 0.5]}])
    three = {**CHOICE_Q, "spec": {"options": [*CHOICE_Q["spec"]["options"], {"key": "c", "label": "C"}]}}
    with pytest.raises(InvalidInput, match=r"^f\.jsonl:2: question 'who' has 1 forecast\(s\): its kind and spec cannot"):
        _import(session, [HEADER2, three])
    # Without forecasts the spec may change (reported as a change).
    _import(session, [HEADER2, {**BINARY_Q, "slug": "empty", "kind": "choice", "spec": CHOICE_Q["spec"]}])
    report = _import(session, [HEADER2, {**three, "slug": "empty", "title": BINARY_Q["title"]}])
    assert [c["field"] for c in report.changes] == ["kind_spec"]


def test_an_outcome_must_fit_the_spec(session):
    with pytest.raises(InvalidInput, match=r"f\.jsonl:2: outcome 'c': "):
        _import(session, [HEADER2, {**CHOICE_Q, "resolution": "outcome", "outcome": "c",
                                    "resolved_at": "2019-06-01"}])  # fmt: skip
    with pytest.raises(InvalidInput, match=r"f\.jsonl:2: resolution 'yes' of a choice question"):
        _import(session, [HEADER2, {**CHOICE_Q, "resolution": "yes", "resolved_at": "2019-06-01"}])


# ---- the parser: any value in any v2 field is a record or a FILE:LINE reason ------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12)
    | st.sampled_from(["choice", "numeric", "date", "binary", "outcome", "annulled", "a", "below", "above",
                       "2019-05-01", "17.5", "yes"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["options", "key", "label", "low", "high", "open_lower", "open_upper", "zero_point", "unit"])
        | st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)  # fmt: skip
NUMERIC_Q = {"type": "question", "slug": "n", "title": "N?", "kind": "numeric", "opens_at": "2019-03-16",
             "closes_at": "2019-07-01", "spec": {"low": 0, "high": 10, "open_lower": False, "open_upper": True}}
DATE_Q = {**NUMERIC_Q, "slug": "d", "kind": "date", "spec": {"low": "2019-03-16", "high": "2021-12-31", "open_upper": True}}
VALID = {
    "question": CHOICE_Q,
    "numeric": NUMERIC_Q,
    "date": DATE_Q,
    "forecast": {**F, "question": "who", "vector": [0.5, 0.5], "entered": "a=50% b=50%"},
    "resolution_event": {"type": "resolution_event", "question": "who", "action": "resolve", "resolution": "outcome",
                         "outcome": "a", "resolved_at": "2019-05-04T00:00:00Z", "at": "2019-05-05T00:00:00Z"},
}  # fmt: skip
KEYS = sorted({"kind", "spec", "outcome", "resolution", "vector", "entered", "probability", "event_question"})


@settings(max_examples=300, deadline=None)
@given(record=st.sampled_from(sorted(VALID)), changes=st.dictionaries(st.sampled_from(KEYS), JSON, min_size=1, max_size=3),
       vector=st.lists(st.floats(allow_nan=False), max_size=5))  # fmt: skip
def test_any_value_in_a_v2_field_is_a_record_or_a_line_error(record, changes, vector):
    if record == "forecast" and "vector" not in changes and vector:
        changes["vector"] = vector
    rec = {**VALID[record], **changes}
    try:
        batch = read_lines([orjson.dumps(HEADER2), orjson.dumps(CHOICE_Q), json.dumps(rec).encode()], "f.jsonl")
    except InvalidInput as exc:
        assert all(line.startswith("f.jsonl:") or line.startswith("... and") for line in str(exc).splitlines()[:-1])
        return
    for f in batch.forecasts:  # a forecast on the file's choice question left the reader checked
        assert isinstance(f.vector, str) and decode_vector(f.vector).shape == (2,)
