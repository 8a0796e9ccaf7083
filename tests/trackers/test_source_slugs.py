"""Tracker imports never merge questions and never store a slug an export cannot carry back (issue 10, §2
slugs), and their times share the one supported range (§1), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from forecast.core.slug import is_valid_slug
from forecast.ingest.trackers import fatebook, iqisa, metaculus
from forecast.services.batch_import import import_batch
from tests.cli_runner import invoke as run

IQISA_ROW = ("{qid},{user},0,0.7,1,2020-01-02 00:00:00+00:00,,{opens},2030-01-01 00:00:00+00:00,,x,2,o,open,0\n")


def iqisa_file(path: Path, rows: list[tuple[str, str]], opens: str = "2020-01-01 00:00:00+00:00") -> str:
    text = ",".join(iqisa.HEADER) + "\n" + "".join(IQISA_ROW.format(qid=q, user=u, opens=opens) for q, u in rows)
    path.write_text(text, encoding="utf-8")
    return str(path)


def slugs(database) -> list[str]:
    with database.session() as s:
        return sorted(r[0] for r in s.connection().exec_driver_sql("SELECT slug FROM question"))


def test_iqisa_ids_that_normalise_alike_stay_apart_in_one_file(database, tmp_path):
    conv = iqisa.convert(iqisa_file(tmp_path / "a.csv", [("ab_1", "u1"), ("AB-1", "u2"), ("ab-1", "u3")]), source="pb")
    with database.session() as s:
        report = import_batch(s, conv.batch)
    assert report.questions_added == 3
    got = slugs(database)
    assert len(set(got)) == 3 and "pb-ab-1" in got and all(is_valid_slug(x) for x in got)


def test_iqisa_ids_that_normalise_alike_stay_apart_across_files(database, tmp_path):
    with database.session() as s:
        import_batch(s, iqisa.convert(iqisa_file(tmp_path / "a.csv", [("ab_1", "u1")]), source="pb").batch)
    with database.session() as s:
        second = import_batch(s, iqisa.convert(iqisa_file(tmp_path / "b.csv", [("AB-1", "u2")]), source="pb").batch)
    assert (second.questions_added, second.questions_updated) == (1, 0)
    assert len(slugs(database)) == 2
    with database.session() as s:  # the same file again still finds its own question
        again = import_batch(s, iqisa.convert(str(tmp_path / "a.csv"), source="pb").batch)
    assert (again.questions_added, again.questions_unchanged) == (0, 1)


def _metaculus_copy(fixtures: Path, target: Path, ids: dict[str, str]) -> Path:
    target.mkdir()
    for name in (metaculus.QUESTIONS, metaculus.FORECASTS):
        rows = list(csv.reader(io.StringIO((fixtures / "metaculus" / name).read_text(encoding="utf-8"))))
        for row in rows[1:]:
            row[0] = ids.get(row[0], row[0])
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (target / name).write_text(out.getvalue(), encoding="utf-8")
    return target


def test_metaculus_odd_ids_round_trip_through_export_and_import(db_url, fixtures, tmp_path):
    folder = _metaculus_copy(fixtures, tmp_path / "mc", {"101": "٣٤", "102": "9" * 100})
    conv = metaculus.convert(str(folder))
    assert any("Question ID '٣٤' is not a number" in reason for _line, reason in conv.batch.skipped)
    assert all(is_valid_slug(q.slug) for q in conv.batch.questions)
    r = run("import", "metaculus", str(folder), "--json", db=db_url)
    assert r.code == 0, r.err
    exported = tmp_path / "all.jsonl"
    assert run("export", "jsonl", "-o", str(exported), db=db_url).code == 0
    again = run("import", "jsonl", str(exported), "--json", db=f"sqlite:///{tmp_path / 'copy.db'}")
    assert again.code == 0, again.err
    assert again.json()["questions_added"] == r.json()["questions_added"]


def test_tracker_times_outside_the_range_skip_their_rows(tmp_path, fixtures):
    conv = iqisa.convert(iqisa_file(tmp_path / "old.csv", [("7", "u1")], opens="0001-01-01 00:00:00+01:00"), source="pb")
    assert conv.batch.questions == [] and "outside the supported time range" in conv.batch.skipped[0][1]

    lines = (fixtures / "fatebook.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2024-03-07 00:00:0", "9999-12-31 23:00:0", 1)
    (tmp_path / "fb.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    conv = fatebook.convert(str(tmp_path / "fb.csv"))
    assert (2, "Question resolve by '9999-12-31T23:00:00+00:00' is outside the supported time range "
               "1900-01-01T00:00:00Z to 2200-12-31T23:59:59Z") in conv.batch.skipped

    folder = tmp_path / "mc"
    _metaculus_copy(fixtures, folder, {})
    text = (folder / metaculus.QUESTIONS).read_text(encoding="utf-8").replace(
        "2024-01-01 00:00:00+00:00,2024-01-01 00:00:00+00:00,2024-07-01", "0001-01-01 00:00:00+00:00,2024-01-01 00:00:00+00:00,2024-07-01", 1)
    (folder / metaculus.QUESTIONS).write_text(text, encoding="utf-8")
    conv = metaculus.convert(str(folder))
    assert "metaculus-101" not in {q.slug for q in conv.batch.questions}
    assert any("Open Time" in reason and "outside the supported time range" in reason for _l, reason in conv.batch.skipped)


@pytest.mark.parametrize("prefix", ["a--b", "x" * 70])
def test_iqisa_refuses_a_source_that_cannot_prefix_a_slug(tmp_path, prefix):
    from forecast.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="source"):
        iqisa.convert(iqisa_file(tmp_path / "a.csv", [("1", "u")]), source=prefix)
