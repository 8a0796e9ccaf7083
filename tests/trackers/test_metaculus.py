"""Metaculus's data export (question_data.csv + forecast_data.csv [+ score_data.csv]), folder or zip."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

import pytest

from forecast.core.errors import InvalidInput
from forecast.ingest.trackers import metaculus
from forecast.ingest.trackers.common import micros


def us(*args) -> int:
    return micros(datetime(*args), UTC)


@pytest.fixture
def folder(fixtures):
    return str(fixtures / "metaculus")


@pytest.fixture
def zipped(tmp_path, fixtures):
    path = tmp_path / "metaculus_export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in (fixtures / "metaculus").iterdir():
            zf.write(f, f.name)
    return str(path)


def test_questions_of_the_hand_made_export(folder):
    conv = metaculus.convert(folder)
    qs = {q.slug: q for q in conv.batch.questions}
    assert list(qs) == ["metaculus-101", "metaculus-102", "metaculus-104", "metaculus-105"]
    q = qs["metaculus-101"]
    assert (q.resolution, q.opens_at, q.closes_at, q.resolved_at) == (
        "yes", us(2024, 1, 1), us(2024, 7, 1), us(2024, 4, 1))  # fmt: skip
    assert q.tags == ["Politics"] and q.description.startswith("https://www.metaculus.com/questions/")
    assert qs["metaculus-102"].tags == ["Environment", "Politics"]
    assert qs["metaculus-104"].resolution == "annulled" and qs["metaculus-104"].title == 'Will the launch happen, "on time"?'
    assert qs["metaculus-105"].resolution is None


def test_forecasts_and_reasons(folder):
    conv = metaculus.convert(folder)
    got = [(f.question, f.forecaster, f.probability) for f in conv.batch.forecasts]
    assert got == [
        ("metaculus-101", "alice", 0.6), ("metaculus-101", "alice", 0.8), ("metaculus-101", "bob", 0.3),
        ("metaculus-102", "alice", 0.2), ("metaculus-102", "bob", 0.4), ("metaculus-102", "bob", 0.1),
        ("metaculus-104", "carol", 0.7), ("metaculus-105", "carol", 0.05),
    ]  # fmt: skip
    assert conv.batch.forecasts[3].made_at == us(2024, 1, 10, 8, 30, 0, 250000)
    assert conv.batch.skipped == [
        (4, "question_data.csv: question 103: no Lower Bound"),  # a numeric question needs its range
        (5, "forecast_data.csv: aggregate forecast (recency_weighted), not a forecaster's"),
        (6, "forecast_data.csv: aggregate forecast (recency_weighted), not a forecaster's"),
        (10, "forecast_data.csv: duplicate of line 9"),
        (11, "forecast_data.csv: question 103 was skipped"),
        (13, "forecast_data.csv: Probability Yes '1.2' is not between 0 and 1"),
        (15, "forecast_data.csv: Question ID '999' is not in question_data.csv"),
    ]
    assert conv.notes["withdrawn_forecasts"] == 1  # bob's 0.3 ended before the close, unreplaced


def test_zip_equals_folder_and_aggregates_on_request(folder, zipped):
    a, b = metaculus.convert(folder), metaculus.convert(zipped)
    assert a.batch.forecasts == b.batch.forecasts and a.batch.questions == b.batch.questions
    with_aggregates = metaculus.convert(zipped, aggregates=True)
    names = {f.forecaster for f in with_aggregates.batch.forecasts}
    assert "metaculus:recency_weighted" in names


def test_scores_file(folder, tmp_path):
    scores = metaculus.read_scores(folder)
    assert {(s.question, s.forecaster, s.score_type) for s in scores} >= {
        ("metaculus-101", "alice", "baseline"), ("metaculus-101", "metaculus:recency_weighted", "baseline"),
    }
    empty = tmp_path / "noscores"
    empty.mkdir()
    assert metaculus.read_scores(str(empty)) is None


def test_not_an_export(tmp_path):
    with pytest.raises(InvalidInput, match="no question_data.csv"):
        metaculus.convert(str(tmp_path))
    (tmp_path / "question_data.csv").write_text("Question ID,Title\n1,x\n")
    with pytest.raises(InvalidInput, match="missing 'Question Title'"):
        metaculus.convert(str(tmp_path))


# ---- hostile rows in an export of every kind (a copy of the generated fixture, rows altered) -------------


def _altered(fixtures, target, forecast_edits=(), question_edits=()):
    """metaculus_named/ copied to `target`; each edit is (Question ID, Forecaster Username or None, column,
    function of the cell text) and applies to the first row matching it."""
    import csv
    import io

    target.mkdir()
    for name, edits in (("forecast_data.csv", forecast_edits), ("question_data.csv", question_edits)):
        rows = list(csv.reader(io.StringIO((fixtures / "metaculus_named" / name).read_text(encoding="utf-8"))))
        header = rows[0]
        for qid, who, column, change in edits:
            row = next(r for r in rows[1:] if r[0] == qid and (who is None or r[2] == who))
            row[header.index(column)] = change(row[header.index(column)])
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        (target / name).write_text(out.getvalue(), encoding="utf-8")
    (target / "score_data.csv").write_bytes((fixtures / "metaculus_named" / "score_data.csv").read_bytes())
    return target


def _drop_last(text: str) -> str:
    return "[" + ", ".join(text.strip("[]").split(", ")[:-1]) + "]"


def _decreasing(text: str) -> str:
    values = text.strip("[]").split(", ")
    values[100], values[101] = values[101], values[100]
    return "[" + ", ".join(values) + "]"


def _nan_at(i: int):
    def change(text: str) -> str:
        values = text.strip("[]").split(", ")
        values[i] = "nan"
        return "[" + ", ".join(values) + "]"

    return change


HOSTILE_FORECASTS = (
    ("209", "alice", "Continuous CDF", _drop_last),  # 200 values
    ("209", "bob", "Continuous CDF", _decreasing),
    ("210", "alice", "Continuous CDF", _nan_at(7)),
    ("207", "alice", "Probability Yes Per Category", _drop_last),  # 4 probabilities for 5 options
    ("207", "bob", "Probability Yes Per Category", _nan_at(1)),
    ("212", "bob", "Continuous CDF", lambda text: text.replace("[", "[__import__('os'), ", 1)),
)
HOSTILE_QUESTIONS = (
    ("211", None, "Resolution", lambda _text: "1e999"),  # not finite
    ("207", None, "Resolution", lambda _text: "Utrecht"),  # not one of its options
    ("210", None, "Continuous Range", lambda text: text.replace("1.035142166679344", "7.0", 1)),  # neither linear nor log
)


def test_hostile_rows_of_every_kind_give_reasons(fixtures, tmp_path):
    folder = _altered(fixtures, tmp_path / "hostile", HOSTILE_FORECASTS[4:5] + HOSTILE_FORECASTS[:4] + HOSTILE_FORECASTS[5:],
                      HOSTILE_QUESTIONS[:1])  # fmt: skip
    conv = metaculus.convert(str(folder))
    reasons = [reason for _line, reason in conv.batch.skipped]
    for expected in (
        "Continuous CDF has 200 values, not 201",
        "a CDF must not decrease",
        "Continuous CDF: value 8 'nan' is not a finite number",
        "Probability Yes Per Category has 4 probabilities for the question's 5 options",
        "Probability Yes Per Category: value 2 'nan' is not a finite number",
        "Continuous CDF: value 1 \"__import__('os')\" is not a number",
        "question 211: resolution '1e999' is not a finite number",
    ):
        assert any(expected in r for r in reasons), (expected, reasons)
    assert sum("question 211 was skipped" in r for r in reasons) == 3  # its three forecasts, each with the reason
    assert "metaculus-211" not in {q.slug for q in conv.batch.questions}
    assert conv.refused == {"metaculus-209": 2, "metaculus-210": 1, "metaculus-207": 2, "metaculus-212": 1,
                            "metaculus-215": 1}  # fmt: skip


def test_a_resolution_outside_the_options_and_a_bent_range_skip_their_questions(fixtures, tmp_path):
    conv = metaculus.convert(str(_altered(fixtures, tmp_path / "q", (), HOSTILE_QUESTIONS[1:])))
    reasons = [reason for _line, reason in conv.batch.skipped]
    assert any("question 207: resolution 'Utrecht' is not one of its options ('Ajax', 'PSV Eindhoven'" in r for r in reasons)
    assert any("question 210: Continuous Range is neither linear nor on a log scale" in r for r in reasons)
    assert {q.slug for q in conv.batch.questions}.isdisjoint({"metaculus-207", "metaculus-210"})


def test_hostile_export_imports_whole_rows_only(fixtures, tmp_path, db_url):
    from tests.cli_runner import invoke

    folder = _altered(fixtures, tmp_path / "hostile", HOSTILE_FORECASTS, HOSTILE_QUESTIONS)
    conv = metaculus.convert(str(folder))
    res = invoke("import", "metaculus", str(folder), "--compare-scores", "--json", db=db_url)
    assert res.code == 0, res.err
    report = res.json()
    assert report["forecasts_added"] == len(conv.batch.forecasts)
    assert report["questions_added"] == len(conv.batch.questions) == 12  # 15 less 207, 210 and 211
    out = invoke("forecasts", "metaculus-209", "--json", db=db_url)
    assert out.code == 0, out.err
    on_209 = [(f["forecaster"], f["made_at"]) for f in out.json()]
    # alice's later one, the bot's and carol's: the two altered rows are not there at all
    assert on_209 == [("metac-gpt-bot", "2025-01-06T00:00:00Z"), ("alice", "2025-02-01T00:00:00Z"),
                      ("carol", "2025-02-10T00:00:00Z")]  # fmt: skip
    rows = {(r["question"], r["forecaster"], r["score_type"]): r for r in report["comparison"]}
    assert "refused on import" in rows[("metaculus-209", "alice", "baseline")]["why"]
    again = invoke("import", "metaculus", str(folder), "--json", db=db_url)
    assert again.code == 0 and again.json()["forecasts_added"] == 0  # importing again adds nothing
