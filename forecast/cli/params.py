"""What every command's arguments must satisfy before a command runs: numbers within what we can store and
compute, command lines that are UTF-8, and negative numbers read as values rather than as options.

One place for the bounds: each numeric option names its bound here (`callback=params.COUNT`), so a value
past 64 bits is one line and exit 2 instead of an OverflowError from the database driver.
"""

from __future__ import annotations

import math
import os
import re
import sys

from dataclasses import dataclass
from typing import Any

import typer
from typer._click.parser import _OptionParser
from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import TyperCommand, TyperGroup, _TyperParameter

from forecast.cli.exit_codes import ExitCode
from forecast.core.echo import shown
from forecast.core.ids import INT64_MAX

# Days between the ends of the supported time range (core.timeparse), rounded up: a longer span is no span.
MAX_DAYS = 110_000
MIN_BIN_WIDTH = 0.001  # 1000 calibration bins; 1e-9 would allocate gigabytes


def _refuse(message: str) -> None:
    """One line and exit 2; SystemExit, so it also works before typer runs (argv) and inside its parsing."""
    print(f"forecast: {message}", file=sys.stderr)
    sys.exit(int(ExitCode.USAGE))


def _number(x: float) -> str:
    return str(x) if isinstance(x, int) else f"{x:g}"


def within(low: float, high: float):
    """A typer callback refusing values outside [low, high] (and NaN) with one line and exit 2."""

    def check(param: typer.CallbackParam, value):
        if value is None:
            return value
        if (isinstance(value, float) and not math.isfinite(value)) or not low <= value <= high:
            name = param.opts[0] if param.opts else param.name
            _refuse(f"{name} {shown(value)}: must be between {_number(low)} and {_number(high)}")
        return value

    return check


COUNT = within(0, INT64_MAX)  # --limit N (0: all), --max-questions
POSITIVE = within(1, INT64_MAX)  # --limit N when 0 makes no sense
ROW_ID = within(1, INT64_MAX)  # --corrects ID
DAYS = within(0, MAX_DAYS)  # --stale-days, --soon-days
BIN_WIDTH = within(MIN_BIN_WIDTH, 1.0)  # --bin-width (n_bins_for then checks that it divides 1)


def reject_undecodable_argv(argv: list[str]) -> None:
    """Python hands bytes that are not UTF-8 over as lone surrogates, which no database or file can store."""
    for position, arg in enumerate(argv[1:], start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            _refuse(f"argument {position} is not valid UTF-8: {shown(os.fsencode(arg))}")


# `-0.1`, `-5%`, `-.5`, `-1e-3`: no option of ours starts with a digit or a dot.
_NEGATIVE_NUMBER = re.compile(r"-[0-9.][0-9.eE+-]*%?")


class _NumberFriendlyParser(_OptionParser):
    def _process_opts(self, arg: str, state) -> None:
        if _NEGATIVE_NUMBER.fullmatch(arg):
            state.largs.append(arg)
            return
        super()._process_opts(arg, state)


class NumbersAsArguments(TyperCommand):
    """A command whose arguments may be negative numbers: `predict Q -0.1` reaches the probability parser
    (and is refused as outside [0, 1]) instead of failing as the unknown option `-0`."""

    def make_parser(self, ctx):
        parser = _NumberFriendlyParser(ctx)
        for param in self.get_params(ctx):
            param.add_to_parser(parser, ctx)
        return parser


@dataclass(frozen=True)
class _PlainCoercion(RuntimeParam):
    """Typer turns every value into its parameter's type through a pydantic TypeAdapter, built on first use;
    importing pydantic and building the adapters cost an everyday command a third of its start-up. Text is
    what the command line already holds, so text parameters get typer's own rule for it (`_parse_cli_str`:
    bytes decoded, anything else `str()`), and other types typer's adapter, only once a value is given
    (`RuntimeParam.coerce` answers a missing value itself)."""

    def _coerce_value(self, value: Any, param, ctx) -> Any:
        if self.annotation is str:
            return _text(value)
        if self.annotation == list[str]:
            return [_text(item) for item in (value if isinstance(value, (list, tuple)) else [value])]
        if _as_is(self.annotation, self.parameter_info, value):
            return value
        adapter = build_runtime_param(param.type_descriptor)
        param._runtime_param = adapter  # built once, as typer would
        return adapter._coerce_value(value, param=param, ctx=ctx)


def _as_is(annotation: Any, info, value: Any) -> bool:
    """A value that typer's adapter would hand back unchanged: a flag's True or False (`_parse_cli_bool` passes
    a non-string through, pydantic's bool keeps a bool), and a float or int default of a float or int parameter
    without bounds or clamping (pydantic's float keeps a float, its int an int). Such defaults (`--bin-width`'s
    0.1, `--json`'s False) would otherwise build the adapters, and import pydantic, on every run."""
    if annotation is bool:
        return type(value) is bool
    if annotation is float or annotation is int:
        return type(value) is annotation and info.min is None and info.max is None and not info.clamp
    return False


def _text(value: Any) -> str:
    if isinstance(value, bytes):  # as typer._adapters._parse_cli_str
        from typer._click._compat import _get_argv_encoding

        try:
            return value.decode(_get_argv_encoding())
        except UnicodeError:
            fs_enc = sys.getfilesystemencoding()
            if fs_enc != _get_argv_encoding():
                try:
                    return value.decode(fs_enc)
                except UnicodeError:
                    pass
            return value.decode("utf-8", "replace")
    return str(value)


def plain_coercion(command, ctx) -> None:
    """Give `command`'s parameters the coercion above (once; a parameter typer already built keeps its own),
    its --help option too: `get_params` makes that once, from the help option names of `ctx`, the group's
    context, which a command's own context inherits (no command of ours sets other names)."""
    for param in command.get_params(ctx):
        if isinstance(param, _TyperParameter) and param._runtime_param is None:
            descriptor = param.type_descriptor
            if descriptor.file_annotation is None and descriptor.parameter_info.parser is None:
                param._runtime_param = _PlainCoercion(descriptor.parameter_info, descriptor.annotation)


class PlainCoercionGroup(TyperGroup):
    """A command group whose own options and whose commands' parameters use `plain_coercion`."""

    def parse_args(self, ctx, args):
        plain_coercion(self, ctx)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            plain_coercion(command, ctx)
        return name, command, rest
