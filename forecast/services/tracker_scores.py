"""Compare our baseline and peer scores with a tracker's own (Metaculus's score_data.csv).

Differences are expected where the data differ, not the formulas: Metaculus's peer score compares with
every forecaster on the question, and an export holds only those the exporter could see; a forecast
Metaculus shows as withdrawn stands here until the next one or the close.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sqlmodel import Session

COMPARED = ("baseline", "peer")


def compare_metaculus(session: Session, slugs: Iterable[str], theirs: Iterable) -> list[dict]:
    """One row per (question, forecaster, score type) present in both: theirs, ours and the difference."""
    from forecast.services.score_tables import score_db

    wanted = set(slugs)
    rows = [s for s in theirs if s.score_type in COMPARED and s.question in wanted]
    if not rows:
        return []
    sc = score_db(session).scores
    pt, labels = sc.pairs, sc.tl.inp.labels
    n_real = len(sc.tl.pair_first)
    ours: dict[tuple[str, str], dict] = {}
    for i in range(n_real):
        q, f = int(pt.q[i]), int(pt.f[i])
        if labels[q] in wanted:
            ours[(labels[q], sc.names[f])] = {
                "baseline": float(pt.baseline[i]),
                "peer": float(pt.peer[i]),
                "coverage": float(pt.horizon_coverage[i]),
            }
    out = []
    for s in sorted(rows, key=lambda r: (r.question, r.forecaster, r.score_type)):
        mine = ours.get((s.question, s.forecaster))
        value = None if mine is None else mine[s.score_type]
        out.append(
            {
                "question": s.question,
                "forecaster": s.forecaster,
                "score_type": s.score_type,
                "metaculus": s.score,
                "ours": value,
                "difference": None if value is None else value - s.score,
                "coverage": s.coverage,
                "our_coverage": None if mine is None else mine["coverage"],
            }
        )
    return [r for r in out if np.isfinite(r["metaculus"])]
