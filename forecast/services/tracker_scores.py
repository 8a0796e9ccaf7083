"""Compare our baseline and peer scores with a tracker's own (Metaculus's score_data.csv).

Binary questions are scored by the binary engine (services/score_tables.score_db), choice, numeric and date
questions by services/kind_scores.py, each exactly as `forecast score` reports them; both follow Metaculus's
`evaluate_question` (scoring/score_math.py, lines 62-217 and 330-529): a multiple-choice baseline is
100 ln(n p_o) / ln n, a continuous one 100 ln(p_o / b) / 2 (b = 0.05 beyond a bound, else
(1 - 0.05 * open bounds) / 200), a continuous peer score half the binary formula. The coverage compared is
Metaculus's: standing time over the scheduled horizon.

The crowd of a Metaculus peer score leaves out bots unless the question includes bots in its aggregates
(`crowd_excludes`): there our peer scores are computed on the question without the bots' forecasts, and
each bot is scored against that crowd (`core.scoring.metaculus.peer_against_crowd`, and for the other kinds
`peer_outside_crowd` on what each forecast gave the outcome), as Metaculus does.

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
    ours.update(kind_pair_scores(session, wanted, excludes))
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


# ---- choice, numeric and date questions ----------------------------------------------------------


def kind_pair_scores(session: Session, wanted: set[str],
                     excludes: Mapping[str, frozenset[str]] | None = None) -> dict[tuple[str, str], dict]:  # fmt: skip
    """(slug, forecaster) -> baseline, peer and horizon coverage on the wanted non-binary questions, as
    `forecast score` computes them; on a question in `excludes` the peer scores leave those forecasters
    out of the crowd (and score them against it)."""
    from forecast.services.kind_scores import kind_scores
    from forecast.services.scoring import _connection
    from forecast.store import bulk

    report = kind_scores(session, pairs=True)
    if not report:
        return {}
    slug_of = dict(bulk.rows(_connection(session), "SELECT id, slug FROM question WHERE kind <> 'binary'"))
    ours: dict[tuple[str, str], dict] = {}
    for block in report.kinds:
        p = block.pairs
        if p is None:
            continue
        for i, qid in enumerate(p.question_id.tolist()):
            slug = slug_of.get(int(qid))
            if slug in wanted:
                ours[(slug, p.forecaster[i])] = {
                    "baseline": float(p.metrics["baseline"][i]),
                    "peer": float(p.metrics["peer"][i]),
                    "coverage": float(p.horizon_coverage[i]),
                }
    for slug, left_out in (excludes or {}).items():
        if any(key[0] == slug for key in ours):
            _kind_peers_without(session, slug, left_out, ours)
    return ours


def _kind_peers_without(session: Session, slug: str, left_out: frozenset[str], ours: dict) -> None:
    """Peer scores on one non-binary question whose crowd leaves `left_out` (bots) out, as Metaculus's."""
    from forecast.core.kind_spec import decode_vector
    from forecast.core.kinds import INBOUND_BUCKETS
    from forecast.core.model import Kind
    from forecast.core.scoring import kind_arrays as ka
    from forecast.core.scoring.brier import P_MAX, P_MIN
    from forecast.core.scoring.metaculus import peer_outside_crowd
    from forecast.core.timeparse import to_micros
    from forecast.services.kinds import spec_of
    from forecast.services.lookup import get_question
    from forecast.services.scoring import _connection
    from forecast.store import bulk

    q = get_question(session, slug)
    if q.resolution != "outcome" or q.outcome is None or q.resolved_at is None:
        return
    spec = spec_of(q)
    conn = _connection(session)
    names = dict(bulk.rows(conn, "SELECT id, name FROM forecaster"))
    rows = bulk.rows(conn, "SELECT forecaster_id, made_at, recorded_at, vector FROM forecast WHERE question_id = :id "
                     "AND NOT superseded AND vector IS NOT NULL ORDER BY id", (q.id,))  # fmt: skip
    if not rows:
        return
    n = len(rows)
    m = np.stack([decode_vector(r[3]) for r in rows])
    outcome = spec.outcome_value(q.outcome)
    choice = spec.kind is Kind.CHOICE
    if choice:
        p_o = ka.choice_rows(m, np.full(n, outcome))["p_o"]
    else:
        b = spec.range.bucket(outcome)
        u = {0: -1.0, INBOUND_BUCKETS + 1: 2.0}.get(b)
        u = spec.range.unscaled(float(outcome)) if u is None else u
        p_o = ka.continuous_rows(m, np.full(n, b), np.full(n, u), np.full(n, spec.range.open_bounds))["p_o"]
    who = [names[r[0]] for r in rows]
    t = np.array([r[1] for r in rows], dtype=np.int64)
    rec = np.array([r[2] for r in rows], dtype=np.int64)
    opens, closes, res = to_micros(q.opens_at), to_micros(q.closes_at), to_micros(q.resolved_at)
    close = min(closes, res)
    crowd = np.array([w not in left_out for w in who], dtype=bool)
    idx = np.flatnonzero(crowd)
    if len(idx):
        people = sorted({who[i] for i in idx})
        code = {w: c for c, w in enumerate(people)}
        rank = np.empty(len(idx), dtype=np.int64)
        rank[np.lexsort((np.arange(len(idx)), rec[idx]))] = np.arange(len(idx))
        pt = ka.time_weighted(np.zeros(len(idx), np.int64), np.array([code[who[i]] for i in idx]), t[idx], rank,
                              opens=np.array([opens]), closes=np.array([closes]), resolved_at=np.array([res]),
                              p_o=p_o[idx], values={}, baseline=np.zeros(len(idx)), clamp=choice,
                              halve=not choice)  # fmt: skip
        for c, peer in zip(pt.f.tolist(), pt.peer.tolist(), strict=True):
            if (slug, people[c]) in ours:
                ours[(slug, people[c])]["peer"] = float(peer)
    po = np.clip(p_o, P_MIN, P_MAX) if choice else p_o
    order = np.lexsort((np.arange(n), rec))  # of two forecasts at one instant the later-recorded stands
    crowd_rows = [(who[i], int(t[i]), float(po[i])) for i in order.tolist() if crowd[i]]
    for bot in left_out:
        own = [(int(t[i]), float(po[i])) for i in order.tolist() if who[i] == bot]
        if own and (slug, bot) in ours:
            peer, coverage = peer_outside_crowd(own, crowd_rows, opens=opens, close=close, horizon_end=closes,
                                                halve=not choice)  # fmt: skip
            ours[(slug, bot)]["peer"] = peer
            ours[(slug, bot)]["peer_coverage"] = coverage  # only the spans with a crowd count
