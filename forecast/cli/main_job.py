"""What plain `forecast` does: open the terminal UI, or list open questions when not on a terminal."""

from __future__ import annotations

import sys

from forecast.cli.context import CliState
from forecast.cli.output import guarded


@guarded
def main_job(st: CliState, *, demo: bool = False) -> None:
    if sys.stdin.isatty() and sys.stdout.isatty():
        from forecast.tui.launch import launch

        launch(st.target, tz=st.tz, name=st.forecaster(write=False), backfill_after=st.settings.backfill_after)
        return
    from forecast.cli.questions import print_question_list

    print_question_list(st, status="open")
