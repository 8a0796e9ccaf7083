"""Helpers shared by the benchmark scripts: the dataset, a built database, timed subprocesses."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / "data"
DATASET = DATA / "bench.jsonl"
BENCH_DB = DATA / "bench.db"
EXE = shutil.which("forecast", path=str(Path(sys.executable).parent)) or "forecast"


def ensure_dataset() -> Path:
    if not DATASET.exists():
        subprocess.run([sys.executable, str(HERE / "make_dataset.py"), "-o", str(DATASET)], check=True)
    return DATASET


def ensure_bench_db() -> Path:
    """The 50,000-question / 1,000,000-forecast SQLite database, built once by importing the dataset."""
    if not BENCH_DB.exists():
        ensure_dataset()
        tmp = BENCH_DB.with_suffix(".tmp.db")
        tmp.unlink(missing_ok=True)
        subprocess.run([EXE, "--db", str(tmp), "import", "jsonl", str(DATASET)], check=True, stdout=subprocess.DEVNULL)
        tmp.rename(BENCH_DB)
    return BENCH_DB


def timed(cmd: list[str], *, env: dict | None = None, stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one subprocess run (peak via GNU time when present)."""
    full_env = dict(os.environ, **(env or {}))
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        wrapped = [str(gnu_time), "-f", "%M", "-o", rss.name, *cmd] if gnu_time.exists() else cmd
        start = time.perf_counter()
        subprocess.run(wrapped, check=True, stdout=stdout, env=full_env)
        elapsed = time.perf_counter() - start
        text = Path(rss.name).read_text().strip().splitlines()
    if gnu_time.exists() and text:
        return elapsed, int(text[-1]) / 1024
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def best_of(n: int, cmd: list[str], **kw) -> tuple[float, float]:
    runs = [timed(cmd, **kw) for _ in range(n)]
    return min(r[0] for r in runs), max(r[1] for r in runs)
