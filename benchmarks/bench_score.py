"""Scoring benchmark: `forecast score --json` on the 1,000,000-forecast database, against just reading it.

    python benchmarks/bench_score.py [--runs 3] [--db PATH]

Prints (best and median of --runs, each a fresh process, score and read run alternately):
- end to end: `forecast --db bench.db score --json > /dev/null` (every forecaster, the team aggregates,
  peer scores, calibration, decomposition and regressions), and its peak memory;
- read: a fresh Python process running the same forecast query through the same driver (sqlite3) and
  fetching every row, the floor for anything that fetches those columns row by row; and the ratio, best and
  median, of runs measured in this same run (the machine is shared: compare figures of one run only);
- in process: the usual path's load into arrays and its engine (score + summary) on them, and the SQLite
  path that `forecast score` takes on a file (services/score_stream.py: the forecasts read in id ranges on one
  thread while the questions complete so far are scored, then the summary);
- one question with 1,000 forecasts (200 forecasters, 5 each): the engine's question_detail and a full
  score() of that question, in process.
Targets (issue 3, issue 13): <= 5 s end to end, <= 3x (issue 13: 1.5x) the read, <= 1.5 GB, one question <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from common import DATA, EXE, ensure_dataset, timed  # noqa: E402

SCORE_DB = DATA / "bench-score.db"  # our own copy: other benchmarks run `forecast check` on bench.db

# The same two queries as the service, through the same driver, in a process that imports nothing else.
READ_SCRIPT = """
import sqlite3, sys, time
start = time.perf_counter()
conn = sqlite3.connect(sys.argv[1])
qs = conn.execute(sys.argv[2]).fetchall()
rows = conn.execute(sys.argv[3]).fetchall()
print(len(rows), time.perf_counter() - start)
"""


def ensure_score_db() -> Path:
    """The 50,000-question / 1,000,000-forecast database, imported once from the generated dataset."""
    if not SCORE_DB.exists():
        dataset = ensure_dataset()
        tmp = SCORE_DB.with_suffix(".tmp.db")
        tmp.unlink(missing_ok=True)
        subprocess.run([EXE, "--db", str(tmp), "import", "jsonl", str(dataset)], check=True, stdout=subprocess.DEVNULL)
        tmp.rename(SCORE_DB)
    return SCORE_DB


def _score_once(db: Path) -> tuple[float, float]:
    return timed([EXE, "--db", str(db), "score", "--json"])


def _read_once(db: Path) -> tuple[float, float, int]:
    """The floor: the service's two queries through sqlite3, every row fetched as the driver's tuples (the
    five columns as stored; the service itself reads question and forecaster packed in one integer)."""
    from forecast.services.scoring import FORECASTS_SQL, QUESTIONS_SQL

    cmd = [sys.executable, "-c", READ_SCRIPT, str(db), QUESTIONS_SQL.format(where="1 = 1"),
           FORECASTS_SQL.format(where="1 = 1", backfill="")]  # fmt: skip
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    count, seconds = out.stdout.split()
    return wall, float(seconds), int(count)


def _cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far (through GNU time's too)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def interleaved(db: Path, runs: int) -> tuple[list[float], float, list[float], list[float], int, list[float],
                                              list[float]]:  # fmt: skip
    """Score and read alternately, so that both see the same load (the machine is shared); CPU time of each too."""
    score_times, peak, read_walls, read_inner, n, score_cpu, read_cpu = [], 0.0, [], [], 0, [], []
    for _ in range(runs):
        before = _cpu()
        seconds, mb = _score_once(db)
        score_cpu.append(_cpu() - before)
        score_times.append(seconds)
        peak = max(peak, mb)
        before = _cpu()
        wall, inner, n = _read_once(db)
        read_cpu.append(_cpu() - before)
        read_walls.append(wall)
        read_inner.append(inner)
    return score_times, peak, read_walls, read_inner, n, score_cpu, read_cpu


def sqlite_path(db: Path, runs: int) -> list[float]:
    """The summary as `forecast score --json` computes it on a SQLite file, in process (imports done)."""
    from forecast.services.scoring import score_database
    from forecast.services.sqlite_read import read_sqlite

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        assert read_sqlite(str(db), score_database) is not None
        times.append(time.perf_counter() - start)
    return times


def engine_only(db: Path, runs: int) -> tuple[list[float], float, int]:
    from forecast.core.scoring import score
    from forecast.services.database import open_database
    from forecast.services.scoring import load_input

    database = open_database(str(db))
    with database.snapshot() as conn:
        start = time.perf_counter()
        inp = load_input(conn)
        load = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        score(inp).summary()
        times.append(time.perf_counter() - start)
    database.engine.dispose()
    return times, load, inp.n_forecasts


def one_question(runs: int = 20) -> tuple[float, float]:
    import numpy as np

    from forecast.core.scoring import ScoringInput, question_detail, score

    rng = np.random.default_rng(1)
    n, day = 1000, 86_400_000_000
    inp = ScoringInput(
        q_id=[1], opens=[0], closes=[100 * day], resolved_at=[90 * day], outcome=[1.0],
        q_idx=np.zeros(n, np.int64), f_idx=np.repeat(np.arange(200), 5), t=rng.integers(-day, 95 * day, n),
        p=np.round(rng.uniform(0, 1, n), 2), forecasters=[f"f{i}" for i in range(200)],
    )  # fmt: skip
    detail, full = [], []
    for _ in range(runs):
        start = time.perf_counter()
        question_detail(inp, 0)
        detail.append(time.perf_counter() - start)
        start = time.perf_counter()
        score(inp).summary()
        full.append(time.perf_counter() - start)
    return min(detail), min(full)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", type=Path, default=None, help="a SQLite database (default: benchmarks/data/bench-score.db)")
    args = ap.parse_args()
    db = args.db or ensure_score_db()
    one_detail, one_full = one_question()
    load_before = os.getloadavg()[0]
    score_times, peak, read_walls, read_inner, n_rows, score_cpu, read_cpu = interleaved(db, args.runs)
    load_after = os.getloadavg()[0]
    engine_times, load, n_loaded = engine_only(db, args.runs)
    stream_times = sqlite_path(db, args.runs)
    best, read_best = min(score_times), min(read_walls)
    med, read_med = statistics.median(score_times), statistics.median(read_walls)
    ratios = [s / r for s, r in zip(score_times, read_walls, strict=True)]
    print(f"database: {db} ({n_rows:,} forecasts on questions resolved YES or NO)")
    print(f"forecast score --json, end to end: best {best:.2f} s, median {med:.2f} s "
          f"(target <= 5 s); peak memory {peak:,.0f} MB (target <= 1,536 MB)")  # fmt: skip
    print(f"read the same columns (fresh process, sqlite3 fetchall): best {read_best:.2f} s, median {read_med:.2f} s "
          f"(query and fetch alone: best {min(read_inner):.2f} s)")  # fmt: skip
    print(f"load average (1 minute) {load_before:.1f} before the runs above, {load_after:.1f} after them")
    print(f"ratio: best/best {best / read_best:.2f}x, median/median {med / read_med:.2f}x, median of the "
          f"{len(ratios)} interleaved pairs {statistics.median(ratios):.2f}x (issue 13: <= 1.5x)")  # fmt: skip
    cpu, read_cpu_med = statistics.median(score_cpu), statistics.median(read_cpu)
    print(f"CPU time (user + system), medians: score {cpu:.2f} s, read {read_cpu_med:.2f} s, {cpu / read_cpu_med:.2f}x")
    print(f"in process: load into arrays {load:.2f} s ({n_loaded:,} rows); engine (score + summary) "
          f"best {min(engine_times):.2f} s; the SQLite path (read and scored at once, then the summary) best "
          f"{min(stream_times):.2f} s")  # fmt: skip
    print(f"one question, 1,000 forecasts by 200 forecasters: question_detail {one_detail * 1000:.1f} ms, "
          f"score + summary {one_full * 1000:.1f} ms (target <= 50 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
