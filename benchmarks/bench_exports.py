"""Exports, tracker imports and the report on the 1,000,000-forecast database (issue 7).

    python benchmarks/bench_exports.py [--runs 3] [--db PATH] [--predictionbook PATH] [--only NAME ...]

Each figure is the best of --runs fresh `forecast` processes (wall time, peak memory), writing to a
temporary folder. Targets:
- export scores --format csv              <= 10 s
- export forecasts --format parquet       <= 10 s
- import iqisa predictionbook/public.csv  <= 10 s  (63,592 forecasts, into a fresh database each run)
- report                                  <= 15 s
Also measured, without targets: the other formats, the import with --titles, and importing the same
file again (nothing added).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import EXE, ensure_bench_db, timed  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PB = SHARED / "predictionbook" / "public.csv"
PB_TITLES = SHARED / "predictionbook" / "questions.csv.zip"


def cases(db: Path, pb: Path, tmp: Path) -> list[tuple[str, float | None, list[str], Path | None]]:
    """(name, target seconds, command, a database to delete before each run)."""
    fresh = tmp / "import.db"
    run = [EXE, "--db", str(db)]
    return [
        ("export scores csv", 10.0, [*run, "export", "scores", "--format", "csv", "-o", str(tmp / "s.csv")], None),
        ("export scores json", None, [*run, "export", "scores", "--format", "json", "-o", str(tmp / "s.json")], None),
        ("export scores parquet", None, [*run, "export", "scores", "-o", str(tmp / "s.parquet")], None),
        ("export forecasts parquet", 10.0, [*run, "export", "forecasts", "--format", "parquet", "-o",
                                            str(tmp / "f.parquet")], None),  # fmt: skip
        ("export forecasts csv", None, [*run, "export", "forecasts", "-o", str(tmp / "f.csv")], None),
        ("export calibration csv", None, [*run, "export", "calibration", "-o", str(tmp / "c.csv")], None),
        ("import iqisa predictionbook", 10.0, [EXE, "--db", str(fresh), "import", "iqisa", str(pb)], fresh),
        ("import iqisa predictionbook --titles", None, [EXE, "--db", str(fresh), "import", "iqisa", str(pb),
                                                        "--titles", str(PB_TITLES)], fresh),  # fmt: skip
        ("import iqisa predictionbook again", None, [EXE, "--db", str(tmp / "again.db"), "import", "iqisa",
                                                     str(pb)], None),  # fmt: skip
        ("report", 15.0, [*run, "report", "-o", str(tmp / "report.html")], None),
        ("plot calibration png", None, [*run, "plot", "calibration", "-o", str(tmp / "cal.png")], None),
    ]


@contextlib.contextmanager
def quiet_stderr():
    """The commands' own reports go to stderr; keep them out of the figures."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", type=Path, default=None, help="benchmark database (default: built from the dataset)")
    ap.add_argument("--predictionbook", type=Path, default=PB, help="the iqisa PredictionBook public.csv")
    ap.add_argument("--only", nargs="*", default=None, help="run only the cases whose name contains one of these")
    args = ap.parse_args()
    db = args.db or ensure_bench_db()
    if not args.predictionbook.exists():
        sys.exit(f"no {args.predictionbook}: pass --predictionbook PATH")
    print(f"database: {db} ({db.stat().st_size / 1e6:.0f} MB); runs: best of {args.runs}")
    failed = []
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp_name:
        tmp = Path(tmp_name)
        # The "again" case imports into a database that already holds the file.
        with quiet_stderr():
            timed([EXE, "--db", str(tmp / "again.db"), "import", "iqisa", str(args.predictionbook)])
        for name, target, cmd, reset in cases(db, args.predictionbook, tmp):
            if args.only and not any(o in name for o in args.only):
                continue
            walls, peak = [], 0.0
            for _ in range(args.runs):
                if reset is not None:
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{reset}{suffix}").unlink(missing_ok=True)
                with quiet_stderr():
                    seconds, mb = timed(cmd)
                walls.append(seconds)
                peak = max(peak, mb)
            best = min(walls)
            verdict = "" if target is None else ("  ok" if best <= target else "  TOO SLOW")
            goal = f"(target <= {target:.0f} s)" if target is not None else ""
            runs = ", ".join(f"{w:.2f}" for w in walls)
            print(f"{name:40s} {best:6.2f} s  {peak:6.0f} MB  runs [{runs}] {goal}{verdict}")
            if target is not None and best > target:
                failed.append(name)
            if name.startswith("export") or name == "report":
                out = cmd[cmd.index("-o") + 1]
                print(f"{'':40s} output {Path(out).stat().st_size / 1e6:.1f} MB")
    if failed:
        sys.exit(f"over target: {', '.join(failed)}")


if __name__ == "__main__":
    main()
