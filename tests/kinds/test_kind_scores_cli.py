"""`forecast score`, `export scores --kind` and `report` on choice, numeric and date questions, as a user runs them,
on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import math

import pytest

from tests.cli_runner import invoke


@pytest.fixture
def db(db_url_at_head) -> str:
    def ok(*args):
        r = invoke(*args, db=db_url_at_head)
        assert r.code == 0, r.err

    ok("q", "add", "Who will lead?", "--kind", "choice", "--option", "kim=Kim Jong Un", "--option", "moon", "--other",
       "--opens", "2024-01-01", "--closes", "2024-04-10", "--slug", "leader", "--tag", "korea")  # fmt: skip
    ok("q", "add", "How many launches?", "--kind", "numeric", "--range", "0..100", "--opens", "2024-01-01",
       "--closes", "2024-04-10", "--slug", "launches")  # fmt: skip
    ok("q", "add", "When is the next test?", "--kind", "date", "--range", "2024-01-01..2025-12-31", "--open-upper",
       "--opens", "2024-01-01", "--closes", "2024-04-10", "--slug", "next-test")  # fmt: skip
    ok("predict", "leader", "kim=50% moon=30% other=20%", "--at", "2024-01-01", "--by", "ann")
    ok("predict", "leader", "kim=20% moon=40% other=40%", "--at", "2024-02-20", "--by", "bob")  # day 50 of 100
    ok("predict", "launches", "p10=12 p50=30 p90=75", "--at", "2024-01-01", "--by", "ann")
    ok("predict", "next-test", "p10=2024-06-01 p50=2025-01-01 p90=2025-10-01", "--at", "2024-01-01", "--by", "ann")
    ok("resolve", "leader", "kim", "--at", "2024-04-10")
    ok("resolve", "launches", "42", "--at", "2024-04-10")
    ok("resolve", "next-test", "after", "--at", "2024-04-10")
    return db_url_at_head


def test_score_json_has_each_kind_with_its_own_columns(db):
    r = invoke("score", "--json", db=db)
    assert r.code == 0, r.err
    kinds = r.json()["kinds"]
    assert list(kinds) == ["choice", "numeric", "date"]
    ann = {f["name"]: f for f in kinds["choice"]["forecasters"]}["ann"]
    assert ann["brier"] == pytest.approx(0.19) and ann["brier2"] == pytest.approx(0.38)
    assert ann["peer"] == pytest.approx(50 * math.log(2.5))
    launches = kinds["numeric"]["forecasters"][0]
    assert launches["crps"] == pytest.approx(0.0783, abs=5e-5) and "brier" not in launches
    date = kinds["date"]["forecasters"][0]
    assert date["pit"]["n"] == 1 and date["pit"]["bins"][-1]["count"] == 1  # beyond the upper bound: PIT near 1
    assert r.json()["questions"] == {"scored": 0, "not_scored": 0, "empty_window": 0}


def test_score_tables_and_filters(db):
    r = invoke("score", db=db)
    assert r.code == 0, r.err
    assert "Choice questions: 1 scored" in r.out and "Numeric questions: 1 scored" in r.out
    assert "BRIER2" in r.out and "CRPS" in r.out and "PIT histogram" in r.out and "Kolmogorov-Smirnov" in r.out
    r = invoke("score", "--tag", "korea", "--by", "bob", db=db)
    assert r.code == 0, r.err
    assert "Numeric questions" not in r.out and "Calibration per option of bob" in r.out
    assert invoke("score", "--by", "nobody", db=db).code == 1


def test_export_scores_per_kind(db):
    r = invoke("export", "scores", "--kind", "choice", db=db)
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert [row["forecaster"] for row in rows] == ["ann", "bob"]
    assert list(rows[0])[-6:] == ["brier", "brier2", "log_score", "baseline", "peer", "coverage"]
    assert rows[0]["outcome"] == "kim" and float(rows[0]["brier2"]) == pytest.approx(0.38)
    r = invoke("export", "scores", "--kind", "date", "-f", "json", db=db)
    assert r.code == 0, r.err
    (row,) = r.json()
    assert row["outcome"] == "above" and set(row) >= {"log_score", "crps", "baseline", "peer"} and "brier" not in row
    assert invoke("export", "scores", "--kind", "ranking", db=db).code == 2


def test_report_has_a_section_per_kind(db, tmp_path):
    out = tmp_path / "r.html"
    r = invoke("report", "-o", str(out), db=db)
    assert r.code == 0, r.err
    page = out.read_text(encoding="utf-8")
    for title in ("Choice questions", "Numeric questions", "Date questions"):
        assert f">{title}</h2>" in page
    assert "PIT histogram" in page and "Per-option calibration" in page


def test_csv_cells_are_guarded(tmp_path):
    db = str(tmp_path / "g.db")
    assert invoke("q", "add", "=cmd|' /C calc'!A0", "--kind", "choice", "--option", "a", "--option", "b",
                  "--opens", "2024-01-01", "--closes", "2024-02-01", "--slug", "guard", db=db).code == 0  # fmt: skip
    assert invoke("predict", "guard", "a=60% b=40%", "--at", "2024-01-01", "--by", "ann", db=db).code == 0
    assert invoke("resolve", "guard", "a", "--at", "2024-02-01", db=db).code == 0
    r = invoke("export", "scores", "--kind", "choice", db=db)
    assert r.code == 0, r.err
    assert "'=cmd" in r.out


def test_one_question_forecast_by_forecast(db):
    r = invoke("score", "leader", "--json", db=db)
    assert r.code == 0, r.err
    out = r.json()
    assert out["question"]["kind"] == "choice" and out["question"]["outcome"] == "kim (Kim Jong Un)"
    people = {f["name"]: f for f in out["forecasters"]}
    assert people["bob"]["brier2"] == pytest.approx(0.96) and people["bob"]["coverage"] == pytest.approx(0.5)
    rows = out["forecasts"]
    assert [x["status"] for x in rows] == ["scored", "scored"]
    assert rows[0]["values"] == "kim 50% · moon 30% · other 20%" and rows[0]["brier"] == pytest.approx(0.19)
    for f in rows:  # contributions add up to the forecaster's baseline, as for binary questions
        assert f["baseline"] == pytest.approx(people[f["forecaster"]]["baseline"])
    r = invoke("score", "launches", db=db)
    assert r.code == 0, r.err
    assert "CRPS" in r.out and "p10 11.99 · p50 30.22 · p90 75.17" in r.out and "%" not in r.out.split("\n")[0]
    r = invoke("score", "next-test", "--by", "ann", "--json", db=db)
    assert r.code == 0 and r.json()["forecasts"][0]["pit"] > 0.9
