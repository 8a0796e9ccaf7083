"""`forecast score --json` on mixed kinds against the same number of forecasts all binary (issue 14).

    python benchmarks/bench_score_kinds.py [--forecasts 1000000] [--runs 3]

Builds two SQLite databases of 50,000 questions (one per 20 forecasts) and 1,000 forecasters, 80 % of the
questions resolved: `bench-kinds-binary.db`, every question binary, and `bench-kinds-mixed.db`, 80 % binary,
10 % choice (2 to 6 options, Dirichlet forecasts), 5 % numeric and 5 % date (logistic CDFs on the 201-point
grid, standardised as stored: 0.99 F + 0.01 u), so 10 % of the forecasts are choice and 10 % continuous.
Rows go in through the application's bulk path (store/bulk.py) on a migrated database. Then, alternating
runs in the same session, best of --runs fresh `forecast --db DB score --json` processes on each.
Target: mixed <= 2x binary-only.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from common import DATA, EXE, timed  # noqa: E402

DAY_US = 86_400 * 1_000_000
START_US = 1_420_070_400 * 1_000_000  # 2015-01-01
PER_QUESTION = 20
N_FORECASTERS = 1000


def build(path: Path, n_forecasts: int, mixed: bool, seed: int = 14) -> None:
    import json

    from forecast.core.kind_spec import encode_vector, iso_date, summary
    from forecast.core.model import Kind
    from forecast.services.database import open_database
    from forecast.store import bulk

    rng = np.random.default_rng(seed)
    n_q = n_forecasts // PER_QUESTION
    kind = np.full(n_q, "binary", dtype=object)
    if mixed:
        r = rng.permutation(n_q)
        kind[r[: n_q // 10]] = "choice"
        kind[r[n_q // 10 : n_q // 10 + n_q // 20]] = "numeric"
        kind[r[n_q // 10 + n_q // 20 : n_q // 5]] = "date"
    opens = START_US + rng.integers(0, 3000, n_q) * DAY_US
    closes = opens + rng.integers(14, 720, n_q) * DAY_US
    resolved = rng.random(n_q) < 0.8
    yes = rng.random(n_q) < 0.35
    n_opt = rng.integers(2, 7, n_q)
    path.unlink(missing_ok=True)
    database = open_database(str(path))
    q_rows, f_rows = [], []
    for i in range(n_q):
        k = kind[i]
        spec, outcome, res = "", None, None
        if resolved[i]:
            res = ("yes" if yes[i] else "no") if k == "binary" else "outcome"
        if k == "choice":
            spec = json.dumps({"options": [{"key": f"o{j}", "label": f"Option {j}"} for j in range(n_opt[i])]})
            outcome = f"o{rng.integers(0, n_opt[i])}" if res else None
        elif k == "numeric":
            spec = json.dumps({"low": 0.0, "high": 100.0, "open_lower": False, "open_upper": True,
                               "zero_point": None, "unit": ""})  # fmt: skip
            outcome = repr(float(rng.uniform(0, 110))) if res else None
            if outcome is not None and float(outcome) > 100:
                outcome = "above"
        elif k == "date":
            lo, hi = opens[i] / 1e6, opens[i] / 1e6 + 3 * 365 * 86400
            spec = json.dumps({"low": iso_date(lo), "high": iso_date(hi), "open_lower": False, "open_upper": False,
                               "zero_point": None, "unit": ""})  # fmt: skip
            outcome = iso_date(float(rng.uniform(lo, hi)) // 86400 * 86400) if res else None
        q_rows.append((f"bench-k{i:06d}", f"Benchmark question {i}?", k, int(opens[i]), int(closes[i]), int(closes[i]),
                       "resolved" if res else "open", res, int(closes[i]) if res else None, int(opens[i]),
                       int(opens[i]), spec, outcome))  # fmt: skip
    grid = np.linspace(0.0, 1.0, 201)
    for i in range(n_q):
        who = rng.integers(1, N_FORECASTERS + 1, PER_QUESTION)
        made = opens[i] + (rng.random(PER_QUESTION) * (closes[i] - opens[i])).astype(np.int64)
        made = made + np.arange(PER_QUESTION)  # distinct instants: the identity constraint
        k = kind[i]
        if k == "binary":
            for w, t, p in zip(who.tolist(), made.tolist(), np.round(rng.uniform(0.01, 0.99, PER_QUESTION), 2).tolist(),
                               strict=True):  # fmt: skip
                f_rows.append((i + 1, w, p, t, t, None))
            continue
        if k == "choice":
            vecs = rng.dirichlet(np.ones(n_opt[i]), PER_QUESTION) * (1 - 0.001 * n_opt[i]) + 0.001
            vecs /= vecs.sum(axis=1, keepdims=True)
            kd = Kind.CHOICE
        else:
            loc, scale = rng.uniform(0.2, 0.8, (PER_QUESTION, 1)), rng.uniform(0.05, 0.3, (PER_QUESTION, 1))
            raw = 1.0 / (1.0 + np.exp(-(grid[None, :] - loc) / scale))
            if k == "numeric":  # open upper bound: mass above stays outside
                vecs = 0.989 * raw + 0.01 * grid[None, :]
            else:  # closed: the CDF runs from 0 to 1 over the range
                vecs = 0.99 * (raw - raw[:, :1]) / (raw[:, -1:] - raw[:, :1]) + 0.01 * grid[None, :]
            kd = Kind.NUMERIC
        for w, t, v in zip(who.tolist(), made.tolist(), vecs, strict=True):
            f_rows.append((i + 1, w, summary(kd, v), t, t, encode_vector(v)))
    with database.session() as session:
        conn = session.connection()
        bulk.execute_many(conn, "INSERT INTO forecaster (id, name, created_at) VALUES (:id, :name, :at)",
                          [(j, f"forecaster-{j:04d}", START_US) for j in range(1, N_FORECASTERS + 1)])  # fmt: skip
        bulk.execute_many(
            conn,
            "INSERT INTO question (slug, title, kind, opens_at, closes_at, resolves_at, status, resolution, resolved_at, "
            "created_at, updated_at, kind_spec, outcome, description, criteria, resolution_note) VALUES (:slug, :title, "
            ":kind, :opens, :closes, :resolves, :status, :resolution, :resolved, :created, :updated, :spec, :outcome, "
            "'', '', '')",
            q_rows,
        )  # fmt: skip
        bulk.execute_many(
            conn,
            "INSERT INTO forecast (question_id, forecaster_id, probability, made_at, recorded_at, vector, rationale, "
            "superseded, entered) VALUES (:q, :f, :p, :made, :rec, :vector, '', FALSE, '')",
            f_rows,
        )  # fmt: skip
        session.commit()
    database.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forecasts", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    tag = "" if args.forecasts == 1_000_000 else f"-{args.forecasts}"
    dbs = {"binary": DATA / f"bench-kinds-binary{tag}.db", "mixed": DATA / f"bench-kinds-mixed{tag}.db"}
    for name, db in dbs.items():
        if args.rebuild or not db.exists():
            start = time.perf_counter()
            build(db, args.forecasts, mixed=name == "mixed")
            print(f"built {db.name} in {time.perf_counter() - start:.0f} s", flush=True)
    times: dict[str, list[float]] = {"binary": [], "mixed": []}
    peak: dict[str, float] = {"binary": 0.0, "mixed": 0.0}
    for _ in range(args.runs):  # alternating, so both see the same machine load
        for name, db in dbs.items():
            seconds, mb = timed([EXE, "--db", str(db), "score", "--json"])
            times[name].append(seconds)
            peak[name] = max(peak[name], mb)
    for name in dbs:
        print(f"{name}: score --json best {min(times[name]):.2f} s, median {statistics.median(times[name]):.2f} s, "
              f"peak {peak[name]:,.0f} MB")  # fmt: skip
    ratio = min(times["mixed"]) / min(times["binary"])
    print(f"mixed / binary-only: {ratio:.2f}x (target <= 2x) on {args.forecasts:,} forecasts each")


if __name__ == "__main__":
    main()
