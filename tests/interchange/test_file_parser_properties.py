"""Property tests for the file parsers: any JSON value in any interchange field, and any value in any
question-file key, gives either a record or InvalidInput naming FILE:LINE: — never another exception."""

from __future__ import annotations

import datetime as dt
import json
import re

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.interchange.reader import read_lines
from forecast.services.questions.files import parse_question_file

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["2019-03-16T00:00:00Z", "2019-03-16", "yes", "open", "binary", "no_at_close", "user",
                       "resolve", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59Z", "false"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip

VALID = {
    "question": {"type": "question", "slug": "nk", "title": "T", "opens_at": "2019-03-16T00:00:00Z",
                 "closes_at": "2019-07-01T00:00:00Z", "tags": ["a"], "resolution": "yes",
                 "resolved_at": "2019-05-04T00:00:00Z"},
    "forecast": {"type": "forecast", "question": "nk", "forecaster": "alice", "probability": 0.35,
                 "made_at": "2019-03-17T00:00:00Z", "evidence": ["ev-1"],
                 "supersedes": {"made_at": "2019-03-16T00:00:00Z", "recorded_at": "2019-03-16T00:00:00Z"}},
    "evidence": {"type": "evidence", "key": "ev-1", "url": "https://example.org", "title": "E", "inbox": True,
                 "published_at": "2019-03-01T00:00:00Z", "published_source": "meta",
                 "links": [{"question": "nk", "stance": "yes", "note": ""}]},
    "forecaster": {"type": "forecaster", "name": "alice", "created_at": "2019-01-01T00:00:00Z"},
    "resolution_event": {"type": "resolution_event", "question": "nk", "action": "resolve", "resolution": "yes",
                         "resolved_at": "2019-05-04T00:00:00Z", "actor": "me", "at": "2019-05-05T00:00:00Z"},
}  # fmt: skip
HEADER = orjson.dumps({"type": "header", "format": "forecast-jsonl", "version": 1})
LINE = re.compile(r"^f\.jsonl:\d+: \S")


def assert_reported_by_line(exc: InvalidInput) -> None:
    *lines, summary = str(exc).splitlines()
    assert lines and summary.endswith("nothing was imported")
    assert all(LINE.match(line) or line.startswith("... and") for line in lines), lines


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(sorted(VALID)),
    changes=st.dictionaries(st.sampled_from(sorted({k for r in VALID.values() for k in r} | {"dismissed", "auto"})),
                            JSON, min_size=1, max_size=3),
)  # fmt: skip
def test_any_value_in_any_interchange_field_is_a_record_or_a_line_error(kind, changes):
    record = {**VALID[kind], **changes, "type": VALID[kind]["type"]}
    try:
        read_lines([HEADER, json.dumps(record).encode()], "f.jsonl")
    except InvalidInput as exc:
        assert_reported_by_line(exc)


@settings(max_examples=60, deadline=None)
@given(line=JSON)
def test_any_json_line_is_a_record_or_a_line_error(line):
    try:
        read_lines([HEADER, json.dumps(line).encode()], "f.jsonl")
    except InvalidInput as exc:
        assert_reported_by_line(exc)


# --- TOML question files ---------------------------------------------------------------------------------

BASE = {
    "slug": '"rain"', "title": '"Will it rain?"', "criteria": '"mm"', "opens_at": "2019-06-01T00:00:00Z",
    "closes_at": "2019-07-01T00:00:00Z", "tags": '["weather"]', "auto": '"no_at_close"',
}  # fmt: skip
TABLES = {
    "resolution": {"outcome": '"yes"', "resolved_at": "2019-07-01T00:00:00Z", "note": '"n"'},
    "evidence": {"id": '"e1"', "url": '"https://example.org"', "title": '"E"', "published": "2019-06-20",
                 "stance": '"no"'},
    "forecasts": {"by": '"alice"', "probability": "0.3", "made_at": "2019-06-02T10:00:00Z", "evidence": '["e1"]'},
}  # fmt: skip


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if not isinstance(value, float) or value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


TOML_VALUE = st.recursive(
    st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=15) | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
    | st.datetimes(timezones=st.just(dt.UTC)) | st.datetimes(),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=4,
).map(toml_value) | st.sampled_from(['"2019-06-15"', '"not a date"', '"annulled"', "[[1]]", "{x = 1}", "0x10"])


def render(top: dict, tables: dict) -> str:
    out = [f"{k} = {v}" for k, v in top.items()]
    for name, body in tables.items():
        header = f"[{name}]" if name == "resolution" else f"[[{name}]]"
        out += ["", header, *(f"{k} = {v}" for k, v in body.items())]
    return "\n".join(out) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    top=st.dictionaries(st.sampled_from(sorted(BASE) + ["description", "resolves_at", "kind", "colour"]), TOML_VALUE,
                        max_size=3),
    table=st.sampled_from(sorted(TABLES)),
    inner=st.dictionaries(st.sampled_from(sorted({k for t in TABLES.values() for k in t} | {"why", "summary"})),
                          TOML_VALUE, max_size=2),
    garbage=st.one_of(st.just(""), st.text(max_size=20)),
)  # fmt: skip
def test_any_value_in_a_question_file_is_a_question_or_a_file_line_error(tmp_path, top, table, inner, garbage):
    path = tmp_path / "questions" / "q.toml"
    path.parent.mkdir(exist_ok=True)
    text = render({**BASE, **top}, {**TABLES, table: {**TABLES[table], **inner}})
    path.write_text(text + garbage, encoding="utf-8", errors="surrogatepass")
    try:
        parse_question_file(path, path.parent, "me")
    except InvalidInput as exc:
        assert re.match(rf"^{re.escape(str(path))}:\d+: \S", str(exc)), str(exc)
        assert "\n" not in str(exc)


@pytest.mark.parametrize(
    ("lines", "key"),
    [
        # a TOML date-time without an offset, where the outcome or the range of a date question takes one
        (['kind = "date"', "range = [2019-01-01T00:00:00Z, 2020-01-01T00:00:00Z]", "", "[resolution]",
          "outcome = 2000-01-01T00:00:00"], "outcome"),
        (['kind = "date"', "range = [2019-01-01T00:00:00, 2020-01-01T00:00:00Z]"], "range"),
        (["", "[resolution]", "outcome = 2000-01-01T00:00:00"], "outcome"),
    ],
)
def test_a_date_time_without_an_offset_is_named_at_its_line(tmp_path, lines, key):
    # found by the property above on a CI run: these two raised without the file and line
    path = tmp_path / "questions" / "q.toml"
    path.parent.mkdir()
    text = "\n".join([*(f"{k} = {v}" for k, v in BASE.items()), *lines]) + "\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        parse_question_file(path, path.parent, "me")
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith(f"{key} ="))
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert "date-time has no offset" in str(err.value)
