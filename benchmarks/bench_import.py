"""`forecast import jsonl` of a million forecasts that nearly all open a new (question, forecaster) pair,
against a naive baseline measured in the same run.

    python benchmarks/bench_import.py [--runs 1] [--per-question 20] [--before DIR]

The dataset (`make_dataset.py --per-question 20`: 50,000 questions x 20 forecasts, each by one of 1,000
forecasters drawn at random; about 990,000 pairs) is generated once into `benchmarks/data/new-pairs.jsonl`.
The baseline is the least any importer must do: a fresh process that parses each line with the standard
library's `json`, then `executemany`s the questions and the forecasts into two plain SQLite tables with one
index, in one transaction. The import is the installed `forecast` executable into a fresh database file.
Both are a fresh process, run alternately `--runs` times; medians of wall and CPU time and of the ratios.
`--before DIR`: also the import of another revision's `forecast` package in DIR (say `git archive REV forecast
| tar -x -C DIR`), run in the same rounds through PYTHONPATH, so that before and after see the same load.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import DATA, EXE, HERE, timed

BASELINE = r"""
import json, sqlite3, sys
path, db = sys.argv[1], sys.argv[2]
questions, forecasts = [], []
with open(path, "rb") as fh:
    for line in fh:
        rec = json.loads(line)
        kind = rec.get("type")
        if kind == "question":
            questions.append((rec["slug"], rec["title"], rec["criteria"], rec["opens_at"], rec["closes_at"],
                              rec.get("resolution"), rec.get("resolved_at")))
        elif kind == "forecast":
            forecasts.append((rec["question"], rec["forecaster"], rec["probability"], rec["made_at"],
                              rec.get("rationale", "")))
conn = sqlite3.connect(db)
conn.execute("CREATE TABLE question (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, criteria TEXT, "
             "opens_at TEXT, closes_at TEXT, resolution TEXT, resolved_at TEXT)")
conn.execute("CREATE TABLE forecast (id INTEGER PRIMARY KEY, question TEXT, forecaster TEXT, "
             "probability REAL, made_at TEXT, rationale TEXT)")
conn.execute("CREATE INDEX forecast_pair ON forecast (question, forecaster, made_at)")
with conn:
    conn.executemany("INSERT INTO question (slug, title, criteria, opens_at, closes_at, resolution, resolved_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", questions)
    conn.executemany("INSERT INTO forecast (question, forecaster, probability, made_at, rationale) "
                     "VALUES (?, ?, ?, ?, ?)", forecasts)
conn.close()
"""


def ensure_new_pairs(per_question: int) -> Path:
    path = DATA / f"new-pairs-{per_question}.jsonl"
    if not path.exists():
        cmd = [sys.executable, str(HERE / "make_dataset.py"), "--per-question", str(per_question), "-o", str(path)]
        subprocess.run(cmd, check=True)
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once(make_cmd, env: dict | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system: steadier when other work shares the cores) of one fresh run."""
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        cpu = _children_cpu()
        wall = timed(make_cmd(Path(tmp) / "import.db"), env=env)[0]
        return wall, _children_cpu() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--per-question", type=int, default=20)
    ap.add_argument("--before", type=Path, help="another revision's forecast package lives in DIR/forecast")
    args = ap.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    dataset = ensure_new_pairs(args.per_question)
    base_cmd = lambda db: [sys.executable, "-c", BASELINE, str(dataset), str(db)]  # noqa: E731
    ours_cmd = lambda db: [EXE, "--db", str(db), "import", "jsonl", str(dataset)]  # noqa: E731
    with open("/proc/loadavg") as fh:
        print("load average at the start:", " ".join(fh.read().split()[:3]), flush=True)
    base, ours, before = [], [], []
    before_env = None if args.before is None else {"PYTHONPATH": str(args.before.resolve())}
    for _ in range(args.runs):  # alternately, so that all see the same load
        base.append(once(base_cmd))
        ours.append(once(ours_cmd))
        line = (f"baseline {base[-1][0]:.1f} s ({base[-1][1]:.1f} s CPU), forecast import jsonl {ours[-1][0]:.1f} s "
                f"({ours[-1][1]:.1f} s CPU): {ours[-1][0] / base[-1][0]:.2f}x")  # fmt: skip
        if before_env is not None:
            before.append(once(ours_cmd, before_env))
            line += f"; before {before[-1][0]:.1f} s ({before[-1][1]:.1f} s CPU): {before[-1][0] / base[-1][0]:.2f}x"
        print(line, flush=True)
    med = statistics.median
    print(f"baseline (json + executemany, 2 tables, 1 index): median {med(w for w, _ in base):.1f} s wall, "
          f"{med(c for _, c in base):.1f} s CPU")  # fmt: skip
    rows = [("forecast import jsonl", ours)] + ([("before", before)] if before else [])
    for label, runs in rows:
        ratios = [o[0] / b[0] for o, b in zip(runs, base)]
        print(f"{label + ':':50s}median {med(w for w, _ in runs):.1f} s wall, {med(c for _, c in runs):.1f} s CPU; "
              f"best {min(w for w, _ in runs):.1f} s")  # fmt: skip
        print(f"  ratio, median of the {args.runs} pairs: {med(ratios):.2f}x wall (rounds {min(ratios):.2f}-"
              f"{max(ratios):.2f}x), {med(o[1] / b[1] for o, b in zip(runs, base)):.2f}x CPU; best to best "
              f"{min(w for w, _ in runs) / min(w for w, _ in base):.2f}x (targets: <= 2x and <= 30 s)")  # fmt: skip
    with open("/proc/loadavg") as fh:
        print("load average at the end:", " ".join(fh.read().split()[:3]))


if __name__ == "__main__":
    main()
