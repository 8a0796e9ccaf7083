"""Concurrent writers: do 8 writer processes, a check loop, an import and a TUI-like reader all succeed?

On each backend, for --seconds (default 30) or until every writer has done --ops operations:

- 8 writer processes (--writers), each doing --ops (50) operations in turn: a forecast on one of the
  shared questions (by the writer's own name), `q add` of a title every writer uses (derived slugs race,
  tags made on first use), and a first forecast by a brand-new forecaster name. Each operation is one
  unit of work through the services the CLI uses (`Database.write`); `--cli` runs each one as a real
  `forecast` process instead (slower: start-up dominates).
- a check loop: `forecast check --json --no-feeds` again and again (exit 0 or 10 is success);
- an import: `forecast import jsonl` of a 2,000-forecast file, twice (the second must add nothing);
- a TUI-like reader: the question table's listings (services/questions/table.py), again and again.

Printed per backend: attempted / succeeded / failed / lost (reported written, not stored) / duplicated
(stored more than once) for the writers, the same for the other roles, and the writers' throughput as a
ratio against one writer alone, measured in the same run just before. Target: 0 failed, 0 lost,
0 duplicated.

    python benchmarks/concurrent_writers.py                       # SQLite, and PostgreSQL when reachable
    python benchmarks/concurrent_writers.py --quick               # 4 writers x 10, 8 s
    python benchmarks/concurrent_writers.py --pg postgresql://postgres@127.0.0.1:5432/test --seconds 60
    python benchmarks/concurrent_writers.py --no-pg --cli
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = shutil.which("forecast", path=str(Path(sys.executable).parent)) or "forecast"
SHARED = 10  # shared questions the writers forecast on
RACE_TITLE = "Will every concurrent writer succeed?"
IMPORT_FORECASTS = 2_000
PG_DEFAULT = os.environ.get("FORECAST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


# --- the roles, each run in its own process ------------------------------------------------------------


def _wait(barrier: Path, limit: float = 300.0) -> None:
    """Say this process is ready (imports done, database open), then wait for the start signal."""
    Path(f"{barrier}.ready-{os.getpid()}").touch()
    deadline = time.monotonic() + limit
    while not barrier.exists():  # every process is up before any starts working
        if time.monotonic() > deadline:
            raise SystemExit("barrier never opened")
        time.sleep(0.002)


def _error(exc: BaseException) -> str:
    lines = "".join(traceback.format_exception_only(exc)).strip().splitlines()
    return lines[-1] if lines else type(exc).__name__


def role_writer(args) -> dict:
    """Operations cycle through: forecast on a shared question, q add, first forecast by a new name."""
    from forecast.services.database import open_database
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.services.questions.authoring import QuestionDraft, add_question

    db = None if args.cli else open_database(args.db)
    w = args.id
    ops = []
    _wait(Path(args.barrier))
    stop = time.monotonic() + args.seconds
    for i in range(args.ops):
        if time.monotonic() > stop:
            break
        kind = ("predict", "q-add", "new-name")[i % 3]
        marker = f"bench {args.tag} w{w} op{i}"
        slug = f"shared-{(w + i) % SHARED}"
        name = f"writer-{w}" if kind == "predict" else f"newcomer-{args.tag}-{w}-{i}"
        p = round(0.01 + ((w * 7 + i) % 98) / 100, 2)
        closes = datetime.now(UTC) + timedelta(days=30)
        t, began = time.perf_counter(), time.time()
        try:
            if args.cli:
                if kind == "q-add":
                    argv = ["q", "add", RACE_TITLE, "--closes", "in 30 days", "--description", marker,
                            "--tag", "race", "--tag", f"w{w}"]  # fmt: skip
                else:
                    argv = ["predict", slug, str(p), "--by", name, "--why", marker]
                proc = subprocess.run([EXE, "--db", args.db, *argv], capture_output=True, text=True, timeout=300)
                if proc.returncode != 0:
                    raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}")
            elif kind == "q-add":
                draft = QuestionDraft(title=RACE_TITLE, closes_at=closes, description=marker, tags=("race", f"w{w}"))
                db.write(lambda s, d=draft: add_question(s, d).id)
            else:
                req = ForecastRequest(question=slug, probability=p, forecaster=name, rationale=marker)
                db.write(lambda s, r=req: record_forecast(s, r).id)
            ops.append({"kind": kind, "marker": marker, "ok": True, "seconds": time.perf_counter() - t,
                        "start": began, "end": time.time()})  # fmt: skip
        except Exception as exc:  # counted as a failure, with the error, and the run goes on
            ops.append({"kind": kind, "marker": marker, "ok": False, "error": _error(exc),
                        "seconds": time.perf_counter() - t, "start": began, "end": time.time()})  # fmt: skip
    return {"ops": ops}


def _loop(args, once) -> dict:
    _wait(Path(args.barrier))
    stop = time.monotonic() + args.seconds
    runs, errors = 0, []
    while time.monotonic() < stop and not Path(args.done).exists():
        runs += 1
        try:
            once()
        except Exception as exc:
            errors.append(_error(exc))
    return {"runs": runs, "errors": errors}


def role_check(args) -> dict:
    def once():
        proc = subprocess.run([EXE, "--db", args.db, "check", "--json", "--no-feeds"], capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        if proc.returncode not in (0, 10):
            raise RuntimeError(f"check exit {proc.returncode}: {proc.stderr.strip()[-300:]}")

    return _loop(args, once)


def role_reader(args) -> dict:
    from forecast.services.questions import table as question_table
    from forecast.services.database import open_database

    db = open_database(args.db)

    def once():
        with db.session() as session:
            question_table.data_version(session)
            cols = question_table.load_columns(session, forecaster="writer-0")
            question_table.load_team(session, cols.ids)

    return _loop(args, once)


def role_import(args) -> dict:
    _wait(Path(args.barrier))
    reports, errors = [], []
    for _ in range(2):  # the second import of the same file must add nothing
        proc = subprocess.run([EXE, "--db", args.db, "import", "jsonl", args.file, "--json"], capture_output=True,
                              text=True, timeout=600)  # fmt: skip
        if proc.returncode != 0:
            errors.append(f"import exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
        else:
            reports.append(json.loads(proc.stdout))
    return {"runs": 2, "errors": errors, "reports": reports}


ROLES = {"writer": role_writer, "check": role_check, "reader": role_reader, "import": role_import}


# --- orchestration ---------------------------------------------------------------------------------------


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def setup_database(db: str) -> None:
    from forecast.services.database import open_database
    from forecast.services.questions.authoring import QuestionDraft, add_question

    database = open_database(db)
    closes = datetime.now(UTC) + timedelta(days=60)
    opens = datetime.now(UTC) - timedelta(days=30)

    def work(session):
        for n in range(SHARED):
            add_question(session, QuestionDraft(title=f"Shared question {n}?", slug=f"shared-{n}", closes_at=closes,
                                                opens_at=opens, tags=("shared",)))  # fmt: skip

    database.write(work)
    database.engine.dispose()


def write_import_file(path: Path) -> None:
    now = datetime.now(UTC)
    lines = []
    for n in range(20):
        lines.append({"type": "question", "slug": f"imported-{n}", "title": f"Imported question {n}?", "kind": "binary",
                      "opens_at": _iso(now - timedelta(days=20)), "closes_at": _iso(now + timedelta(days=90)),
                      "tags": ["imported", "race"]})  # fmt: skip
    for n in range(IMPORT_FORECASTS):
        lines.append({"type": "forecast", "question": f"imported-{n % 20}", "forecaster": f"importer-{n % 7}",
                      "probability": round(0.01 + (n % 98) / 100, 2),
                      "made_at": _iso(now - timedelta(days=19, seconds=-n * 60)), "rationale": f"imported {n}"})
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")


def spawn(role: str, db: str, work: Path, n: int, barrier: Path, done: Path, args, **extra) -> tuple:
    out = work / f"{role}-{n}.json"
    cmd = [sys.executable, __file__, "--role", role, "--db", db, "--id", str(n), "--barrier", str(barrier),
           "--done", str(done), "--out", str(out), "--seconds", str(args.seconds), "--ops", str(args.ops),
           "--tag", extra.get("tag", "c")] + (["--cli"] if args.cli else [])  # fmt: skip
    if "file" in extra:
        cmd += ["--file", str(extra["file"])]
    return subprocess.Popen(cmd), out


def run_phase(db: str, work: Path, args, *, writers: int, extras: bool, tag: str) -> tuple[dict, float]:
    barrier, done = work / f"go-{tag}", work / f"done-{tag}"
    procs = [spawn("writer", db, work, n, barrier, done, args, tag=tag) for n in range(writers)]
    others = []
    if extras:
        others = [spawn("check", db, work, 0, barrier, done, args), spawn("reader", db, work, 0, barrier, done, args),
                  spawn("import", db, work, 0, barrier, done, args, file=work / "import.jsonl")]  # fmt: skip
    pids = [p.pid for p, _ in procs + others]
    deadline = time.monotonic() + 300
    while not all(Path(f"{barrier}.ready-{pid}").exists() for pid in pids):  # start-up is not timed
        if time.monotonic() > deadline or any(p.poll() is not None for p, _ in procs + others):
            raise SystemExit("a benchmark process did not start")
        time.sleep(0.01)
    start = time.perf_counter()
    barrier.touch()
    for proc, _ in procs:
        proc.wait()
    elapsed = time.perf_counter() - start
    done.touch()  # the loops stop once the writers are through
    for proc, _ in others:
        proc.wait()
    results = {"writers": [json.loads(out.read_text()) for _, out in procs]}
    for (proc, out), role in zip(others, ("check", "reader", "import")):
        results[role] = json.loads(out.read_text()) if proc.returncode == 0 else {"runs": 0, "errors": ["crashed"]}
    return results, elapsed


def count_stored(db: str, tag: str) -> dict[str, int]:
    """How many times each marker of this phase is stored (forecast rationale or question description)."""
    from sqlalchemy import text

    from forecast.store.engine import database_url, make_engine

    engine = make_engine(database_url(db))
    like = f"bench {tag} %"
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT rationale FROM forecast WHERE rationale LIKE :m"), {"m": like}).scalars().all()
        rows += conn.execute(text("SELECT description FROM question WHERE description LIKE :m"),
                             {"m": like}).scalars().all()  # fmt: skip
        imported = conn.execute(text("SELECT count(*) FROM forecast WHERE rationale LIKE 'imported %'")).scalar()
        slugs = conn.execute(text("SELECT slug FROM question WHERE title = :t"), {"t": RACE_TITLE}).scalars().all()
    engine.dispose()
    counts: dict[str, int] = {}
    for marker in rows:
        counts[marker] = counts.get(marker, 0) + 1
    counts["__imported__"] = imported
    counts["__slug_clashes__"] = len(slugs) - len(set(slugs))
    return counts


def summarise(results: dict, stored: dict[str, int]) -> dict:
    ops = [op for w in results["writers"] for op in w["ops"]]
    ok = [op for op in ops if op["ok"]]
    failed = [op for op in ops if not op["ok"]]
    lost = [op for op in ok if stored.get(op["marker"], 0) == 0]
    duplicated = [op for op in ops if stored.get(op["marker"], 0) > 1]
    secs = sorted(op["seconds"] for op in ops) or [0.0]
    span = (max(op["end"] for op in ops) - min(op["start"] for op in ops)) if ops else 0.0
    return {"attempted": len(ops), "succeeded": len(ok), "failed": len(failed), "lost": len(lost),
            "duplicated": len(duplicated), "errors": sorted({op["error"] for op in failed})[:5],
            "median_s": round(secs[len(secs) // 2], 3), "p95_s": round(secs[int(len(secs) * 0.95)], 3),
            "max_s": round(secs[-1], 3), "span": span}  # fmt: skip


def bench_backend(label: str, db: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="fc-concurrent-") as tmp:
        work = Path(tmp)
        write_import_file(work / "import.jsonl")
        setup_database(db)
        base_results, _ = run_phase(db, work, args, writers=1, extras=False, tag="solo")
        base = summarise(base_results, count_stored(db, "solo"))
        results, _ = run_phase(db, work, args, writers=args.writers, extras=True, tag="c")
        stored = count_stored(db, "c")
        writers = summarise(results, stored)
    # Rates over the span from the first operation's start to the last one's end: process exit is not timed.
    solo_rate = base["succeeded"] / base["span"] if base["span"] else 0.0
    rate = writers["succeeded"] / writers["span"] if writers["span"] else 0.0
    imports = results["import"].get("reports", [])
    import_dup = max(0, stored["__imported__"] - IMPORT_FORECASTS)
    import_lost = max(0, IMPORT_FORECASTS - stored["__imported__"]) if imports else 0
    second_added = imports[1]["forecasts_added"] if len(imports) == 2 else None
    out = {
        "backend": label, "writers": writers, "seconds": round(writers["span"], 1),
        "throughput": round(rate, 1), "solo_throughput": round(solo_rate, 1),
        "ratio": round(rate / solo_rate, 2) if solo_rate else None, "solo_failed": base["failed"],
        "check": {"runs": results["check"]["runs"], "failed": len(results["check"]["errors"]),
                  "errors": results["check"]["errors"][:3]},
        "reader": {"runs": results["reader"]["runs"], "failed": len(results["reader"]["errors"]),
                   "errors": results["reader"]["errors"][:3]},
        "import": {"runs": 2, "failed": len(results["import"]["errors"]), "lost": import_lost,
                   "duplicated": import_dup, "second_added": second_added,
                   "errors": results["import"]["errors"][:3]},
        "slug_clashes": stored["__slug_clashes__"],
    }  # fmt: skip
    return out


def show(r: dict) -> None:
    w = r["writers"]
    print(f"\n{r['backend']}: {w['attempted']} writer operations in {r['seconds']} s")
    print(f"  writers   attempted {w['attempted']:>5}  succeeded {w['succeeded']:>5}  failed {w['failed']:>3}  "
          f"lost {w['lost']:>3}  duplicated {w['duplicated']:>3}")  # fmt: skip
    for role in ("check", "reader"):
        x = r[role]
        print(f"  {role:<9} runs {x['runs']:>5}  failed {x['failed']:>3}")
    i = r["import"]
    print(f"  import    runs {i['runs']:>5}  failed {i['failed']:>3}  lost {i['lost']:>3}  "
          f"duplicated {i['duplicated']:>3}"
          f"  second import added {i['second_added']}")  # fmt: skip
    print(f"  throughput {r['throughput']} writes/s; one writer alone {r['solo_throughput']} writes/s; "
          f"ratio {r['ratio']}")
    print(f"  latency of a write: median {w['median_s']} s, p95 {w['p95_s']} s, max {w['max_s']} s")
    errors = w["errors"] + r["check"]["errors"] + r["reader"]["errors"] + i["errors"]
    for e in errors:
        print(f"  error: {e}")
    bad = w["failed"] + w["lost"] + w["duplicated"] + r["check"]["failed"] + r["reader"]["failed"] + i["failed"]
    bad += i["lost"] + i["duplicated"] + r["slug_clashes"] + r["solo_failed"] + (i["second_added"] or 0)
    print("  target met: 0 failed, 0 lost, 0 duplicated" if bad == 0 else f"  TARGET MISSED ({bad} problems)")


def _pg_database(admin: str):
    import psycopg

    name = f"forecast_bench_conc_{uuid.uuid4().hex[:8]}"
    conn = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return conn, name, f"{base}/{name}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    for hidden in ("--db", "--barrier", "--done", "--out", "--file", "--tag"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    ap.add_argument("--id", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--seconds", type=float, default=30.0, help="Run time limit (default 30).")
    ap.add_argument("--writers", type=int, default=8, help="Writer processes (default 8).")
    ap.add_argument("--ops", type=int, default=50, help="Operations per writer (default 50).")
    ap.add_argument("--quick", action="store_true", help="4 writers x 10 operations, 8 s.")
    ap.add_argument("--cli", action="store_true", help="Run each writer operation as a `forecast` process.")
    ap.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL admin URL (a throwaway database is made).")
    ap.add_argument("--no-pg", action="store_true", help="SQLite only.")
    ap.add_argument("--json", action="store_true", help="Print the figures as JSON too.")
    args = ap.parse_args()
    if args.role:
        result = ROLES[args.role](args)
        Path(args.out).write_text(json.dumps(result), encoding="utf-8")
        return 0
    if args.quick:
        args.writers, args.ops, args.seconds = 4, 10, 8.0
    print(f"{args.writers} writers x {args.ops} operations (at most {args.seconds:g} s), a check loop, an import "
          f"of {IMPORT_FORECASTS} forecasts (twice) and a reader; writers "
          f"{'via the CLI' if args.cli else 'in-process'}")
    results = []
    with tempfile.TemporaryDirectory(prefix="fc-concurrent-db-") as tmp:
        r = bench_backend("SQLite", str(Path(tmp) / "bench.db"), args)
        show(r)
        results.append(r)
    if not args.no_pg:
        try:
            conn, name, url = _pg_database(args.pg)
        except Exception as exc:
            print(f"\nPostgreSQL skipped: {str(exc).strip().splitlines()[0]}")
        else:
            try:
                r = bench_backend("PostgreSQL", url, args)
                show(r)
                results.append(r)
            finally:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                             "AND pid <> pg_backend_pid()", (name,))  # fmt: skip
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.close()
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
