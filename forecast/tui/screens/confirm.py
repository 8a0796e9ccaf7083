"""Ask before a change that takes something away (a delete): y or enter confirms, n or esc cancels."""

from __future__ import annotations

from rich.text import Text

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from forecast.tui.bindings import bindings
from forecast.tui.guard import Guarded, on


class ConfirmScreen(Guarded, ModalScreen[bool]):
    """Dismisses with True (confirmed) or False."""

    SCOPE = "confirm"
    BINDINGS = bindings("confirm")

    def __init__(self, title: str, question: str, *, confirm_label: str = "Delete") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm-box") as box:
            box.border_title = self.title_text
            yield Static(Text(self.question), id="confirm-text")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.confirm_label} (y)", variant="error", id="confirm-yes", compact=True)
                yield Button("Cancel (n)", id="confirm-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # a stray enter cancels; y confirms

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)
