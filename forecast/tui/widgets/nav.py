"""The top line of every screen: where you are, where else you can go, and which database is open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from forecast.tui.guard import Guarded

SECTIONS = (("questions", "1", "Questions"), ("inbox", "2", "Inbox"), ("scores", "3", "Scores"))


class NavBar(Guarded, Horizontal):
    def __init__(self, current: str, label: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.current = current
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(" forecast ", "bold"), classes="brand")
        for mode, key, title in SECTIONS:
            tab = Static(Content.assemble((f" {key} ", "dim"), (f"{title} ", "")), classes="nav-tab", id=f"nav-{mode}")
            tab.set_class(mode == self.current, "-current")
            tab.tooltip = f"{title} ({key})"
            yield tab
        yield Static(Content(self.label), classes="nav-label")

    def on_click(self, event) -> None:
        widget = event.widget
        if widget is not None and widget.id and widget.id.startswith("nav-"):
            self.app.run_action(f"show('{widget.id[4:]}')")
