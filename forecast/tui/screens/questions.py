"""The questions screen: every question in a table that filters as you type, by status, in four orders."""

from __future__ import annotations

import gc
from dataclasses import dataclass

import numpy as np

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from forecast.core.numbers import noun
from forecast.services.questions import table as question_table
from forecast.services.questions.table import QuestionColumns, TeamColumns
from forecast.tui.bindings import bindings
from forecast.tui.guard import on
from forecast.tui.question_view import SORT_COLUMN, SORT_ORDER, SORTS, STATUSES, QuestionView
from forecast.tui.screens.base import BaseScreen
from forecast.tui.widgets.keybar import KeyBar
from forecast.tui.widgets.nav import NavBar
from forecast.tui.widgets.question_table import REMINDER, SPARK_POINTS, QuestionRows, QuestionTable
from forecast.tui.workers import db_work

FIRST_PAGE = 200
_STATUS_TITLES = {"open": "Open", "closed": "Closed", "resolved": "Resolved", "all": "All"}
_FIRST_PAGE_STATUSES = {"open": ("open",), "closed": ("closed",), "resolved": ("resolved", "annulled"), "all": ()}


class QuestionsScreen(BaseScreen):
    SCOPE = "questions"
    BINDINGS = bindings("questions")
    AUTO_FOCUS = "#questions"

    @dataclass
    class ColumnsLoaded(Message):
        columns: QuestionColumns
        complete: bool
        """False for the first screenful, which arrives before the rest."""
        version: tuple | None = None
        forecasters: int = 0
        reminders: dict | None = None
        """Question id -> due, for the reminders waiting (the first screenful arrives without them)."""

    @dataclass
    class TeamLoaded(Message):
        columns: QuestionColumns
        team: TeamColumns

    @dataclass
    class SparksLoaded(Message):
        sparks: dict

    class LoadFinished(Message):
        pass

    def __init__(self) -> None:
        super().__init__()
        self.view = QuestionView()
        self.rows = QuestionRows(self.view, now=lambda: self.ctx.now())
        self.version: tuple | None = None
        self.complete = False
        self._pending_sparks: set[int] = set()
        self._fetching_sparks = False
        self._loading = False
        self._announced = False
        self._select_after_load: int | None = None

    def compose(self) -> ComposeResult:
        yield NavBar("questions", self.ctx.label)
        with Horizontal(id="toolbar"):
            yield Static(id="statuses")
            yield Input(placeholder="/ filter: words, slug or #tag", id="filter", compact=True)
        table = QuestionTable(self.rows, id="questions")
        table.loading = True
        yield table
        yield Static(id="empty")
        yield Static(id="summary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.rows.palette = self.palette
        self._show_toolbar()
        self._start_load(first_page=True)

    @property
    def table(self) -> QuestionTable:
        return self.query_one(QuestionTable)

    # --- loading ------------------------------------------------------------------------------------------

    def refresh_data(self, *, quiet: bool = False) -> None:
        if self._loading:
            return
        if quiet:
            self.check_version()
        else:
            self._start_load(first_page=False)

    @db_work("checking for changes", group="questions-version")
    def check_version(self) -> None:
        with self.ctx.db.session() as session:
            version = question_table.data_version(session)
        if version != self.version:
            self.app.call_from_thread(self._start_load, False)

    def _start_load(self, first_page: bool) -> None:
        self._loading = True
        self.load(first_page)

    @on(LoadFinished)
    def _load_finished(self) -> None:
        self._loading = False

    @db_work("loading questions", group="questions-load")
    def load(self, first_page: bool) -> None:
        me = self.ctx.me
        try:
            if first_page and self.ctx.database is None and (path := self.ctx.sqlite_file()) is not None:
                statuses = _FIRST_PAGE_STATUSES[self.view.status]
                first = question_table.first_page_sqlite(path, forecaster=me, statuses=statuses, limit=FIRST_PAGE)
                if first is not None and len(first):
                    self.post_message(self.ColumnsLoaded(first, complete=False))
                    # Let the first frame be drawn before importing SQLAlchemy competes with it for the GIL.
                    self.ctx.first_frame.wait(timeout=1.0)
            db = self.app.open_database()
            if db is None:
                return
            from forecast.services.lookup import forecaster_count
            from forecast.services.reminders import reminder_marks

            with db.session() as session:
                version = question_table.data_version(session)
                forecasters = forecaster_count(session)
                columns = question_table.load_columns(session, forecaster=me)
                reminders = reminder_marks(session, self.ctx.now())
            # Tens of thousands of long-lived objects would make every full garbage collection a visible
            # pause while typing (docs/benchmarks.md); frozen objects are still freed when unreferenced,
            # just never scanned. Once per load, here in the worker rather than in a UI handler.
            gc.freeze()
            self.post_message(self.ColumnsLoaded(columns, complete=True, version=version, forecasters=forecasters,
                                                 reminders=reminders))  # fmt: skip
            with db.session() as session:
                team = question_table.load_team(session, columns.ids)
            self.post_message(self.TeamLoaded(columns, team))
        finally:
            self.post_message(self.LoadFinished())

    @on(ColumnsLoaded)
    def _columns_loaded(self, message: ColumnsLoaded) -> None:
        table = self.table
        old = self.view.columns
        keep = self.view.question_id(table.cursor_row) if old is not None else None
        # A reload keeps showing the previous team figures (realigned) until the new ones arrive.
        team = _realign(self.view.team, old.ids, message.columns.ids) if old is not None and self.view.team else None
        self.view.set_columns(message.columns, team)
        self.complete = message.complete
        if message.complete:
            self.version = message.version
            self.rows.reminders = message.reminders or {}
            self.rows.stale = set(self.rows.sparks)  # shown until refetched, so nothing flickers
            table.set_hidden(set() if message.forecasters > 1 else {"team"})
        table.loading = False
        table.redraw()
        table.reload()
        if self.focused is None:
            table.focus()
        if keep is not None:
            row = self.view.row_of(keep)
            if row is not None:
                table.move_cursor(row=row, animate=False)
        if self._select_after_load is not None:
            self.select_question(self._select_after_load)
        self._show_toolbar()
        if not self._announced:
            self._announced = True
            self.app.post_message(FirstRows())

    @on(TeamLoaded)
    def _team_loaded(self, message: TeamLoaded) -> None:
        if message.columns is not self.view.columns:
            return
        keep = self.view.question_id(self.table.cursor_row)
        self.view.set_team(message.team)
        self.table.redraw()
        self.table.reload()
        if keep is not None and (row := self.view.row_of(keep)) is not None:
            self.table.move_cursor(row=row, animate=False)
        self._show_toolbar()

    # --- sparklines for the rows on screen ----------------------------------------------------------------

    @on(QuestionTable.Missing)
    def _sparks_missing(self, message: QuestionTable.Missing) -> None:
        self._pending_sparks |= message.question_ids
        self._fetch_next_sparks()

    def _fetch_next_sparks(self) -> None:
        if self._fetching_sparks or not self._pending_sparks:
            return
        visible = set(self.table.visible_question_ids())
        wanted = sorted(self._pending_sparks & visible) or sorted(self._pending_sparks)[:60]
        self._pending_sparks.clear()
        self._fetching_sparks = True
        self.fetch_sparks(wanted)

    @db_work("loading sparklines", group="questions-sparks", exclusive=False)
    def fetch_sparks(self, ids: list[int]) -> None:
        try:
            with self.ctx.db.session() as session:
                sparks = question_table.sparklines(session, ids, forecaster=self.ctx.me, points=SPARK_POINTS)
        except BaseException:
            self.post_message(self.SparksLoaded({}))
            raise
        self.post_message(self.SparksLoaded(sparks))

    @on(SparksLoaded)
    def _sparks_loaded(self, message: SparksLoaded) -> None:
        self._fetching_sparks = False
        if message.sparks:
            self.rows.sparks.update(message.sparks)
            self.rows.stale -= set(message.sparks)
            positions = np.flatnonzero(np.isin(self.view.columns.ids, list(message.sparks)))
            self.table.redraw(set(positions.tolist()))
        self._fetch_next_sparks()

    # --- filter, status, sort -----------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.view.set_query(event.value)
        self.table.reload()
        self._show_toolbar()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
        self.table.focus()

    def action_cycle_status(self) -> None:
        i = STATUSES.index(self.view.status)
        self.action_set_status(STATUSES[(i + 1) % len(STATUSES)])

    def action_set_status(self, status: str) -> None:
        if status not in STATUSES:
            return
        self.view.set_status(status)
        self.table.reload()
        self.table.move_cursor(row=0, animate=False)
        self._show_toolbar()

    def action_cycle_sort(self) -> None:
        i = SORTS.index(self.view.sort)
        self.action_set_sort(SORTS[(i + 1) % len(SORTS)])

    def action_set_sort(self, sort: str) -> None:
        if sort not in SORTS:
            return
        self.view.set_sort(sort, descending=False)
        self.table.reload()
        self.table.move_cursor(row=0, animate=False)
        self._show_toolbar()

    def action_reverse_sort(self) -> None:
        self.view.reverse()
        self.table.reload()
        self._show_toolbar()

    def _show_toolbar(self) -> None:
        marked = SORT_COLUMN[self.view.sort]
        # ▲ ascending, ▼ descending, as the values in the marked column run (closes ascend by default).
        natural = "▲" if self.view.sort == "closes" else "▼"
        arrow = natural if not self.view.descending else ("▼" if natural == "▲" else "▲")
        labels = {c.key: f"{c.label} {arrow}" if c.key == marked else c.label for c in self.table.specs}
        if labels != getattr(self, "_labels", None):
            self._labels = labels
            self.table.set_labels(labels)
        counts = self.view.counts() if self.complete else {}
        parts: list[Content | tuple[str, str] | str] = []
        for status in STATUSES:
            label = _STATUS_TITLES[status]
            count = counts.get(status)
            text = f" {label} {count:,} " if count is not None else f" {label} "
            style = "reverse bold" if status == self.view.status else ""
            parts.append(Content.styled(text, style).stylize(f"@click=screen.set_status('{status}')"))
        self.query_one("#statuses", Static).update(Content.assemble(*parts))
        self._show_summary()

    def _show_summary(self) -> None:
        view = self.view
        shown = len(view)
        total = view.counts().get(view.status, 0) if self.complete else None
        parts: list = [(f" {shown:,}", "bold")]
        said = shown  # the noun agrees with the last number said: "1 question", "1 of 7 questions"
        if total is not None and total != shown:
            parts.append(f" of {total:,}")
            said = total
        parts.append(f" {noun(said, 'question')}")
        if view.query.strip():
            parts += [" matching ", (view.query.strip(), "italic")]
        parts.append(f" · {SORT_ORDER[view.sort]}" + (" (reversed)" if view.descending else ""))
        due = sum(self.rows.reminders.values())
        if due:  # the ◷ marks say which; this says how many are waiting for an update
            parts.append((f" · {REMINDER} {due:,} {noun(due, 'reminder')} due", "bold"))
        if not self.complete:
            parts.append(("  loading…", "dim"))
        self.query_one("#summary", Static).update(Content.assemble(*parts))
        empty = self.query_one("#empty", Static)
        if shown == 0 and self.complete:
            if view.columns is not None and len(view.columns) == 0:
                empty.update("No questions yet. Press n to create one, or run `forecast demo` to try the examples.")
            elif view.query.strip():
                empty.update(Content.assemble("Nothing matches ", (view.query.strip(), "bold"), ". Press esc to clear."))
            else:
                empty.update(f"No {view.status} questions. Press s to show another status.")
            empty.display = True
        else:
            empty.display = False

    # --- opening and actions ------------------------------------------------------------------------------

    def highlighted_id(self) -> int | None:
        return self.view.question_id(self.table.cursor_row)

    def on_view_table_row_selected(self, event) -> None:
        event.stop()
        self.action_open_question()

    def action_open_question(self) -> None:
        qid = self.highlighted_id()
        if qid is not None:
            self.app.open_question(qid)

    def action_new_forecast(self) -> None:
        qid = self.highlighted_id()
        if qid is None:
            self.notify("No question highlighted.", severity="warning")
            return
        self.app.new_forecast(qid)

    def action_new_question(self) -> None:
        self.app.new_question()

    def action_edit_question(self) -> None:
        qid = self.highlighted_id()
        if qid is not None:
            self.app.edit_question(qid)

    def action_delete_question(self) -> None:
        row = self.table.cursor_row
        qid = self.highlighted_id()
        if qid is None:
            self.notify("No question highlighted.", severity="warning")
            return
        slug = self.view.columns.slugs[self.view.position(row)]
        self.app.confirm_delete("question", qid, slug)

    def on_theme_changed(self) -> None:
        self.rows.palette = self.palette
        self.table.redraw()

    def select_question(self, question_id: int) -> None:
        """Move the cursor to a question (after creating it, say), widening the status if needed."""
        self._select_after_load = question_id
        row = self.view.row_of(question_id)
        if row is None and self.view.status != "all":
            self.view.set_status("all")
            self.view.set_query("")
            self.query_one("#filter", Input).value = ""
            self.table.reload()
            self._show_toolbar()
            row = self.view.row_of(question_id)
        if row is not None:
            self._select_after_load = None
            self.table.move_cursor(row=row, animate=False)


def _realign(team: TeamColumns, old_ids: np.ndarray, new_ids: np.ndarray) -> TeamColumns:
    """The team columns of `old_ids`, rearranged to follow `new_ids` (zero / NaN for new questions)."""
    if len(old_ids) == 0:
        n = len(new_ids)
        return TeamColumns(np.zeros(n, dtype=np.int64), np.full(n, np.nan), np.zeros(n, dtype=np.int64))
    order = np.argsort(old_ids)
    src = order[np.clip(np.searchsorted(old_ids, new_ids, sorter=order), 0, len(old_ids) - 1)]
    found = old_ids[src] == new_ids

    def take(values: np.ndarray, missing) -> np.ndarray:
        out = np.full(len(new_ids), missing, dtype=values.dtype)
        out[found] = values[src[found]]
        return out

    return TeamColumns(take(team.forecasters, 0), take(team.median, np.nan), take(team.last_at, 0))


@dataclass
class FirstRows(Message):
    """The questions table has shown rows: the first interactive frame follows (benchmarks listen)."""
