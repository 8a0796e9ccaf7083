"""Tracker CSVs: a wrong delimiter is named as such, and no row, however mangled, raises anything but
InvalidInput (a whole-file problem) or becomes a skipped row with its reason."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.ingest.trackers import fatebook, iqisa, metaculus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "trackers"


def rows_of(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("delimiter, name", [(";", "semicolon"), ("\t", "tab")])
def test_fatebook_and_iqisa_with_another_delimiter_say_so(tmp_path, delimiter, name):
    for fixture, convert in (("fatebook.csv", fatebook.convert), ("iqisa.csv", iqisa.convert)):
        path = tmp_path / fixture
        write_rows(path, rows_of(FIXTURES / fixture), delimiter)
        with pytest.raises(InvalidInput) as exc:
            convert(str(path))
        assert f"looks {name}-separated" in str(exc.value) and "missing" not in str(exc.value)


def test_metaculus_with_semicolons_says_so(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES / "metaculus", folder)
    write_rows(folder / metaculus.QUESTIONS, rows_of(FIXTURES / "metaculus" / metaculus.QUESTIONS), ";")
    with pytest.raises(InvalidInput, match="question_data.csv: not Metaculus's question_data.csv: looks semicolon-separated"):
        metaculus.convert(str(folder))


def test_a_genuinely_different_file_still_lists_missing_columns(tmp_path):
    path = tmp_path / "other.csv"
    write_rows(path, [["a;b", "c"], ["1", "2"]])
    with pytest.raises(InvalidInput, match="missing"):
        fatebook.convert(str(path))


# --- fuzzing the row parsers through the real converters ----------------------------------------------

# Times at the edge of datetime's range ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00") are left to
# the supported-range check of issue 10 section 1 (core/timeparse): today Fatebook's question identity
# raises OverflowError on them. Add them here once that check is in.
HOSTILE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "none", "YES", "no", "-1", "1e400", "nan", "0.5", "2024-02-30 25:61:61",
                     "2024-03-05 14:07:3", "2019-01-01T00:00:00+14:00", "\x00", "١٢"]),
)  # fmt: skip
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def mangle(rows: list[list[str]], data) -> list[list[str]]:
    """The fixture's rows with some cells replaced by hostile values, some rows cut or lengthened."""
    out = [list(rows[0])]
    for row in rows[1:]:
        row = list(row)
        for i in data.draw(st.lists(st.integers(0, len(row) - 1), max_size=4)):
            row[i] = data.draw(HOSTILE)
        cut = data.draw(st.sampled_from([None, None, None, 0, 1, len(row) + 1]))
        if cut is not None:
            row = row[:cut] if cut <= len(row) else row + ["extra"]
        out.append(row)
    return out


def converts_or_refuses(convert, target: str) -> None:
    try:
        conv = convert(target)
    except InvalidInput as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        return
    for line, reason in conv.batch.skipped:
        assert isinstance(line, int) and reason.strip()


@FUZZ
@given(data=st.data())
def test_fatebook_rows_never_crash(tmp_path, data):
    path = tmp_path / "fatebook.csv"
    write_rows(path, mangle(rows_of(FIXTURES / "fatebook.csv"), data))
    converts_or_refuses(lambda p: fatebook.convert(p), str(path))


@FUZZ
@given(data=st.data())
def test_fatebook_multiple_choice_rows_never_crash(tmp_path, data):
    """fatebook_export.csv is written by Fatebook's own code (fatebook_export.mjs): its multiple-choice rows."""
    from forecast.core.kind_spec import KindSpec

    path = tmp_path / "fatebook_export.csv"
    write_rows(path, mangle(rows_of(FIXTURES / "fatebook_export.csv"), data))
    converts_or_refuses(lambda p: fatebook.convert(p), str(path))
    try:
        conv = fatebook.convert(str(path))
    except InvalidInput:
        return
    for q in conv.batch.questions:  # every choice question's options read back as stored
        assert KindSpec.from_stored(q.kind, q.kind_spec).to_json() == q.kind_spec


@FUZZ
@given(data=st.data())
def test_iqisa_rows_never_crash(tmp_path, data):
    path = tmp_path / "iqisa.csv"
    write_rows(path, mangle(rows_of(FIXTURES / "iqisa.csv"), data))
    converts_or_refuses(lambda p: iqisa.convert(p, source="pb"), str(path))


@FUZZ
@given(data=st.data(), which=st.sampled_from([metaculus.QUESTIONS, metaculus.FORECASTS]))
def test_metaculus_rows_never_crash(tmp_path, data, which):
    folder = tmp_path / "export"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(FIXTURES / "metaculus", folder)
    write_rows(folder / which, mangle(rows_of(FIXTURES / "metaculus" / which), data))
    converts_or_refuses(metaculus.convert, str(folder))
