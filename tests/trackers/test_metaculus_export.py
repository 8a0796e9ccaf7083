"""Metaculus data exports written exactly as Metaculus writes them.

The files under tests/fixtures/trackers/ (metaculus_named/, metaculus_anonymized.zip, metaculus_personal.zip)
come from tests/fixtures/trackers/metaculus_export.py, a port of `generate_data` in utils/csv_utils.py of
Metaculus/metaculus (commit 100c4088): the question row at lines 453-487, the forecast header at 531-556,
user rows at 557-611 and aggregate rows at 612-685, where a question without a resolution bucket (open,
annulled, ambiguous) gets ONE cell for the last two columns (lines 595-596, 667-668); `csv.writer`
defaults (QUOTE_MINIMAL, CRLF, str() of datetimes and bools). Its score_data.csv holds Metaculus's scores,
ported from scoring/score_math.py (peer crowd without bots unless the question includes them, 365-370).
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.ingest.trackers import metaculus
from tests.cli_runner import invoke


@pytest.fixture
def named(fixtures):
    return str(fixtures / "metaculus_named")


def test_the_fixtures_are_what_the_generator_writes(fixtures, tmp_path):
    import runpy

    gen = runpy.run_path(str(fixtures / "metaculus_export.py"))
    gen["write_all"](tmp_path)
    for name in ("question_data.csv", "forecast_data.csv", "score_data.csv"):
        assert (tmp_path / "metaculus_named" / name).read_bytes() == (fixtures / "metaculus_named" / name).read_bytes()
    for name in ("metaculus_anonymized.zip", "metaculus_personal.zip"):
        assert (tmp_path / name).read_bytes() == (fixtures / name).read_bytes()


def test_rows_one_cell_short_are_read(named, fixtures):
    raw = (fixtures / "metaculus_named" / "forecast_data.csv").read_bytes()
    assert b"\r\n" in raw  # csv.writer's line ends
    rows = list(csv.reader(io.StringIO(raw.decode())))
    widths = {len(r) for r in rows[1:]}
    assert widths == {19, 18}  # the producer's own short rows
    conv = metaculus.convert(named)
    by_q = {}
    for f in conv.batch.forecasts:
        by_q.setdefault(f.question, []).append((f.forecaster, f.probability))
    assert by_q["metaculus-203"] == [("alice", 0.35), ("metac-gpt-bot", 0.5), ("bob", 0.42), ("alice", 0.3)]  # open
    assert by_q["metaculus-204"] == [("carol", 0.7)]  # annulled
    assert by_q["metaculus-205"] == [("bob", 0.25)]  # ambiguous
    assert conv.notes["short_rows_read"] == 10  # 7 users' rows + 3 aggregates' on the open question
    assert not any("columns" in reason for _line, reason in conv.batch.skipped)
    statuses = {q.slug: (q.status, q.resolution) for q in conv.batch.questions}
    assert statuses["metaculus-203"] == ("open", None) and statuses["metaculus-205"] == ("annulled", "annulled")


def test_bots_and_their_crowd(named):
    conv = metaculus.convert(named)
    assert conv.bots == {"metac-gpt-bot", "pgodzinbot"}
    assert conv.bots_in_crowd == {"metaculus-201": False, "metaculus-202": True, "metaculus-203": False,
                                  "metaculus-204": False, "metaculus-205": False}  # fmt: skip
    assert conv.crowd_excludes() == {"metaculus-201": {"metac-gpt-bot"}, "metaculus-203": {"metac-gpt-bot"}}
    assert conv.notes["bot_forecasts"] == 5
    assert any("2 bots (Is Bot)" in m for m in conv.messages)


def test_a_short_row_on_a_resolved_question_is_refused():
    header = ["Question ID", "x", metaculus.SHORT_LAST]
    assert metaculus.forecast_row(header, ["1", "a"], False) == {"Question ID": "1", "x": "a", metaculus.SHORT_LAST: ""}
    with pytest.raises(InvalidInput, match="expected 3 columns, found 2 .short rows"):
        metaculus.forecast_row(header, ["1", "a"], True)
    with pytest.raises(InvalidInput, match="expected 3 columns, found 1$"):
        metaculus.forecast_row(header, ["1"], None)


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(st.text(max_size=8), max_size=22),
    resolved=st.sampled_from([True, False, None]),
)
def test_forecast_row_raises_only_invalid_input(cells, resolved):
    header = ["Question ID", "Forecaster ID", "Forecaster Username", *metaculus_header_tail()]
    try:
        row = metaculus.forecast_row(header, cells, resolved)
    except InvalidInput:
        return
    assert list(row) == header


def metaculus_header_tail() -> list[str]:
    return ["Is Bot", "Start Time", "End Time", "Forecaster Count", "Probability Yes", "Probability Yes Per Category",
            "Continuous CDF", "Probability Below Lower Bound", "Probability Above Upper Bound", "5th Percentile",
            "25th Percentile", "Median", "75th Percentile", "95th Percentile", "Probability of Resolution",
            metaculus.SHORT_LAST]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), max_size=21),
                max_size=6))
def test_convert_on_any_forecast_rows_raises_only_invalid_input(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("mx")
    src = metaculus_header_tail()
    (folder / "question_data.csv").write_text(
        "Question ID,Question Title,Question Type,Open Time,Scheduled Close Time,Actual Close Time,Resolution\r\n"
        "1,T,binary,2025-01-01 00:00:00+00:00,2025-06-01 00:00:00+00:00,,\r\n"
    )
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Question ID", "Forecaster ID", "Forecaster Username", *src])
    for r in rows:
        w.writerow(["1", *r])
    (folder / "forecast_data.csv").write_text(buf.getvalue())
    try:
        conv = metaculus.convert(str(folder))
    except InvalidInput:
        return
    assert len(conv.batch.forecasts) + len(conv.batch.skipped) <= len(rows)


@pytest.mark.parametrize("export", ["metaculus_named", "metaculus_anonymized.zip"])
def test_compare_scores_agrees_with_metaculus_when_bots_leave_the_crowd(tmp_path, fixtures, export):
    res = invoke("import", "metaculus", str(fixtures / export), "--compare-scores", "--json", db=str(tmp_path / "f.db"))
    assert res.code == 0, res.err
    rows = res.json()["comparison"]
    assert len(rows) == 14  # every baseline and peer score Metaculus gives on the two resolved questions
    for r in rows:
        assert abs(r["difference"]) < 1e-9, r
        assert abs(r["coverage"] - r["our_coverage"]) < 1e-9, r
        assert r["why"] is None


def test_compare_scores_on_a_personal_export_says_why_peer_differs(tmp_path, fixtures):
    res = invoke("import", "metaculus", str(fixtures / "metaculus_personal.zip"), "--compare-scores", "--json",
              db=str(tmp_path / "f.db"))  # fmt: skip
    assert res.code == 0, res.err
    report = res.json()
    assert report["forecasts_added"] == 5 and report["source"]["short_rows_read"] == 3
    rows = {(r["question"], r["score_type"]): r for r in report["comparison"]}
    assert abs(rows[("metaculus-201", "baseline")]["difference"]) < 1e-9
    peer = rows[("metaculus-201", "peer")]
    assert peer["ours"] == 0 and "personal export" in peer["why"]  # alone here: no crowd to beat


def test_personal_export_as_folder(tmp_path, fixtures):
    with zipfile.ZipFile(fixtures / "metaculus_personal.zip") as zf:
        zf.extractall(tmp_path / "unpacked")
    a = metaculus.convert(str(tmp_path / "unpacked"))
    b = metaculus.convert(str(fixtures / "metaculus_personal.zip"))
    assert a.batch.forecasts == b.batch.forecasts and {f.forecaster for f in a.batch.forecasts} == {"alice"}
