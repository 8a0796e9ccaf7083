"""A slow, obvious reference for the scoring definitions: loops over questions and time intervals.

Written straight from docs/scoring.md, independently of the vectorised engine, for property tests.
"""

from __future__ import annotations

import math
import statistics

import numpy as np

from forecast.core.scoring import NO_TIME, ScoringInput


def _po(p: float, o: float) -> float:
    pc = min(max(p, 0.001), 0.999)
    return pc if o == 1 else 1 - pc


def reference(inp: ScoringInput) -> dict:
    """{(question index, forecaster name or aggregate): {brier, log, baseline, peer, relative, coverage}}."""
    out: dict = {}
    n = inp.n_forecasts
    seq = inp.seq if inp.seq is not None else np.arange(n)
    for qi in range(inp.n_questions):
        o = float(inp.outcome[qi])
        opens, closes = int(inp.opens[qi]), int(inp.closes[qi])
        res = int(inp.resolved_at[qi])
        end = closes if res == NO_TIME else min(closes, res)
        if math.isnan(o) or closes <= opens or end <= opens:
            continue
        rows = sorted((int(inp.t[i]), int(seq[i]), int(inp.f_idx[i]), float(inp.p[i]))
                      for i in range(n) if inp.q_idx[i] == qi and inp.t[i] < end)  # fmt: skip
        changes: dict[int, dict[int, float]] = {}
        for t, _, f, p in rows:
            changes.setdefault(f, {})[max(t, opens)] = p  # later in (t, seq) order overwrites
        if not changes:
            continue
        points = sorted({te for ch in changes.values() for te in ch} | {end})
        window, horizon = end - opens, closes - opens
        acc: dict = {}
        agg: dict = {}
        for a, b in zip(points[:-1], points[1:], strict=True):
            standing = {}
            for f, ch in changes.items():
                started = [te for te in ch if te <= a]
                if started:
                    standing[f] = ch[max(started)]
            k = len(standing)
            lnpo = {f: math.log(_po(p, o)) for f, p in standing.items()}
            gm_log = sum(lnpo.values()) / k
            med_brier = statistics.median((p - o) ** 2 for p in standing.values())
            dt = b - a
            for f, p in standing.items():
                s = acc.setdefault(f, {"span": 0.0, "brier": 0.0, "log": 0.0, "baseline": 0.0, "peer": 0.0, "rel": 0.0})
                s["span"] += dt
                s["brier"] += (p - o) ** 2 * dt
                s["log"] += lnpo[f] * dt
                s["baseline"] += 100 * math.log2(2 * _po(p, o)) * dt / horizon
                if k > 1:
                    s["peer"] += 100 * k / (k - 1) * (lnpo[f] - gm_log) * dt / horizon
                s["rel"] += ((p - o) ** 2 - med_brier) * dt
            values = sorted(standing.values())
            logits = [math.log(min(max(p, 0.001), 0.999) / (1 - min(max(p, 0.001), 0.999))) for p in values]
            mean_logit = sum(logits) / k
            for name, p in (("@median", statistics.median(values)), ("@mean", sum(values) / k),
                            ("@geo-odds", 1 / (1 + math.exp(-mean_logit)))):  # fmt: skip
                s = agg.setdefault(name, {"span": 0.0, "brier": 0.0, "baseline": 0.0, "rel": 0.0})
                s["span"] += dt
                s["brier"] += (p - o) ** 2 * dt
                s["baseline"] += 100 * math.log2(2 * _po(p, o)) * dt / horizon
                s["rel"] += ((p - o) ** 2 - med_brier) * dt
        for f, s in acc.items():
            out[(qi, inp.forecasters[f])] = {
                "brier": s["brier"] / s["span"],
                "log": s["log"] / s["span"],
                "baseline": s["baseline"],
                "peer": s["peer"],
                "relative": s["rel"] / s["span"] if len(changes) >= 2 else None,
                "coverage": s["span"] / window,
            }
        for name, s in agg.items():
            out[(qi, name)] = {
                "brier": s["brier"] / s["span"],
                "baseline": s["baseline"],
                "relative": s["rel"] / s["span"] if len(changes) >= 2 else None,
                "coverage": s["span"] / window,
            }
    return out
