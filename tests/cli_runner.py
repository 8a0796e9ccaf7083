"""Run `forecast` as a user would: `run` starts the real executable in a subprocess; `invoke` runs the same
entry (`forecast.cli.app.run`, argv, stdin, stdout, stderr, environment and working directory of its own) in
this process, about a second faster per command.

Use `run` where the process is the point: signals, locks or races between processes, crash handling, the
installed entry point, output written to the file descriptors by children (`check --notify` hooks),
interpreter settings from the environment (PYTHON*, LANG/LC_*). Everything else (exit codes, the one line on
stderr, stdout as data, argument handling) is the same code in `invoke`.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

EXE = shutil.which("forecast", path=str(Path(sys.executable).parent)) or "forecast"
INTERNAL = 70
"""ExitCode.INTERNAL: an unexpected exception, i.e. a bug. `run` fails the test on it, whatever it expected."""

_PROCESS_ONLY_ENV = ("PYTHON", "LANG", "LC_", "TZ")
"""Environment read by the interpreter at start-up: it cannot change in a running process."""


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


def _stream(data: bytes, errors: str) -> io.TextIOWrapper:
    """A text stream like a pipe's in a new interpreter: same encoding and error handler, block-buffered."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=sys.__stdout__.encoding or "utf-8", errors=errors)


def _as_subprocess_text(stream: io.TextIOWrapper) -> str:
    """What `subprocess.run(text=True)` would have handed `run`: decoded, with universal newlines."""
    stream.flush()
    data = stream.buffer.getvalue()
    return io.TextIOWrapper(io.BytesIO(data), encoding=sys.__stdout__.encoding or "utf-8").read()


def _forget_invocation() -> None:
    """A new process starts without the previous command's database or its notes: close and forget them."""
    from forecast.cli import context, crash

    for database in context._opened:
        database.engine.dispose()
    context._opened.clear()
    crash.database_label = None
    ranges = sys.modules.get("forecast.core.time_range")
    if ranges is not None:
        ranges._seen.clear()


_click_trees: dict = {}


def _built_once(get_command):
    """typer builds the click command tree from the annotations of every command on each call (0.1-0.4 s):
    the tree is the same each time, so it is built once per process here."""

    def cached(typer_app):
        key = (id(typer_app), len(typer_app.registered_commands), len(typer_app.registered_groups))
        if key not in _click_trees:
            _click_trees[key] = get_command(typer_app)
        return _click_trees[key]

    return cached


def invoke(*args: str, db: str | None = None, input: str | None = None, env: dict | None = None, cwd=None,
           allow_internal: bool = False) -> Result:
    """`run`, in this process: the same arguments and the same Result."""
    import typer.main

    from forecast.__main__ import _exit_code
    from forecast.cli.app import run as entry

    bad = [k for k in env or {} if k.startswith(_PROCESS_ONLY_ENV)]
    assert not bad, f"{bad} only take effect in a new interpreter: use `run`"
    argv = [EXE, *(["--db", db] if db else []), *(str(a) for a in args)]  # as `run` starts it
    errors = sys.__stdout__.errors or "strict"
    stdin = _stream((input or "").encode(sys.__stdout__.encoding or "utf-8", errors), errors)
    stdout, stderr = _stream(b"", errors), _stream(b"", "backslashreplace")
    saved_streams = sys.argv, sys.stdin, sys.stdout, sys.stderr
    saved_env, saved_cwd, saved_main = dict(os.environ), os.getcwd(), sys.modules["__main__"]
    saved_hook, get_command = sys.excepthook, typer.main.get_command
    # The executable's __main__ is a script: click names the program after argv[0] then, not `python -m pytest`.
    script = types.ModuleType("__main__")
    script.__package__ = None
    try:
        sys.modules["__main__"] = script
        typer.main.get_command = _built_once(get_command)
        os.environ.update(env or {})
        if cwd is not None:
            os.chdir(cwd)
        sys.argv, sys.stdin, sys.stdout, sys.stderr = argv, stdin, stdout, stderr
        try:
            entry()
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc.code)
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.modules["__main__"] = saved_main
        sys.excepthook, typer.main.get_command = saved_hook, get_command
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        _forget_invocation()
    result = Result(code, _as_subprocess_text(stdout), _as_subprocess_text(stderr))
    if not allow_internal:
        assert code != INTERNAL, f"internal error (a bug) in `forecast {' '.join(args)}`:\n{result.err}"
    return result


def printed_json(value) -> bytes:
    """The bytes `forecast ... --json` prints for `value` (cli/output.print_json), for golden files."""
    from forecast.cli.output import print_json

    buffer = io.BytesIO()
    wrapper = io.TextIOWrapper(buffer, encoding="utf-8")
    stdout, sys.stdout = sys.stdout, wrapper
    try:
        print_json(value)
    finally:
        sys.stdout = stdout
    out = buffer.getvalue()
    wrapper.detach()
    return out

