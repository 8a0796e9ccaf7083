"""Metaculus data exports written exactly as Metaculus writes them.

The files under tests/fixtures/trackers/ (metaculus_named/, metaculus_anonymized.zip, metaculus_personal.zip)
come from tests/fixtures/trackers/metaculus_export.py, a port of `generate_data` in utils/csv_utils.py of
Metaculus/metaculus (commit 100c4088): the question row at lines 453-487, the forecast header at 531-556,
user rows at 557-611 and aggregate rows at 612-685, where a question without a resolution bucket (open,
annulled, ambiguous) gets ONE cell for the last two columns (lines 595-596, 667-668); `csv.writer`
defaults (QUOTE_MINIMAL, CRLF, str() of datetimes and bools). Binary, multiple-choice (one with an option
added later), numeric (linear, log, open bounds), discrete and date questions, their forecasts made as
Metaculus's front end makes them. Its score_data.csv holds Metaculus's scores, ported from their
scoring/score_math.py `evaluate_question` (peer crowd without bots unless the question includes them,
365-370), not from ours.
"""

from __future__ import annotations

import csv
import io
import math
import runpy
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import KindSpec
from forecast.core.kinds import ContinuousRange
from forecast.core.model import Kind
from forecast.ingest.trackers import metaculus
from tests.cli_runner import invoke
from tests.float_text import same_text, same_zip


@pytest.fixture
def named(fixtures):
    return str(fixtures / "metaculus_named")


def test_the_fixtures_are_what_the_generator_writes(fixtures, tmp_path):
    gen = runpy.run_path(str(fixtures / "metaculus_export.py"))
    gen["write_all"](tmp_path)
    # (numbers to 12 digits: the generator computes them with numpy, whose sums differ in the last digit
    # from one CPU to another; see tests/float_text.py)
    for name in ("question_data.csv", "forecast_data.csv", "score_data.csv"):
        assert same_text((tmp_path / "metaculus_named" / name).read_bytes(), (fixtures / "metaculus_named" / name).read_bytes()), name
    for name in ("metaculus_anonymized.zip", "metaculus_personal.zip"):
        assert same_zip((tmp_path / name).read_bytes(), (fixtures / name).read_bytes()), name


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
    # users' rows on 203-206 (open, annulled, ambiguous, open MC), 213 (open) and 214 (annulled), and the
    # aggregates' on 203 and 213
    assert conv.notes["short_rows_read"] == 7 + 1 + 2 + 1 + 3 + 1
    assert not any("columns" in reason for _line, reason in conv.batch.skipped)
    statuses = {q.slug: (q.status, q.resolution) for q in conv.batch.questions}
    assert statuses["metaculus-203"] == ("open", None) and statuses["metaculus-205"] == ("annulled", "annulled")


def test_bots_and_their_crowd(named):
    conv = metaculus.convert(named)
    assert conv.bots == {"metac-gpt-bot", "pgodzinbot"}
    assert {s for s, inside in conv.bots_in_crowd.items() if inside} == {"metaculus-202", "metaculus-210"}
    assert len(conv.bots_in_crowd) == 15
    assert conv.crowd_excludes() == {s: {"metac-gpt-bot"} for s in ("metaculus-201", "metaculus-203", "metaculus-207",
                                                                    "metaculus-209", "metaculus-212")}  # fmt: skip
    assert conv.notes["bot_forecasts"] == 10
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


GENERATOR = runpy.run_path(str(Path(__file__).resolve().parent.parent / "fixtures" / "trackers" / "metaculus_export.py"))
AGREE = 1e-9  # score points; measured: 5e-14 at most, the rounding of the export's floats and of time sums
OPTION_ADDED = "metaculus-208"  # an option added after forecasts were made: one vector cannot say what Metaculus reads
DISCRETE = "metaculus-215"  # 10 outcomes: CDFs of 11 values, refused row by row


@pytest.mark.parametrize("export", ["metaculus_named", "metaculus_anonymized.zip"])
def test_compare_scores_agrees_with_metaculus_on_every_kind(db_url, fixtures, export):
    res = invoke("import", "metaculus", str(fixtures / export), "--compare-scores", "--json", db=db_url)
    assert res.code == 0, res.err
    report = res.json()
    rows = report["comparison"]
    theirs = list(csv.DictReader(io.StringIO(_member(fixtures / export, "score_data.csv"))))
    resolved = {f"metaculus-{r['Question ID']}" for r in theirs}
    assert resolved == {f"metaculus-{i}" for i in (201, 202, 207, 208, 209, 210, 211, 212, 215)}
    assert len(theirs) == len(rows) + report["comparison_unmatched"]
    assert report["comparison_unmatched"] == 2 and DISCRETE not in {r["question"] for r in rows}
    kinds = {"metaculus-207": "choice", "metaculus-209": "numeric", "metaculus-210": "numeric log, open upper",
             "metaculus-211": "numeric log, both open", "metaculus-212": "date"}  # fmt: skip
    agreeing = [r for r in rows if r["question"] != OPTION_ADDED]
    assert {r["question"] for r in agreeing} >= set(kinds) | {"metaculus-201", "metaculus-202"}
    assert len(agreeing) == 50
    for r in agreeing:
        assert abs(r["difference"]) < AGREE, r
        assert abs(r["coverage"] - r["our_coverage"]) < AGREE, r
        assert r["why"] is None
    bots = [r for r in agreeing if r["forecaster"] in ("metac-gpt-bot",) or r["forecaster"].startswith("metaculus-anon")]
    assert any(r["question"] == "metaculus-209" and r["score_type"] == "peer" for r in bots)
    for r in (r for r in rows if r["question"] == OPTION_ADDED):
        assert abs(r["difference"]) > 1 and "an option was added on Metaculus" in r["why"], r


def _member(path: Path, name: str) -> str:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            return zf.read(name).decode()
    return (path / name).read_text(encoding="utf-8")


def test_compare_scores_on_a_personal_export_says_why_peer_differs(tmp_path, fixtures):
    res = invoke("import", "metaculus", str(fixtures / "metaculus_personal.zip"), "--compare-scores", "--json",
              db=str(tmp_path / "f.db"))  # fmt: skip
    assert res.code == 0, res.err
    report = res.json()
    # alice's forecasts: 5 binary, 2 + 2 choice, 2 numeric, 1 log, 1 log both open, 1 date, 1 open numeric, and one
    # on the discrete question refused (11 values); 3 rows one cell short (203 twice, 206; 213 once)
    assert report["forecasts_added"] == 16 and report["source"]["short_rows_read"] == 4
    rows = {(r["question"], r["score_type"]): r for r in report["comparison"]}
    for slug in ("metaculus-201", "metaculus-207", "metaculus-209", "metaculus-210", "metaculus-212"):
        assert abs(rows[(slug, "baseline")]["difference"]) < AGREE
        peer = rows[(slug, "peer")]
        assert peer["ours"] == 0 and "personal export" in peer["why"]  # alone here: no crowd to beat


def test_every_kind_is_imported_as_metaculus_defines_it(named):
    conv = metaculus.convert(named)
    qs = {q.slug: q for q in conv.batch.questions}
    spec = {slug: KindSpec.from_stored(q.kind, q.kind_spec) for slug, q in qs.items()}
    assert [o.key for o in spec["metaculus-207"].choices.options] == [
        "ajax", "psv-eindhoven", "feyenoord", "az-fc-twente", "other"]  # fmt: skip
    assert spec["metaculus-207"].choices.options[3].label == "AZ / FC Twente"
    assert (qs["metaculus-207"].resolution, qs["metaculus-207"].outcome) == ("outcome", "psv-eindhoven")
    assert qs["metaculus-208"].outcome == "gomez" and spec["metaculus-208"].choices.options[2].label == "Gómez"
    assert conv.options_changed == {"metaculus-208"}
    r = {slug: spec[slug].range for slug in ("metaculus-209", "metaculus-210", "metaculus-211", "metaculus-212")}
    assert (r["metaculus-209"].low, r["metaculus-209"].high, r["metaculus-209"].zero_point) == (0.0, 150.0, None)
    assert (r["metaculus-210"].zero_point, r["metaculus-210"].open_lower, r["metaculus-210"].open_upper) == (0.0, False, True)
    assert (r["metaculus-211"].zero_point, r["metaculus-211"].open_bounds) == (-5.0, 2)
    assert qs["metaculus-209"].outcome == "81.5" and qs["metaculus-210"].outcome == "above"
    assert qs["metaculus-211"].outcome == "below" and qs["metaculus-212"].outcome == "2025-08-20T12:00:00Z"
    assert qs["metaculus-212"].kind == "date" and spec["metaculus-212"].to_dict()["low"] == "2025-06-01T00:00:00Z"
    assert (qs["metaculus-213"].status, qs["metaculus-214"].status) == ("open", "annulled")
    assert qs["metaculus-215"].kind == "numeric"  # discrete: numeric over its half-unit-widened range
    refused = [reason for _line, reason in conv.batch.skipped if "Continuous CDF has 11 values" in reason]
    assert len(refused) == 1 and conv.refused == {DISCRETE: 1}


def test_the_grid_and_the_buckets_are_metaculus_own(named, fixtures):
    """Our stored CDF is Metaculus's continuous_cdf as exported, on the same locations; our bucket of each
    resolution is their string_location_to_bucket_index; our PMF their get_pmf."""
    from forecast.core.distribution import to_pmf
    from forecast.core.kind_spec import decode_vector

    conv = metaculus.convert(named)
    theirs = {q.id: q for q in GENERATOR["questions"]()}
    qrows = {r["Question ID"]: r for r in csv.DictReader(io.StringIO(_member(fixtures / "metaculus_named", "question_data.csv")))}
    checked = 0
    for q in conv.batch.questions:
        if q.kind not in ("numeric", "date"):
            continue
        mq = theirs[int(q.slug.split("-")[1])]
        spec = KindSpec.from_stored(q.kind, q.kind_spec)
        grid = [spec.range.scaled(i / 200) for i in range(201)]
        if q.kind == "numeric":
            exported = [float(x) for x in qrows[str(mq.id)]["Continuous Range"].strip("[]").split(",")]
            assert max(abs(a - b) for a, b in zip(grid, exported, strict=True)) <= 1e-9 * (mq.range_max - mq.range_min)
        if q.outcome is not None and mq.inbound_outcome_count is None:  # a discrete question's grid is its own
            assert spec.range.bucket(spec.outcome_value(q.outcome)) == GENERATOR["string_location_to_bucket_index"](mq.resolution, mq)
        mine = [f for f in conv.batch.forecasts if f.question == q.slug]
        users = [f for f in mq.forecasts if f.continuous_cdf and len(f.continuous_cdf) == 201]
        assert len(mine) == len(users)
        for ours, f in zip(sorted(mine, key=lambda f: (f.made_at, f.forecaster)),
                           sorted(users, key=lambda f: (f.start_time, f.author.username)), strict=True):  # fmt: skip
            v = decode_vector(ours.vector)
            assert v.tolist() == f.continuous_cdf  # bit for bit: no conversion
            assert to_pmf(v).tolist() == pytest.approx(GENERATOR["get_pmf"](f, mq), abs=1e-15)
            checked += 1
    assert checked == 5 + 4 + 3 + 4 + 2 + 1  # 209-214


def test_a_catch_all_shared_with_an_option_added_later(named):
    conv = metaculus.convert(named)
    from forecast.core.kind_spec import decode_vector

    early = [decode_vector(f.vector).tolist() for f in conv.batch.forecasts
             if f.question == OPTION_ADDED and f.made_at < metaculus._time("2025-03-01 00:00:00+00:00", "t")]  # fmt: skip
    assert early == [[0.5, 0.3, 0.1, 0.1], [0.3, 0.5, 0.1, 0.1]]  # Someone else's 0.2 shared with Gómez
    assert conv.notes["unavailable_option_forecasts"] == 2
    spec = KindSpec.from_stored("choice", next(q for q in conv.batch.questions if q.slug == OPTION_ADDED).kind_spec)
    deleted, _n = metaculus.choice_vector("[0.6, 0.3, None, 0.1]", spec, [None, None, None, None], 0)
    assert deleted == [0.6, 0.3, 0.0, 0.1]  # a deleted option's mass already went to the catch-all


def test_aggregates_on_request_and_the_geometric_mean_refused(named):
    conv = metaculus.convert(named, aggregates=True)
    who = {(f.question, f.forecaster) for f in conv.batch.forecasts}
    assert ("metaculus-209", "metaculus:recency_weighted") in who and ("metaculus-207", "metaculus:recency_weighted") in who
    gm = [reason for _line, reason in conv.batch.skipped if "geometric_mean" in reason]
    assert len(gm) == 4 and all("unnormalised geometric mean of PMFs" in reason for reason in gm)


def test_option_keys_are_stable_and_valid():
    labels = ["PSV Eindhoven", "Gómez", "日本", "psv eindhoven", "!!!", "x" * 60, "Other"]
    keys = metaculus.option_keys(labels)
    assert keys == ["psv-eindhoven", "gomez", "option-3", "psv-eindhoven-2", "option-5", "x" * 40, "other"]
    assert metaculus.option_keys(labels) == keys and metaculus.option_keys(labels[:2]) == keys[:2]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=2, max_size=12, unique=True))
def test_option_keys_always_make_a_spec(labels):
    from forecast.core.kind_spec import _option

    keys = metaculus.option_keys(labels)
    assert len(set(keys)) == len(keys)
    for k in keys:
        _option(k, k)  # raises unless the key is valid


def test_zero_point_of_refuses_what_is_neither_linear_nor_log():
    from forecast.core.kinds import ContinuousRange

    log = [ContinuousRange(2.0, 2000.0, zero_point=1.5).scaled(i / 200) for i in range(201)]
    assert metaculus.zero_point_of(log, 2.0, 2000.0) == 1.5
    assert metaculus.zero_point_of([i * 0.5 for i in range(201)], 0.0, 100.0) is None
    bent = [x + (3.0 if i == 50 else 0.0) for i, x in enumerate(log)]
    with pytest.raises(InvalidInput, match="neither linear nor on a log scale"):
        metaculus.zero_point_of(bent, 2.0, 2000.0)
    with pytest.raises(InvalidInput, match="not from the Lower to the Upper Bound"):
        metaculus.zero_point_of(log, 1.0, 2000.0)


_cell_item = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=300, deadline=None)
@given(st.lists(_cell_item, max_size=30))
def test_list_cells_read_back_what_python_writes(values):
    assert metaculus.parse_list_cell(str(values), "Continuous CDF") == values


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
       | st.lists(st.one_of(_cell_item, st.sampled_from(["nan", "inf", "-inf", "1e999", "0x10", "1_0"])), max_size=8).map(
           lambda v: "[" + ", ".join(map(str, v)) + "]"))  # fmt: skip
def test_list_cells_raise_only_invalid_input_and_give_finite_numbers(text):
    try:
        values = metaculus.parse_list_cell(text, "Probability Yes Per Category")
    except InvalidInput:
        return
    assert all(v is None or (isinstance(v, float) and math.isfinite(v)) for v in values)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(min_value=-0.5, max_value=1.5), st.just(float("nan"))), max_size=205))
def test_cdf_cells_give_a_stored_cdf_or_a_reason(values):
    spec = KindSpec(Kind.NUMERIC, range=ContinuousRange(0.0, 10.0))
    text = str(values)
    try:
        cdf = metaculus.cdf_vector(text, spec)
    except InvalidInput:
        return
    assert len(cdf) == 201 and cdf == sorted(cdf) and 0 <= cdf[0] and cdf[-1] <= 1


def test_personal_export_as_folder(tmp_path, fixtures):
    with zipfile.ZipFile(fixtures / "metaculus_personal.zip") as zf:
        zf.extractall(tmp_path / "unpacked")
    a = metaculus.convert(str(tmp_path / "unpacked"))
    b = metaculus.convert(str(fixtures / "metaculus_personal.zip"))
    assert a.batch.forecasts == b.batch.forecasts and {f.forecaster for f in a.batch.forecasts} == {"alice"}


@pytest.mark.parametrize("export", ["metaculus_anonymized.zip", "metaculus_personal.zip"])
def test_zip_and_its_folder_convert_alike_for_every_kind(tmp_path, fixtures, export):
    with zipfile.ZipFile(fixtures / export) as zf:
        zf.extractall(tmp_path / "unpacked")
    a, b = metaculus.convert(str(tmp_path / "unpacked")), metaculus.convert(str(fixtures / export))
    assert a.batch.questions == b.batch.questions and a.batch.forecasts == b.batch.forecasts
    assert {q.kind for q in a.batch.questions} == {"binary", "choice", "numeric", "date"}
    assert a.batch.skipped == b.batch.skipped
