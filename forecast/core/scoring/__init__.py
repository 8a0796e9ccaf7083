"""The scoring engine: pure numpy on whole arrays (definitions and worked examples in docs/scoring.md).

    scores = score(ScoringInput(...), unit="time", bin_width=0.1)
    scores.summary(names)          # a Summary: per forecaster and aggregate (results.py; JSON in docs/scoring.md)
    scores.breakdown("tag")        # BreakdownRows per (tag | question | month | quarter | year, forecaster)
    question_detail(inp, q_index)  # one question, forecast by forecast
"""

from forecast.core.scoring.aggregate import NAMES as AGGREGATE_NAMES
from forecast.core.scoring.arrays import NO_TIME, ScoringInput
from forecast.core.scoring.brier import P_MAX, P_MIN
from forecast.core.scoring.calibration import lowess_curve
from forecast.core.scoring.engine import UNITS, Scores, score
from forecast.core.scoring.question import question_detail
from forecast.core.scoring.breakdown import BREAKDOWNS

__all__ = [
    "AGGREGATE_NAMES",
    "BREAKDOWNS",
    "NO_TIME",
    "P_MAX",
    "P_MIN",
    "UNITS",
    "ScoringInput",
    "Scores",
    "lowess_curve",
    "question_detail",
    "score",
]
