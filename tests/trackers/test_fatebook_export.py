"""Fatebook exports written by Fatebook's own code.

tests/fixtures/trackers/fatebook_export.csv and fatebook_tournament.csv are written by
tests/fixtures/trackers/fatebook_export.mjs, which runs Fatebook's `jsonToCsv` and `printForCsv`
(lib/web/export.ts lines 57-78 at Sage-Future/fatebook 3eb5379f) and its date formatting
(lib/_utils_common.ts lines 198-216: server-local time, seconds unpadded) under TZ=America/New_York, on the
row objects of lib/web/export.ts lines 27-50 (tags joined with "; ", line 49) and of the tournament export,
lib/web/tournament_router.ts lines 441-454. Rows are joined by "\\n" with no final newline.
"""

from __future__ import annotations

import math
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


# --- multiple-choice questions --------------------------------------------------------------------------------
# The fixture's multiple-choice questions (fatebook_export.mjs): q4 exclusive, resolved Red; q6 exclusive, open;
# q7 non-exclusive, each option resolved on its own; q8 resolved OTHER; q9 resolved AMBIGUOUS. Bob exports.

CUP, CITY, CHESS, AUDIT = (
    "fb-which-team-wins-the-cup-0ea75992", "fb-which-city-hosts-the-2031-summit-43448d5b",
    "fb-who-wins-the-chess-final-fde3ec1a", "fb-which-quarter-does-the-audit-finish-208074d4",
)  # fmt: skip
FEATURES = "fb-which-features-ship-in-q2-8c8d26ee"


def test_multiple_choice_questions_become_choice_questions(fixtures):
    import json

    conv = fatebook.convert(str(fixtures / "fatebook_export.csv"), tz=NY)
    qs = {q.slug: q for q in conv.batch.questions}
    cup = qs[CUP]
    assert (cup.kind, cup.status, cup.resolution, cup.outcome) == ("choice", "resolved", "outcome", "red")
    assert json.loads(cup.kind_spec)["options"] == [
        {"key": "blue", "label": "Blue"}, {"key": "green", "label": "Green"}, {"key": "red", "label": "Red"},
        {"key": "other", "label": "Other"},
    ]  # fmt: skip
    # the options' resolvedAt (written 2025-05-02 14:00:0 New York time), after "resolve by": closes then
    assert cup.resolved_at == cup.closes_at == us(2025, 5, 2, 18) and cup.resolves_at == us(2025, 5, 1, 4)
    assert cup.opens_at == us(2025, 2, 1, 10) and cup.tags == ["sport"]
    got = sorted((f.forecaster, f.made_at, f.vector) for f in conv.batch.forecasts if f.question == CUP)
    assert got == [
        # Alice: Red, then Blue seven seconds later; never Green, so 0; the rest is other
        ("Alice", us(2025, 2, 10, 12), (0.0, 0.0, 0.5, 0.5)),
        ("Alice", us(2025, 2, 10, 12, 0, 7), (0.2, 0.0, 0.5, 0.30000000000000004)),
        # Bob: three rows of one second at the question's creation, then Blue down and Red up
        ("Bob", us(2025, 2, 1, 10), (0.3, 0.1, 0.6, 0.0)),
        ("Bob", us(2025, 3, 1, 9), (0.2, 0.1, 0.6, 0.09999999999999998)),
        ("Bob", us(2025, 3, 1, 9, 0, 3), (0.2, 0.1, 0.7, 0.0)),
    ]
    assert all(math.fsum(v) == 1.0 for _w, _t, v in got)
    bob_last = next(f for f in conv.batch.forecasts if f.question == CUP and f.made_at == us(2025, 3, 1, 9, 0, 3))
    assert bob_last.entered == "blue=0.2 green=0.1 red=0.7 other=0" and bob_last.probability == 0.7
    city = qs[CITY]
    assert (city.kind, city.status, city.outcome) == ("choice", "open", None)
    assert json.loads(city.kind_spec)["options"][0] == {"key": "oslo-the-norwegian-bid", "label": 'Oslo, "the Norwegian bid"'}
    assert sorted(f.vector for f in conv.batch.forecasts if f.question == CITY) == [
        (0.0, 0.0, 0.5, 0.5),  # Carol: Rome only
        (0.15, 0.5, 0.25, 0.09999999999999998),  # Alice leaves 10 % to OTHER
    ]
    assert (qs[CHESS].outcome, qs[CHESS].resolved_at) == ("other", us(2025, 4, 28, 20))  # scored: OTHER
    audit = qs[AUDIT]  # AMBIGUOUS is written as OTHER is, and nothing was scored: left to the user
    assert (audit.kind, audit.status, audit.resolution) == ("choice", "open", None)
    assert audit.closes_at == us(2025, 3, 15, 12)  # Fatebook stopped taking forecasts at the resolution
    assert any(AUDIT in m and "resolve SLUG other" in m for m in conv.messages)


def test_a_non_exclusive_question_becomes_a_binary_question_per_option(fixtures):
    conv = fatebook.convert(str(fixtures / "fatebook_export.csv"), tz=NY)
    options = sorted((q for q in conv.batch.questions if FEATURES in q.tags), key=lambda q: q.title)
    assert [(q.title, q.kind, q.resolution, q.resolved_at) for q in options] == [
        ("Which features ship in Q2? — Dark mode", "binary", "yes", us(2025, 6, 20, 10)),
        ("Which features ship in Q2? — Export to PDF", "binary", "yes", us(2025, 6, 25, 16, 45)),
        ("Which features ship in Q2? — Offline sync", "binary", "no", us(2025, 6, 21, 11)),
    ]
    assert all(q.tags == [FEATURES, "work"] for q in options)
    sync = [(f.forecaster, f.probability) for f in conv.batch.forecasts if f.question == options[2].slug]
    assert sync == [("Carol O'Neil", 0.6), ("Carol O'Neil", 0.4)]
    assert any(FEATURES in m and "2 options resolved YES" in m for m in conv.messages)
    assert conv.notes["choice_questions"] == 4 and conv.notes["option_questions"] == 1


def _fatebook_option_score(forecasts: list[tuple[int, float]], created: int, resolved: int, outcome: int) -> float:
    """Fatebook's absoluteBrierScore of one forecaster on one option (lib/_scoring.ts lines 34-197 and 280-306):
    days from the option's creation to its resolution, each scored 2 (p - o)^2 on the day's time-weighted
    forecast, a day before the first forecast counting 0, the last part-day weighted by its fraction."""
    day = 86_400 * 10**6
    days = (resolved - created) / day
    frac = days - math.floor(days)
    scores = []
    j = created
    while j < created + math.ceil(days) * day:
        stop, start = min(j + day, resolved), min(j, resolved)
        length = stop - start
        before = [p for t, p in forecasts if t <= start]
        inside = [(t, p) for t, p in forecasts if start <= t < stop]
        avg = None
        if before and inside:
            weight = (inside[0][0] - start) / length
            avg, total = weight * before[-1], weight
        elif before:
            scores.append(2 * (before[-1] - outcome) ** 2)
        elif inside:
            avg, total = 0.0, 0.0
        if avg is not None:
            for (t0, p0), (t1, _p1) in zip(inside, inside[1:]):
                avg, total = avg + (t1 - t0) / length * p0, total + (t1 - t0) / length
            scores.append(2 * (avg + (1 - total) * inside[-1][1] - outcome) ** 2)
        j += day
    if math.floor(days) == 0:
        return sum(scores)
    if abs(frac) >= 0.0001:
        return (sum(scores[:-1]) + scores[-1] * frac) / days
    return sum(scores) / math.floor(days)


def test_choice_questions_are_scored_and_fatebooks_brier_explained(tmp_path, fixtures):
    """`score` scores the imported choice questions; Fatebook's "Your Brier score" (Bob's) is not the same number.

    Fatebook scores every option as its own binary question (resolve.ts lines 695-697) on the 0-2 scale,
    averaged over whole days; the export's cell is the first of the exporter's stored per-option scores
    (export.ts line 22), so on a multiple-choice question it is one option's. Ours is the multi-category
    Brier score of the whole forecast, other included, averaged over the time each forecast stood
    (core/scoring/kinds.py): `brier2` sums (p_i - o_i)^2 over every option, `brier` is half that.
    """
    import csv

    path = fixtures / "fatebook_export.csv"
    db = str(tmp_path / "f.db")
    assert invoke("import", "fatebook", str(path), "--tz", "America/New_York", db=db).code == 0
    choice = invoke("score", "--json", db=db).json()["kinds"]["choice"]
    assert choice["questions"] == {"scored": 2, "not_scored": 2, "empty_window": 0}  # cup, chess; city, audit
    assert {f["name"]: f["n_questions"] for f in choice["forecasters"]} == {"Alice": 1, "Bob": 2}
    text = invoke("score", db=db)
    assert text.code == 0 and "Choice questions: 2 scored, 2 not" in text.out
    ours = {(r["slug"], r["forecaster"]): r for r in invoke("export", "scores", "--kind", "choice", "-f", "json", db=db).json()}
    with open(path, encoding="utf-8", newline="") as fh:
        theirs = {r["Question title"]: float(r["Your Brier score for this question"])
                  for r in csv.DictReader(fh) if r["Your Brier score for this question"]}  # fmt: skip

    conv = fatebook.convert(str(path), tz=NY)
    cup = next(q for q in conv.batch.questions if q.slug == CUP)
    bob = sorted((f.made_at, f.vector) for f in conv.batch.forecasts if f.question == CUP and f.forecaster == "Bob")
    # Fatebook's number is Bob's score on Red alone, which the imported forecasts reproduce ...
    red = [(t, v[2]) for t, v in bob]
    assert _fatebook_option_score(red, cup.opens_at, cup.resolved_at, 1) == pytest.approx(theirs["Which team wins the cup?"], rel=1e-6)
    # ... ours is every option's, over the time each forecast stood
    spans = [(t, nxt) for (t, _v), (nxt, _w) in zip(bob, [*bob[1:], (cup.resolved_at, None)])]
    outcome = (0, 0, 1, 0)
    brier2 = sum((b - a) * sum((p - o) ** 2 for p, o in zip(v, outcome)) for (a, b), (_t, v) in zip(spans, bob))
    brier2 /= cup.resolved_at - cup.opens_at
    row = ours[(CUP, "Bob")]
    assert row["brier2"] == pytest.approx(brier2, rel=1e-12) and row["brier"] == pytest.approx(brier2 / 2, rel=1e-12)
    assert row["brier2"] == pytest.approx(0.17714025215, rel=1e-9)
    assert theirs["Which team wins the cup?"] == pytest.approx(0.22332149609, rel=1e-9)
    # Resolved OTHER: Fatebook's cell is Ding's 2 x 0.3^2; the question's sum it messages (Ding + Gukesh,
    # 0.18 + 0.5) leaves OTHER out, which ours counts: 0.3^2 + 0.5^2 + (0.2 - 1)^2
    assert theirs["Who wins the chess final?"] == pytest.approx(0.18)
    assert ours[(CHESS, "Bob")]["brier2"] == pytest.approx(0.09 + 0.25 + 0.64)
    # A non-exclusive question's options are binary questions, which Fatebook scores as we do: Bob's 50 % on
    # Dark mode from the opening to its resolution is 0.5 on the 0-2 scale in both
    binary = {(r["slug"], r["forecaster"]): r for r in invoke("export", "scores", "-f", "json", db=db).json()}
    dark = next(q.slug for q in conv.batch.questions if q.title.endswith("— Dark mode"))
    assert binary[(dark, "Bob")]["brier2"] == pytest.approx(theirs["Which features ship in Q2?"]) == pytest.approx(0.5)


def test_multiple_choice_import_is_idempotent_and_retimes_on_every_database(session, fixtures):
    from sqlalchemy import text

    from forecast.services.batch_import import import_batch
    from forecast.services.retime import retime_forecasts

    path = str(fixtures / "fatebook_export.csv")
    first = import_batch(session, fatebook.convert(path).batch)  # read as UTC
    assert (first.questions_added, first.forecasts_added) == (11, 21)
    again = import_batch(session, fatebook.convert(path).batch)
    assert (again.questions_added, again.questions_updated, again.forecasts_added, again.forecasts_existing) == (0, 0, 0, 21)
    vectors = sorted(session.exec(text("SELECT vector FROM forecast WHERE vector IS NOT NULL")).all())
    assert len(vectors) == 9
    right = fatebook.convert(path, tz=NY).batch
    assert retime_forecasts(session, right) == 21  # the choice forecasts move with the binary ones
    report = import_batch(session, right)
    assert (report.forecasts_added, report.questions_added) == (0, 0)
    assert sorted(session.exec(text("SELECT vector FROM forecast WHERE vector IS NOT NULL")).all()) == vectors
    made = session.exec(text(
        "SELECT f.made_at FROM forecast f JOIN question q ON q.id = f.question_id WHERE q.slug = :s ORDER BY f.made_at"
    ).bindparams(s=CUP)).all()  # fmt: skip
    assert [m for (m,) in made] == [us(2025, 2, 1, 10), us(2025, 2, 10, 12), us(2025, 2, 10, 12, 0, 7),
                                    us(2025, 3, 1, 9), us(2025, 3, 1, 9, 0, 3)]  # fmt: skip
    outcome = session.exec(text("SELECT resolution, outcome FROM question WHERE slug = :s").bindparams(s=CUP)).one()
    assert tuple(outcome) == ("outcome", "red")
    assert retime_forecasts(session, right) == 0
