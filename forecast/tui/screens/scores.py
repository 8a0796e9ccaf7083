"""Evidence scores (placeholder while building)."""
from textual.widgets import Footer, Static
from forecast.tui.bindings import bindings
from forecast.tui.screens.base import BaseScreen
from forecast.tui.widgets.nav import NavBar
class ScoresScreen(BaseScreen):
    SCOPE = "scores"
    BINDINGS = bindings("scores")
    def compose(self):
        yield NavBar("scores", self.ctx.label)
        yield Static("scores")
        yield Footer()
