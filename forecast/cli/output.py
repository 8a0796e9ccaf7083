"""The CLI contract: stdout is data, stderr is diagnostics, failures are one line and an ExitCode."""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, NoReturn

import typer

from forecast.cli.exit_codes import ExitCode
from forecast.core.errors import ForecastError, InvalidInput, OutOfRange, UnreadableValue
from forecast.core.numbers import fixed, percent  # noqa: F401 (the CLI's number formats, one rule for all)


class UsageFailure(ForecastError):
    """A malformed argument value: exit code 2."""


# The shared output options, applied to every command that prints data (the way sqlite-utils shares its
# `output_options`): `as_json: JsonFlag = False`, and where a table is printed also `fmt: TableFormat = None`.
# docs/cli.md ("Output") describes them once; tests/cli_surface/test_cli_docs.py checks every command has its entry.
FORMATS = ("table", "json", "csv", "tsv")


def _check_format(value: str | None) -> str | None:
    if value is not None and value not in FORMATS:
        print(f"forecast: --format {value!r} is not one of: {', '.join(FORMATS)}", file=sys.stderr)
        sys.exit(int(ExitCode.USAGE))
    return value


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
TableFormat = Annotated[
    str | None,
    typer.Option("--format", metavar="FORMAT", callback=_check_format,
                 help="table (the default), json (as --json), csv or tsv: the table's rows, whole cells."),
]  # fmt: skip


def output_format(as_json: bool, fmt: str | None) -> str:
    """The one format a command prints in: --json is --format json."""
    if as_json and fmt not in (None, "json"):
        raise UsageFailure(f"--json and --format {fmt} ask for two formats; give one")
    return "json" if as_json else fmt or "table"


def fail(message: str, code: ExitCode = ExitCode.ERROR) -> NoReturn:
    for line in str(message).splitlines() or [""]:
        print(f"forecast: {line}", file=sys.stderr)
    raise typer.Exit(int(code))


def note(message: str) -> None:
    print(message, file=sys.stderr)


def guarded(fn: Callable) -> Callable:
    """Turn service errors into one line on stderr and a documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (UsageFailure, OutOfRange, UnreadableValue) as exc:  # from an argument, e.g. an id past 64 bits
            fail(str(exc), ExitCode.USAGE)
        except ForecastError as exc:
            fail(str(exc), ExitCode.ERROR)
        except KeyboardInterrupt:
            fail("interrupted", ExitCode.ERROR)

    return wrapper


def usage(fn: Callable, *args, **kwargs):
    """Call a parser; its InvalidInput becomes a usage failure (exit 2)."""
    try:
        return fn(*args, **kwargs)
    except InvalidInput as exc:
        raise UsageFailure(str(exc)) from None


def print_json(obj) -> None:
    """Objects are indented; lists put one compact item per line, so long lists stay fast and greppable.

    The services' read models (forecast/services/views.py) are shaped here: a record becomes an object with
    its fields in order, a tuple a list, and a time ISO 8601 in UTC with Z, microseconds only when present
    (what `iso_z` writes: the models' times are UTC).
    """
    import orjson

    out = sys.stdout.buffer
    if isinstance(obj, list):
        dumps, opt = orjson.dumps, orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
        out.write(b"[")
        for i, item in enumerate(obj):
            out.write(b"\n" if i == 0 else b",\n")
            out.write(dumps(item, option=opt))
        out.write(b"\n]\n" if obj else b"]\n")
    else:
        out.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z))
        out.write(b"\n")
    sys.stdout.flush()


def json_object(record) -> dict:
    """A read model as the JSON object `print_json` writes for it, to add keys to before printing."""
    import orjson

    return orjson.loads(orjson.dumps(record, option=orjson.OPT_UTC_Z))


def status_text(status: str, resolution: str | None) -> str:
    """A question's state in one word or two: "open", "resolved:yes", "annulled" (not "annulled:annulled"); a
    non-binary question's outcome (resolution 'outcome') is shown by `q show`, not here."""
    if resolution is None or resolution in (status, "outcome"):
        return status
    return f"{status}:{resolution}"


def clean_cell(value: object) -> str:
    """Plain one-line text: untrusted titles may carry newlines or terminal escapes."""
    text = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else " " for ch in text)


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, flex: int | None = None, fmt: str = "table"
) -> None:
    """Aligned columns, the `flex` column shortened to fit the terminal; or CSV/TSV rows (`fmt`), cells whole."""
    if fmt in ("csv", "tsv"):
        import csv

        writer = csv.writer(sys.stdout, dialect="excel" if fmt == "csv" else "excel-tab", lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([clean_cell(c) for c in row] for row in rows)
        return
    cells = [[clean_cell(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    if flex is not None and sys.stdout.isatty():
        total = sum(widths) + 2 * (len(widths) - 1)
        room = shutil.get_terminal_size((120, 24)).columns
        if total > room:
            widths[flex] = max(len(headers[flex]), widths[flex] - (total - room))
    out = sys.stdout

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            w = widths[i]
            if len(v) > w:
                v = v[: max(w - 1, 0)] + "…"
            parts.append(v.ljust(w))
        return "  ".join(parts).rstrip()

    out.write(line(list(headers)) + "\n")
    for row in cells:
        out.write(line(row) + "\n")
