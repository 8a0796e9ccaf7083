"""One question in detail: each forecaster's scores and each forecast's Brier and contribution."""

from __future__ import annotations

import numpy as np

from forecast.core.errors import InvalidInput
from forecast.core.scoring import aggregate
from forecast.core.scoring.arrays import NO_TIME, ScoringInput
from forecast.core.scoring.brier import brier
from forecast.core.scoring.pairs import Crowd, RowSet, reduce_pairs, score_rows
from forecast.core.scoring.summary import num
from forecast.core.scoring.timeline import build


def question_detail(inp: ScoringInput, qi: int) -> dict:
    """Scores on question `qi` (an index into the question arrays). Times stay in microseconds.

    Each scored forecast reports `weight` (its share of the forecaster's span) and `contribution`
    (its Brier times that weight: they add up to the forecaster's time-weighted Brier), plus its
    baseline and peer contributions (they add up to the forecaster's baseline and peer scores).
    """
    if not 0 <= qi < inp.n_questions:
        raise InvalidInput("no such question")
    tl = build(inp)
    crowd = Crowd.of_timeline(tl)
    rs = RowSet.of_timeline(tl)
    sc = score_rows(tl, crowd, rs)
    pairs = reduce_pairs(tl, crowd, rs, sc)
    pair_of_row = rs.pair_of_row()

    status = np.full(inp.n_forecasts, "not scored", dtype=object)
    status[tl.late_src] = "late"
    status[tl.dropped_src] = "replaced"
    status[tl.src] = "scored"
    row_of_src = np.full(inp.n_forecasts, -1, dtype=np.int64)
    row_of_src[tl.src] = np.arange(len(tl.src))

    mine = np.flatnonzero(inp.q_idx == qi)
    mine = mine[np.lexsort((mine, inp.t[mine], inp.f_idx[mine]))]
    o = float(inp.outcome[qi])
    people = []
    for f in np.unique(inp.f_idx[mine]).tolist():
        rows = mine[inp.f_idx[mine] == f]
        forecasts = [_forecast_entry(int(s), status[s], row_of_src[s], inp, tl, sc, pairs, pair_of_row) for s in rows]
        pair = np.flatnonzero((pairs.q == qi) & (pairs.f == f))
        entry = {"name": inp.forecasters[f], "n_forecasts": int(sum(s["status"] == "scored" for s in forecasts))}
        entry["n_late"] = int(sum(s["status"] == "late" for s in forecasts))
        entry.update(_pair_dict(pairs, int(pair[0]) if len(pair) else None))
        entry["forecasts"] = forecasts
        people.append(entry)

    teams = []
    if tl.scored[qi] and tl.width[qi] > 0:
        a, b = np.searchsorted(tl.ev_q, [qi, qi + 1])
        for name, p in aggregate.series(tl).items():
            agg = aggregate.rowset(tl, p, -1)
            part = RowSet(agg.q[a:b], agg.f[a:b], agg.p[a:b], agg.dur[a:b], agg.e_start[a:b], agg.e_stop[a:b],
                          np.array([0]))  # fmt: skip
            table = reduce_pairs(tl, crowd, part, score_rows(tl, crowd, part))
            teams.append({"name": name, **_pair_dict(table, 0)})

    reason = None
    if np.isnan(o):
        reason = "not resolved YES or NO"
    elif tl.empty_window[qi]:
        reason = "empty scoring window (closes or resolves before it opens)"
    return {
        "question": {
            "index": qi,
            "id": int(inp.q_id[qi]),
            "label": inp.labels[qi] if inp.labels is not None else None,
            "outcome": num(o),
            "opens": int(inp.opens[qi]),
            "closes": int(inp.closes[qi]),
            "resolved_at": None if inp.resolved_at[qi] == NO_TIME else int(inp.resolved_at[qi]),
            "end": int(tl.end[qi]),
            "scored": bool(tl.scored[qi]),
            "reason": reason,
            "n_forecasters": int(tl.width[qi]),
        },
        "forecasters": people,
        "aggregates": teams,
    }


def _pair_dict(pairs, i: int | None) -> dict:
    keys = ("brier", "brier2", "log_score", "baseline", "peer", "relative_brier", "coverage")
    if i is None:
        return dict.fromkeys(keys)
    return {
        "brier": num(pairs.brier[i]),
        "brier2": num(2 * pairs.brier[i]),
        "log_score": num(pairs.log[i]),
        "baseline": num(pairs.baseline[i]),
        "peer": num(pairs.peer[i]),
        "relative_brier": num(pairs.relative[i]),
        "coverage": num(pairs.coverage[i]),
    }


def _forecast_entry(s: int, status: str, row: int, inp, tl, sc, pairs, pair_of_row) -> dict:
    o = inp.outcome[inp.q_idx[s]]
    entry = {
        "index": s,
        "made_at": int(inp.t[s]),
        "p": float(inp.p[s]),
        "status": status,
        "brier": num(brier(inp.p[s], o)),
    }
    if row >= 0:
        weight = sc.u[row] / pairs.coverage[pair_of_row[row]]
        entry.update(
            starts=int(tl.te[row]),
            stops=int(tl.stop[row]),
            weight=num(weight),
            contribution=num(sc.brier[row] * weight),
            baseline=num(sc.baseline[row]),
            peer=num(sc.peer[row]),
        )
    return entry
