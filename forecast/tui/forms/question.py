"""Create or edit a question: title, dates as the CLI reads them, tags, criteria, description, auto rule."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, RadioButton, RadioSet, TextArea

from forecast.core.deadline import deadline_from_title
from forecast.core.errors import InvalidInput
from forecast.core.model import AutoRule
from forecast.core.timeparse import local
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services import tags as tag_service
from forecast.services import undo
from forecast.services.lookup import get_question
from forecast.services.questions.authoring import QuestionDraft, add_question, edit_question
from forecast.tui import format as fmt
from forecast.tui.forms import checks
from forecast.tui.forms.base import Field, FormScreen, optional, required
from forecast.tui.guard import on
from forecast.tui.messages import DataChanged
from forecast.tui.workers import db_work

FROM_TITLE_HINT = "empty: read from the title ('before 2027-03-01', 'by end of 2027', 'in 2027')"
# Radio buttons, not a Select: a Select's drop-down opens over the form's border and its buttons.
AUTO_CHOICES = [("by hand", ""), ("NO at close", AutoRule.NO_AT_CLOSE.value),
                ("YES at close", AutoRule.YES_AT_CLOSE.value)]  # fmt: skip


def _auto_picker() -> RadioSet:
    return RadioSet(*(RadioButton(label, value=not rule, id=_auto_id(rule)) for label, rule in AUTO_CHOICES),
                    id="auto-input")  # fmt: skip


def _auto_id(rule: str) -> str:
    return f"auto-{rule or 'none'}"


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
        new = self.question_id is None
        yield Field(
            "Closes",
            Input(placeholder="2026-12-31, 'in 3 months', 'next year'", id="closes-input", compact=True),
            check=self._closes if new else checks.when(now, tz, required=True),
            hint=FROM_TITLE_HINT if new else "when forecasting stops",
            id="closes",
        )
        if new:
            yield Field(
                "Forecast",  # the first forecast; "First forecast" is wider than the labels' column
                Input(placeholder="optional: 35%", id="first-input", compact=True),
                check=optional(checks.probability(None, self.palette)),
                hint="optional: your first forecast, recorded now with the question",
                id="first",
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
        yield Field("Auto-resolve", _auto_picker(), id="auto")

    def _closes(self, text: str):
        """As `q add`: a date typed here, else the deadline the title states (core/deadline.py)."""
        at, preview = checks.when(self.ctx.now, self.ctx.tz)(text)
        if at is not None:
            return at, preview
        title = self.query_one("#title-input", Input).value if self.is_mounted else ""
        at = deadline_from_title(title, now=self.ctx.now(), tz=self.ctx.tz)
        if at is None:
            return None, FROM_TITLE_HINT
        return at, f"read from the title: {checks.moment(at, self.ctx.now(), self.ctx.tz)}"

    @on(Input.Changed, "#title-input")
    def _title_changed(self) -> None:
        if self.question_id is None and not self.query_one("#closes-input", Input).value.strip():
            self.query_one("#closes", Field).validate_now()

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
        self.query_one(f"#{_auto_id(q.auto_rule or '')}", RadioButton).value = True

    def collect(self) -> dict:
        values = super().collect()
        pressed = self.query_one("#auto-input", RadioSet).pressed_button
        values["auto"] = {_auto_id(rule): rule for _, rule in AUTO_CHOICES}.get(pressed.id if pressed else "", "")
        if self.question_id is None:
            values["from_title"] = not self.query_one("#closes-input", Input).value.strip()
            if values["closes"] is None:
                self.query_one("#closes-input", Input).focus()
                raise InvalidInput("Closes: no deadline in the title (say 'before 2027-03-01', 'by end of 2027', "
                                   "'in 2027'), so give a date here")  # fmt: skip
            if values["first"] is not None and values["closes"] <= self.ctx.now():
                self.query_one("#first-input", Input).focus()
                raise InvalidInput("Forecast: the deadline has passed, so a forecast made now cannot count; save "
                                   "without it, then log the forecasts you made while it was open with f")  # fmt: skip
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
            done = f"Saved new question {row.slug}, closes {local(row.closes_at, self.ctx.tz)}"
            if values["from_title"]:
                done += " (read from the title)"
            if values["first"] is not None:
                record_forecast(session, ForecastRequest(row.id, values["first"], self.ctx.me), now=self.ctx.now())
                done += f", with your forecast {fmt.pct(values['first'])}"
            if row.status != "open":
                done += f"\nIts deadline has passed, so it was created {row.status}: press f on it to log the " \
                        "forecasts you made while it was open"  # fmt: skip
            return DataChanged("question", row.id, undo=undo.for_new_question(row), done=done)
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
        token = undo.before_edit(session, self.question_id)
        row, changed = edit_question(session, self.question_id, now=self.ctx.now(), **changes)
        what = ", ".join(_FIELD_NAMES[k] for k in changes) or "nothing changed"
        return DataChanged("question", row.id, undo=token if changed else None, done=f"Saved question {row.slug}: {what}")


_FIELD_NAMES = {"title": "title", "criteria": "criteria", "description": "description", "closes_at": "closes",
                "opens_at": "opens", "resolves_at": "resolves", "tags": "tags", "auto": "auto-resolve"}  # fmt: skip


def _minute(at):
    return None if at is None else at.replace(second=0, microsecond=0)
