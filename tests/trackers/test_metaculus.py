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
