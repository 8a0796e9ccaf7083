"""Pick one value from a (possibly long) list, filtering as you type: forecasters, tags, periods."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from forecast.tui.guard import Guarded, on

MAX_SHOWN = 200


class PickScreen(Guarded, ModalScreen[str | None]):
    """Dismisses with the chosen option's id ("" for the first, catch-all choice), or None on escape."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, title: str, choices: list[tuple[str, str]], current: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        """(id, label) pairs; ids are returned, labels shown and searched."""
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="pick-box") as box:
            box.border_title = self.title_text
            yield Input(placeholder="type to filter", id="pick-filter", compact=True)
            yield OptionList(id="pick-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#pick-filter", Input).focus()

    @on(Input.Changed, "#pick-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, text: str) -> None:
        words = text.lower().split()
        shown = [(i, label) for i, label in self.choices if all(w in label.lower() for w in words)]
        options = self.query_one("#pick-options", OptionList)
        options.clear_options()
        options.add_options(
            [Option(Text(label, style="bold" if i == self.current else ""), id=i or "\0") for i, label in shown[:MAX_SHOWN]]
        )
        if len(shown) > MAX_SHOWN:
            options.add_option(Option(Text(f"… {len(shown) - MAX_SHOWN} more: type to narrow", style="dim"),
                                      disabled=True))  # fmt: skip
        if shown:
            ids = [i for i, _ in shown[:MAX_SHOWN]]
            options.highlighted = ids.index(self.current) if self.current in ids and not words else 0

    def action_move(self, step: int) -> None:
        options = self.query_one("#pick-options", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#pick-filter")
    def _submitted(self) -> None:
        options = self.query_one("#pick-options", OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted))

    @on(OptionList.OptionSelected, "#pick-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option)

    def _choose(self, option: Option) -> None:
        if option.disabled or option.id is None:
            return
        self.dismiss("" if option.id == "\0" else option.id)
