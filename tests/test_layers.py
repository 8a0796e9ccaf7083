"""The one layering test: the import-linter contracts in pyproject.toml ([tool.importlinter]) all hold."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_import_contracts_hold(monkeypatch, capsys):
    monkeypatch.chdir(PYPROJECT.parent)  # the contracts name packages as imported from the project root
    code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 broken" in out
