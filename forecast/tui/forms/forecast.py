"""New forecast: probability (0.35 or 35%, with the change from your last), when, rationale, evidence."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, SelectionList, TextArea
from textual.widgets.selection_list import Selection

from forecast.core.backfill import GLYPH, is_backfilled
from forecast.services.forecasts import ForecastRequest, check_forecast_time, history, record_forecast
from forecast.services.kinds import spec_of
from forecast.services.lookup import get_question
from forecast.services.questions.detail import linked_evidence
from forecast.services.questions.listing import latest_by_question
from forecast.tui import format as fmt
from forecast.tui.forms import checks
from forecast.tui.forms.base import Field, FormScreen
from forecast.tui.guard import guarded
from forecast.tui.messages import DataChanged
from forecast.tui.workers import db_work


class ForecastForm(FormScreen):
    save_label = "Record"
    AUTO_FOCUS = "#probability-input"

    def __init__(self, question_id: int, *, evidence: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.question_id = question_id
        self.preselected = set(evidence)
        self.previous: float | None = None
        self.question = None
        """The question, once loaded: its window decides which "made at" times are accepted."""
        self.spec = None
        """A non-binary question's KindSpec, once loaded (its entry replaces the probability field)."""

    def _made_at(self, text: str):
        """The parser `predict --at` uses; accepted by the rule `predict` applies (the question's window)."""
        at, preview = checks.when(self.ctx.now, self.ctx.tz, empty_hint="now, when you save")(text)
        now = self.ctx.now()
        if self.question is not None:
            check_forecast_time(self.question, at or now, now)
        if at is not None and is_backfilled(at, now, self.ctx.backfill_after):
            preview = Text.assemble(preview, "  ", (f"{GLYPH} backfilled", f"bold {self.palette.warn}"),
                                    (": recorded now, long after this time", self.palette.muted))  # fmt: skip
        return at, preview

    def form_title(self) -> str:
        return "New forecast"

    def fields(self) -> ComposeResult:
        yield Field(
            "Probability",
            Input(placeholder="0.35 or 35%", id="probability-input", compact=True),
            check=checks.probability(None, self.palette),
            hint="0.35 or 35%",
            id="probability",
        )
        yield Field(
            "Made at",
            Input(placeholder="now", id="when-input", compact=True),
            check=self._made_at,
            hint="now; an earlier time logs a forecast you made then",
            id="when",
        )
        yield Field("Rationale", TextArea(id="rationale-input", soft_wrap=True, compact=True), id="rationale")
        yield Field(
            "Evidence behind this update",
            SelectionList[str](id="evidence-input"),
            hint="space to tick; a to add new evidence from the question",
            id="evidence",
        )

    @db_work("loading the question", group="form-context")
    def load_context(self) -> None:
        db = self.app.open_database()
        if db is None:
            return
        with db.session() as session:
            q = get_question(session, self.question_id)
            latest = latest_by_question(session, {q.id}).get(q.id, {}) if q.kind == "binary" else {}
            evidence = linked_evidence(session, q.id)
            last = None
            if q.kind != "binary":
                own = [f for f in history(session, q.id) if f.forecaster == self.ctx.me and not f.superseded]
                last = own[-1].entered if own else None
        self.post_message(self.ContextLoaded({"q": q, "latest": latest, "evidence": evidence, "spec": spec_of(q),
                                              "last": last}))  # fmt: skip

    def show_context(self, data) -> None:
        q = data["q"]
        self.question = q
        self.previous = data["latest"].get(self.ctx.me)
        context = Text.assemble((q.title, "bold"), "\n", (q.slug, self.palette.muted))
        if data["spec"].binary:
            field = self.query_one("#probability", Field)
            field.check = checks.probability(self.previous, self.palette)
        else:
            self._kind_fields(data["spec"])
            context.append(f"  ·  {data['spec'].describe()}", style=self.palette.muted)
            if data["last"]:
                context.append(f"\nyour last: {data['last']}", style=self.palette.muted)
        if self.previous is not None:
            context.append(f"  ·  your last: {round(self.previous * 100, 1):g}%", style=self.palette.muted)
        if q.status != "open" or q.closes_at <= self.ctx.now():
            state = f"This question is {q.status}" if q.status != "open" else "Its close date has passed"
            context.append(f"\n{state}: it takes no more forecasts made now. To log one you made while it was open, "
                           f"set Made at to a time before {fmt.local_time(q.closes_at, self.ctx.tz)}.",
                           style=f"bold {self.palette.warn}")  # fmt: skip
        self.set_context(context)
        options = self.query_one("#evidence-input", SelectionList)
        for e in data["evidence"]:
            label = Text(f"{e.stance or 'neutral':>7}  ", style=self.palette.muted)
            label.append(e.title or e.key)
            options.add_option(Selection(label, e.key, e.key in self.preselected))
        if not data["evidence"]:
            self.query_one("#evidence", Field).display = False

    def _kind_fields(self, spec) -> None:
        """A choice or continuous question: its own entry in place of the probability, checked by its KindSpec."""
        from forecast.tui.forms import kinds

        self.spec = spec
        if spec.choices is not None:
            widget = kinds.OptionTable(spec, id="distribution-input")
            field = Field("Forecast", widget, check=kinds.choice_check(spec, self.palette),
                          hint="a probability per option, summing to 100%", id="distribution")  # fmt: skip
        else:
            widget = Input(placeholder="p10=… p50=… p90=…", id="distribution-input", compact=True)
            field = Field("Forecast", widget, check=kinds.distribution_check(spec, self.palette),
                          hint=kinds.forecast_hint(spec), id="distribution")  # fmt: skip
        self.call_later(self._swap_entry, field)

    @guarded
    async def _swap_entry(self, field: Field) -> None:
        binary = self.query_one("#probability", Field)
        await self.query_one(".form-body").mount(field, before=binary)
        await binary.remove()
        entry = self.query_one("#distribution-input")
        if isinstance(entry, Input):
            entry.focus()
        else:
            entry.query(Input).first().focus()

    def collect(self) -> dict:
        values = super().collect()
        values["evidence"] = tuple(self.query_one("#evidence-input", SelectionList).selected)
        return values

    def save(self, session, values: dict) -> DataChanged:
        row = record_forecast(
            session,
            ForecastRequest(
                question=self.question_id,
                probability=values["probability"] if "probability" in values else values["distribution"],
                forecaster=self.ctx.me,
                at=values["when"],
                rationale=values["rationale"].strip(),
                evidence=values["evidence"],
            ),
            now=self.ctx.now(),
        )
        from forecast.services.undo import for_forecast

        slug = get_question(session, row.question_id).slug
        when = "" if values["when"] is None else f", made {fmt.local_time(row.made_at, self.ctx.tz)}"
        shown = fmt.pct(row.probability) if row.vector is None else (row.entered or "")
        done = f"Saved forecast {shown} on {slug}{when}"
        return DataChanged("forecast", row.question_id, undo=for_forecast(session, row), done=done)
