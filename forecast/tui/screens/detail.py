"""One question: criteria and dates, probability over time, the update history and the linked evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from forecast.core.backfill import GLYPH
from forecast.core.team_median import median
from forecast.services.views import HIDDEN_NOTE, HIDDEN_UNTIL_FORECAST
from forecast.tui import format as fmt
from forecast.tui.bindings import bindings
from forecast.tui.detail_model import chart_data, kind_chart_data, previous_probability
from forecast.tui.guard import on
from forecast.tui.screens.base import BaseScreen
from forecast.tui.widgets.keybar import KeyBar
from forecast.tui.widgets.list_table import ListTable
from forecast.tui.widgets.nav import NavBar
from forecast.tui.widgets.step_chart import StepChart
from forecast.tui.widgets.view_table import ColumnSpec, ViewTable

if TYPE_CHECKING:
    from forecast.services.views import LinkedEvidenceRow, QuestionDetail, UpdateRow

UPDATE_COLUMNS = (
    ColumnSpec("when", "When", 16, priority=9),
    ColumnSpec("who", "Who", 0, weight=1, min_width=8, priority=6),
    ColumnSpec("p", "P", 6, justify="right", priority=10),
    ColumnSpec("change", "Change", 11, priority=5),
    ColumnSpec("ev", "Ev", 2, justify="right", priority=3),
    ColumnSpec("why", "Rationale", 0, weight=4, min_width=16, priority=8),
)
EVIDENCE_COLUMNS = (
    ColumnSpec("stance", "Stance", 9, priority=9),
    ColumnSpec("published", "Published", 10, priority=6),
    ColumnSpec("outlet", "Outlet", 0, min_screen=90, weight=1, min_width=10, priority=3),
    ColumnSpec("title", "Title", 0, weight=4, min_width=16, priority=10),
)


class DetailScreen(BaseScreen):
    SCOPE = "detail"
    BINDINGS = bindings("detail")
    AUTO_FOCUS = "#updates-table"

    @dataclass
    class Loaded(Message):
        data: QuestionDetail
        question_id: int
        reminder_due: bool | None = None
        """True: its reminder is due; False: set for later; None: no reminder waiting."""

    def __init__(self, question_id: int) -> None:
        super().__init__()
        self.question_id = question_id
        self.data: QuestionDetail | None = None
        self.shown = 0
        """How many times data has been drawn (benchmarks wait for it)."""
        self.updates: list[UpdateRow] = []
        self.evidence: list[LinkedEvidenceRow] = []
        self.reminder_due: bool | None = None

    def compose(self) -> ComposeResult:
        yield NavBar("questions", self.ctx.label)
        with Vertical(id="detail-body"):
            with Vertical(id="detail-head"):
                yield Static(id="detail-title")
                yield Static(id="detail-meta")
                yield Static(id="detail-criteria")
                yield Static(id="detail-link")
            yield StepChart(id="chart")
            with TabbedContent(id="detail-tabs"):
                with TabPane("Updates", id="tab-updates"):
                    yield ListTable(UPDATE_COLUMNS, id="updates-table")
                    yield Static(id="update-detail", classes="item-detail")
                with TabPane("Evidence", id="tab-evidence"):
                    yield ListTable(EVIDENCE_COLUMNS, id="evidence-table")
                    yield Static(id="evidence-detail", classes="item-detail")
                with TabPane("About", id="tab-about"):
                    yield VerticalScroll(Static(id="about-text"), id="about")
                with TabPane("Comments", id="tab-comments"):
                    yield VerticalScroll(Static(id="comments-text"), id="comments")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#chart", StepChart).border_title = "Probability"
        if self.data is None:
            self._blank()

    def show_question(self, question_id: int) -> None:
        """Show a question in this (reused) screen; its data is fetched while the screen is being built."""
        if question_id != self.question_id or self.data is None:
            self.question_id = question_id
            self.data = None
            if self.is_mounted:
                self._blank()
                self.query_one(TabbedContent).active = "tab-updates"
        self.app.fetch_question(self, question_id)

    def _blank(self) -> None:
        self.query_one("#detail-title", Static).update(Text("Loading…", style=self.palette.muted))
        self.query_one("#detail-meta", Static).update("")
        self.query_one("#detail-criteria", Static).update("")

    def on_resize(self) -> None:
        # The chart takes about 30% of the screen: 7 rows at 80x24, 9 at 100x32, 14 at most.
        self.query_one("#chart").styles.height = max(7, min(14, round(self.size.height * 0.3)))

    # --- loading ------------------------------------------------------------------------------------------

    def refresh_data(self, *, quiet: bool = False) -> None:
        self.app.fetch_question(self, self.question_id)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.question_id != self.question_id:
            return  # a question the user has already moved on from
        self.reminder_due = message.reminder_due
        with self.app.batch_update():
            self._show(message.data)

    def _show(self, data: QuestionDetail) -> None:
        new_question = self.data is None
        self.data = data
        self.shown += 1
        pal, now, tz = self.palette, self.ctx.now(), self.ctx.tz
        self.query_one("#detail-title", Static).update(
            Content.assemble(Content.from_rich_text(fmt.status_badge(data.status, data.resolution, pal)), " ",
                             (data.title, "bold"))  # fmt: skip
        )
        self.query_one("#detail-meta", Static).update(self._meta(data))
        criteria = " ".join((data.criteria or "").split())
        self.query_one("#detail-criteria", Static).update(
            Content.assemble(("Criteria ", "bold"), criteria or ("none written yet (e to edit)", "italic"))
        )
        chart = self.query_one("#chart", StepChart)
        if data.spec is None:
            chart.set_data(chart_data(data, me=self.ctx.me, now=now, tz=tz))
            chart.border_title = self._legend(chart.data)
        else:
            chart.set_data(kind_chart_data(data, me=self.ctx.me, now=now, tz=tz))
            chart.border_title = self._kind_legend(chart.data)
        link = self.query_one("#detail-link", Static)
        link.display = data.event_link is not None or bool(data.linked_binaries)
        link.update(self._event_line(data) if data.event_link is not None else
                    self._linked_line(data) if data.linked_binaries else "")  # fmt: skip
        self.updates = list(reversed(data.forecasts))
        self.query_one("#updates-table", ListTable).set_items(self.updates, self._update_row)
        self.evidence = list(data.evidence)
        self.query_one("#evidence-table", ListTable).set_items(self.evidence, self._evidence_row)
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-updates").label = f"Updates ({len(self.updates)})"
        tabs.get_tab("tab-evidence").label = f"Evidence ({len(self.evidence)})"
        self.query_one("#about-text", Static).update(self._about(data))
        tabs.get_tab("tab-comments").label = f"Comments ({len(data.comments)})"
        self.query_one("#comments-text", Static).update(self._comments(data))
        if new_question:
            for table in self.query(ListTable):
                table.move_cursor(row=0)
                table.scroll_to(y=0, animate=False, immediate=True)
        self._show_update(self.query_one("#updates-table", ListTable).cursor_row)
        self._show_evidence(self.query_one("#evidence-table", ListTable).cursor_row)

    # --- pieces -------------------------------------------------------------------------------------------

    def _meta(self, data: QuestionDetail) -> Content:
        now, tz = self.ctx.now(), self.ctx.tz
        closes = data.closes_at
        verb = "closes" if closes > now else "was due to close" if data.status == "open" else "closed"
        parts: list = [(data.slug, "bold"), "  ", f"{verb} {fmt.when_text(closes, now)}",
                       (f" ({fmt.local_time(closes, tz)})", "dim")]  # fmt: skip
        if data.resolution:
            resolved = data.resolved_at
            parts += ["  ·  resolved ", (self._outcome(data), "bold")]
            if resolved is not None:
                parts.append(f" {fmt.when_text(resolved, now)}")
        mine = previous_probability(data, self.ctx.me) if data.spec is None else None
        if mine is not None:
            parts += ["  ·  you ", (fmt.pct(mine), "bold")]
        elif data.spec is not None:
            parts += [f"  ·  {data.kind}"]
            own = next((f for f in reversed(data.forecasts) if f.forecaster == self.ctx.me and not f.superseded), None)
            if own is not None:
                parts += ["  ·  you ", (self._values(data, own), "bold")]
        others = {k: v for k, v in data.latest.items() if k != self.ctx.me}
        if len(data.latest) > 1:
            team = data.latest.values()
            parts += [f"  ·  team median {fmt.pct(median(team))} of {len(team)}"]
        elif others:
            (name, p), = others.items()
            parts += ["  ·  ", (name, ""), f" {fmt.pct(p)}"]
        if data.others_hidden:
            until = "you forecast" if data.others_hidden == HIDDEN_UNTIL_FORECAST else "it closes"
            parts += ["  ·  ", (f"others hidden until {until}", self.palette.warn)]
        reminder = data.reminder
        if reminder and self.reminder_due is not None:
            at = fmt.local_time(reminder.remind_at, tz)
            if self.reminder_due:
                parts += ["  ·  ", (f"{fmt.REMINDER} reminder due since {at}", f"bold {self.palette.warn}")]
            else:
                parts += [f"  ·  {fmt.REMINDER} reminder {fmt.when_text(reminder.remind_at, now)}"]
        if data.tags:
            parts += ["  ", (" ".join("#" + t for t in data.tags), "dim")]
        return Content.assemble(*parts)

    def _spec(self, data: QuestionDetail):
        from forecast.core.kind_spec import KindSpec

        return KindSpec.from_dict(data.kind, data.spec)

    def _values(self, data: QuestionDetail, f: UpdateRow) -> str:
        """A non-binary forecast in one line: each option's probability, or its p10 · p50 · p90."""
        from forecast.services.kinds import shown_values

        return shown_values(self._spec(data), f.values)

    def _outcome(self, data: QuestionDetail) -> str:
        if data.spec is not None and data.outcome is not None:
            return self._spec(data).shown_outcome(data.outcome)
        return (data.resolution or "").upper()

    def _kind_legend(self, chart) -> Content:
        from forecast.tui.widgets.kind_charts import StackData, option_colours

        who = [("  (", "dim"), (chart.who, ""), (")", "dim")] if chart.who else []
        if isinstance(chart, StackData):
            parts: list = ["Probability by option "]
            for key, colour in zip(chart.keys, option_colours(self.palette, len(chart.keys)), strict=True):
                parts += [("█ ", colour), (key, ""), " "]
        else:
            parts = ["Forecast ", ("░ ", self.palette.accent), "p10–p90 ", ("━ ", f"bold {self.palette.primary}"), "median "]
        if chart.evidence:
            parts += [("▲▼◆", self.palette.muted), " evidence"]
        return Content.assemble(*parts, *who)

    def _event_line(self, data: QuestionDetail) -> Content:
        """The binary "before X" question's linked date question: what the date forecasts imply, gaps flagged
        first (so a narrow terminal still shows them)."""
        link = data.event_link
        assert link is not None
        parts: list = [("Event ", "bold")]
        if any(r.inconsistent for r in link.forecasters):
            parts.append(("⚠ inconsistent ", f"bold {self.palette.warn}"))
        day = fmt.local_time(link.threshold, self.ctx.tz)
        parts.append(f"{link.date_question} implies P(before {day}): ")
        rows = sorted(link.forecasters, key=lambda r: (r.forecaster != self.ctx.me, r.forecaster))
        shown = [r for r in rows if r.implied is not None]
        if not shown:
            parts.append(("no date forecasts yet", "dim"))
        for n, r in enumerate(shown):
            name = "you" if r.forecaster == self.ctx.me else r.forecaster
            parts += ["  ·  " if n else "", (name, "bold" if name == "you" else ""), f" {fmt.pct(r.implied)}"]
            if r.binary is not None:
                parts.append((f" vs {fmt.pct(r.binary)} here", "dim"))
            if r.inconsistent:
                parts.append((f" ⚠ {abs(r.binary - r.implied) * 100:.0f} pts", f"bold {self.palette.warn}"))
        return Content.assemble(*parts)

    def _linked_line(self, data: QuestionDetail) -> Content:
        """A date question's linked binary questions: per question, the median of its forecasts and the median
        P(before X) this question's forecasts imply, gaps flagged first (the About tab has every forecaster)."""
        parts: list = [("Linked ", "bold")]
        if any(b.inconsistent for b in data.linked_binaries):
            parts.append(("⚠ inconsistent ", f"bold {self.palette.warn}"))
        for n, b in enumerate(data.linked_binaries):  # the numbers before the threshold: a narrow screen keeps them
            parts += ["  ·  " if n else "", (b.slug, "bold"), f": implied {fmt.pct(b.implied_median)}",
                      (f" vs {fmt.pct(b.binary_median)} there", "dim")]  # fmt: skip
            if b.inconsistent:
                parts.append((" ⚠", f"bold {self.palette.warn}"))
            parts.append((f" (before {fmt.local_time(b.threshold, self.ctx.tz)})", "dim"))
        return Content.assemble(*parts)

    def _linked_section(self, data: QuestionDetail, out: Text) -> None:
        """The About tab's table of the binary questions linked to a date question, forecaster by forecaster."""
        tz, warn = self.ctx.tz, f"bold {self.palette.warn}"
        out.append("Each binary forecast against the P(before X) this question's forecasts imply: the medians, "
                   "then forecaster by forecaster (⚠ more than 10 points apart)\n", style=self.palette.muted)  # fmt: skip
        for b in data.linked_binaries:
            out.append(f"{b.slug}", style="bold")
            out.append(f"  [{b.status}]  before {fmt.local_time(b.threshold, tz)}")
            out.append("  ⚠ inconsistent\n" if b.inconsistent else "\n", style=warn if b.inconsistent else "")
            out.append(f"  {b.title}\n", style=self.palette.muted)
            out.append(f"{'median':>12}  binary {fmt.pct(b.binary_median):>6}  implied {fmt.pct(b.implied_median):>6}\n",
                       style=self.palette.muted)  # fmt: skip
            for r in b.forecasters:
                out.append(f"{r.forecaster:>12}", style="bold" if r.forecaster == self.ctx.me else "")
                out.append(f"  binary {fmt.pct(r.binary):>6}  implied {fmt.pct(r.implied):>6}")
                out.append("  ⚠ inconsistent\n" if r.inconsistent else "\n", style=warn if r.inconsistent else "")
        out.append("\n")

    def _legend(self, chart) -> Content:
        parts: list = ["Probability "]
        styles = {"mine": f"bold {self.palette.primary}", "team": self.palette.accent, "other": self.palette.muted}
        for s in chart.series:
            parts += [("━ ", styles.get(s.role, "")), (s.name, ""), " "]
        if chart.evidence:
            parts += [("▲▼◆", self.palette.muted), " evidence "]
        return Content.assemble(*parts)

    def _update_row(self, f: UpdateRow) -> list[Text]:
        pal = self.palette
        made = f.made_at
        style = "strike dim" if f.superseded else ""
        why = fmt.first_line(f.rationale)
        if f.supersedes:
            why = f"(correction) {why}"
        if f.values is not None and self.data is not None and self.data.spec is not None:
            return [  # a distribution: its values lead the wide column, no probability or change to show
                Text(fmt.local_time(made, self.ctx.tz), style=style),
                Text(f.forecaster, style=style or ("bold" if f.forecaster == self.ctx.me else ""),
                     no_wrap=True, overflow="ellipsis"),  # fmt: skip
                Text(GLYPH if f.backfilled else "", justify="right"),
                Text("corrected", style="dim") if f.superseded else Text(""),
                Text(str(len(f.evidence)) if f.evidence else "", justify="right"),
                Text.assemble((self._values(self.data, f), f"bold {style}".strip()), ("  " + why if why else "", style),
                              no_wrap=True, overflow="ellipsis"),  # fmt: skip
            ]
        return [
            Text(fmt.local_time(made, self.ctx.tz), style=style),
            Text(f.forecaster, style=style or ("bold" if f.forecaster == self.ctx.me else ""),
                 no_wrap=True, overflow="ellipsis"),  # fmt: skip
            Text(fmt.pct_marked(f.probability, f.backfilled), style=f"bold {style}".strip(), justify="right"),
            fmt.delta_text(f.change, pal) if not f.superseded else Text("corrected", style="dim"),
            Text(str(len(f.evidence)) if f.evidence else "", justify="right"),
            Text(why, style=style or "", no_wrap=True, overflow="ellipsis"),
        ]

    def _evidence_row(self, e: LinkedEvidenceRow) -> list[Text]:
        pal = self.palette
        stance = e.stance or "neutral"
        color = {"yes": pal.yes, "no": pal.no}.get(stance, pal.muted)
        published = e.published_at.strftime("%Y-%m-%d") if e.published_at else "–"
        return [
            Text(f"{fmt.STANCE_MARK.get(stance, '•')} {stance}", style=color),
            Text(published),
            Text(e.outlet or "", style=pal.muted, no_wrap=True, overflow="ellipsis"),
            Text(e.title or e.key or "", no_wrap=True, overflow="ellipsis"),
        ]

    def _comments(self, data: QuestionDetail) -> Text:
        """The discussion, oldest first; stored text is shown as plain text, never as markup."""
        out = Text()
        if not data.comments:
            out.append("No comments yet: `forecast comment Q \"text\"` adds one.", style=self.palette.muted)
            return out
        for c in data.comments:
            out.append(c.author, style="bold")
            out.append(f"  {fmt.local_time(c.created_at, self.ctx.tz)}", style=self.palette.muted)
            if c.updated_at != c.created_at:
                out.append("  (edited)", style=self.palette.muted)
            out.append(f"  #{c.id}\n", style=self.palette.muted)
            out.append(c.body + "\n\n")
        out.rstrip()
        return out

    def _about(self, data: QuestionDetail) -> Text:
        now, tz = self.ctx.now(), self.ctx.tz
        out = Text()

        def section(title: str) -> None:
            out.append(f"{title}\n", style=f"bold {self.palette.primary}")

        section("Resolution criteria")
        out.append((data.criteria or "(none written)") + "\n\n")
        if data.description:
            section("Description")
            out.append(data.description + "\n\n")
        section("Dates")
        for label, key in (("opens", "opens_at"), ("closes", "closes_at"), ("resolves", "resolves_at")):
            at = getattr(data, key)
            out.append(f"{label:>9}  {fmt.local_time(at, tz)}  ", style="")
            out.append(f"{fmt.when_text(at, now)}\n", style=self.palette.muted)
        if data.auto:
            out.append(f"{'auto':>9}  {data.auto.replace('_', ' ')}\n")
        if data.reminder and self.reminder_due is not None:
            r = data.reminder
            state = "due: record an update to clear it" if self.reminder_due else "waiting"
            out.append(f"{'remind':>9}  {fmt.local_time(r.remind_at, tz)}  ")
            out.append(f"{fmt.REMINDER} {state}" + (f"  {r.note}" if r.note else "") + "\n",
                       style=f"bold {self.palette.warn}" if self.reminder_due else self.palette.muted)
        out.append("\n")
        if data.spec is not None:
            section("Kind")
            out.append(self._spec(data).describe() + "\n\n")
        if data.event_link is not None:
            link = data.event_link
            section("Linked event")
            out.append(f"date question {link.date_question} ({link.date_title}); "
                       f"before {fmt.local_time(link.threshold, tz)} is this question\n")  # fmt: skip
            for r in link.forecasters:
                implied = "–" if r.implied is None else fmt.pct(r.implied)
                binary = "–" if r.binary is None else fmt.pct(r.binary)
                out.append(f"{r.forecaster:>12}  binary {binary:>6}  implied {implied:>6}")
                out.append("  ⚠ inconsistent\n" if r.inconsistent else "\n",
                           style=f"bold {self.palette.warn}" if r.inconsistent else "")  # fmt: skip
            out.append("\n")
        if data.linked_binaries:
            section("Linked binary questions")
            self._linked_section(data, out)
        if data.resolution_history:
            section("Resolution history")
            for ev in data.resolution_history:
                at = ev.at
                line = f"{fmt.local_time(at, tz)}  {ev.action}"
                if ev.outcome is not None and data.spec is not None and ev.action == "resolve":
                    line += f" {self._spec(data).shown_outcome(ev.outcome)}"
                elif ev.resolution and ev.action == "resolve":
                    line += f" {ev.resolution.upper()}"
                if ev.actor:
                    line += f" by {ev.actor}"
                out.append(line + "\n")
                if ev.note:
                    out.append(f"    {ev.note}\n", style=self.palette.muted)
        if data.source_file:
            out.append(f"\nfile: {data.source_file}\n", style=self.palette.muted)
        return out

    # --- the highlighted row's details --------------------------------------------------------------------

    @on(ViewTable.RowHighlighted, "#updates-table")
    def _update_highlighted(self, event) -> None:
        self._show_update(event.cursor_row)

    @on(ViewTable.RowHighlighted, "#evidence-table")
    def _evidence_highlighted(self, event) -> None:
        self._show_evidence(event.cursor_row)

    def _show_update(self, row: int) -> None:
        panel = self.query_one("#update-detail", Static)
        if not 0 <= row < len(self.updates):
            hidden = self.data is not None and self.data.others_hidden
            if hidden:  # an empty list here is not "nobody forecast": the database hides the others' forecasts
                panel.update(Text.assemble((HIDDEN_NOTE[hidden], f"bold {self.palette.warn}"),
                                           ("\nPress f to record a forecast.", self.palette.muted)))  # fmt: skip
                return
            panel.update(Text("No updates yet. Press f to record a forecast.", style=self.palette.muted))
            return
        f = self.updates[row]
        out = Text()
        if f.values is not None and self.data is not None and self.data.spec is not None:
            out.append(f"{f.forecaster} · {self._values(self.data, f)}", style="bold")
            if f.entered:
                out.append(f"  (typed: {f.entered})", style=self.palette.muted)
        else:
            out.append(f"{f.forecaster} · {fmt.pct(f.probability)}", style="bold")
        if f.change is not None:
            out.append(f"  {fmt.delta_points(f.change)}", style=self.palette.muted)
        out.append(f"  ·  made {fmt.local_time(f.made_at, self.ctx.tz)}", style=self.palette.muted)
        if f.backfilled:
            out.append(f"  {GLYPH} backfilled", style=f"bold {self.palette.warn}")
            out.append(f", recorded {fmt.local_time(f.recorded_at, self.ctx.tz)}", style=self.palette.muted)
        if f.superseded:
            out.append("  (corrected later)", style=self.palette.warn)
        out.append("\n")
        out.append(f.rationale or "(no rationale)", style="" if f.rationale else self.palette.muted)
        for ev in f.evidence:
            out.append("\n  ◆ ", style=self.palette.muted)
            out.append(ev.title or ev.key or "")
        if any(u.backfilled for u in self.updates):  # the legend, where backfilled forecasts are listed
            out.append(f"\n{fmt.backfill_legend(self.ctx.backfill_after)}", style=self.palette.muted)
        panel.update(out)

    def _show_evidence(self, row: int) -> None:
        panel = self.query_one("#evidence-detail", Static)
        if not 0 <= row < len(self.evidence):
            panel.update(Text("No evidence linked. Press a to add some, or l to link existing evidence.",
                              style=self.palette.muted))  # fmt: skip
            return
        e = self.evidence[row]
        out = Text()
        out.append(e.title or e.key or "", style="bold")
        day = e.published_at.strftime("%Y-%m-%d") if e.published_at else None
        bits = [b for b in (e.outlet, day, e.url) if b]
        if bits:
            out.append("\n" + " · ".join(bits), style=self.palette.muted)
        if e.note:
            out.append(f"\nnote: {e.note}")
        if e.excerpt:
            out.append(f"\n{e.excerpt}")
        panel.update(out)

    # --- actions ------------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_new_forecast(self) -> None:
        self.app.new_forecast(self.question_id)

    def action_edit_question(self) -> None:
        self.app.edit_question(self.question_id)

    def action_add_evidence(self) -> None:
        from forecast.tui.forms.evidence import AddEvidenceForm

        self.app.push_screen(AddEvidenceForm(self.question_id), self.app.written)

    def action_link_evidence(self) -> None:
        from forecast.tui.forms.link import LinkEvidenceForm

        self.app.push_screen(LinkEvidenceForm(question_id=self.question_id), self.app.written)

    def action_resolve(self) -> None:
        if self.data is None:
            return
        from forecast.tui.forms.resolve import ResolveForm, UnresolveForm

        form = UnresolveForm(self.question_id) if self.data.resolution else ResolveForm(self.question_id)
        self.app.push_screen(form, self.app.written)

    def action_delete_item(self) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == "tab-updates":
            row = self.query_one("#updates-table", ListTable).cursor_row
            if 0 <= row < len(self.updates):
                f = self.updates[row]
                shown = fmt.pct(f.probability) if f.values is None or self.data is None else self._values(self.data, f)
                label = f"{shown} by {f.forecaster} (#{f.id})"
                self.app.confirm_delete("forecast", f.id, label, self.question_id)
                return
        elif tabs.active == "tab-evidence":
            row = self.query_one("#evidence-table", ListTable).cursor_row
            if 0 <= row < len(self.evidence):
                e = self.evidence[row]
                label = repr(e.title or e.key or str(e.id))
                self.app.confirm_delete("evidence", e.id, label, self.question_id)
                return
        self.notify("Highlight a forecast (Updates tab) or evidence (Evidence tab) to delete it.", severity="warning")

    def action_open_article(self) -> None:
        url, why = self._highlighted_url()
        if url is None:
            self.notify(why, severity="warning", markup=False)
            return
        self.app.open_url(url)
        self.notify(f"Opening {url}", timeout=3, markup=False)

    def _highlighted_url(self) -> tuple[str | None, str]:
        """The highlighted article's URL, or None and the plain reason there is nothing to open."""
        tabs = self.query_one(TabbedContent)
        if tabs.active == "tab-evidence":
            row = self.query_one("#evidence-table", ListTable).cursor_row
            if 0 <= row < len(self.evidence):
                e = self.evidence[row]
                return (e.url, "") if e.url else (None, fmt.no_url(e.title or e.key))
            return None, "No evidence is linked to this question yet."
        if tabs.active == "tab-updates":
            row = self.query_one("#updates-table", ListTable).cursor_row
            if 0 <= row < len(self.updates):
                cited = self.updates[row].evidence
                urls = [e.url for e in cited if e.url]
                if urls:
                    return urls[0], ""
                if cited:
                    return None, fmt.no_url(cited[0].title or cited[0].key)
                return None, "This update cites no evidence; the Evidence tab lists the question's articles."
        return None, "No article is highlighted: pick one on the Evidence tab."

    def on_theme_changed(self) -> None:
        if self.data is not None:
            self.post_message(self.Loaded(self.data, self.question_id, self.reminder_due))
