"""What every full screen shares: registry bindings, the context, the palette, and reloading on change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from forecast.tui.context import TuiContext
from forecast.tui.guard import Guarded
from forecast.tui.messages import DataChanged
from forecast.tui.palette import Palette

if TYPE_CHECKING:
    from forecast.tui.app import ForecastApp


class BaseScreen(Guarded, Screen):
    SCOPE = "app"

    if TYPE_CHECKING:  # Textual types `app` as App[object]; ours is always a ForecastApp

        @property
        def app(self) -> ForecastApp: ...

    def __init__(self) -> None:
        super().__init__()
        self._seen_generation = 0

    @property
    def ctx(self) -> TuiContext:
        return self.app.ctx

    @property
    def palette(self) -> Palette:
        return self.app.palette

    def refresh_data(self, *, quiet: bool = False) -> None:
        """Reload from the database; `quiet` is the periodic check, which reloads only on change."""

    def data_changed(self, message: DataChanged) -> None:
        """This app wrote something; reload now if on screen (screens below reload when resumed)."""
        if self.is_current:
            self._seen_generation = self.app.data_generation
            self.refresh_data()

    def on_screen_resume(self) -> None:
        generation = self.app.data_generation
        if generation != self._seen_generation:
            self._seen_generation = generation
            self.refresh_data()

    def on_theme_changed(self) -> None:
        """The palette changed: redraw whatever renders rich Text."""
