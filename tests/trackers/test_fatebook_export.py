"""Fatebook exports written by Fatebook's own code.

tests/fixtures/trackers/fatebook_export.csv and fatebook_tournament.csv are written by
tests/fixtures/trackers/fatebook_export.mjs, which runs Fatebook's `jsonToCsv` and `printForCsv`
(lib/web/export.ts lines 57-78 at Sage-Future/fatebook 3eb5379f) and its date formatting
(lib/_utils_common.ts lines 198-216: server-local time, seconds unpadded) under TZ=America/New_York, on the
row objects of lib/web/export.ts lines 27-50 (tags joined with "; ", line 49) and of the tournament export,
lib/web/tournament_router.ts lines 441-454. Rows are joined by "\\n" with no final newline.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.ingest.trackers import fatebook
from forecast.ingest.trackers.common import micros, zone
from tests.cli_runner import invoke

NY = zone("America/New_York")


def us(*args) -> int:
    return micros(datetime(*args, tzinfo=UTC))


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs Fatebook's own writer")
def test_the_fixtures_are_what_fatebooks_code_writes(fixtures, tmp_path):
    script = tmp_path / "fatebook_export.mjs"
    shutil.copy(fixtures / "fatebook_export.mjs", script)
    subprocess.run(["node", str(script)], check=True, env={"TZ": "America/New_York"}, timeout=60)
    for name in ("fatebook_export.csv", "fatebook_tournament.csv"):
        assert (tmp_path / name).read_bytes() == (fixtures / name).read_bytes()


def test_format_as_fatebook_writes_it(fixtures):
    raw = (fixtures / "fatebook_export.csv").read_bytes()
    assert b"\r\n" not in raw and not raw.endswith(b"\n")
    assert b'"london, transport; rail"' in raw and b",2025-01-15 09:07:3," in raw


def test_tags_may_hold_commas_and_times_follow_the_zone(fixtures):
    conv = fatebook.convert(str(fixtures / "fatebook_export.csv"), tz=NY)
    qs = {q.title: q for q in conv.batch.questions}
    line = qs["Will the Elizabeth line run on Sundays by June?"]
    assert line.tags == ["london, transport", "rail"]
    assert qs["Will the merger close in 2025?"].tags == ["finance", "work"]
    assert line.opens_at == us(2025, 1, 15, 14, 7, 3)  # EST, -5 h (milliseconds are not exported)
    assert line.resolved_at == us(2025, 6, 20, 16, 30, 9)  # EDT, -4 h
    rain = qs['Will it rain in London on "6 March"?']
    assert rain.description == 'Notes with "quotes"\nand a second line' and rain.resolution == "no"
    assert qs["Will the new office open by 2027?"].status == "open"
    made = {(f.forecaster, f.probability): f.made_at for f in conv.batch.forecasts}
    assert made[("Bob", 0.35)] == us(2025, 3, 30, 0, 30)  # written 2025-03-29 20:30:0, after the DST change
    assert made[("Alice", 0.9)] == us(2025, 5, 2, 9, 0, 59)
    assert conv.batch.skipped == []


def test_tournament_export(fixtures):
    conv = fatebook.convert(str(fixtures / "fatebook_tournament.csv"), tz=NY)
    mine = fatebook.convert(str(fixtures / "fatebook_export.csv"), tz=NY)
    assert {q.slug for q in conv.batch.questions} <= {q.slug for q in mine.batch.questions}  # same questions
    parent = "fb-which-features-ship-in-q2-8c8d26ee"  # a non-exclusive question: a binary one per option
    assert all(q.tags in (["Spring cup, 2025"], ["Spring cup, 2025", parent]) for q in conv.batch.questions)
    assert len(conv.batch.forecasts) == 18 and conv.batch.skipped == []
    vectors = {(f.question, f.forecaster, f.made_at): f.vector for f in mine.batch.forecasts}
    assert all(vectors[(f.question, f.forecaster, f.made_at)] == f.vector for f in conv.batch.forecasts)
    assert {(f.question, f.forecaster, f.made_at) for f in conv.batch.forecasts} <= {
        (f.question, f.forecaster, f.made_at) for f in mine.batch.forecasts
    }


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=";"), min_size=1,
                        max_size=12).filter(str.strip), max_size=5))  # fmt: skip
def test_split_tags_inverts_fatebooks_join(tags):
    cell = "; ".join(tags)
    assert fatebook.split_tags(cell) == sorted({t.strip() for t in tags})


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10), min_size=17, max_size=17))
def test_a_row_raises_only_invalid_input(tmp_path_factory, cells):
    # printForCsv (lib/web/export.ts lines 70-78): every string quoted, quotes doubled; rows joined by "\n"
    row = ",".join('"' + c.replace('"', '""') + '"' for c in cells)
    path = tmp_path_factory.mktemp("fb") / "f.csv"
    path.write_bytes((",".join(fatebook.HEADER) + "\n" + row).encode())
    try:
        conv = fatebook.convert(str(path))
    except InvalidInput:
        return
    assert len(conv.batch.forecasts) + len(conv.batch.skipped) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_parse_stamp_raises_only_invalid_input(text):
    try:
        fatebook.parse_stamp(text, "x")
    except InvalidInput:
        pass


def test_reimport_with_the_right_zone_retimes_instead_of_duplicating(tmp_path, fixtures):
    db = str(tmp_path / "f.db")
    path = str(fixtures / "fatebook_export.csv")
    first = invoke("import", "fatebook", path, "--json", db=db).json()  # forgot --tz: read as UTC
    assert first["forecasts_added"] == 21  # 7 binary, 9 choice (vectors), 5 on the options of a non-exclusive one
    fixed = invoke("import", "fatebook", path, "--tz", "America/New_York", db=db)
    assert fixed.code == 0, fixed.err
    assert "forecasts: 0 added, 21 already present" in fixed.out
    assert "21 forecasts re-timed" in fixed.err
    again = invoke("import", "fatebook", path, "--tz", "America/New_York", "--json", db=db).json()
    assert (again["forecasts_added"], again["forecasts_retimed"], again["questions_updated"]) == (0, 0, 0)
    exported = invoke("export", "jsonl", db=db)
    assert exported.code == 0, exported.err
    made = sorted(m for m in exported.out.split('"made_at":')[1:])
    assert len(made) == 21 and any(m.startswith('"2025-03-30T00:30:00Z"') for m in made)  # Bob's, in UTC
    assert any(m.startswith('"2025-03-01T09:00:03Z"') for m in made)  # Bob's Red up, on the choice question


def test_retime_on_every_database(session, fixtures):
    """The re-timing service on SQLite and PostgreSQL: same rows moved, nothing added, a second run is a no-op."""
    from sqlalchemy import text

    from forecast.services.batch_import import import_batch
    from forecast.services.retime import retime_forecasts

    path = str(fixtures / "fatebook_export.csv")
    import_batch(session, fatebook.convert(path).batch)
    ids = sorted(session.exec(text("SELECT id FROM forecast")).all())
    right = fatebook.convert(path, tz=NY).batch
    assert retime_forecasts(session, right) == 21
    report = import_batch(session, right)
    assert (report.forecasts_added, report.forecasts_existing) == (0, 21)
    assert sorted(session.exec(text("SELECT id FROM forecast")).all()) == ids
    assert retime_forecasts(session, right) == 0
    standing = session.exec(text("SELECT count(*) FROM standing_forecast")).one()[0]
    assert standing == 16  # one per (question, forecaster) pair: 6 binary, 6 choice, 4 on the options
