"""Compare our baseline and peer scores with a tracker's own (Metaculus's score_data.csv).

The crowd of a Metaculus peer score leaves out bots unless the question includes bots in its aggregates
(`crowd_excludes`): there our peer scores are computed on the question without the bots' forecasts, and
each bot is scored against that crowd (`core.scoring.metaculus.peer_against_crowd`), as Metaculus does.

Differences that remain come from the data, not the formulas, and each row says which (`why`):
an export holds only the forecasters the exporter could see (a personal export: only yours), a forecast
Metaculus shows as withdrawn stands here until the next one or the close, and Metaculus also leaves
non-primary bots and excluded users out of the crowd, which no export marks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

import numpy as np
from sqlmodel import Session

from forecast.core.scoring.arrays import ScoringInput

COMPARED = ("baseline", "peer")
TOLERANCE = 1e-6  # score points: rounding of the export's floats aside, agreeing scores agree to ~1e-12


def _pair_scores(sc, wanted: set[str]) -> dict[tuple[str, str], dict]:
    pt, labels = sc.pairs, sc.tl.inp.labels
    ours: dict[tuple[str, str], dict] = {}
    for i in range(len(sc.tl.pair_first)):
        q, f = int(pt.q[i]), int(pt.f[i])
        if labels[q] in wanted:
            ours[(labels[q], sc.names[f])] = {
                "baseline": float(pt.baseline[i]),
                "peer": float(pt.peer[i]),
                "coverage": float(pt.horizon_coverage[i]),
            }
    return ours


def _without(inp: ScoringInput, drop: np.ndarray) -> ScoringInput:
    keep = ~drop
    return replace(inp, q_idx=inp.q_idx[keep], f_idx=inp.f_idx[keep], t=inp.t[keep], p=inp.p[keep],
                   seq=None if inp.seq is None else inp.seq[keep])  # fmt: skip


def _peers_without_bots(inp: ScoringInput, excludes: Mapping[str, frozenset[str]], ours: dict) -> None:
    """Replace the peer scores on questions whose crowd leaves bots out, as Metaculus computes them."""
    from forecast.core.scoring import score
    from forecast.core.scoring.metaculus import peer_against_crowd

    labels, names = inp.labels, inp.forecasters
    q_of = np.array([labels[q] for q in inp.q_idx], dtype=object)
    f_of = np.array([names[f] for f in inp.f_idx], dtype=object)
    drop = np.array([f in excludes.get(q, ()) for q, f in zip(q_of, f_of, strict=True)], dtype=bool)
    if not drop.any():
        return
    crowd_scores = _pair_scores(score(_without(inp, drop), aggregates=False), set(excludes))
    for key, mine in ours.items():
        if key[0] in excludes and key[1] not in excludes[key[0]] and key in crowd_scores:
            mine["peer"] = crowd_scores[key]["peer"]
    for slug, bots in excludes.items():
        qi = labels.index(slug) if slug in labels else -1
        if qi < 0 or not np.isfinite(inp.outcome[qi]):
            continue
        on_q = inp.q_idx == qi
        crowd = [(f_of[i], int(inp.t[i]), float(inp.p[i])) for i in np.flatnonzero(on_q & ~drop)]
        close = int(min(inp.closes[qi], inp.resolved_at[qi]))
        for bot in bots:
            own = [(int(inp.t[i]), float(inp.p[i])) for i in np.flatnonzero(on_q & (f_of == bot))]
            if (slug, bot) in ours and own:
                peer, coverage = peer_against_crowd(
                    own, crowd, opens=int(inp.opens[qi]), close=close, horizon_end=int(inp.closes[qi]),
                    outcome=float(inp.outcome[qi]),
                )  # fmt: skip
                ours[(slug, bot)]["peer"] = peer
                ours[(slug, bot)]["peer_coverage"] = coverage  # only the spans with a crowd count


def compare_metaculus(
    session: Session, slugs: Iterable[str], theirs: Iterable,
    crowd_excludes: Mapping[str, frozenset[str]] | None = None,
    why: Callable[[str, str, str], str] | None = None,
) -> list[dict]:  # fmt: skip
    """One row per (question, forecaster, score type) present in both: theirs, ours and the difference.

    `crowd_excludes`: slug -> forecasters (bots) Metaculus leaves out of that question's peer crowd.
    `why(slug, forecaster, score type)`: the reason a difference remains, for the rows that differ.
    """
    from forecast.services.score_tables import score_db

    wanted = set(slugs)
    rows = [s for s in theirs if s.score_type in COMPARED and s.question in wanted]
    if not rows:
        return []
    sc = score_db(session).scores
    ours = _pair_scores(sc, wanted)
    excludes = {k: v for k, v in (crowd_excludes or {}).items() if k in wanted}
    if excludes:
        _peers_without_bots(sc.tl.inp, excludes, ours)
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
                "our_coverage": None if mine is None else mine.get(f"{s.score_type}_coverage", mine["coverage"]),
                "why": None,
            }
        )
        diff = out[-1]["difference"]
        if why is not None and diff is not None and abs(diff) > TOLERANCE:
            out[-1]["why"] = why(s.question, s.forecaster, s.score_type)
    return [r for r in out if np.isfinite(r["metaculus"])]
