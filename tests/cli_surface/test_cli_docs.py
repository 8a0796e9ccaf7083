"""docs/cli.md documents every command and every option that `--help` shows, and the shared output options
behave the same on every command that has them."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import typer.main

from forecast.cli.app import _register, app

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")


def _root():
    _register()
    return typer.main.get_command(app)


def _commands(cmd, path=()):
    if hasattr(cmd, "commands"):  # a group: its visible subcommands
        for name, sub in sorted(cmd.commands.items()):
            if not getattr(sub, "hidden", False):
                yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), cmd


def _options(cmd) -> list[str]:
    names = []
    for p in cmd.params:
        if type(p).__name__.endswith("Option") and not getattr(p, "hidden", False):
            names += [*p.opts, *p.secondary_opts]
    return [n for n in names if n not in ("--help", "-h")]


COMMANDS = dict(_commands(_root()))


def _section(path: str) -> str:
    m = re.search(rf"^### `forecast {re.escape(path)}`\n(.*?)(?=^#{{2,3}} |\Z)", DOC, re.MULTILINE | re.DOTALL)
    assert m, f"docs/cli.md has no section '### `forecast {path}`'"
    return m.group(1)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_and_option_is_documented(path):
    section = _section(path)
    missing = [o for o in _options(COMMANDS[path]) if f"`{o}`" not in section]
    assert not missing, f"docs/cli.md, `forecast {path}`: options not documented: {missing}"


def test_the_global_options_are_documented():
    for option in _options(_root()):
        assert f"`{option}" in DOC, option


def test_no_section_for_a_command_that_does_not_exist():
    documented = set(re.findall(r"^### `forecast ([^`]+)`", DOC, re.MULTILINE))
    assert documented == set(COMMANDS)


def test_json_is_shared_by_every_command_that_has_a_format():
    for path, cmd in COMMANDS.items():
        options = _options(cmd)
        if "--format" in options and "-f" not in options:  # the shared table format (export/plot's is a file format)
            assert "--json" in options, path


@pytest.fixture
def cli_db(tmp_path):
    from tests.evidence.conftest import cli

    db = str(tmp_path / "out.db")
    assert cli("q", "add", "Will it rain, or \"pour\", before 2030-01-01?", "30%", "--tag", "wx", db=db).code == 0
    return db, cli


def test_csv_tsv_and_json_agree_with_the_table(cli_db):
    db, cli = cli_db
    as_json = cli("q", "list", "--json", db=db).json()
    assert cli("q", "list", "--format", "json", db=db).json() == as_json
    rows = list(csv.reader(io.StringIO(cli("q", "list", "--format", "csv", db=db).out)))
    assert rows[0] == ["ID", "SLUG", "STATUS", "TITLE", "P", "CLOSES", "TAGS"]
    assert rows[1][3] == as_json[0]["title"] == 'Will it rain, or "pour", before 2030-01-01?'
    tsv = list(csv.reader(io.StringIO(cli("q", "list", "--format", "tsv", db=db).out), dialect="excel-tab"))
    assert tsv == rows
    history = list(csv.reader(io.StringIO(cli("forecasts", "1", "--format", "csv", db=db).out)))
    assert history[0][:4] == ["ID", "MADE", "BY", "P"] and history[1][3] == "30%"


@pytest.mark.parametrize("args", [("--format", "xml"), ("--json", "--format", "csv")])
def test_a_bad_format_is_a_usage_error(cli_db, args):
    db, cli = cli_db
    ran = cli("q", "list", *args, db=db)
    assert ran.code == 2 and ran.err.count("\n") == 1 and "format" in ran.err


def test_check_history_takes_the_table_format_and_the_report_does_not(cli_db):
    db, cli = cli_db
    assert cli("check", db=db).code == 0
    rows = list(csv.reader(io.StringIO(cli("check", "--history", "--format", "csv", db=db).out)))
    assert rows[0] == ["ID", "STARTED", "SECONDS", "STATUS", "RESULT", "ERROR"] and rows[1][3] == "done"
    assert cli("check", "--format", "csv", db=db).code == 2
