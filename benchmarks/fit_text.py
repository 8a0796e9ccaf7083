"""Fit the text reader's learned rankers (forecast/ingest/text_article.py) on the development pages of
the real-world corpus, never the held-out ones, and write their weights to forecast/ingest/text_weights.py.

    python benchmarks/fit_text.py [headline|date] [--lambda 0.01] [--check [--misses]] [--write] [--cache]
                                  [--also 8,9,10,11 [--leave-out 8,9,10+11]]

A conditional logit per ranker: for each dump, a softmax over its candidates (lines that may be the
headline; dates that may be the publication day, and "no date"), fitted to put its weight on the right
ones, with an L2 penalty on the standardised weights. `--check` says how well it carries to pages it
was not fitted on: five folds by page (the three renderings of a page always in the same fold), and a fit
on the first batches (0, 4, 6: the pages the hand rules were written on) scored on batch 7 (pages added
for fitting, which no rule was written on); `--misses` lists the cross-validated misses. `--write` writes
the weights fitted on every development case. `--cache` keeps the candidates read from the dumps in
/tmp between runs (delete it after changing a feature). Fit the headline first: the date ranker's
features depend on where the headline is.

`--also B,...` adds held-out batches already measured to the fitting pool (once a batch's figure is
published, its pages can teach the rankers; a newer batch is then the never-seen measure). With
`--check`, each added source is also left out in turn: fitted on the development cases and the other
added batches, scored on it, beside the fit on the development cases alone -- whether pages of other
kinds make the rankers better on a kind they have not seen.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecast.ingest import text_article as T  # noqa: E402
from tests.ingest.realworld_corpus import ROOT, headline_ok, load_cases  # noqa: E402

WEIGHTS = Path(__file__).resolve().parents[1] / "forecast" / "ingest" / "text_weights.py"


def right(kind: str, text: str, case: dict) -> bool:
    if kind == "headline":
        return headline_ok(text, case["headline"])
    return text == case["date"]  # a date candidate is named by its day ("" for no date)


def collect(cases: list[dict], kind: str, cache: Path | None = None) -> list[dict]:
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    out = []
    for c in cases:
        got = [cands for k, cands in T.learning_candidates((ROOT / c["file"]).read_text(encoding="utf-8")) if k == kind]
        cands = got[0] if got else []
        out.append({"case": c["name"], "page": c.get("page", c["name"]), "batch": c.get("batch", "0"), "form": c["form"],
                    "feats": [f for _, f in cands], "y": [right(kind, t, c) for t, _ in cands],
                    "texts": [t for t, _ in cands]})  # fmt: skip
    if cache is not None:
        cache.write_bytes(pickle.dumps(out))
    return out


def matrices(data: list[dict], keys: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.array([[f.get(k, 0.0) for k in keys] for f in d["feats"]]).reshape(-1, len(keys)), np.array(d["y"], bool))
            for d in data]  # fmt: skip


def fit(mats, lam: float) -> np.ndarray:
    train = [(x, y) for x, y in mats if y.any() and not y.all()]
    allx = np.vstack([x for x, _ in train])
    mu, sd = allx.mean(0), allx.std(0)
    sd[sd == 0] = 1.0
    xs = [((x - mu) / sd, y) for x, y in train]

    def loss(w):
        total, grad = lam * w @ w, 2 * lam * w
        for x, y in xs:
            s = x @ w
            s = s - s.max()
            e = np.exp(s)
            p = e / e.sum()
            pos = p[y].sum()
            total -= np.log(pos + 1e-300)
            # d/dw of -log(sum_pos p) = E_p[x] - E_{p|pos}[x]
            grad += p @ x - (p[y] / pos) @ x[y]
        return total / len(xs) * 1.0, grad / len(xs)

    res = minimize(loss, np.zeros(allx.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return res.x / sd  # weights on the raw features (a shift per case changes no softmax)


def accuracy(mats, w) -> float:
    hits = [bool(len(y) and y[int(np.argmax(x @ w))]) for x, y in mats]
    return sum(hits) / len(hits) if hits else 0.0


def fold(page: str, k: int = 5) -> int:
    return int(hashlib.sha1(page.encode()).hexdigest(), 16) % k


def main() -> None:
    args = sys.argv[1:]
    kind = args[0] if args and not args[0].startswith("--") else "headline"
    lam = float(args[args.index("--lambda") + 1]) if "--lambda" in args else 0.01
    also = args[args.index("--also") + 1].split(",") if "--also" in args else []
    dev = load_cases("dev") + [c for c in load_cases("holdout") if c.get("batch", "0") in also]
    # (a Reader View copy names its title and shows the article alone: the reader reads it by its head, and
    # the rankers are fitted on the page forms, whose layout they must weigh)
    dev = [c for c in dev if c["form"] != "reader"]
    tag = "_".join(["", *also]) if also else ""
    data = collect(dev, kind, Path(f"/tmp/fit_text_{kind}{tag}.pickle") if "--cache" in args else None)
    keys = sorted({k for d in data for f in d["feats"] for k in f})
    mats = matrices(data, keys)
    if kind == "headline":
        rules = np.array([1.0 if k == "rules' choice" else 0.0 for k in keys])
    else:
        rules = np.array([{"rules' line": 2.0, "none": 1.0}.get(k, 0.0) for k in keys])
    reach = sum(bool(y.any()) for _, y in mats) / len(mats)
    print(f"{kind}: {len(mats)} dev cases, a right candidate in {100 * reach:.1f} %")
    if "--check" in args:
        cv = np.zeros(len(mats), bool)
        for k in range(5):
            test = [n for n, d in enumerate(data) if fold(d["page"]) == k]
            w = fit([m for n, m in enumerate(mats) if fold(data[n]["page"]) != k], lam)
            for n in test:
                x, y = mats[n]
                cv[n] = bool(len(y) and y[int(np.argmax(x @ w))])
        for b in sorted({d["batch"] for d in data}):
            sel = [n for n, d in enumerate(data) if d["batch"] == b]
            line = f"  batch {b}: 5-fold by page {100 * cv[sel].mean():.1f} %"
            if rules is not None:
                line += f" (rules {100 * accuracy([mats[n] for n in sel], rules):.1f} %)"
            print(line)
        print(f"  all dev: 5-fold by page {100 * cv.mean():.1f} %")
        for form in ("w3m", "lynx", "copy"):
            sel = [n for n, d in enumerate(data) if d["form"] == form]
            print(f"    {form}: {100 * cv[sel].mean():.1f} %", end="")
        print()
        if "--misses" in args:
            for k in range(5):
                w = fit([m for n, m in enumerate(mats) if fold(data[n]["page"]) != k], lam)
                for n, d in enumerate(data):
                    if fold(d["page"]) == k and not cv[n] and d["texts"]:
                        x, y = mats[n]
                        s = x @ w
                        got = int(np.argmax(s))
                        gold = [j for j in range(len(y)) if y[j]]
                        best = max(gold, key=lambda j: s[j]) if gold else None
                        diff = ""
                        if best is not None:
                            contrib = (x[got] - x[best]) * w
                            top = np.argsort(-contrib)[:4]
                            diff = ", ".join(f"{keys[t]} {contrib[t]:+.1f}" for t in top)
                        print(f"MISS {d['case']:26} got {d['texts'][got][:60]!r} | right "
                              f"{d['texts'][best][:50] if best is not None else None!r} | {diff}")
        groups = [g.split("+") for g in args[args.index("--leave-out") + 1].split(",")] if "--leave-out" in args else [
            [b] for b in also]  # fmt: skip
        for group in groups:
            out = [m for m, d in zip(mats, data, strict=True) if d["batch"] in group]
            only_dev = fit([m for m, d in zip(mats, data, strict=True) if d["batch"] not in also], lam)
            others = fit([m for m, d in zip(mats, data, strict=True) if d["batch"] not in group], lam)
            print(f"  batch {'+'.join(group)} left out: fitted on dev {100 * accuracy(out, only_dev):.1f} %, "
                  f"on dev and the other added batches {100 * accuracy(out, others):.1f} %")
        old = [m for m, d in zip(mats, data, strict=True) if d["batch"] in ("0", "4", "6")]
        new = [m for m, d in zip(mats, data, strict=True) if d["batch"] == "7"]
        if new:
            w = fit(old, lam)
            line = f"  fitted on batches 0/4/6, scored on batch 7: {100 * accuracy(new, w):.1f} %"
            if rules is not None:
                line += f" (rules {100 * accuracy(new, rules):.1f} %)"
            print(line)
    w = fit(mats, lam)
    print(f"  fitted on all dev, on its own cases: {100 * accuracy(mats, w):.1f} %")
    weights = {k: round(float(v), 4) for k, v in zip(keys, w, strict=True) if abs(v) >= 1e-4}
    if "--write" in args:
        write(kind, weights)
    for k, v in sorted(weights.items(), key=lambda kv: -abs(kv[1])):
        print(f"    {k:24} {v:+.3f}")


def write(kind: str, weights: dict[str, float]) -> None:
    text = WEIGHTS.read_text(encoding="utf-8")
    name = kind.upper()
    start = text.index(f"{name}: dict[str, float] = ")
    end = text.index("}\n", start) + 2
    body = "{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in weights.items()) + "}\n"
    WEIGHTS.write_text(text[:start] + f"{name}: dict[str, float] = " + body + text[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
