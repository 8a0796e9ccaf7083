"""`forecast import fatebook|iqisa|metaculus` run as a user would, with --json reports."""

from __future__ import annotations

import pytest

from tests.cli_runner import invoke


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "forecast.db")


def test_fatebook_twice(db, fixtures):
    first = invoke("import", "fatebook", str(fixtures / "fatebook.csv"), "--json", db=db)
    assert first.code == 0, first.err
    report = first.json()
    assert (report["questions_added"], report["forecasts_added"]) == (5, 8)
    assert {s["line"] for s in report["skipped"]} == {5, 10, 13, 14, 15}
    assert report["source"]["late_forecasts"] == 1 and report["source"]["duplicate_rows"] == 1
    again = invoke("import", "fatebook", str(fixtures / "fatebook.csv"), "--json", db=db).json()
    assert (again["questions_added"], again["forecasts_added"], again["forecasts_existing"]) == (0, 0, 8)


def test_fatebook_text_report_names_skipped_rows(db, fixtures):
    res = invoke("import", "fatebook", str(fixtures / "fatebook.csv"), "--tz", "Europe/London", db=db)
    assert res.code == 0, res.err
    assert "questions: 5 added" in res.out and "forecasts: 8 added" in res.out
    assert "5 rows skipped:" in res.err
    assert "line 13: Forecast (scale = 0-1) '1.7' is not between 0 and 1" in res.err
    assert "1 multiple-choice questions imported as choice questions" in res.err


def test_iqisa_with_titles_and_source(db, fixtures):
    res = invoke(
        "import", "iqisa", str(fixtures / "iqisa.csv"), "--titles", str(fixtures / "iqisa_titles.csv.zip"),
        "--source", "pb", "--json", db=db,
    )  # fmt: skip
    assert res.code == 0, res.err
    report = res.json()
    assert (report["questions_added"], report["forecasts_added"], len(report["skipped"])) == (4, 7, 5)
    assert report["source"]["never_scored_questions"] == 1
    listed = invoke("q", "list", "-s", "all", "--json", db=db).json()
    titles = {q["slug"]: q["title"] for q in listed}
    assert titles["pb-7"] == "Obama will win the 2008 US presidential election"


def test_metaculus_dry_run_writes_nothing(db, fixtures):
    res = invoke("import", "metaculus", str(fixtures / "metaculus"), "--dry-run", db=db)
    assert res.code == 0, res.err
    assert "forecasts: 8 added" in res.out and "dry run" in res.err
    again = invoke("import", "metaculus", str(fixtures / "metaculus"), "--json", db=db).json()
    assert again["forecasts_added"] == 8 and again["source"]["withdrawn_forecasts"] == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("fatebook", "missing.csv"), 1, "missing.csv: no such file"),
        (("fatebook", "{fx}/iqisa.csv"), 1, "not a Fatebook CSV export"),
        (("fatebook", "{fx}/fatebook.csv", "--tz", "Mars/Olympus"), 2, "unknown time zone 'Mars/Olympus'"),
        (("iqisa", "{fx}/iqisa.csv", "--source", "!!"), 2, "--source must contain letters or digits"),
        (("metaculus", "{fx}/fatebook.csv"), 1, "neither a folder nor a zip file"),
    ],
)
def test_failures_are_one_line(db, fixtures, args, code, message):
    res = invoke("import", *(a.format(fx=fixtures) for a in args), db=db)
    assert res.code == code
    assert message in res.err and res.err.count("\n") == 1


def test_metaculus_compare_scores(db, fixtures):
    res = invoke("import", "metaculus", str(fixtures / "metaculus"), "--compare-scores", "--json", db=db)
    assert res.code == 0, res.err
    report = res.json()
    assert report["forecasts_added"] == 8 and report["comparison_unmatched"] == 1  # the aggregate's score
    rows = {(r["question"], r["forecaster"], r["score_type"]): r for r in report["comparison"]}
    assert len(rows) == 8  # spot_peer is not compared
    # Where the data agree, so do the numbers: score_data.csv holds Metaculus's formulas worked by hand.
    for key in [("metaculus-102", who, kind) for who in ("alice", "bob") for kind in ("baseline", "peer")] + [
        ("metaculus-101", "alice", "baseline")
    ]:
        assert abs(rows[key]["difference"]) < 1e-9, key
        assert abs(rows[key]["coverage"] - rows[key]["our_coverage"]) < 1e-9
    # bob withdrew on Metaculus; here his forecast stands until the resolution, so his scores differ
    bob = rows[("metaculus-101", "bob", "baseline")]
    assert bob["ours"] < bob["metaculus"] < 0 and bob["our_coverage"] > bob["coverage"]


def test_compare_scores_text_table(db, fixtures):
    res = invoke("import", "metaculus", str(fixtures / "metaculus"), "--compare-scores", db=db)
    assert res.code == 0, res.err
    assert "METACULUS" in res.out and "metaculus-102  alice" in res.out
    assert "differences come from the data, not the formulas" in res.err
