"""Concurrent writers all succeed: `forecast` processes started together on one database.

Each writer is a driver process that loads the command line, waits on a barrier (a byte on its stdin) and then
runs its commands one after another through the command line's entry (tests/cli_runner.invoke: a second of
start-up less per command, so the commands overlap more, not less); `forecast check` runs as the real
executable (tests/cli_runner.EXE) among them. Together they import the same file,
record forecasts on shared questions, add questions with the same title (derived slugs race) and give
first forecasts by new names, while a reader lists questions and `forecast check` runs. Every process
must exit 0 without a traceback, and every write must be stored exactly once.

benchmarks/concurrent_writers.py is the long version of this test, with figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from tests.cli_runner import EXE, invoke

REPO = Path(__file__).resolve().parents[2]
WRITERS = 4
SHARED = ("shared-a", "shared-b", "shared-c")
RACE_TITLE = "Will the concurrent writers all succeed?"
TIMEOUT = 300.0  # generous for a busy 2-core machine, never reached normally

DRIVER = r"""
import json, sys
plan, out, repo = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, repo)
from tests.cli_runner import invoke, run
import forecast.services.database, forecast.cli.app  # loaded before the barrier: the commands start together
forecast.cli.app._register()
commands = json.load(open(plan))
if sys.stdin.buffer.read(1) != b"g":  # the barrier: blocks until every driver is running
    sys.exit("barrier never opened")
results = []
for command in commands:
    r = (run if command["executable"] else invoke)(*command["argv"][3:], db=command["argv"][2], allow_internal=True)
    results.append({"argv": command["argv"], "code": r.code, "out": r.out, "err": r.err})
json.dump(results, open(out, "w"))
"""


def _iso(days: float) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _question(slug: str, title: str, tags: list[str]) -> dict:
    return {"type": "question", "slug": slug, "title": title, "kind": "binary", "opens_at": _iso(-10),
            "closes_at": _iso(60), "tags": tags}  # fmt: skip


def _plans(db: str, shared_file: Path) -> tuple[list[list[list[str]]], dict]:
    """Each writer's commands (argv as `forecast --db DB ...`), and what they must leave in the database."""
    expect = {"markers": [], "race_adds": 0, "new_names": []}
    plans = []
    for w in range(WRITERS):
        cmds = [[EXE, "--db", db, "import", "jsonl", str(shared_file), "--json"]]
        ops = ["predict", "q-add", "new-name"]
        for i, op in enumerate(ops, start=1):
            q = SHARED[(w + i) % len(SHARED)]
            marker = f"writer {w} op {i}"
            if op == "predict":
                cmds.append([EXE, "--db", db, "predict", q, f"0.{w + 1}{i}", "--by", f"writer-{w}", "--why", marker])
                expect["markers"].append(marker)
            elif op == "new-name":
                name = f"newcomer-{w}-{i}"
                cmds.append([EXE, "--db", db, "predict", q, "0.5", "--by", name, "--why", marker])
                expect["markers"].append(marker)
                expect["new_names"].append(name)
            else:  # the same title from every writer: derived slugs race; tags are created on first use
                cmds.append([EXE, "--db", db, "q", "add", RACE_TITLE, "--closes", "in 30 days", "--tag", "race",
                             "--tag", f"writer-{w}"])  # fmt: skip
                expect["race_adds"] += 1
        plans.append(cmds)
    plans.append([[EXE, "--db", db, "q", "list", "--json"] for _ in range(2)])  # a reader, like the TUI's listings
    plans.append([[EXE, "--db", db, "check", "--json"]])
    return plans, expect


def _engine(db_url: str):
    from forecast.store.engine import database_url, make_engine

    return make_engine(database_url(db_url))


def test_concurrent_writers_all_succeed(db_url, tmp_path):
    setup = _write_jsonl(tmp_path / "setup.jsonl", [_question(s, f"Shared question {s}?", ["shared"]) for s in SHARED])
    assert invoke("import", "jsonl", str(setup), db=db_url).code == 0
    imported = [_question("imported-one", "Imported one?", ["imported", "race"]),
                _question("imported-two", "Imported two?", ["imported"])]  # fmt: skip
    imported += [
        {"type": "forecast", "question": f"imported-{'one' if n % 2 else 'two'}", "forecaster": f"importer-{n % 3}",
         "probability": round(0.05 + n / 50, 2), "made_at": _iso(-9 + n / 10), "rationale": f"imported {n}"}
        for n in range(20)
    ]  # fmt: skip
    shared_file = _write_jsonl(tmp_path / "shared.jsonl", imported)

    plans, expect = _plans(db_url, shared_file)
    drivers = []
    for n, plan in enumerate(plans):
        plan_file = tmp_path / f"plan-{n}.json"
        commands = [{"argv": argv, "executable": argv[3] == "check"} for argv in plan]
        plan_file.write_text(json.dumps(commands), encoding="utf-8")
        out = tmp_path / f"out-{n}.json"
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(plan_file), str(out), str(REPO)],
                                stdin=subprocess.PIPE)  # fmt: skip
        drivers.append((proc, out))
    for proc, _ in drivers:  # all started: open the barrier (each driver blocks reading its stdin)
        proc.stdin.write(b"g")
        proc.stdin.close()
    deadline = time.monotonic() + TIMEOUT
    for proc, _ in drivers:
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        assert proc.returncode == 0

    results = [r for _, out in drivers for r in json.loads(out.read_text(encoding="utf-8"))]
    failures = [(r["argv"][3:], r["code"], r["err"].strip()) for r in results
                if r["code"] != 0 or "Traceback" in r["err"]]  # fmt: skip
    assert failures == []
    reports = [json.loads(r["out"]) for r in results if r["argv"][3:5] == ["import", "jsonl"]]
    assert sum(r["forecasts_added"] for r in reports) == 20  # the first import adds them; the others nothing
    assert sum(r["questions_added"] for r in reports) == 2

    with _engine(db_url).connect() as conn:
        def scalar(sql: str, **params):
            return conn.execute(text(sql), params).scalar()

        for marker in expect["markers"]:
            assert scalar("SELECT count(*) FROM forecast WHERE rationale = :m", m=marker) == 1, marker
        assert scalar("SELECT count(*) FROM forecast WHERE rationale LIKE 'imported %'") == 20
        assert scalar("SELECT count(*) FROM forecast") == 20 + len(expect["markers"])
        for name in expect["new_names"]:
            assert scalar("SELECT count(*) FROM forecaster WHERE name = :n", n=name) == 1
        slugs = conn.execute(text("SELECT slug FROM question WHERE title = :t"), {"t": RACE_TITLE}).scalars().all()
        assert len(slugs) == len(set(slugs)) == expect["race_adds"]
        assert scalar("SELECT count(*) FROM tag WHERE name = 'race'") == 1
        assert scalar("SELECT count(*) FROM question_tag qt JOIN tag t ON t.id = qt.tag_id WHERE t.name = 'race'") \
            == expect["race_adds"] + 1  # fmt: skip
        # The standing-forecast cache holds exactly each pair's latest forecast.
        latest = conn.execute(text(
            "SELECT f.question_id, f.forecaster_id, f.id FROM forecast f WHERE NOT f.superseded AND NOT EXISTS ("
            "SELECT 1 FROM forecast g WHERE g.question_id = f.question_id AND g.forecaster_id = f.forecaster_id "
            "AND NOT g.superseded AND (g.made_at > f.made_at OR (g.made_at = f.made_at AND "
            "(g.recorded_at > f.recorded_at OR (g.recorded_at = f.recorded_at AND g.id > f.id)))))"
        )).all()  # fmt: skip
        standing = conn.execute(text("SELECT question_id, forecaster_id, forecast_id FROM standing_forecast")).all()
        assert sorted(map(tuple, standing)) == sorted(map(tuple, latest))
