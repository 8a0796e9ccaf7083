"""Benchmark `forecast check`, timed as cron runs it: the real executable in a subprocess.

1. due:     100,000 questions of which 1,000 are due (half of them auto-resolve), 200,000 forecasts.
            Target: <= 2 s. Each timing uses a fresh copy of the database, since a check changes it.
2. nothing: the 50,000-question / 1,000,000-forecast benchmark database (benchmarks/make_dataset.py,
            imported with `forecast import jsonl`) checked at the dataset's "now", after a first check:
            nothing to close or resolve, only reminders to list. Target: <= 0.5 s.

    python benchmarks/bench_check.py                  # both; builds what is missing under benchmarks/data/
    python benchmarks/bench_check.py --only due --runs 5 --pg postgresql://postgres@127.0.0.1:5432/test

Figures: wall time of the process (min and median), the check's own time from `--json` ("seconds"),
and the start-up floor (`forecast check --help`) so the two can be told apart.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
EXE = shutil.which("forecast", path=str(Path(sys.executable).parent)) or "forecast"
US = 1_000_000
DAY_US = 86_400 * US
NOW_US = 1_893_456_000 * US  # 2030-01-01: the "now" of the due benchmark
DATASET_NOW = "2026-07-01T00:00:00Z"  # make_dataset.py's NOW: no generated question closes before it unresolved


def due_rows(n_questions: int = 100_000, n_due: int = 1_000, per_question: int = 2, seed: int = 7):
    """(forecasters, questions, forecasts) rows: n_due open questions closed in the last three days (a quarter
    no_at_close, a quarter yes_at_close), 60 % resolved long ago, the rest open and closing later."""
    rng = random.Random(seed)
    forecasters = [(i + 1, f"forecaster-{i:02d}", NOW_US - 900 * DAY_US) for i in range(20)]
    questions, forecasts = [], []
    n_resolved = int(n_questions * 0.6)
    fid = 0
    for i in range(n_questions):
        qid = i + 1
        if i < n_due:
            closes = NOW_US - rng.randrange(1, 3 * DAY_US)
            opens = closes - rng.randrange(30, 300) * DAY_US
            status, resolution, resolved_at = "open", None, None
            auto = ("no_at_close", "yes_at_close", None, None)[i % 4]
        elif i < n_due + n_resolved:
            closes = NOW_US - rng.randrange(10, 3000) * DAY_US
            opens = closes - rng.randrange(30, 300) * DAY_US
            status, resolution, resolved_at, auto = "resolved", rng.choice(("yes", "no")), closes, None
        else:
            closes = NOW_US + rng.randrange(1, 700) * DAY_US
            opens = NOW_US - rng.randrange(10, 300) * DAY_US
            status, resolution, resolved_at, auto = "open", None, None, None
        questions.append((qid, f"bench-{qid:06d}", f"Benchmark question {qid}?", "binary", "", "", opens, closes,
                          closes, status, resolution, resolved_at, "", auto, opens, opens))  # fmt: skip
        end = min(closes, NOW_US)
        for who in rng.sample(forecasters, per_question):
            fid += 1
            made = rng.randrange(opens, end)
            forecasts.append((fid, qid, who[0], round(rng.random(), 3), made, made, "", None, False))
    return forecasters, questions, forecasts


FORECASTER_COLS = "id, name, created_at"
QUESTION_COLS = ("id, slug, title, kind, description, criteria, opens_at, closes_at, resolves_at, status, "
                 "resolution, resolved_at, resolution_note, auto_rule, created_at, updated_at")  # fmt: skip
FORECAST_COLS = ("id, question_id, forecaster_id, probability, made_at, recorded_at, rationale, supersedes_id, "
                 "superseded")


def build_due_db(target: str) -> None:
    """Bulk SQL straight into a schema made by open_database (SQLite file or PostgreSQL URL)."""
    sys.path.insert(0, str(ROOT))
    from forecast.services.database import open_database
    from forecast.store.standing import refresh_standing

    if "://" not in target:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    db = open_database(target)
    forecasters, questions, forecasts = due_rows()
    tables = (("forecaster", FORECASTER_COLS, forecasters), ("question", QUESTION_COLS, questions),
              ("forecast", FORECAST_COLS, forecasts))  # fmt: skip
    with db.engine.begin() as conn:
        raw = conn.connection.driver_connection
        if db.dialect == "sqlite":
            for table, cols, rows in tables:
                marks = ", ".join("?" * len(rows[0]))
                raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
        else:
            with raw.cursor() as cur:
                for table, cols, rows in tables:
                    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))")
        refresh_standing(conn)
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    db.engine.dispose()


def build_nothing_db(path: Path) -> None:
    jsonl = DATA / "bench.jsonl"
    if not jsonl.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_dataset.py"), "-o", str(jsonl)], check=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    subprocess.run([EXE, "--db", str(path), "import", "jsonl", str(jsonl)], check=True, stdout=subprocess.DEVNULL)
    # The first check of a database may have work; the benchmark is of the ones after it.
    subprocess.run([EXE, "--db", str(path), "check", "--now", DATASET_NOW, "--quiet"], stdout=subprocess.DEVNULL)


CPU: list[float] = []  # CPU seconds (user + system) of each timed child, in order


def timed(args: list[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    """Wall time of one run; its CPU time goes to CPU (steadier than wall time on a busy machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([EXE, *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 10):
        raise SystemExit(f"forecast {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return wall, proc


def show(label: str, walls: list[float], inner: list[float], target: float, extra: str = "") -> None:
    best, median = min(walls), statistics.median(walls)
    cpu = statistics.median(CPU[-len(walls):])
    verdict = "ok" if median <= target else "OVER"
    inner_s = f", check itself {statistics.median(inner):.3f} s" if inner else ""
    print(f"{label}:\n  wall min {best:.3f} s, median {median:.3f} s; CPU median {cpu:.3f} s{inner_s} "
          f"(target {target} s: {verdict}){extra}")


def bench_due(runs: int, env: dict) -> None:
    base = DATA / "check-due-100k.db"
    if not base.exists():
        t = time.perf_counter()
        build_due_db(str(base))
        print(f"built {base.name} in {time.perf_counter() - t:.1f} s")
    now = "2030-01-01T00:00:00Z"
    walls, inner = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            copy = Path(tmp) / "due.db"
            shutil.copyfile(base, copy)
            wall, proc = timed(["--db", str(copy), "check", "--now", now, "--json", "--no-feeds"], env)
            report = json.loads(proc.stdout)
            assert report["counts"]["closed"] + report["counts"]["auto_resolved"] == 1000, report["counts"]
            walls.append(wall)
            inner.append(report["seconds"])
            for suffix in ("", "-wal", "-shm", ".check-lock"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
    c = report["counts"]
    show("due: 100,000 questions, 1,000 due (--json)", walls, inner, 2.0,
         f"; closed {c['closed']}, auto-resolved {c['auto_resolved']}, stale reminders {c['stale']}")  # fmt: skip


def bench_due_pg(admin: str, runs: int, env: dict) -> None:
    """The due case on PostgreSQL: a template database built once, copied for each run."""
    import psycopg

    base = admin.rsplit("/", 1)[0]
    template = "forecast_bench_check_due"
    url = lambda name: f"{base}/{name}"  # noqa: E731
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,)).fetchone()
        if not exists:
            t = time.perf_counter()
            conn.execute(f'CREATE DATABASE "{template}"')
            build_due_db(url(template))
            print(f"built PostgreSQL database {template} in {time.perf_counter() - t:.1f} s")
        walls, inner = [], []
        for i in range(runs):
            name = f"{template}_run{i}"
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            try:
                args = ["--db", url(name), "check", "--now", "2030-01-01T00:00:00Z", "--json", "--no-feeds"]
                wall, proc = timed(args, env)
            finally:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            report = json.loads(proc.stdout)
            assert report["counts"]["closed"] + report["counts"]["auto_resolved"] == 1000, report["counts"]
            walls.append(wall)
            inner.append(report["seconds"])
    show("due on PostgreSQL: 100,000 questions, 1,000 due (--json)", walls, inner, 2.0)


def bench_nothing(runs: int, env: dict) -> None:
    db = DATA / "check-nothing-50k.db"
    if not db.exists():
        t = time.perf_counter()
        build_nothing_db(db)
        print(f"built {db.name} in {time.perf_counter() - t:.1f} s")
    base = ["--db", str(db), "check", "--now", DATASET_NOW, "--no-feeds"]
    cases = (
        ("--quiet (what cron runs)", ["--quiet"]),
        ("--json", ["--json"]),
        ("--json --forecaster forecaster-0001", ["--json", "--forecaster", "forecaster-0001"]),
    )
    for label, extra in cases:
        walls, inner = [], []
        for _ in range(runs):
            wall, proc = timed([*base, *extra], env)
            walls.append(wall)
            if "--json" in extra:
                report = json.loads(proc.stdout)
                assert report["counts"]["closed"] == report["counts"]["auto_resolved"] == 0, report["counts"]
                inner.append(report["seconds"])
        counts = f"; stale reminders {report['counts']['stale']}" if "--json" in extra else ""
        show(f"nothing to do: 50,000 questions, 1,000,000 forecasts, {label}", walls, inner, 0.5, counts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=("due", "nothing"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg", metavar="ADMIN_URL", help="also time the due case on PostgreSQL, e.g. "
                    "postgresql://postgres@127.0.0.1:5432/test (databases are created next to it)")
    args = ap.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("FORECAST_DB", None)
    floor = [timed(["check", "--help"], env)[0] for _ in range(args.runs)]
    print(f"start-up floor (`forecast check --help`): wall median {statistics.median(floor):.3f} s, "
          f"CPU median {statistics.median(CPU[-args.runs:]):.3f} s; load average {os.getloadavg()[0]:.2f}")
    if args.only in (None, "due"):
        bench_due(args.runs, env)
        if args.pg:
            bench_due_pg(args.pg, args.runs, env)
    if args.only in (None, "nothing"):
        bench_nothing(args.runs, env)


if __name__ == "__main__":
    main()
