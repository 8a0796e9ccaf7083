"""The evidence inbox: articles from feeds waiting to be linked to a question (with a stance) or dismissed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from forecast.tui import format as fmt
from forecast.tui.bindings import bindings
from forecast.tui.guard import on
from forecast.tui.screens.base import BaseScreen
from forecast.tui.widgets.list_table import ListTable
from forecast.tui.widgets.keybar import KeyBar
from forecast.tui.widgets.nav import NavBar
from forecast.tui.widgets.view_table import ColumnSpec, ViewTable
from forecast.tui.workers import db_work

if TYPE_CHECKING:
    from forecast.services.views import InboxRow

COLUMNS = (
    ColumnSpec("date", "Date", 10, priority=8),
    ColumnSpec("outlet", "Outlet", 16, min_screen=90, priority=3),
    ColumnSpec("title", "Title", 0, min_width=16, priority=10),
    ColumnSpec("proposed", "Proposed for", 22, min_screen=80, priority=5),
)
LIMIT = 2000


class InboxScreen(BaseScreen):
    SCOPE = "inbox"
    BINDINGS = bindings("inbox")
    AUTO_FOCUS = "#inbox-table"

    @dataclass
    class Loaded(Message):
        items: list[InboxRow]
        version: tuple | None = None

    @dataclass
    class Dismissed(Message):
        title: str

    def __init__(self) -> None:
        super().__init__()
        self.items: list[InboxRow] = []
        self.version: tuple | None = None

    def compose(self) -> ComposeResult:
        yield NavBar("inbox", self.ctx.label)
        yield Static(id="inbox-summary", classes="section-title")
        yield ListTable(COLUMNS, id="inbox-table")
        yield Static(id="inbox-detail", classes="item-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#inbox-table").loading = True
        self.load()

    def refresh_data(self, *, quiet: bool = False) -> None:
        self.load(quiet=quiet)

    @db_work("loading the inbox", group="inbox-load")
    def load(self, quiet: bool = False) -> None:
        db = self.app.open_database()
        if db is None:
            return
        from forecast.services import evidence_query as queries
        from forecast.services.questions.table import data_version

        with db.session() as session:
            version = data_version(session)
            if quiet and version == self.version:
                return
            items = queries.inbox_items(session, limit=LIMIT)
        self.post_message(self.Loaded(items, version))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.query_one("#inbox-table", ListTable)
        table.loading = False
        summary = self.query_one("#inbox-summary", Static)
        keep = self.items[table.cursor_row].id if 0 <= table.cursor_row < len(self.items) else None
        self.items = message.items
        self.version = message.version
        table.set_rows([self._row(item) for item in self.items])
        if self.focused is None:  # a table still loading cannot take the screen's first focus
            table.focus()
        n = len(self.items)
        summary.update(Text(f" {n:,} item{'s' if n != 1 else ''} waiting" + (", newest first" if n > 1 else "")))
        if keep is not None:
            for i, item in enumerate(self.items):
                if item.id == keep:
                    table.move_cursor(row=i, animate=False)
                    break
        self._show(table.cursor_row)

    def _row(self, item: InboxRow) -> list[Text]:
        pal = self.palette
        when = item.published_at or item.created_at
        date = when.strftime("%Y-%m-%d") if when else "–"
        proposed = ", ".join(p.question for p in item.proposals)
        return [
            Text(date, style="" if item.published_at else pal.muted),
            Text(item.outlet or "", style=pal.muted, no_wrap=True, overflow="ellipsis"),
            Text(item.title or item.key or "", no_wrap=True, overflow="ellipsis"),
            Text(proposed, style=pal.accent, no_wrap=True, overflow="ellipsis"),
        ]

    @on(ViewTable.RowHighlighted, "#inbox-table")
    def _highlighted(self, event) -> None:
        self._show(event.cursor_row)

    def _show(self, row: int) -> None:
        panel = self.query_one("#inbox-detail", Static)
        if not 0 <= row < len(self.items):
            panel.update(Text("Nothing waiting. New articles arrive from feeds (`forecast feeds add`, "
                              "`forecast feeds poll` or `forecast check`).", style=self.palette.muted))  # fmt: skip
            return
        item = self.items[row]
        out = Text.assemble((item.title or item.key or "", "bold"))
        day = item.published_at.strftime("%Y-%m-%d") if item.published_at else None
        bits = [b for b in (item.outlet, day, item.url) if b]
        if bits:
            out.append("\n" + " · ".join(bits), style=self.palette.muted)
        for p in item.proposals:
            words = ", ".join(p.keywords)
            out.append(f"\n→ {p.question}", style=self.palette.accent)
            if words:
                out.append(f"  (matched: {words})", style=self.palette.muted)
        if item.excerpt:
            out.append("\n" + fmt.first_line(item.excerpt, 600))
        panel.update(out)

    # --- actions ------------------------------------------------------------------------------------------

    def _current(self) -> InboxRow | None:
        row = self.query_one("#inbox-table", ListTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def on_view_table_row_selected(self, event) -> None:
        event.stop()
        self.action_link_item()

    def action_link_item(self) -> None:
        item = self._current()
        if item is None:
            return
        from forecast.tui.forms.link import LinkToQuestionForm

        self.app.push_screen(LinkToQuestionForm(item), self.app.written)

    def action_dismiss_item(self) -> None:
        item = self._current()
        if item is not None:
            self.dismiss_item(item)

    @db_work("dismissing", group="inbox-dismiss")
    def dismiss_item(self, item: InboxRow) -> None:
        from forecast.services import evidence

        db = self.app.open_database()
        if db is None:
            return
        db.write(lambda session: evidence.dismiss_evidence(session, item.id))
        self.post_message(self.Dismissed(item.title or item.key or ""))

    @on(Dismissed)
    def _dismissed(self, message: Dismissed) -> None:
        self.notify(f"Dismissed: {message.title}", timeout=3, markup=False)
        self.app.data_generation += 1
        self._seen_generation = self.app.data_generation
        self.load()

    def action_open_article(self) -> None:
        item = self._current()
        if item is None:
            self.notify("No item is highlighted.", severity="warning")
            return
        if not item.url:
            self.notify(fmt.no_url(item.title or item.key), severity="warning", markup=False)
            return
        self.app.open_url(item.url)
