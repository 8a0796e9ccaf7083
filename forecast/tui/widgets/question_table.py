"""The questions table: badge, title, probabilities, sparkline, time to close, tags.

Cells are built when a row is first drawn; sparklines need the question's history, so rows drawn
before theirs has arrived ask for it (`Missing`) and are redrawn when it comes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rich.text import Text
from textual.message import Message

from forecast.core.timeparse import to_micros
from forecast.tui import format as fmt
from forecast.tui.palette import DEFAULT, Palette
from forecast.tui.question_view import QuestionView
from forecast.tui.widgets.view_table import ColumnSpec, ViewTable

SPARK_POINTS = 6
REMINDER = fmt.REMINDER

COLUMNS = (
    ColumnSpec("status", "", 6, priority=9),
    ColumnSpec("title", "Question", 0, weight=4, min_width=16, priority=10),
    ColumnSpec("mine", "Me", 5, justify="right", priority=8),
    ColumnSpec("team", "Team", 8, justify="right", priority=5),
    ColumnSpec("trend", "Trend", SPARK_POINTS, priority=4),
    ColumnSpec("closes", "Closes", 14, priority=7),
    ColumnSpec("tags", "Tags", 0, min_screen=100, weight=1, min_width=10, priority=1),
)


@dataclass
class QuestionRows:
    """RowSource over a QuestionView."""

    view: QuestionView
    now: Callable
    palette: Palette = DEFAULT
    team_column: bool = True
    sparks: dict[int, tuple[tuple[float, ...], bool]] = field(default_factory=dict)
    stale: set[int] = field(default_factory=set)
    """Sparklines drawn from before a reload: still shown, but fetched again."""
    on_missing: Callable[[int], None] | None = None
    reminders: dict[int, bool] = field(default_factory=dict)
    """Question id -> due, for questions with a reminder waiting (services/reminders.py)."""

    def __len__(self) -> int:
        return len(self.view)

    def key(self, index: int) -> int:
        return self.view.position(index)

    def cells(self, index: int, keys: Sequence[str]) -> list[Text]:
        view, c = self.view, self.view.columns
        assert c is not None
        i = view.position(index)
        qid = int(c.ids[i])
        pal = self.palette
        now = self.now()
        out: list[Text] = []
        for key in keys:
            if key == "status":
                out.append(fmt.status_badge(c.status[i], c.resolution[i], pal))
            elif key == "title":
                out.append(self._title(qid, c.titles[i]))
            elif key == "mine":
                out.append(self._mine(i))
            elif key == "team":
                out.append(self._team(i))
            elif key == "trend":
                out.append(self._spark(qid))
            elif key == "closes":
                out.append(fmt.closes_cell(int(c.closes[i]), c.status[i], now, to_micros(now), pal))
            elif key == "tags":
                out.append(Text(" ".join(c.tags[i]), style=pal.muted, no_wrap=True, overflow="ellipsis"))
        return out

    def _title(self, qid: int, title: str) -> Text:
        """The title, after the reminder mark when the question has one waiting (bold when it is due)."""
        cell = Text(no_wrap=True, overflow="ellipsis")
        due = self.reminders.get(qid)
        if due is not None:
            cell.append(f"{REMINDER} ", style=f"bold {self.palette.warn}" if due else self.palette.muted)
        cell.append(title)
        return cell

    def _mine(self, i: int) -> Text:
        """The user's probability; for a non-binary question its kind (its forecasts are distributions)."""
        c = self.view.columns
        kind = c.kind(i)
        if kind != "binary":
            return Text(fmt.KIND_SHORT.get(kind, kind), style=self.palette.muted, justify="right", no_wrap=True)
        return Text(fmt.pct(float(c.mine[i])), style="bold", justify="right")

    def _team(self, i: int) -> Text:
        team = self.view.team
        if self.view.columns.kind(i) != "binary":
            return Text("", justify="right")
        if team is None:
            return Text("…", style=self.palette.muted, justify="right")
        n = int(team.forecasters[i])
        if n == 0 or (n == 1 and not np.isnan(self.view.columns.mine[i])):
            return Text("", justify="right")  # nobody else: the team is just you
        median = float(team.median[i])
        return Text.assemble(
            (fmt.pct(median), ""), (f" ·{n}" if n < 100 else " ·99+", self.palette.muted), justify="right"
        )

    def _spark(self, qid: int) -> Text:
        got = self.sparks.get(qid)
        if (got is None or qid in self.stale) and self.on_missing is not None:
            self.on_missing(qid)
        if got is None:
            return Text("…", style=self.palette.muted)
        values, own = got
        if not values:
            return Text("")
        return Text(fmt.sparkline(values), style=self.palette.primary if own else self.palette.muted)


class QuestionTable(ViewTable):
    """Posts `Missing` with the ids of drawn rows whose sparkline has not been loaded."""

    @dataclass
    class Missing(Message):
        question_ids: set[int]

    def __init__(self, rows: QuestionRows, *, id: str | None = None) -> None:
        self.rows = rows
        rows.on_missing = self._note_missing
        self._missing: set[int] = set()
        super().__init__(rows, COLUMNS, id=id)

    def _note_missing(self, qid: int) -> None:
        if not self._missing:
            self.call_after_refresh(self._flush_missing)
        self._missing.add(qid)

    def _flush_missing(self) -> None:
        if self._missing:
            self.post_message(self.Missing(set(self._missing)))
            self._missing.clear()

    def visible_question_ids(self) -> list[int]:
        """Ids of the rows in view (plus a page either side, so scrolling finds them ready)."""
        view = self.rows.view
        top = max(int(self.scroll_y) - self.size.height, 0)
        bottom = min(int(self.scroll_y) + 2 * self.size.height, len(view))
        return [q for q in (view.question_id(r) for r in range(top, bottom)) if q is not None]
