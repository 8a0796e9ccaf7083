"""Forms: fields that validate as you type, an inline error line, and saving through a service in a worker.

A form stays open until the service accepts what was entered; a refusal (a ForecastError) is shown
inline and nothing is written, since each save is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from forecast.core.errors import ForecastError, InvalidInput
from forecast.tui.bindings import bindings
from forecast.tui.context import TuiContext
from forecast.tui.forms.words import on_the_form
from forecast.tui.guard import Guarded, on
from forecast.tui.messages import DataChanged, WorkFailed
from forecast.tui.palette import Palette
from forecast.tui.workers import db_work

if TYPE_CHECKING:
    from forecast.tui.app import ForecastApp

Check = Callable[[str], tuple[Any, str | Text]]
"""Text -> (value, preview); raises InvalidInput with the reason when the text is not acceptable."""


class Field(Vertical):
    """A label, an input, and a line below that shows either a preview of the parsed value or the error."""

    def __init__(self, label: str, widget: Widget, *, check: Check | None = None, hint: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.widget = widget
        self.check = check
        self.hint = hint
        self.value: Any = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(self.label, classes="field-label")
            yield self.widget
        hint = Static(Text(self.hint), classes="field-hint")
        hint.display = bool(self.hint)
        yield hint

    @property
    def text(self) -> str:
        w = self.widget
        if isinstance(w, TextArea):
            return w.text
        if isinstance(w, Input):
            return w.value
        return str(getattr(w, "value", "") or "")

    def validate_now(self) -> bool:
        """Run the check on the current text; show its preview or its error. True when valid."""
        hint = self.query_one(".field-hint", Static)
        if self.check is None:
            self.value, self.error = self.text, None
            return True
        try:
            self.value, preview = self.check(self.text)
        except ForecastError as exc:
            self.value, self.error = None, on_the_form(str(exc))
            hint.update(Text(f"✘ {self.error}"))
            hint.display = True
            self.add_class("-invalid")
            return False
        self.error = None
        self.remove_class("-invalid")
        shown = preview if isinstance(preview, Text) else Text(preview or self.hint)
        hint.update(shown)
        hint.display = bool(shown.plain)
        return True

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self.validate_now()


class FormScreen(Guarded, ModalScreen[DataChanged | None]):
    """Subclasses give `form_title`, `fields()`, `collect()` and `save()`; `load()` may fetch context first."""

    BINDINGS = bindings("form")
    SCOPE = "form"
    save_label = "Save"

    @dataclass
    class Saved(Message):
        result: DataChanged

    @dataclass
    class ContextLoaded(Message):
        data: Any

    if TYPE_CHECKING:  # Textual types `app` as App[object]; ours is always a ForecastApp

        @property
        def app(self) -> ForecastApp: ...

    def __init__(self) -> None:
        super().__init__()
        self.saving = False

    @property
    def ctx(self) -> TuiContext:
        return self.app.ctx

    @property
    def palette(self) -> Palette:
        return self.app.palette

    def form_title(self) -> str:
        return "Form"

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form-box") as box:
            box.border_title = self.form_title()
            yield Static(id="form-context", classes="form-context")
            with Vertical(classes="form-body"):
                yield from self.fields()
            yield Static(id="form-error", classes="form-error")
            yield Static(
                Content.assemble(
                    Content.styled(f" {self.save_label} ", "bold reverse").stylize("@click=screen.save"),
                    ("  ctrl+s    ", "dim"),
                    Content.styled(" Cancel ", "reverse").stylize("@click=screen.cancel"),
                    ("  esc", "dim"),
                ),
                id="form-buttons",
            )

    def fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.load_context()

    # --- context ------------------------------------------------------------------------------------------

    def load_context(self) -> None:
        """Fetch what the form needs to show (override with a db_work method); default: nothing."""
        self.post_message(self.ContextLoaded(None))

    @on(ContextLoaded)
    def _context_loaded(self, message: ContextLoaded) -> None:
        self.show_context(message.data)
        for field in self.query(Field):
            if field.text:
                field.validate_now()

    def show_context(self, data: Any) -> None:
        pass

    def set_context(self, text: Text | Content | str) -> None:
        self.query_one("#form-context", Static).update(text)

    # --- saving -------------------------------------------------------------------------------------------

    def collect(self) -> Any:
        """Validate every field and return what `save` needs; raise InvalidInput to refuse."""
        bad = [f for f in self.query(Field) if not f.validate_now()]
        if bad:
            bad[0].widget.focus()
            raise InvalidInput(f"{bad[0].label.rstrip(':')}: {bad[0].error}")
        return {f.id: f.value for f in self.query(Field) if f.id}

    def prepare(self, db, values: Any) -> Any:
        """Work done before the write transaction (fetching, reading files); its result goes to `save`."""
        return values

    def save(self, session, values: Any) -> DataChanged:
        """The form's unit of work; it may run more than once when the database is busy."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        try:
            values = self.collect()
        except ForecastError as exc:
            self.show_error(str(exc))
            return
        self.show_error(None)
        self.saving = True
        self.query_one("#form-buttons").add_class("-busy")
        self.write(values)

    @db_work("saving", group="form-save")
    def write(self, values: Any) -> None:
        db = self.app.open_database()
        if db is None:
            return
        values = self.prepare(db, values)
        result = db.write(lambda session: self.save(session, values))
        self.post_message(self.Saved(result))

    def _save_failed(self) -> None:
        self.saving = False
        self.query_one("#form-buttons").remove_class("-busy")

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.dismiss(message.result)

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self._save_failed()
        self.show_error(message.error)
        if message.expected:
            message.stop()

    def show_error(self, error: str | None) -> None:
        box = self.query_one("#form-error", Static)
        box.update(Text(f"✘ {on_the_form(error)}") if error else "")
        box.set_class(bool(error), "-shown")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()


def optional(check: Check) -> Check:
    """Empty text is fine (value None); anything else must pass `check`."""

    def run(text: str):
        if not text.strip():
            return None, ""
        return check(text)

    return run


def required(what: str) -> Check:
    def run(text: str):
        if not text.strip():
            raise InvalidInput(f"{what} must not be empty")
        return text.strip(), ""

    return run
