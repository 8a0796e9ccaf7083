"""Terminal UI targets on the 50,000-question / 1,000,000-forecast database. Prints the figures.

- process start to the first interactive frame of the questions screen (<= 1.0 s): the real `forecast`
  executable on a pseudo-terminal (100x32), which exits after that frame because of a test-only hook
  (FORECAST_TUI_EXIT_AFTER_FIRST_FRAME); timed from just before the process is spawned;
- a filter keystroke to the updated table (<= 100 ms), in process with Textual's Pilot (headless);
- opening a question with 1,000 updates (<= 300 ms), in process;
- memory (<= 500 MB): peak RSS of the in-process run with everything loaded.

    python benchmarks/bench_tui.py [--runs N] [--user NAME]

The database is the shared bench.db plus one question with 1,000 updates, copied once to
benchmarks/data/bench-tui.db. The user is the dataset's most active forecaster (6,600 standing forecasts).
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import DATA, EXE, ensure_bench_db

TUI_DB = DATA / "bench-tui.db"
MANY = "bench-many-updates"
SIZE = (100, 32)


def ensure_tui_db(user: str) -> Path:
    """bench.db plus a question with 1,000 updates (with rationales, and evidence on every tenth)."""
    if TUI_DB.exists():
        return TUI_DB
    source = ensure_bench_db()
    tmp = TUI_DB.with_suffix(".tmp.db")
    shutil.copyfile(source, tmp)
    from forecast.services.database import open_database
    from forecast.services.evidence import LinkSpec, add_from_text
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.services.questions.authoring import QuestionDraft, add_question

    db = open_database(str(tmp))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with db.session() as s:
        add_question(s, QuestionDraft(title="Will the long-running benchmark question ever settle?", slug=MANY,
                                      opens_at=start, closes_at=datetime(2030, 1, 1, tzinfo=UTC),
                                      criteria="Synthetic: a question with 1,000 updates.", tags=("economics",)),
                     now=start)  # fmt: skip
        keys = []
        for i in range(100):
            ev = add_from_text(s, f"Report number {i} on the long-running question. " * 8, title=f"Report {i}",
                               link=LinkSpec(MANY, stance=("yes", "no", "neutral")[i % 3]),
                               published=start + timedelta(days=7 * i + 1), now=start + timedelta(days=7 * i + 1))
            keys.append(ev.evidence.key)
        for i in range(1000):
            at = start + timedelta(hours=17 * i + 5)
            who = user if i % 4 else f"forecaster-{i % 7 + 1:04d}"
            record_forecast(s, ForecastRequest(MANY, 0.5 + 0.4 * ((i * 37) % 100 - 50) / 50, who, at=at,
                                               rationale=f"Update {i}: news moved the odds.",
                                               evidence=(keys[i // 10],) if i % 10 == 0 else ()),
                            now=at)  # fmt: skip
    db.engine.dispose()
    tmp.rename(TUI_DB)
    return TUI_DB


# --- process start to first frame --------------------------------------------------------------------------


def first_frame(db: Path, config: Path) -> tuple[float, float]:
    """Seconds from spawning `forecast` on a pty to its first frame with questions, and its peak RSS (MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        marker, rss = Path(tmp) / "frame", Path(tmp) / "rss"
        env = dict(os.environ, FORECAST_CONFIG=str(config), FORECAST_TUI_EXIT_AFTER_FIRST_FRAME=str(marker),
                   TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))  # fmt: skip
        env.pop("NO_COLOR", None)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        cmd = ["/usr/bin/time", "-f", "%M", "-o", str(rss), EXE, "--db", str(db)]
        start = time.time()
        proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        try:
            while proc.poll() is None:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        os.read(master, 65536)  # the screen: drained so that the app never blocks writing
                    except OSError:
                        break
            proc.wait(timeout=30)
        finally:
            os.close(master)
        if not marker.exists():
            raise SystemExit(f"the app did not report a first frame (exit code {proc.returncode})")
        return float(marker.read_text()) - start, int(rss.read_text().split()[-1]) / 1024


# --- in process ---------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def in_process(db: Path, user: str, runs: int) -> dict:
    from forecast.tui.app import ForecastApp
    from forecast.tui.context import TuiContext
    from forecast.tui.screens.detail import DetailScreen

    out: dict = {}
    ctx = TuiContext(target=str(db), me=user, refresh_seconds=None, label="bench")
    app = ForecastApp(ctx)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        while not (screen.complete and screen.view.team is not None):
            await pilot.pause(0.01)
        await pilot.pause()
        out["full_load"] = time.perf_counter() - started
        out["rows"] = len(screen.view.columns)

        await pilot.press("s", "s", "s")  # all 50,000 questions
        await pilot.press("slash")
        paints: list[float] = []
        filtered: list[float] = []
        real_refresh = screen._compositor_refresh
        real_filter = screen.view.set_query

        def painted() -> None:
            real_refresh()
            paints.append(time.perf_counter())

        def set_query(value: str) -> None:
            real_filter(value)
            filtered.append(time.perf_counter())

        screen._compositor_refresh = painted  # type: ignore[method-assign]
        screen.view.set_query = set_query  # type: ignore[method-assign]
        keys: list[float] = []  # key event sent -> first frame painted after the filter ran
        pilot_keys: list[float] = []  # the same, up to Pilot's return (it also waits for idle)
        for word in ["election", "summit", "benchmark question 12"][:runs]:
            for ch in [*word, *["backspace"] * len(word)]:
                filtered.clear()
                t0 = time.perf_counter()
                await pilot.press(ch)
                pilot_keys.append(time.perf_counter() - t0)
                after = [p for p in paints if filtered and p >= filtered[0]]
                if after:
                    keys.append(after[0] - t0)
        screen._compositor_refresh = real_refresh  # type: ignore[method-assign]
        screen.view.set_query = real_filter  # type: ignore[method-assign]
        handler: list[float] = []
        for word in ("e", "el", "ele", "elec", "election", "ele", "e", "", "#sci", "summit rate"):
            t0 = time.perf_counter()
            screen.view.set_query(word)
            screen.table.reload()
            handler.append(time.perf_counter() - t0)
        out["key_to_table"] = keys
        out["pilot_keys"] = pilot_keys
        out["filter_handler"] = handler
        # Sorts over all 50,000.
        sorts = []
        await pilot.press("escape")
        for _ in range(4):
            t0 = time.perf_counter()
            await pilot.press("o")
            sorts.append(time.perf_counter() - t0)
        out["sort"] = sorts

        # The question with 1,000 updates, alternating with another so that nothing is reused but widgets.
        ids = screen.view.columns.ids
        many, other = int(ids[screen.view.columns.slugs.index(MANY)]), int(ids[0])
        opens = []
        for i in range(2 * runs):
            qid = many if i % 2 == 0 else other
            shown = app.get_screen("detail").shown if app.is_screen_installed("detail") else 0
            t0 = time.perf_counter()
            app.open_question(qid)
            while not (isinstance(app.screen, DetailScreen) and app.screen.shown > shown):
                await asyncio.sleep(0.001)
            await pilot.pause()  # drawn
            if qid == many:
                opens.append(time.perf_counter() - t0)
                out["updates"] = len(app.screen.updates)
            await pilot.press("escape")
            await pilot.pause()
        out["open_many"] = opens
        out["peak_rss"] = peak_rss_mb()
        out["errors"] = list(app.unexpected_errors)
    return out


def fmt_ms(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms (n={len(ms)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--user", default="forecaster-0000")
    args = ap.parse_args()
    db = ensure_tui_db(args.user)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(f'name = "{args.user}"\ntimezone = "UTC"\n', encoding="utf-8")
        frames = [first_frame(db, config) for _ in range(args.runs)]
    seconds = sorted(f[0] for f in frames)
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
    print(f"process start -> first interactive frame: median {statistics.median(seconds):.3f} s, "
          f"best {seconds[0]:.3f} s, worst {seconds[-1]:.3f} s; peak RSS at that point {max(f[1] for f in frames):.0f} MB")  # fmt: skip
    os.environ.pop("NO_COLOR", None)
    result = asyncio.run(in_process(db, args.user, min(args.runs, 3)))
    print(f"full table in memory ({result['rows']:,} questions, standing forecasts, team medians): "
          f"{result['full_load']:.2f} s after start-up (in process)")
    print(f"filter keystroke -> first frame with the filtered table: {fmt_ms(result['key_to_table'])}")
    print(f"  the same, until Pilot returns (it also waits for the app to go idle): {fmt_ms(result['pilot_keys'])}")
    print(f"filter alone (view + table reload, 50,000 rows): {fmt_ms(result['filter_handler'])}")
    print(f"sort keystroke -> table: {fmt_ms(result['sort'])}")
    first, *rest = result["open_many"]
    print(f"open a question with {result['updates']:,} updates: first open {first * 1000:.0f} ms (builds the "
          f"screen), later opens {fmt_ms(rest)}")
    print(f"peak RSS, everything loaded (in process, with the benchmark harness): {result['peak_rss']:.0f} MB")
    if result["errors"]:
        print(f"unexpected errors: {result['errors']}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
