"""Link evidence to a question: pick existing evidence for a question, or a question for an inbox item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from forecast.core.errors import ForecastError, InvalidInput
from forecast.core.timeparse import from_micros, humanize
from forecast.services import undo
from forecast.services.lookup import get_question
from forecast.services.questions.table import search_questions
from forecast.services.views import QuestionSearchRow
from forecast.tui import format as fmt
from forecast.tui.forms.base import Field, FormScreen
from forecast.tui.forms.evidence import picked_stance, stance_picker
from forecast.tui.guard import on
from forecast.tui.messages import DataChanged
from forecast.tui.workers import db_work

if TYPE_CHECKING:
    from forecast.services.views import EvidenceRow, EvidenceSearchRow, InboxRow

SEARCH_DELAY = 0.15


def marked(snippet: str, style: str = "bold") -> Text:
    """A search snippet with «matches» emphasised; the rest stays literal text."""
    out = Text()
    rest = snippet
    while "«" in rest and "»" in rest.split("«", 1)[1]:
        before, tail = rest.split("«", 1)
        match, rest = tail.split("»", 1)
        out.append(before)
        out.append(match, style=style)
    out.append(rest)
    return out


class _PickerForm(FormScreen):
    """A search box over a list of candidates; the highlighted candidate is the one linked."""

    save_label = "Link"
    placeholder = "type to search"
    AUTO_FOCUS = "#search-input"

    @dataclass
    class Found(Message):
        query: str
        items: list

    def __init__(self) -> None:
        super().__init__()
        self.items: list = []
        self.shown_for: str | None = None  # the search whose results the list shows
        self._timer = None

    def fields(self) -> ComposeResult:
        yield Field("Search", Input(placeholder=self.placeholder, id="search-input", compact=True), id="search")
        yield OptionList(id="candidates")
        yield Field("Stance", stance_picker(), id="stance")
        yield Field("Note", Input(placeholder="why it matters", id="note-input", compact=True), id="note")

    @on(Input.Changed, "#search-input")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, lambda: self.find(event.value))

    @on(Input.Submitted, "#search-input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.prevent_default()  # Enter in the search box picks from the list; it does not save the form
        event.stop()
        self.query_one("#candidates", OptionList).focus()

    def find(self, query: str) -> None:
        raise NotImplementedError

    @on(Found)
    def _found(self, message: Found) -> None:
        self.items = message.items
        self.shown_for = message.query
        options = self.query_one("#candidates", OptionList)
        options.clear_options()
        options.add_options([Option(self.describe(item)) for item in message.items] or
                            [Option(Text("nothing found", style=self.palette.muted), disabled=True)])  # fmt: skip
        if message.items:
            options.highlighted = 0

    def describe(self, item) -> Text:
        raise NotImplementedError

    def picked(self):
        options = self.query_one("#candidates", OptionList)
        i = options.highlighted
        if i is None or not 0 <= i < len(self.items):
            options.focus()
            raise InvalidInput("pick one from the list (type to search, arrows to choose)")
        return self.items[i]

    def collect(self) -> dict:
        values = super().collect()
        values["item"] = self.picked()
        values["stance"] = picked_stance(self.query_one("#stance-input"))
        return values


class LinkEvidenceForm(_PickerForm):
    """From a question: link evidence already in the database."""

    placeholder = "words from the title or text; empty shows the newest"

    def __init__(self, question_id: int) -> None:
        super().__init__()
        self.question_id = question_id

    def form_title(self) -> str:
        return "Link existing evidence"

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
        self.find("")

    @db_work("searching evidence", group="form-search")
    def find(self, query: str) -> None:
        from forecast.services import evidence_query as queries

        db = self.app.open_database()
        if db is None:
            return
        with db.session() as session:
            try:
                items = queries.search_evidence(session, query, limit=30) if query.strip() else \
                    queries.list_evidence(session, limit=30)  # fmt: skip
            except InvalidInput:
                items = []  # only punctuation typed so far: nothing to search for yet
        self.post_message(self.Found(query, items))

    def describe(self, item: EvidenceRow | EvidenceSearchRow) -> Text:
        text = Text.assemble((item.title or item.key or "", "bold"))
        bits = [b for b in (item.outlet, item.published_at.strftime("%Y-%m-%d") if item.published_at else None) if b]
        if bits:
            text.append("  " + " · ".join(bits), style=self.palette.muted)
        snippet = getattr(item, "snippet", None)  # only a search result has one
        if snippet:
            text.append("\n")
            text.append_text(marked(snippet))
        return text

    def save(self, session, values: dict) -> DataChanged:
        from forecast.services import evidence

        token = undo.before_link(session, values["item"].id, self.question_id)
        evidence.link_evidence(session, values["item"].id, self.question_id, stance=values["stance"],
                               note=values["note"].strip(), now=self.ctx.now())  # fmt: skip
        return DataChanged("evidence", self.question_id, undo=token,
                           done=_linked(values["item"], get_question(session, self.question_id).slug, values["stance"]))


class LinkToQuestionForm(_PickerForm):
    """From the inbox: link an item to a question (the feed's proposals come first)."""

    placeholder = "words from the question's title, or its slug"

    def __init__(self, item: InboxRow) -> None:
        super().__init__()
        self.item = item

    def form_title(self) -> str:
        return "Link to a question"

    def show_context(self, data) -> None:
        item = self.item
        text = Text.assemble((item.title or item.key or "", "bold"))
        if item.outlet or item.published_at:
            bits = [b for b in (item.outlet, item.published_at.strftime("%Y-%m-%d") if item.published_at else None) if b]
            text.append("\n" + " · ".join(bits), style=self.palette.muted)
        self.set_context(text)
        self.find("")

    @db_work("searching questions", group="form-search")
    def find(self, query: str) -> None:
        db = self.app.open_database()
        if db is None:
            return
        proposed = [p.question for p in self.item.proposals]
        with db.session() as session:
            items = []
            if not query.strip():
                for slug in proposed:
                    try:
                        q = get_question(session, slug)
                    except ForecastError:
                        continue
                    items.append(QuestionSearchRow(q.id, q.slug, q.title, q.status, None, proposed=True))
            seen = {i.id for i in items}
            items += [i for i in search_questions(session, query, limit=30) if i.id not in seen]
        self.post_message(self.Found(query, items))

    def describe(self, item: QuestionSearchRow) -> Text:
        text = Text.assemble((item.title, "bold"))
        text.append(f"\n{item.slug} · {item.status}", style=self.palette.muted)
        if item.closes_at:
            text.append(f" · closes {humanize(item.closes_at, now=self.ctx.now())}", style=self.palette.muted)
        if item.proposed:
            text.append("  proposed by the feed", style=self.palette.accent)
        return text

    def save(self, session, values: dict) -> DataChanged:
        from forecast.services import evidence

        token = undo.before_link(session, self.item.id, values["item"].id)
        evidence.link_evidence(session, self.item.id, values["item"].id, stance=values["stance"],
                               note=values["note"].strip(), now=self.ctx.now())  # fmt: skip
        done = _linked(self.item, values["item"].slug, values["stance"])
        return DataChanged("evidence", values["item"].id, undo=token, done=done)


def _linked(evidence, slug: str, stance: str) -> str:
    return f"Linked “{fmt.first_line(evidence.title or evidence.key, 60)}” ({stance}) to {slug}"
