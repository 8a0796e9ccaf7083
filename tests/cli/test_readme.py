"""Every command in the README's usage blocks runs, in order, on a fresh database, exactly as printed.

The blocks are read from README.md itself (indented lines starting with `forecast`, joined across `\\`),
and each runs through bash in a fresh working directory, as a user pasting them would. The files the
commands name (article.txt, fatebook.csv, the user's own question folder) are put where the README says
first: they stand for the user's own files. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_every_readme_command_runs_as_written(db_url, tmp_path, isolated_env):
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
        proc = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True,
                              timeout=180)  # fmt: skip
        assert proc.returncode == 0, f"{command}\n-> exit {proc.returncode}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, command
    assert (work / "backup.jsonl").stat().st_size > 0
    assert (work / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    listed = subprocess.run(["forecast", "q", "list", "--status", "all", "--json"], cwd=work, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    slugs = {q["slug"] for q in __import__("json").loads(listed.stdout)}
    assert {"paris-rain", "ecb-cut-2029"} <= slugs
    assert any(re.match(r"will-north-korea-conduct-a-nuclear-test", s) for s in slugs)
