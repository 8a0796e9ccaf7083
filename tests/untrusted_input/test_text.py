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


# --- the storage rules (forecast.core.text.one_line / multi_line) and URLs (forecast.core.urls) ---------

from forecast.core.errors import InvalidInput  # noqa: E402
from forecast.core.text import multi_line, nul_path, one_line  # noqa: E402
from forecast.core.urls import http_url, is_http_url  # noqa: E402


def test_one_line_and_multi_line():
    assert one_line("a\x1b]2;pwned\x07b\x1b[2J\nc\td\u2028e") == "ab c d e"
    assert multi_line("a\x1b]2;pwned\x07b\r\nc\td") == "ab\nc\td"
    assert multi_line("one \x1b]0;unterminated\nline two") == "one \nline two"  # the rest of the text survives
    with pytest.raises(InvalidInput, match=r"^title contains a NUL character"):
        one_line("a\x00b", "title")
    with pytest.raises(InvalidInput, match=r"^rationale contains a NUL character"):
        multi_line("a\x00b", "rationale")


@given(st.text())
def test_storage_rules_are_idempotent_and_clean(raw):
    if "\x00" in raw:
        with pytest.raises(InvalidInput):
            one_line(raw)
        return
    line, text = one_line(raw), multi_line(raw)
    assert one_line(line) == line and multi_line(text) == text
    assert not UNSAFE.search(line) and "\n" not in line and "\t" not in line
    assert not UNSAFE.search(text.replace("\t", ""))


def test_nul_path():
    assert nul_path({"a": "x", "b": [{"c": "y\x00"}]}) == "b[0].c"
    assert nul_path({"a": ["ok", 1, None]}) is None


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("https://user:secret@example.test/a?b=1", "https://example.test/a?b=1"),
        ("http://token@example.test:8080/", "http://example.test:8080/"),
        ("  HTTPS://example.test/x  ", "HTTPS://example.test/x"),
        ("http://[::1]:8000/p", "http://[::1]:8000/p"),
    ],
)
def test_http_url_strips_credentials(url, stored):
    assert http_url(url) == stored


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "http://",
                                 "http://a b/", "http://example.test:99999/", "http://x\x1b[2J/", ""])  # fmt: skip
def test_only_http_urls(url):
    assert not is_http_url(url)
