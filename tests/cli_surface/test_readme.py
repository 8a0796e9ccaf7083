"""Every command in the README's usage blocks runs, in order, on a fresh database, exactly as printed.

The blocks are read from README.md itself (indented lines starting with `forecast`, joined across `\\`),
and each runs through bash in a fresh working directory, as a user pasting them would. The files the
commands name (article.txt, fatebook.csv, the user's own question folder) are put where the README says
first: they stand for the user's own files. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SECTIONS = ("## Daily use from the shell", "## Evidence, scores, checks and exports")


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands: list[str] = []
    for heading in SECTIONS:
        body = text.split(heading, 1)[1].split("\n## ", 1)[0]
        pending = ""
        for line in body.splitlines():
            if not line.startswith("    ") or not (pending or line.strip().startswith("forecast ")):
                continue
            pending += line.strip()
            if pending.endswith("\\"):
                pending = pending[:-1] + " "
                continue
            commands.append(pending)
            pending = ""
    return commands


def test_the_readme_shows_the_daily_commands():
    commands = readme_commands()
    assert len(commands) >= 15
    for word in ("q add", "predict", "resolve", "q sync", "export jsonl", "evidence add", "score", "check", "report"):
        assert any(f"forecast {word}" in c for c in commands), word


SHELL_SYNTAX = set("|<>;&$`*?(){}[]!\\")
"""What bash would read other than as words, outside quotes (`&&` between commands aside)."""


def _plain(command: str) -> bool:
    """Words, quotes without expansions, `&&`, a leading `~/` and a comment: nothing else of bash."""
    code = shlex.split(command, comments=True, posix=False)  # keeps the quotes, drops the comment
    unquoted = [w for w in code if w != "&&" and not (w[0] == w[-1] and w[0] in "'\"" and len(w) > 1)]
    double = [w for w in code if w[0] == '"' and len(w) > 1]
    return not any(SHELL_SYNTAX & set(w) for w in unquoted) and not any(set("$`\\!") & set(w) for w in double)


def _in_process(command: str, work: Path, home: Path, db_url: str) -> tuple[int, str]:
    """Run a plain command line (words, `&&`, `~/`, comments) the way bash would, through `invoke`."""
    code, err = 0, ""
    words = [str(home) + w[1:] if w.startswith("~/") else w for w in shlex.split(command, comments=True)]
    while words and code == 0:
        step = words[: words.index("&&")] if "&&" in words else words
        words = words[len(step) + 1:]
        assert step[0] == "forecast", command
        r = invoke(*step[1:], cwd=work, env={"HOME": str(home), "FORECAST_DB": db_url})
        code, err = r.code, err + r.err
    return code, err


def test_every_readme_command_runs_as_written(db_url, tmp_path, isolated_env):
    """Through bash on SQLite: the real executable, as a user pasting the lines. On PostgreSQL the same
    commands again, each split into words as bash splits it and run in this process."""
    home = tmp_path / "home"
    (home / "forecasts" / "questions").mkdir(parents=True)
    shutil.copy(FIXTURES / "readme" / "rates.toml", home / "forecasts" / "questions" / "rates.toml")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(FIXTURES / "readme" / "article.txt", work / "article.txt")
    shutil.copy(FIXTURES / "trackers" / "fatebook.csv", work / "fatebook.csv")
    env = dict(os.environ, HOME=str(home), FORECAST_DB=db_url,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")  # fmt: skip
    for command in readme_commands():
        if db_url.startswith("sqlite") or not _plain(command):
            proc = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True,
                                  timeout=180)  # fmt: skip
            code, err = proc.returncode, proc.stderr
        else:
            code, err = _in_process(command, work, home, db_url)
        assert code == 0, f"{command}\n-> exit {code}\n{err}"
        assert "Traceback" not in err, command
    assert (work / "backup.jsonl").stat().st_size > 0
    assert (work / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    listed = subprocess.run(["forecast", "q", "list", "--status", "all", "--json"], cwd=work, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    slugs = {q["slug"] for q in __import__("json").loads(listed.stdout)}
    assert {"paris-rain", "ecb-cut-2029"} <= slugs
    assert any(re.match(r"will-north-korea-conduct-a-nuclear-test", s) for s in slugs)
