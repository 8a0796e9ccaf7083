"""Usage errors (unknown option or command, missing argument, unreadable value) are one line on stderr
naming the command's --help, and exit 2 — not click's usage block."""

from __future__ import annotations

import pytest

from tests.cli_runner import invoke


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("q", "list", "--limit", "9"), "No such option: --limit (see `forecast q list --help`)"),
        (("predict",), "Missing argument"),
        (("nosuch",), "No such command 'nosuch'"),
        (("score", "--bin-width", "abc"), "Invalid value for '--bin-width'"),
    ],
)
def test_usage_errors_are_one_line(args, words, tmp_path):
    r = invoke(*args, db=str(tmp_path / "f.db"))
    assert r.code == 2 and r.out == ""
    assert r.err.splitlines() == [r.err.strip()] and words in r.err, r.err


def test_a_group_alone_still_shows_its_help():
    r = invoke("q")
    assert r.code == 2 and "Usage: forecast q" in r.err and "add" in r.err


def test_help_and_version_still_exit_0():
    assert invoke("--help").code == 0 and invoke("q", "add", "--help").code == 0
    assert invoke("--version").out.strip()
