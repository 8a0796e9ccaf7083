"""Foundation targets: import of the 1M-forecast dataset (<= 30 s, <= 1 GB), `q list --json --status all`
(<= 1.5 s) and `forecast --help` cold start (<= 0.3 s). Prints the figures."""

from __future__ import annotations

import tempfile
from pathlib import Path

from common import EXE, best_of, ensure_dataset, timed


def main() -> None:
    dataset = ensure_dataset()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "import.db")
        seconds, peak = timed([EXE, "--db", db, "import", "jsonl", str(dataset)])
        print(f"import jsonl (50k questions, 1M forecasts) into fresh SQLite: {seconds:.2f} s, peak RSS {peak:.0f} MB")
        seconds, peak = best_of(3, [EXE, "--db", db, "q", "list", "--json", "--status", "all"])
        print(f"q list --json --status all: best of 3 {seconds:.2f} s, peak RSS {peak:.0f} MB")
        seconds, _ = timed([EXE, "--db", db, "import", "jsonl", str(dataset)])
        print(f"re-import of the same file (adds nothing): {seconds:.2f} s")
    seconds, _ = best_of(5, [EXE, "--help"])
    print(f"forecast --help cold start: best of 5 {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
