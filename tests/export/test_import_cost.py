"""forecast.export and the tracker converters load no heavy library until used (the layers: tests/test_layers.py)."""

from __future__ import annotations

import json
import subprocess
import sys

MODULES = [
    "forecast.export.table", "forecast.export.writers", "forecast.export.plots", "forecast.export.report",
    "forecast.ingest.trackers.common", "forecast.ingest.trackers.fatebook", "forecast.ingest.trackers.iqisa",
    "forecast.ingest.trackers.metaculus",
]  # fmt: skip


def test_no_heavy_library_at_load():
    code = (
        "import importlib, json, sys\n"
        f"for m in {MODULES!r}:\n"
        "    importlib.import_module(m)\n"
        "print(json.dumps(sorted({k.split('.')[0] for k in sys.modules})))\n"
    )
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True).stdout))  # fmt: skip
    for forbidden in ("matplotlib", "pyarrow", "statsmodels"):
        assert forbidden not in loaded, forbidden
