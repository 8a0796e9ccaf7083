"""What plain `forecast` does: open the terminal UI, or list open questions where there is no UI."""

from __future__ import annotations

import sys

from forecast.cli.context import CliState
from forecast.cli.output import guarded


@guarded
def main_job(st: CliState, *, demo: bool = False) -> None:
    try:
        from forecast.tui.launch import launch
    except ModuleNotFoundError:
        launch = None
    if launch is not None and sys.stdin.isatty() and sys.stdout.isatty():
        launch(st.target, tz=st.tz, name=st.forecaster(write=False))
        return
    from forecast.cli.questions import print_question_list

    print_question_list(st, status="open")
