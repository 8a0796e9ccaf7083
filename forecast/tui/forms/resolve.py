"""Resolve a question (YES, NO or annulled, when, why) or take a resolution back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, RadioButton, RadioSet

from forecast.core.errors import InvalidInput
from forecast.core.model import Resolution
from forecast.services.kinds import spec_of
from forecast.services.lookup import get_question
from forecast.services import undo
from forecast.services.resolution import resolve, unresolve
from forecast.tui.forms import checks
from forecast.tui.forms.base import Field, FormScreen
from forecast.tui.guard import guarded, on
from forecast.tui.messages import DataChanged
from forecast.tui.workers import db_work


class _QuestionForm(FormScreen):
    def __init__(self, question_id: int) -> None:
        super().__init__()
        self.question_id = question_id

    @db_work("loading the question", group="form-context")
    def load_context(self) -> None:
        db = self.app.open_database()
        if db is None:
            return
        with db.session() as session:
            q = get_question(session, self.question_id)
        self.post_message(self.ContextLoaded(q))

    def show_context(self, q) -> None:
        text = Text.assemble((q.title, "bold"), "\n", (f"{q.slug} · {q.status}", self.palette.muted))
        spec = spec_of(q)
        if q.resolution:
            shown = q.resolution.upper() if q.outcome is None else spec.shown_outcome(q.outcome)
            text.append(f" · resolved {shown}", style=self.palette.muted)
        if not spec.binary:
            text.append(f" · {spec.describe()}", style=self.palette.muted)
        self.set_context(text)


class ResolveForm(_QuestionForm):
    save_label = "Resolve"
    AUTO_FOCUS = "#outcome-input"
    spec = None
    """A non-binary question's KindSpec, once loaded: its outcome entry replaces YES / NO."""

    def show_context(self, q) -> None:
        super().show_context(q)
        spec = spec_of(q)
        if spec.binary:
            return
        from forecast.tui.forms import kinds

        self.spec = spec
        binary = self.query_one("#outcome", Field)
        if spec.choices is not None:
            buttons = [RadioButton(o.label if o.label == o.key else f"{o.label} ({o.key})", id=f"option-{o.key}")
                       for o in spec.choices.options]  # fmt: skip
            field = Field("Outcome", RadioSet(*buttons, RadioButton("annulled", id="annulled"), id="kind-outcome-input"),
                          hint="arrows and space; a: annulled", id="kind-outcome")  # fmt: skip
        else:
            field = Field("Outcome", Input(placeholder=kinds.outcome_hint(spec), id="kind-outcome-input", compact=True),
                          check=_or_annulled(kinds.outcome_check(spec, self.palette)),
                          hint=kinds.outcome_hint(spec) + ", or annulled", id="kind-outcome")  # fmt: skip
        self.call_later(self._swap_outcome, field, binary)

    @guarded
    async def _swap_outcome(self, field: Field, binary: Field) -> None:
        await self.query_one(".form-body").mount(field, before=binary)
        await binary.remove()
        self.query_one("#kind-outcome-input").focus()

    def form_title(self) -> str:
        return "Resolve question"

    def fields(self) -> ComposeResult:
        yield Field(
            "Outcome",
            RadioSet(RadioButton("YES", id="yes"), RadioButton("NO", id="no"),
                     RadioButton("annulled", id="annulled"), id="outcome-input"),  # fmt: skip
            hint="y / n / a, or arrows and space",
            id="outcome",
        )
        yield Field(
            "Resolved at",
            Input(placeholder="now", id="at-input", compact=True),
            check=checks.when(self.ctx.now, self.ctx.tz, empty_hint="now"),
            hint="now",
            id="at",
        )
        yield Field("Note", Input(placeholder="source or reason", id="note-input", compact=True), id="note")

    def on_key(self, event) -> None:
        # Quick picks while the outcome has focus.
        if self.focused is not None and self.focused.id == "kind-outcome-input" and event.key == "a" and \
                isinstance(self.focused, RadioSet):  # fmt: skip
            self.query_one("#annulled", RadioButton).value = True
            event.stop()
        if self.focused is not None and self.focused.id == "outcome-input" and event.key in ("y", "n", "a"):
            target = {"y": "yes", "n": "no", "a": "annulled"}[event.key]
            self.query_one(f"#{target}", RadioButton).value = True
            event.stop()

    @on(RadioSet.Changed)
    def _picked(self) -> None:
        for field in self.query("#outcome, #kind-outcome").results(Field):
            field.query_one(".field-hint").update("")

    def collect(self) -> dict:
        values = super().collect()
        if self.spec is not None:
            return self._kind_collect(values)
        pressed = self.query_one("#outcome-input", RadioSet).pressed_button
        if pressed is None:
            self.query_one("#outcome-input", RadioSet).focus()
            raise InvalidInput("choose an outcome: YES, NO or annulled")
        values["outcome"] = Resolution(pressed.id)
        return values

    def _kind_collect(self, values: dict) -> dict:
        if self.spec.choices is not None:
            radio = self.query_one("#kind-outcome-input", RadioSet)
            pressed = radio.pressed_button
            if pressed is None:
                radio.focus()
                raise InvalidInput("choose the option it resolved as, or annulled")
            values["outcome"] = pressed.id.removeprefix("option-")
        else:
            values["outcome"] = values.pop("kind-outcome")
        return values

    def save(self, session, values: dict) -> DataChanged:
        q = resolve(
            session,
            self.question_id,
            values["outcome"],
            actor=self.ctx.me,
            at=values["at"],
            note=values["note"].strip(),
            now=self.ctx.now(),
        )
        slug = get_question(session, self.question_id).slug
        if q.resolution == Resolution.ANNULLED.value:
            done = f"Annulled {slug}"
        elif q.outcome is not None:
            done = f"Resolved {slug}: {spec_of(q).shown_outcome(q.outcome)}"
        else:
            done = f"Resolved {slug} {q.resolution.upper()}"
        return DataChanged("resolution", self.question_id, undo=undo.for_resolution(q, before=None), done=done)


def _or_annulled(check):
    """`annulled` as well as what the kind's outcome check reads."""

    def run(text: str):
        if text.strip().lower() == "annulled":
            return "annulled", "annulled: no outcome, nothing scored"
        return check(text)

    return run


class UnresolveForm(_QuestionForm):
    save_label = "Unresolve"
    AUTO_FOCUS = "#note-input"

    def form_title(self) -> str:
        return "Unresolve question"

    def fields(self) -> ComposeResult:
        yield Field("Why", Input(placeholder="e.g. resolved too early", id="note-input", compact=True),
                    hint="kept in the resolution history", id="note")  # fmt: skip

    def save(self, session, values: dict) -> DataChanged:
        before = undo.resolution_state(get_question(session, self.question_id))
        q = unresolve(session, self.question_id, actor=self.ctx.me, note=values["note"].strip(), now=self.ctx.now())
        return DataChanged("resolution", self.question_id, undo=undo.for_resolution(q, before=before),
                           done=f"Unresolved {q.slug}: open to forecasts again")
