"""What every full screen shares: its bindings from the registry, the context, and the colour palette."""

from __future__ import annotations

from textual.screen import Screen

from forecast.tui.context import TuiContext
from forecast.tui.palette import Palette


class BaseScreen(Screen):
    SCOPE = "app"

    @property
    def ctx(self) -> TuiContext:
        return self.app.ctx  # type: ignore[attr-defined]

    @property
    def palette(self) -> Palette:
        return self.app.palette  # type: ignore[attr-defined]

    def refresh_data(self, *, quiet: bool = False) -> None:
        """Reload from the database; `quiet` is the periodic check, which reloads only on change."""

    def on_theme_changed(self) -> None:
        """The palette changed: redraw whatever renders rich Text."""
