"""Fit the weights of the text reader's headline features (forecast/ingest/text_article.py) on the
development cases of the real-world corpus, never the held-out ones.

    python benchmarks/fit_headline.py [--lambda 0.05] [--check]

A listwise model: for each case, a softmax over the candidate lines' scores, trained to put its weight on
the lines that are the page's headline, with an L2 pull towards the hand-set weights (the rules the
features came from) so that a feature few cases exercise keeps its hand-set sense. `--check` fits on
one batch of pages and scores the other (batch 0: the first pages, "4": the pages added later), which
says how well the weights carry to pages they were not fitted on; the weights printed are fitted on all
development cases.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecast.ingest import text_article as T  # noqa: E402
from tests.ingest.realworld_corpus import ROOT, headline_ok, load_cases  # noqa: E402

KEYS = list(T._HEADLINE_WEIGHTS)
PRIOR = np.array([T._HEADLINE_WEIGHTS[k] for k in KEYS])


def dataset(cases: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for c in cases:
        cands = T.headline_candidates((ROOT / c["file"]).read_text(encoding="utf-8"))
        if not cands:
            continue
        x = np.array([[f[k] for k in KEYS] for _, f in cands])
        y = np.array([headline_ok(t, c["headline"]) for t, _ in cands])
        if y.any():
            out.append((x, y))
    return out


def fit(data, lam: float, steps: int = 800, rate: float = 0.02, margin: float = 1.0) -> np.ndarray:
    """A ranking hinge: the best right line should score `margin` above the best wrong one."""
    w = PRIOR.copy()
    best, best_acc = w.copy(), accuracy(data, w)
    for _ in range(steps):
        grad = 2 * lam * (w - PRIOR)
        for x, y in data:
            if y.all():
                continue
            s = x @ w
            pos = np.flatnonzero(y)[np.argmax(s[y])]
            neg = np.flatnonzero(~y)[np.argmax(s[~y])]
            if s[neg] + margin > s[pos]:
                grad += (x[neg] - x[pos]) / len(data)
        w = w - rate * grad
        if (acc := accuracy(data, w)) > best_acc:
            best, best_acc = w.copy(), acc
    return best


def accuracy(data, w: np.ndarray) -> float:
    # ties go to the earlier line, as in the reader
    return sum(bool(y[int(np.argmax(x @ w))]) for x, y in data) / len(data)


def main() -> None:
    lam = float(sys.argv[sys.argv.index("--lambda") + 1]) if "--lambda" in sys.argv else 0.05
    dev = load_cases("dev")
    if "--check" in sys.argv:
        a = dataset([c for c in dev if c.get("batch", "0") == "0"])
        b = dataset([c for c in dev if c.get("batch", "0") != "0"])
        for name, train, test in (("0 -> 4", a, b), ("4 -> 0", b, a)):
            w = fit(train, lam)
            print(f"fit on batch {name}: hand-set {accuracy(test, PRIOR):.3f}, fitted {accuracy(test, w):.3f} "
                  f"(on its own cases {accuracy(train, PRIOR):.3f} -> {accuracy(train, w):.3f})")
    data = dataset(dev)
    w = fit(data, lam)
    print(f"all dev cases with a right candidate ({len(data)}): hand-set {accuracy(data, PRIOR):.3f}, "
          f"fitted {accuracy(data, w):.3f}")
    print("{" + ", ".join(f'"{k}": {v:.1f}' for k, v in zip(KEYS, w, strict=True)) + "}")


if __name__ == "__main__":
    main()
