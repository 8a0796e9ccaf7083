"""Deterministic benchmark dataset in the interchange format (JSON Lines).

Defaults: 50,000 questions, 1,000 forecasters, 1,000,000 forecasts, 20% unresolved, ~2% annulled,
early YES resolutions, and evidence on one question in ten.

    python benchmarks/make_dataset.py -o benchmarks/data/bench.jsonl
    python benchmarks/make_dataset.py --questions 100000 --forecasts 2000000 -o big.jsonl
    python benchmarks/make_dataset.py --per-question 20 -o new-pairs.jsonl

`--per-question N` gives every question exactly N forecasts, each by a forecaster drawn uniformly at
random, so nearly every forecast opens a new (question, forecaster) pair (the default, about four updates
per pair from a skewed pool of forecasters, hides the cost of a pair).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import orjson

DAY = 86_400
START = 1_420_070_400  # 2015-01-01
NOW = 1_782_864_000  # 2026-07-01: every generated forecast lies before this
WORDS = (
    "election rate launch summit treaty inflation harvest storm merger vaccine satellite strike "
    "ceasefire budget referendum tariff outbreak record default rally"
).split()


def iso(seconds: np.ndarray) -> np.ndarray:
    return np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "Z")


def generate(n_questions: int, n_forecasters: int, n_forecasts: int, seed: int, out, per_question: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    dumps = orjson.dumps
    out.write(dumps({"type": "header", "format": "forecast-jsonl", "version": 1}) + b"\n")
    names = [f"forecaster-{i:04d}" for i in range(n_forecasters)]
    for name in names:
        out.write(dumps({"type": "forecaster", "name": name}) + b"\n")

    opens = START + rng.integers(0, (NOW - START) - 400 * DAY, n_questions)
    length = rng.integers(14, 720, n_questions) * DAY
    closes = opens + length
    unresolved = rng.random(n_questions) < 0.20
    # Unresolved questions are still open: push their deadline past NOW.
    closes = np.where(unresolved, NOW + rng.integers(1, 500, n_questions) * DAY, closes)
    outcome = rng.random(n_questions) < 0.35  # YES
    annulled = (~unresolved) & (rng.random(n_questions) < 0.02)
    early = (~unresolved) & outcome & (rng.random(n_questions) < 0.5)
    resolved_at = np.where(early, opens + ((closes - opens) * rng.uniform(0.2, 0.95, n_questions)).astype(np.int64), closes)
    end = np.where(unresolved, NOW, np.minimum(closes, resolved_at))
    slugs = [f"bench-q{i:06d}" for i in range(n_questions)]
    tags = ["politics", "economics", "science", "sports", "tech", "climate", "health", "conflict"]
    opens_s, closes_s, resolved_s = iso(opens), iso(closes), iso(resolved_at)
    for i in range(n_questions):
        if unresolved[i]:
            res, res_at = None, None
        elif annulled[i]:
            res, res_at = "annulled", resolved_s[i]
        else:
            res, res_at = ("yes" if outcome[i] else "no"), resolved_s[i]
        w = rng.choice(len(WORDS), 3)
        out.write(
            dumps(
                {
                    "type": "question",
                    "slug": slugs[i],
                    "title": f"Will the {WORDS[w[0]]} {WORDS[w[1]]} {WORDS[w[2]]} happen (benchmark question {i})?",
                    "kind": "binary",
                    "criteria": "Synthetic benchmark question.",
                    "opens_at": str(opens_s[i]),
                    "closes_at": str(closes_s[i]),
                    "tags": [tags[i % len(tags)], tags[(i * 7) % len(tags)]] if i % 3 else [tags[i % len(tags)]],
                    "auto": "no_at_close" if i % 4 == 0 else None,
                    "resolution": res,
                    "resolved_at": res_at,
                }
            )
            + b"\n"
        )

    n_evidence = 0
    for i in range(0, n_questions, 10):
        key = f"ev-bench{i:08d}"
        out.write(
            dumps(
                {
                    "type": "evidence",
                    "key": key,
                    "url": f"https://news.example/{i}",
                    "title": f"Report on benchmark question {i}",
                    "outlet": "Example News",
                    "text": f"Synthetic article text about the {WORDS[i % len(WORDS)]} in question {i}. " * 5,
                    "links": [{"question": slugs[i], "stance": ("yes", "no", "neutral")[i % 3], "note": ""}],
                }
            )
            + b"\n"
        )
        n_evidence += 1

    # Forecasts: (question, forecaster) pairs first, about four updates each, as forecasters revisit
    # their questions; forecasters come from a skewed pool; times lie within [opens, end).
    if per_question:
        n_forecasts = n_questions * per_question
        q = np.repeat(np.arange(n_questions), per_question)
        f = rng.integers(0, n_forecasters, n_forecasts)
    else:
        n_pairs = max(n_forecasts // 4, 1)
        pair_q = rng.integers(0, n_questions, n_pairs)
        pair_f = np.minimum((rng.pareto(1.2, n_pairs) * 40).astype(np.int64), n_forecasters - 1)
        pick = rng.integers(0, n_pairs, n_forecasts)
        q, f = pair_q[pick], pair_f[pick]
    span = np.maximum(end[q] - opens[q], 1)
    t = opens[q] + (rng.random(n_forecasts) * span).astype(np.int64)
    truth = np.where(outcome[q], 0.7, 0.3)
    p = np.clip(np.round(rng.beta(truth * 4, (1 - truth) * 4), 2), 0.0, 1.0)
    # A forecaster never forecasts twice on one question at the same second.
    order = np.lexsort((t, f, q))
    q, f, t, p = q[order], f[order], t[order], p[order]
    dup = np.zeros(n_forecasts, dtype=bool)
    dup[1:] = (q[1:] == q[:-1]) & (f[1:] == f[:-1]) & (t[1:] == t[:-1])
    q, f, t, p = q[~dup], f[~dup], t[~dup], p[~dup]
    made = iso(t)
    for j in range(len(q)):
        out.write(
            dumps(
                {
                    "type": "forecast",
                    "question": slugs[q[j]],
                    "forecaster": names[f[j]],
                    "probability": float(p[j]),
                    "made_at": str(made[j]),
                    "rationale": "",
                }
            )
            + b"\n"
        )
    return {"questions": n_questions, "forecasters": n_forecasters, "forecasts": int(len(q)), "evidence": n_evidence}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default="benchmarks/data/bench.jsonl")
    ap.add_argument("--questions", type=int, default=50_000)
    ap.add_argument("--forecasters", type=int, default=1_000)
    ap.add_argument("--forecasts", type=int, default=1_000_000)
    ap.add_argument("--per-question", type=int, default=0, help="N forecasts on every question, by random forecasters")
    ap.add_argument("--seed", type=int, default=20190504)
    args = ap.parse_args()
    path = Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with path.open("wb") as out:
        counts = generate(args.questions, args.forecasters, args.forecasts, args.seed, out, args.per_question)
    print(f"wrote {path}: {counts} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
