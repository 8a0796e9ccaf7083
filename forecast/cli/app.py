"""The root Typer app: global options, the main job, and the registration of every command group."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

from forecast import __version__
from forecast.cli.context import CliState, state
from forecast.cli.exit_codes import ExitCode
from forecast.cli.params import PlainCoercionGroup


class _Router(PlainCoercionGroup):
    """`forecast forecasts rm ID` reaches the hidden `forecasts-rm` command: `forecasts Q` stays one command
    taking a question, and a question slugged `rm` still shows its history (`forecasts rm` alone)."""

    def resolve_command(self, ctx, args):
        if len(args) > 2 and args[0] == "forecasts" and args[1] == "rm":
            return "forecasts rm", self.commands["forecasts-rm"], args[2:]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="forecast",
    cls=_Router,
    help="Track forecasting questions, evidence and probability updates; resolve and score them.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Command modules register themselves on `app` when imported; every one is part of the product, so a
# module that fails to import is an error like any other. Each is light at import time.
COMMAND_MODULES = (
    "forecast.cli.questions",
    "forecast.cli.forecasting",
    "forecast.cli.interchange",
    "forecast.cli.db",
    "forecast.cli.demo",
    "forecast.cli.team",
    "forecast.cli.comments",
    "forecast.cli.score",
    "forecast.cli.evidence",
    "forecast.cli.trash",
    "forecast.cli.feeds",
    "forecast.cli.check",
    "forecast.cli.schedule",
    "forecast.cli.exports",
    "forecast.cli.trackers",
    "forecast.cli.report",
)


def _version(value: bool) -> None:
    if value:
        print(__version__)
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="SQLite file or SQLAlchemy URL (default: $FORECAST_DB, the config file, "
                     "then forecast.db in the data directory).", envvar=None),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Plain `forecast` opens the main job: the terminal UI."""
    st = state(ctx)
    st.db = db
    if ctx.invoked_subcommand is None:
        from forecast.cli.main_job import main_job

        main_job(st)


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)


def _usage_line(exc) -> int:
    """One line for a usage error, naming the command's --help, instead of click's usage block."""
    from forecast.core.echo import shown

    if type(exc).__name__ == "NoArgsIsHelpError":  # `forecast q` alone: its help is what the user needs
        exc.show()
        return int(exc.exit_code)
    ctx = getattr(exc, "ctx", None)
    message = " ".join(exc.format_message().split())
    hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    if len(message) > 200:
        message = shown(message)
    print(f"forecast: {message}{hint}", file=sys.stderr)
    return int(getattr(exc, "exit_code", ExitCode.USAGE))


def run() -> None:
    from forecast.cli.params import reject_undecodable_argv

    reject_undecodable_argv(sys.argv)
    from typer.exceptions import TyperException

    try:
        _register()
        code = app(standalone_mode=False)  # usage errors come back here, to be said in one line
        if isinstance(code, int) and code:
            sys.exit(code)
    except TyperException as exc:  # click's usage errors: unknown option, missing argument, bad value
        sys.exit(_usage_line(exc))
    except KeyboardInterrupt:
        print("forecast: interrupted", file=sys.stderr)
        sys.exit(int(ExitCode.ERROR))
    except Exception as exc:  # the top-level handler: one line, and the traceback in a crash file
        from forecast.cli.crash import handle

        sys.exit(handle(exc))
    finally:
        from forecast.cli.context import report_clamped_times

        report_clamped_times()


__all__ = ["app", "run", "CliState"]
