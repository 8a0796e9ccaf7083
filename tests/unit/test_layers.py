"""Layering is enforced, not intended: each layer is imported in a fresh interpreter and checked."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import forecast

ROOT = Path(forecast.__file__).parent


def loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "print(json.dumps(sorted({k.split('.')[0] for k in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def test_core_imports_no_ui_or_storage():
    mods = [f"forecast.core.{m.name}" for m in pkgutil.walk_packages([str(ROOT / "core")])]
    loaded = loaded_after_import(mods)
    for forbidden in ("textual", "typer", "rich", "sqlmodel", "sqlalchemy", "alembic"):
        assert forbidden not in loaded, f"forecast.core pulled in {forbidden}"


@pytest.mark.parametrize("layer", ["store", "services", "interchange", "ingest", "export"])
def test_storage_and_services_import_no_front_end(layer):
    mods = [f"forecast.{layer}.{m.name}" for m in pkgutil.walk_packages([str(ROOT / layer)]) if m.name != "migrations"]
    loaded = loaded_after_import(mods)
    assert "textual" not in loaded and "typer" not in loaded


def test_cli_start_up_stays_light():
    """`forecast --help` must not load the database stack, statsmodels, pandas or textual."""
    code = (
        "import sys, json\n"
        "sys.argv = ['forecast', '--help']\n"
        "from forecast.cli.app import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({k.split('.')[0] for k in sys.modules})), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    for heavy in ("sqlalchemy", "sqlmodel", "statsmodels", "pandas", "textual", "numpy", "matplotlib", "trafilatura"):
        assert heavy not in loaded, f"`forecast --help` imported {heavy}"
