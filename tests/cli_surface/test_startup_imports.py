"""What `forecast --help` loads, in a fresh interpreter (the layer rules: tests/test_layers.py)."""

from __future__ import annotations

import json
import subprocess
import sys


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
