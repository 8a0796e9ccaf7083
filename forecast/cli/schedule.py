"""`forecast schedule`: print or install a crontab line or systemd user units running `forecast check`."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import CliState, state
from forecast.cli.output import UsageFailure, fail, guarded, note, usage
from forecast.core.errors import ForecastError

schedule_app = typer.Typer(help="Run `forecast check` on a schedule: cron line or systemd timer.")
app.add_typer(schedule_app, name="schedule")

EVERY_HELP = "hourly (default), daily, or minutes dividing an hour such as 15m."
NOTIFY_HELP = "Passed on as `forecast check --notify CMD`."


def _job(st: CliState, every: str, notify: str | None):
    from forecast.cli.schedule_units import Job, absolute_target, check_every, executable

    target = absolute_target(st.target)
    if "://" not in target and not Path(target).exists():
        note(f"forecast: note: database {target} does not exist yet, and `forecast check` will not create "
             f"one; create it first (`forecast --db {shlex.quote(target)} db upgrade`)")  # fmt: skip
    env = [("FORECAST_DB", target)]
    if os.environ.get("FORECAST_CONFIG"):
        env.append(("FORECAST_CONFIG", str(Path(os.environ["FORECAST_CONFIG"]).absolute())))
    args = ["check", "--quiet", *(["--notify", notify] if notify else [])]
    return Job(command=(*executable(), *args), env=tuple(env), every=usage(check_every, every))


@schedule_app.callback(invoke_without_command=True)
@guarded
def schedule(
    ctx: typer.Context,
    cron: Annotated[bool, typer.Option("--cron", help="Print a crontab line.")] = False,
    systemd: Annotated[bool, typer.Option("--systemd", help="Print a .service and .timer pair.")] = False,
    every: Annotated[str, typer.Option("--every", help=EVERY_HELP)] = "hourly",
    log: Annotated[str | None, typer.Option("--log", help="Cron: append output here (default: check.log "
                                            "in the data directory).")] = None,
    no_log: Annotated[bool, typer.Option("--no-log", help="Cron: no redirection; cron mails the output.")] = False,
    notify: Annotated[str | None, typer.Option("--notify", metavar="CMD", help=NOTIFY_HELP)] = None,
) -> None:
    """Print what runs `forecast check` from cron or a systemd timer, with absolute paths throughout."""
    if ctx.invoked_subcommand is not None:
        return
    if cron == systemd:
        raise UsageFailure("give one of --cron or --systemd (or `forecast schedule install --systemd --user`)")
    st = state(ctx)
    job = _job(st, every, notify)
    if cron:
        from forecast.cli.schedule_units import crontab_line
        from forecast.config import data_dir

        log_path = None if no_log else str(Path(log).absolute()) if log else str(data_dir().absolute() / "check.log")
        if log_path:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        print("# forecast check (from `forecast schedule --cron`); add with `crontab -e`")
        print(crontab_line(job, log_path))
        return
    from forecast.cli.schedule_units import UNIT, service_unit, timer_unit, user_unit_dir

    try:
        folder = str(user_unit_dir())
    except ForecastError:
        folder = "~/.config/systemd/user"
    print(f"# file: {folder}/{UNIT}.service  (or run `forecast schedule install --systemd --user`)")
    print(service_unit(job))
    print(f"# file: {folder}/{UNIT}.timer")
    print(timer_unit(job), end="")


@schedule_app.command("install")
@guarded
def install(
    ctx: typer.Context,
    systemd: Annotated[bool, typer.Option("--systemd", help="Install systemd units (the only kind).")] = False,
    user: Annotated[bool, typer.Option("--user", help="As user units in ~/.config/systemd/user.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    every: Annotated[str, typer.Option("--every", help=EVERY_HELP)] = "hourly",
    notify: Annotated[str | None, typer.Option("--notify", metavar="CMD", help=NOTIFY_HELP)] = None,
) -> None:
    """Write the systemd user units, reload systemd and start the timer."""
    from forecast.cli.schedule_units import UNIT, service_unit, timer_unit, user_unit_dir

    if not (systemd and user):
        raise UsageFailure("only `install --systemd --user` is supported; for cron, add the line from "
                           "`forecast schedule --cron` with `crontab -e`")
    job = _job(state(ctx), every, notify)
    folder = usage(user_unit_dir)
    files = {folder / f"{UNIT}.service": service_unit(job), folder / f"{UNIT}.timer": timer_unit(job)}
    for path in files:
        note(f"{'replace' if path.exists() else 'write'} {path}")
    if not yes:
        if not sys.stdin.isatty():
            fail("not a terminal to ask on; add --yes to install without asking")
        if not typer.confirm("Install these units and start the timer?", default=True, err=True):
            fail("nothing installed")
    folder.mkdir(parents=True, exist_ok=True)
    from forecast.files import write_file_atomic

    for path, content in files.items():
        write_file_atomic(path, content)
    _systemctl(["daemon-reload"], ["enable", "--now", f"{UNIT}.timer"])
    note("user timers run only while you are logged in, unless lingering is on: `loginctl enable-linger`")


@schedule_app.command("remove")
@guarded
def remove(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Stop the timer and delete the systemd user units written by `install`."""
    from forecast.cli.schedule_units import UNIT, user_unit_dir

    folder = usage(user_unit_dir)
    files = [p for p in (folder / f"{UNIT}.timer", folder / f"{UNIT}.service") if p.exists()]
    if not files:
        note(f"no {UNIT} units in {folder}; nothing to remove")
        return
    for path in files:
        note(f"remove {path}")
    if not yes:
        if not sys.stdin.isatty():
            fail("not a terminal to ask on; add --yes to remove without asking")
        if not typer.confirm("Remove these units?", default=True, err=True):
            fail("nothing removed")
    _systemctl(["disable", "--now", f"{UNIT}.timer"])
    for path in files:
        path.unlink(missing_ok=True)
    _systemctl(["daemon-reload"])


def _systemctl(*commands: list[str]) -> None:
    """Best effort: without systemctl (or a user manager), say what to run instead."""
    exe = shutil.which("systemctl")
    for i, args in enumerate(commands):
        cmd = ["systemctl", "--user", *args]
        shown = shlex.join(cmd)
        if exe is None:
            todo = "; ".join(shlex.join(["systemctl", "--user", *a]) for a in commands[i:])
            note(f"systemctl not found; run: {todo}")
            return
        try:
            proc = subprocess.run([exe, "--user", *args], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            note(f"could not run `{shown}` ({exc}); run it yourself")
            continue
        if proc.returncode != 0:
            reason = (proc.stderr or proc.stdout).strip().splitlines()
            note(f"`{shown}` failed{': ' + reason[0] if reason else ''}; run it yourself once a user session is up")
        else:
            note(f"ran `{shown}`")
