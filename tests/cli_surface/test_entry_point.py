"""The installed `forecast` executable runs commands exactly as the in-process runner most tests use
(tests/cli_runner.py `invoke`): the same exit code, stdout and stderr.

The commands run on a copy of one small database, first through the real executable, then (on a new copy)
through `invoke`, in the same working directory, so that paths and ids agree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli_runner import invoke, run

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--version",),
    ("q", "show", "nope"),  # a refusal: one line, exit 1
    ("q", "add", "--closes", "2030-01-01"),  # a usage error: one line, exit 2
    ("score", "--json"),
    ("db", "check"),
    ("plot", "calibration", "-o", "calibration.svg"),
    ("unresolve", "snow"),
)
"""Commands whose output depends only on the database and the arguments, not on the clock (`q show` and
`q list` are not: they print the days left to close); a command of
each group the README test (tests/cli_surface/test_readme.py, which runs its commands through bash) leaves out."""


def _session(work: Path, small_db_template: Path, how) -> list:
    work.mkdir(exist_ok=True)
    for name in list(work.iterdir()):
        name.unlink()
    shutil.copyfile(small_db_template, work / "f.db")
    return [how(*args, db="f.db", cwd=work) for args in COMMANDS]


def test_command_groups_run_through_the_executable_as_in_process(small_db_template, tmp_path):
    work = tmp_path / "work"
    real = _session(work, small_db_template, run)
    assert [r.code for r in real] == [0, 1, 2, 0, 0, 0, 0], [r.err for r in real]
    assert (work / "calibration.svg").read_text(encoding="utf-8").lstrip().startswith("<")
    in_process = _session(work, small_db_template, invoke)
    for args, a, b in zip(COMMANDS, real, in_process, strict=True):
        assert a == b, f"forecast {' '.join(args)}: the executable and invoke differ"
