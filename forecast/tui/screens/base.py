"""What every full screen shares: registry bindings, the context, the palette, and reloading on change."""

from __future__ import annotations

from textual.screen import Screen

from forecast.tui.context import TuiContext
from forecast.tui.guard import Guarded
from forecast.tui.messages import DataChanged
from forecast.tui.palette import Palette


class BaseScreen(Guarded, Screen):
    SCOPE = "app"

    def __init__(self) -> None:
        super().__init__()
        self._seen_generation = 0

    @property
    def ctx(self) -> TuiContext:
        return self.app.ctx  # type: ignore[attr-defined]

    @property
    def palette(self) -> Palette:
        return self.app.palette  # type: ignore[attr-defined]

    def refresh_data(self, *, quiet: bool = False) -> None:
        """Reload from the database; `quiet` is the periodic check, which reloads only on change."""

    def data_changed(self, message: DataChanged) -> None:
        """This app wrote something; reload now if on screen (screens below reload when resumed)."""
        if self.is_current:
            self._seen_generation = self.app.data_generation  # type: ignore[attr-defined]
            self.refresh_data()

    def on_screen_resume(self) -> None:
        generation = self.app.data_generation  # type: ignore[attr-defined]
        if generation != self._seen_generation:
            self._seen_generation = generation
            self.refresh_data()

    def on_theme_changed(self) -> None:
        """The palette changed: redraw whatever renders rich Text."""
