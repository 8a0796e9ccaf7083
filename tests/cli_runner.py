"""Run the real `forecast` executable in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

EXE = shutil.which("forecast", path=str(Path(sys.executable).parent)) or "forecast"
INTERNAL = 70
"""ExitCode.INTERNAL: an unexpected exception, i.e. a bug. `run` fails the test on it, whatever it expected."""


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run(*args: str, db: str | None = None, input: str | None = None, env: dict | None = None, cwd=None,
        allow_internal: bool = False) -> Result:
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    cmd = [EXE, *(["--db", db] if db else []), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, input=input, env=full_env, cwd=cwd, timeout=120)
    if not allow_internal:
        assert proc.returncode != INTERNAL, f"internal error (a bug) in `forecast {' '.join(args)}`:\n{proc.stderr}"
    return Result(proc.returncode, proc.stdout, proc.stderr)
