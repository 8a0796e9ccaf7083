"""CLI fuzzing (issue 10 §7): random argument vectors, drawn from the real commands and options (the same
Click tree `forecast --help` prints), with hostile values, through the command line's entry in this process
(tests/cli_runner.py `invoke`: a second less per run than the executable, so more runs) against a small
database. Asserted for every run: the exit code is documented, stderr has no traceback, and a failed
command (exit 1, 2 or 75) left the database exactly as it was.

Default: FUZZ_EXAMPLES runs (a few seconds). Long runs: FORECAST_FUZZ_EXAMPLES=2000 (docs/reliability.md).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_runner import Result, invoke
from tests.small_db import sqlite_fingerprint

FUZZ_EXAMPLES = int(os.environ.get("FORECAST_FUZZ_EXAMPLES", "100"))
DOCUMENTED_EXIT_CODES = {0, 1, 2, 10, 75}

EXCLUDED = {
    ("tui",), ("demo",),  # open the terminal UI / build the demo database: covered by tests/tui
    ("schedule", "install"), ("schedule", "remove"),  # would write and start systemd units of the real user
    ("feeds", "poll"),  # network: covered by tests/check/test_feeds.py with a local server
}
"""Commands the fuzzer does not run, and why."""


def _catalog() -> list[tuple[tuple[str, ...], list]]:
    import typer

    from forecast.cli.app import _register, app

    _register()
    root = typer.main.get_command(app)

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in sorted(cmd.commands.items()):
                yield from walk(sub, (*path, name))
        else:
            yield path, [p for p in cmd.params if p.name not in ("help",)]

    return [(path, params) for path, params in walk(root, ()) if path not in EXCLUDED]


CATALOG = _catalog()


@pytest.fixture(scope="module")
def template(tmp_path_factory, small_db_template) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "template.db"
    shutil.copyfile(small_db_template, path)
    os.mkfifo(folder / "fifo")
    (folder / "a-directory").mkdir()
    return path


def hostile_values(folder: Path):
    """Values of every class that broke something in the adversarial trial, plus ordinary ones."""
    ordinary = st.sampled_from(["1", "2", "rain", "snow", "0.35", "35%", "yes", "no", "2024-05-01", "in 3 days",
                                "now", "weather", "tester", "time", "csv", "json", "-"])
    numbers = st.sampled_from(["0", "-1", "999999999999999999999999", "9223372036854775808", "1e-400", "nan",
                               "inf", "-0.1", "1.5", "3_5%", "١٠", "0x10", "1e308"])
    dates = st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2019-13-45",
                             "in -3 months", "-3 months ago", "1000000000000000000 seconds ago", "someday",
                             "2019-07-01 25:00", ""])
    urls = st.sampled_from(["mysql://u@h/db", "bogus://", "javascript:alert(1)", "http://[::1", "ftp://x/y",
                            "http://u:p@127.0.0.1:1/", "postgresql://127.0.0.1:99999/x", "http://127.0.0.1:1/"])
    paths = st.sampled_from(["/dev/zero", str(folder / "fifo"), str(folder / "no" / "such" / "dir" / "f"),
                             str(folder / "a-directory"), ""])
    controls = st.sampled_from(["\x1b[2J", "\x1b]2;owned\x07", "a\u202eb", "rain\n", "\x7f", "\t", " ",
                                "\udcff-not-utf8", "x" * 5000])
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
    return st.one_of(ordinary, ordinary, numbers, dates, urls, paths, controls, text)


@st.composite
def argv(draw, folder: Path):
    path, params = draw(st.sampled_from(CATALOG))
    values = hostile_values(folder)
    args = list(path)
    for p in params:
        if not hasattr(p, "is_flag"):  # an argument
            if p.required or draw(st.booleans()):
                args.append(draw(values))
            continue
        if not draw(st.integers(0, 3)) == 0:
            continue
        opt = draw(st.sampled_from(p.opts))
        if p.is_flag:
            args.append(opt)
        else:
            for _ in range(draw(st.integers(1, 2)) if p.multiple else 1):
                args += [opt, draw(values)]
    if draw(st.integers(0, 9)) == 0:  # now and then an unknown option or a stray word
        args.insert(draw(st.integers(0, len(args))), draw(st.sampled_from(["--nope", "extra", "--json", "-h"])))
    stdin = draw(st.sampled_from(["", "not json\n", '{"type":"question"}\n', "\x00\x1b[2J" * 10]))
    return args, stdin


def run_fuzzed(db: Path, args: list[str], stdin: str) -> Result:
    env = {"FORECAST_ALLOW_PRIVATE_URLS": "0", "NO_COLOR": "1"}
    # cwd: relative -o paths and `report`'s default report.html land in the run's own directory.
    return invoke(*args, db=str(db), input=stdin, env=env, cwd=db.parent, allow_internal=True)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
@given(data=st.data())
def test_random_argument_vectors(template, tmp_path_factory, data):
    args, stdin = data.draw(argv(template.parent))
    work = tmp_path_factory.mktemp("run")
    db = work / "f.db"
    shutil.copy(template, db)
    before = sqlite_fingerprint(db)
    proc = run_fuzzed(db, args, stdin)
    err = proc.err
    shown = f"forecast {' '.join(repr(a) for a in args)}\n{err}"
    assert proc.code in DOCUMENTED_EXIT_CODES, shown
    assert "Traceback" not in err, shown
    writes_on_attention = args[:1] == ["check"]  # `check` records its run and exits 10 when something is due
    if proc.code not in (0,) and not (proc.code == 10 and writes_on_attention):
        assert sqlite_fingerprint(db) == before, f"the database changed although the command failed:\n{shown}"
