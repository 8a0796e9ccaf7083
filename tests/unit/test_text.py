"""Untrusted text loses escape sequences and control characters, and nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecast.core.text import clean_line, clean_text, strip_controls

UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("title\x1b]0;pwned\x07 here", "title here"),
        ("link \x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "link click"),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("c1 \x9b31m csi", "c1  csi"),
        ("bidi \u202etxt.exe", "bidi txt.exe"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("cr\r\nlf\rmac", "cr\nlf\nmac"),
        ("[bold red]markup[/] stays literal", "[bold red]markup[/] stays literal"),
    ],
)
def test_strip_controls(raw, expected):
    assert strip_controls(raw) == expected


def test_clean_text_folds_spaces_and_blank_runs():
    assert clean_text("  a\u00a0 b  \n\n\n\n c\x1b[1m \n") == "a b\n\nc"


def test_clean_line_is_one_line_and_bounded():
    assert clean_line("a\nb\tc\x1b[2J") == "a b c"
    assert clean_line("x" * 600, max_len=10) == "x" * 9 + "…"
    assert clean_line(None) == ""


@given(st.text())
def test_clean_text_never_leaves_control_characters(raw):
    out = clean_text(raw)
    assert "\x1b" not in out and not UNSAFE.search(out.replace("\t", ""))


@given(st.text())
def test_clean_line_never_leaves_newlines_or_controls(raw):
    out = clean_line(raw)
    assert "\n" not in out and "\x1b" not in out and not UNSAFE.search(out)
