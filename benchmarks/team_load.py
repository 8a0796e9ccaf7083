"""Team load: 16 members write at once to one PostgreSQL team database, with a check loop and a reader.

A fresh database is set up as a team (`team init`, 16 members, an admin); then, all at once:

- 16 member connections (threads, each its own engine logged in as its own role) record --ops (100)
  forecasts each on --questions (10) shared questions, through the services the CLI uses;
- a check loop as the admin (services.check.run_check, with its lock), again and again;
- a TUI-like reader as a member: the question listing with the standing forecasts, again and again.

Afterwards the owner counts what is stored: every forecast a member was told was recorded must be
there exactly once (0 lost, 0 duplicated), and nothing may have failed. The same run is then repeated
with row-level security switched off on the guarded tables (triggers too), and the p50 / p95 write
latency of both runs and their ratio (the policy overhead) are printed.

    python benchmarks/team_load.py                                   # 16 x 100
    python benchmarks/team_load.py --members 4 --ops 20              # quick
    python benchmarks/team_load.py --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from forecast.core.timeparse import utcnow  # noqa: E402
from forecast.services import team  # noqa: E402
from forecast.services.database import open_database  # noqa: E402
from forecast.store.team_sql import GUARDED  # noqa: E402


def setup(admin_url: str, members: int, questions: int, tag: str) -> tuple[str, list[str], str]:
    server = admin_url.rsplit("/", 1)[0]
    dbname = f"forecast_team_bench_{tag}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    owner = f"{server}/{dbname}"
    db = open_database(owner)
    team.init(db)
    names = [f"m{i:02d}_{tag}" for i in range(members)]
    for name in names:
        team.add(db, name, "member")
    admin = f"admin_{tag}"
    team.add(db, admin, "admin")
    from forecast.services.questions.authoring import QuestionDraft, add_question

    now = utcnow()

    def work(session):
        for i in range(questions):
            add_question(session, QuestionDraft(title=f"Shared question {i}?", closes_at=now + timedelta(days=30),
                                                opens_at=now - timedelta(days=1)), now=now)

    db.write(work)
    db.engine.dispose()
    return owner, names, admin


def member_url(owner: str, name: str) -> str:
    scheme, rest = owner.split("://", 1)
    return f"{scheme}://{name}@{rest.split('@', 1)[1]}"


def run_round(owner: str, names: list[str], admin: str, ops: int, questions: int) -> dict:
    from forecast.services.check.run import run_check
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.services.questions.listing import list_questions

    latencies: list[float] = []
    failures: list[str] = []
    told: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    start = threading.Barrier(len(names) + 2)
    background = {"checks": 0, "reads": 0}

    def writer(name: str) -> None:
        db = open_database(member_url(owner, name))
        done = 0
        start.wait()
        for k in range(ops):
            req = ForecastRequest(question=1 + k % questions, probability=0.01 + (k % 97) / 100, forecaster=name)
            t0 = time.perf_counter()
            try:
                db.write(lambda session, req=req: record_forecast(session, req))
                done += 1
                with lock:
                    latencies.append(time.perf_counter() - t0)
            except Exception as exc:  # every failure is counted and shown
                with lock:
                    failures.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        with lock:
            told[name] = done
        db.engine.dispose()

    def checker() -> None:
        db = open_database(member_url(owner, admin))
        start.wait()
        while not stop.is_set():
            try:
                run_check(db, utcnow())
                background["checks"] += 1
            except Exception as exc:
                failures.append(f"check: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        db.engine.dispose()

    def reader() -> None:
        db = open_database(member_url(owner, names[0]))
        start.wait()
        while not stop.is_set():
            try:
                with db.session() as session:
                    list_questions(session, status="open")
                background["reads"] += 1
            except Exception as exc:
                failures.append(f"reader: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        db.engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in names]
    extra = [threading.Thread(target=checker), threading.Thread(target=reader)]
    t0 = time.perf_counter()
    for t in threads + extra:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    stop.set()
    for t in extra:
        t.join()
    with psycopg.connect(owner.replace("+psycopg", ""), autocommit=True) as conn:
        stored = dict(conn.execute(
            "SELECT p.name, count(*) FROM forecast f JOIN forecaster p ON p.id = f.forecaster_id GROUP BY p.name"
        ).fetchall())
        conn.execute("DELETE FROM forecast")
        conn.execute("DELETE FROM standing_forecast")
    lost = sum(max(0, told.get(n, 0) - stored.get(n, 0)) for n in names)
    duplicated = sum(max(0, stored.get(n, 0) - told.get(n, 0)) for n in names)
    latencies.sort()
    return {
        "written": sum(told.values()), "failed": len(failures), "lost": lost, "duplicated": duplicated,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "wall_s": wall, "checks": background["checks"], "reads": background["reads"], "errors": failures[:5],
    }


def set_security(owner: str, on: bool) -> None:
    with psycopg.connect(owner.replace("+psycopg", ""), autocommit=True) as conn:
        for table in GUARDED:
            conn.execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} ROW LEVEL SECURITY")
            conn.execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER USER")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--members", type=int, default=16)
    ap.add_argument("--ops", type=int, default=100)
    ap.add_argument("--questions", type=int, default=10)
    args = ap.parse_args()
    tag = uuid.uuid4().hex[:6]
    owner, names, admin = setup(args.pg, args.members, args.questions, tag)
    try:
        secured = run_round(owner, names, admin, args.ops, args.questions)
        set_security(owner, False)
        plain = run_round(owner, names, admin, args.ops, args.questions)
        set_security(owner, True)
    finally:
        dbname = owner.rsplit("/", 1)[1]
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                         "AND pid <> pg_backend_pid()", (dbname,))
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            for name in [*names, admin]:
                conn.execute(f'DROP ROLE IF EXISTS "{name}"')
    for label, r in (("row-level security on ", secured), ("row-level security off", plain)):
        print(f"{label}: {r['written']} written, {r['failed']} failed, {r['lost']} lost, {r['duplicated']} duplicated; "
              f"write p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms; {r['wall_s']:.1f} s; "
              f"{r['checks']} checks, {r['reads']} reads alongside")
        for e in r["errors"]:
            print(f"    {e}")
    print(f"policy overhead: p50 x{secured['p50_ms'] / plain['p50_ms']:.2f}, p95 x{secured['p95_ms'] / plain['p95_ms']:.2f} "
          f"(against the same run with row-level security off)")
    ok = all(r["failed"] == 0 and r["lost"] == 0 and r["duplicated"] == 0 for r in (secured, plain))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
