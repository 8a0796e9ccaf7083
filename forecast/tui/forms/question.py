"""Create or edit a question: title, dates as the CLI reads them, tags, criteria, description, auto rule."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from forecast.core.model import AutoRule
from forecast.services import tags as tag_service
from forecast.services.lookup import get_question
from forecast.services.questions import QuestionDraft, add_question, edit_question
from forecast.tui.forms import checks
from forecast.tui.forms.base import Field, FormScreen, required
from forecast.tui.messages import DataChanged
from forecast.tui.workers import db_work

AUTO_CHOICES = [("none: resolve by hand", ""), ("NO at close", AutoRule.NO_AT_CLOSE.value),
                ("YES at close", AutoRule.YES_AT_CLOSE.value)]  # fmt: skip


class QuestionForm(FormScreen):
    AUTO_FOCUS = "#title-input"

    def __init__(self, question_id: int | None = None) -> None:
        super().__init__()
        self.question_id = question_id
        self.original: dict | None = None

    def form_title(self) -> str:
        return "New question" if self.question_id is None else "Edit question"

    def fields(self) -> ComposeResult:
        now, tz = self.ctx.now, self.ctx.tz
        yield Field("Title", Input(placeholder="Will …?", id="title-input", compact=True), check=required("the title"), id="title")
        yield Field(
            "Closes",
            Input(placeholder="2026-12-31, 'in 3 months', 'next year'", id="closes-input", compact=True),
            check=checks.when(now, tz, required=True),
            hint="when forecasting stops",
            id="closes",
        )
        yield Field(
            "Opens",
            Input(placeholder="now", id="opens-input", compact=True),
            check=checks.when(now, tz),
            id="opens",
        )
        yield Field(
            "Resolves",
            Input(placeholder="when it closes", id="resolves-input", compact=True),
            check=checks.when(now, tz),
            id="resolves",
        )
        yield Field("Tags", Input(placeholder="politics europe", id="tags-input", compact=True), check=checks.tags, id="tags")
        yield Field("Criteria", TextArea(id="criteria-input", soft_wrap=True, compact=True), id="criteria")
        yield Field("Description", TextArea(id="description-input", soft_wrap=True, compact=True, classes="short"), id="description")
        yield Field("Auto-resolve", Select(AUTO_CHOICES, allow_blank=False, value="", id="auto-input", compact=True),
                    id="auto")  # fmt: skip

    @db_work("loading the question", group="form-context")
    def load_context(self) -> None:
        if self.question_id is None:
            self.post_message(self.ContextLoaded(None))
            return
        db = self.app.open_database()
        if db is None:
            return
        with db.session() as session:
            q = get_question(session, self.question_id)
            tags = tag_service.tags_of(session, q.id)
            data = {"q": q, "tags": tags}
        self.post_message(self.ContextLoaded(data))

    def show_context(self, data) -> None:
        if data is None:
            self.set_context("Dates accept what the CLI accepts: 2026-12-31, '2026-12-31 18:00', 'in 3 months'.")
            return
        q, tz = data["q"], self.ctx.tz
        from forecast.core.timeparse import local

        self.original = {
            "title": q.title, "closes": q.closes_at, "opens": q.opens_at, "resolves": q.resolves_at,
            "tags": tuple(data["tags"]), "criteria": q.criteria, "description": q.description,
            "auto": q.auto_rule or "",
        }  # fmt: skip
        self.set_context(f"{q.slug} · {q.status}")
        values = {
            "#title-input": q.title,
            "#closes-input": local(q.closes_at, tz, "YYYY-MM-DD HH:mm"),
            "#opens-input": local(q.opens_at, tz, "YYYY-MM-DD HH:mm"),
            "#resolves-input": local(q.resolves_at, tz, "YYYY-MM-DD HH:mm") if q.resolves_at != q.closes_at else "",
            "#tags-input": " ".join(data["tags"]),
        }
        for selector, value in values.items():
            box = self.query_one(selector, Input)
            if not box.value:  # keep anything typed before the question arrived
                box.value = value
        for selector, value in (("#criteria-input", q.criteria), ("#description-input", q.description)):
            area = self.query_one(selector, TextArea)
            if not area.text:
                area.text = value
        self.query_one("#auto-input", Select).value = q.auto_rule or ""

    def collect(self) -> dict:
        values = super().collect()
        values["auto"] = self.query_one("#auto-input", Select).value or ""
        return values

    def save(self, session, values: dict) -> DataChanged:
        auto = AutoRule(values["auto"]) if values["auto"] else None
        if self.question_id is None:
            row = add_question(
                session,
                QuestionDraft(
                    title=values["title"],
                    closes_at=values["closes"],
                    opens_at=values["opens"],
                    resolves_at=values["resolves"],
                    description=values["description"],
                    criteria=values["criteria"],
                    tags=values["tags"] or (),
                    auto=auto,
                ),
                now=self.ctx.now(),
            )
            return DataChanged("question", row.id)
        changes: dict = {}
        original = self.original or {}
        for key, arg in (("title", "title"), ("criteria", "criteria"), ("description", "description")):
            if values[key] != original.get(key):
                changes[arg] = values[key]
        # Dates typed back unchanged are re-read at minute precision; only real edits are applied.
        for key, arg in (("closes", "closes_at"), ("opens", "opens_at")):
            if values[key] is not None and _minute(values[key]) != _minute(original.get(key)):
                changes[arg] = values[key]
        resolves = values["resolves"]
        if resolves is None and original.get("resolves") != original.get("closes"):
            changes["resolves_at"] = None
        elif resolves is not None and _minute(resolves) != _minute(original.get("resolves")):
            changes["resolves_at"] = resolves
        if tuple(values["tags"] or ()) != tuple(original.get("tags", ())):
            changes["tags"] = values["tags"] or ()
        if values["auto"] != original.get("auto"):
            changes["auto"] = auto
        row, _changed = edit_question(session, self.question_id, now=self.ctx.now(), **changes)
        return DataChanged("question", row.id)


def _minute(at):
    return None if at is None else at.replace(second=0, microsecond=0)
