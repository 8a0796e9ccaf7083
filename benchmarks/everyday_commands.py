"""Everyday commands on a small database, each as a ratio to `python -c "import sqlalchemy, typer"`
measured in the same run (the floor of any command built on those two).

    python benchmarks/everyday_commands.py [--runs 7]

The database (two questions, a few forecasts, one resolved) is built in a temporary folder with the
commands of the README. Each command runs `--runs` times as a fresh `forecast` process; the figure is the
median wall time, and the CPU time (user + system, steadier while other work shares the cores) beside it.
The baseline runs interleaved with the commands, so a change in the machine's load hits both. Writes
(`predict`, `resolve`) run on a copy of the database made before each run. Targets: <= 1.3x the
baseline; `--help` <= 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import EXE

BASELINE = [sys.executable, "-c", "import sqlalchemy, typer"]
SETUP = [
    ["q", "add", "Will North Korea conduct a nuclear test before 2030-01-01?", "--closes", "2030-01-01"],
    ["predict", "will-north-korea", "15%", "--why", "none since 2017"],
    ["q", "add", "Will it rain in Paris on Bastille Day 2019?", "--opens", "2019-07-01", "--closes", "2019-07-14",
     "--slug", "paris-rain"],
    ["predict", "paris-rain", "30%", "--at", "2019-07-02", "--why", "from my notebook"],
    ["resolve", "paris-rain", "no", "--at", "2019-07-15"],
]  # fmt: skip
COMMANDS = {
    "--help": (["--help"], False),
    "predict": (["predict", "will-north-korea", "20%", "--why", "benchmark"], True),
    "q list": (["q", "list"], False),
    "q show": (["q", "show", "will-north-korea"], False),
    "resolve": (["resolve", "will-north-korea", "yes"], True),
    "forecasts": (["forecasts", "will-north-korea"], False),
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(cmd: list[str], env: dict) -> tuple[float, float]:
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start, _cpu() - cpu


def copy(source: Path, target: Path) -> None:
    """A consistent copy (the write-ahead log included) by SQLite's backup API."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FORECAST_USER="bench", HOME=tmp, XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp)
        small, work = Path(tmp) / "small.db", Path(tmp) / "work.db"
        for step in SETUP:
            subprocess.run([EXE, "--db", str(small), *step], check=True, stdout=subprocess.DEVNULL, env=env)
        base: list[tuple[float, float]] = []
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
        for _ in range(args.runs):
            for name, (argv, writes) in COMMANDS.items():
                base.append(run_once(BASELINE, env))
                db = small
                if writes:
                    copy(small, work)
                    db = work
                runs[name].append(run_once([EXE, "--db", str(db), *argv], env))
    base_wall = statistics.median(w for w, _ in base)
    base_cpu = statistics.median(c for _, c in base)
    print(f"{'baseline: import sqlalchemy, typer':36} {base_wall:6.3f} s  cpu {base_cpu:6.3f} s")
    for name, timings in runs.items():
        wall = statistics.median(w for w, _ in timings)
        cpu = statistics.median(c for _, c in timings)
        target = "<= 0.3 s" if name == "--help" else "<= 1.3x"
        print(f"forecast {name:27} {wall:6.3f} s  cpu {cpu:6.3f} s  {wall / base_wall:5.2f}x wall  "
              f"{cpu / base_cpu:5.2f}x cpu  (target {target})")  # fmt: skip


if __name__ == "__main__":
    main()
