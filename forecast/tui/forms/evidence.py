"""Add evidence to a question from a URL, a file or pasted text, with the stance it supports."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, RadioButton, RadioSet, TextArea

from forecast.core.errors import InvalidInput
from forecast.services.lookup import get_question
from forecast.tui import format as fmt
from forecast.tui.forms import checks
from forecast.tui.forms.base import Field, FormScreen
from forecast.tui.guard import on
from forecast.tui.messages import DataChanged
from forecast.tui.workers import db_work

SOURCES = ("url", "file", "paste")


def stance_picker(id: str = "stance-input") -> RadioSet:
    # The default comes first: a RadioSet highlights its first button, and the highlighted one must be the default.
    return RadioSet(RadioButton("neutral", id="stance-neutral", value=True),
                    RadioButton("supports YES", id="stance-yes"), RadioButton("supports NO", id="stance-no"),
                    id=id)  # fmt: skip


def picked_stance(radio: RadioSet) -> str:
    pressed = radio.pressed_button
    return pressed.id.removeprefix("stance-") if pressed is not None and pressed.id else "neutral"


class AddEvidenceForm(FormScreen):
    save_label = "Add"
    AUTO_FOCUS = "#url-input"

    def __init__(self, question_id: int) -> None:
        super().__init__()
        self.question_id = question_id

    def form_title(self) -> str:
        return "Add evidence"

    def fields(self) -> ComposeResult:
        yield Field(
            "From",
            RadioSet(RadioButton("URL", id="source-url", value=True), RadioButton("file", id="source-file"),
                     RadioButton("pasted text", id="source-paste"), id="source-input"),  # fmt: skip
            id="source",
        )
        yield Field("URL", Input(placeholder="https://…", id="url-input", compact=True), id="url", classes="source-url")
        yield Field("File", Input(placeholder="~/articles/report.html", id="file-input", compact=True), id="file",
                    classes="source-file")  # fmt: skip
        yield Field("Text", TextArea(id="paste-input", soft_wrap=True, compact=True, classes="tall"), id="paste",
                    classes="source-paste")  # fmt: skip
        yield Field("Title", Input(placeholder="taken from the article when empty", id="title-input", compact=True), id="title")
        yield Field(
            "Published",
            Input(placeholder="from the article when it says", id="published-input", compact=True),
            check=checks.when(self.ctx.now, self.ctx.tz, empty_hint="from the article, if it gives a date"),
            id="published",
        )
        yield Field("Stance", stance_picker(), id="stance")
        yield Field("Note", Input(placeholder="why it matters", id="note-input", compact=True), id="note")

    @db_work("loading the question", group="form-context")
    def load_context(self) -> None:
        db = self.app.open_database()
        if db is None:
            return
        with db.session() as session:
            q = get_question(session, self.question_id)
        self.post_message(self.ContextLoaded(q))

    def show_context(self, q) -> None:
        text = Text.assemble((q.title, "bold"), "\n", (q.slug, self.palette.muted))
        self.set_context(text)
        self._show_source("url")

    @on(RadioSet.Changed, "#source-input")
    def _source_changed(self, event: RadioSet.Changed) -> None:
        self._show_source(event.pressed.id.removeprefix("source-") if event.pressed.id else "url")

    def _show_source(self, source: str) -> None:
        for name in SOURCES:
            self.query_one(f"#{name}", Field).display = name == source

    def _source(self) -> str:
        pressed = self.query_one("#source-input", RadioSet).pressed_button
        return pressed.id.removeprefix("source-") if pressed is not None and pressed.id else "url"

    def collect(self) -> dict:
        values = super().collect()
        source = self._source()
        values["source"] = source
        body = values[source].strip() if isinstance(values[source], str) else ""
        if not body:
            raise InvalidInput({"url": "give the article's URL", "file": "give a file path",
                                "paste": "paste the article's text"}[source])  # fmt: skip
        values["body"] = body
        values["stance"] = picked_stance(self.query_one("#stance-input", RadioSet))
        return values

    def prepare(self, db, values: dict) -> dict:
        from forecast.services import evidence

        link = evidence.LinkSpec(question=self.question_id, stance=values["stance"], note=values["note"].strip())
        body = values["body"]
        if values["source"] == "file":
            from pathlib import Path

            body = str(Path(body).expanduser())
        source = "text" if values["source"] == "paste" else values["source"]
        draft = evidence.prepare_draft(db, source, body, link=link, title=values["title"].strip() or None,
                                       now=self.ctx.now())  # fmt: skip
        return {**values, "link": link, "draft": draft}

    def save(self, session, values: dict) -> DataChanged:
        from forecast.services import evidence

        result = evidence.store_draft(session, values["draft"], link=values["link"], published=values["published"],
                                      now=self.ctx.now())  # fmt: skip
        notes = "; ".join(getattr(result, "notes", ()) or ())
        slug = get_question(session, self.question_id).slug
        title = fmt.first_line(result.evidence.title or result.evidence.key, 60)
        return DataChanged("evidence", self.question_id, note=notes,
                           done=f"Saved evidence “{title}” ({values['stance']}) on {slug}")  # fmt: skip
