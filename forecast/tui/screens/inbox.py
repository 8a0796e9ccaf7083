"""Evidence inbox (placeholder while building)."""
from textual.widgets import Footer, Static
from forecast.tui.bindings import bindings
from forecast.tui.screens.base import BaseScreen
from forecast.tui.widgets.nav import NavBar
class InboxScreen(BaseScreen):
    SCOPE = "inbox"
    BINDINGS = bindings("inbox")
    def compose(self):
        yield NavBar("inbox", self.ctx.label)
        yield Static("inbox")
        yield Footer()
