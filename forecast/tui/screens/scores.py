"""Scores: headline numbers per forecaster, calibration, Brier over time, a table per tag, and a table per
non-binary kind (choice, numeric, date) with that kind's own columns, as `forecast score` prints them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from forecast.core.numbers import count, fixed
from forecast.tui.bindings import bindings
from forecast.tui.guard import on
from forecast.tui.scores_data import PERIODS, KindTable, ScoresFilter, ScoresView, load_scores
from forecast.tui.screens.base import BaseScreen
from forecast.tui.widgets.list_table import ListTable
from forecast.tui.widgets.keybar import KeyBar
from forecast.tui.widgets.nav import NavBar
from forecast.tui.widgets.score_charts import CalibrationChart, LineChart
from forecast.tui.widgets.view_table import ColumnSpec
from forecast.tui.workers import db_work

if TYPE_CHECKING:
    from forecast.services.kind_scores import KindForecaster

# The names are the glossary's (docs/scoring.md, and the help screen): "Brier" is always the time-weighted
# headline (`brier` in `forecast score --json`), "Brier/forecast" the plain mean per forecast (`brier_forecasts`).
HEADLINE = (
    ColumnSpec("name", "Forecaster", 0, priority=10),
    ColumnSpec("questions", "Questions", 9, justify="right", priority=7),
    ColumnSpec("brier", "Brier", 7, justify="right", priority=9),
    ColumnSpec("brier_forecasts", "Brier/forecast", 14, justify="right", priority=4),
    ColumnSpec("baseline", "Baseline", 8, justify="right", priority=6),
    ColumnSpec("peer", "Peer", 7, justify="right", priority=5),
)
TAGS = (
    ColumnSpec("tag", "Tag", 0, priority=10),
    ColumnSpec("questions", "Scored", 9, justify="right", priority=8),
    ColumnSpec("brier", "Brier", 7, justify="right", priority=9),
)

# Each kind's columns, named as in `forecast score` (KIND_HEADERS in cli/score.py) and docs/scoring.md.
_WHO = (ColumnSpec("name", "Forecaster", 0, priority=10), ColumnSpec("questions", "Questions", 9, justify="right", priority=7))
_TAIL = (
    ColumnSpec("baseline", "Baseline", 8, justify="right", priority=6),
    ColumnSpec("peer", "Peer", 7, justify="right", priority=5),
    ColumnSpec("coverage", "Coverage", 8, justify="right", priority=3),
)
CHOICE = (*_WHO,
          ColumnSpec("brier", "Brier", 7, justify="right", priority=9),
          ColumnSpec("brier2", "Brier2", 7, justify="right", priority=4),
          ColumnSpec("log_score", "Log", 7, justify="right", priority=8), *_TAIL)  # fmt: skip
CONTINUOUS = (*_WHO,
              ColumnSpec("log_score", "Log", 7, justify="right", priority=8),
              ColumnSpec("crps", "CRPS", 7, justify="right", priority=9), *_TAIL)  # fmt: skip
KIND_COLUMNS = {"choice": CHOICE, "numeric": CONTINUOUS, "date": CONTINUOUS}
DIGITS = {"brier": 3, "brier2": 3, "log_score": 3, "crps": 3, "baseline": 1, "peer": 1}


def _num(x: float | None, digits: int = 3) -> Text:
    return Text(fixed(x, digits, blank="–"), justify="right")


def _share(x: float | None) -> Text:
    return Text("–" if x is None else f"{x * 100:.0f}%", justify="right")


def _kind_title(table: KindTable) -> Text:
    return Text.assemble((f"{table.kind.capitalize()} questions", "bold"),
                         (f"  {table.scored:,} scored, {table.not_scored:,} not (unresolved or annulled)", "dim"))  # fmt: skip


class ScoresScreen(BaseScreen):
    SCOPE = "scores"
    BINDINGS = bindings("scores")

    @dataclass
    class Loaded(Message):
        view: ScoresView
        flt: ScoresFilter

    def __init__(self) -> None:
        super().__init__()
        self.flt = ScoresFilter()
        self.view = ScoresView()

    def compose(self) -> ComposeResult:
        yield NavBar("scores", self.ctx.label)
        yield Static(id="scores-filters")
        with VerticalScroll(id="scores-body"):
            yield Static(id="scores-note", classes="unavailable")
            yield ListTable(HEADLINE, id="headline")
            with Horizontal(id="scores-charts"):
                yield CalibrationChart(id="calibration")
                yield LineChart(id="brier-time")
            yield ListTable(TAGS, id="tag-table")
            # One section per kind, hidden (in the .tcss) until a question of that kind passes the filter.
            for kind, columns in KIND_COLUMNS.items():
                with Vertical(id=f"kind-{kind}", classes="kind-section"):
                    yield Static(classes="kind-title")
                    yield ListTable(columns, id=f"kind-{kind}-table")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#calibration").border_title = "Calibration: observed vs forecast"
        self.query_one("#brier-time").border_title = "Brier by month of resolution"
        self.query_one("#scores-body").loading = True
        self._show_filters()
        self.load(self.flt, start_on_me=True)

    def refresh_data(self, *, quiet: bool = False) -> None:
        if not quiet:
            self.load(self.flt)

    @db_work("scoring", group="scores-load")
    def load(self, flt: ScoresFilter, *, start_on_me: bool = False) -> None:
        from forecast.services.lookup import find_forecaster

        db = self.app.open_database()
        if db is None:
            return
        with db.session() as session:
            if start_on_me:
                # Start on the user's own scores when they have any.
                if find_forecaster(session, self.ctx.me) is not None:
                    flt = replace(flt, forecaster=self.ctx.me)
            view = load_scores(session, flt, now=self.ctx.now(), backfill_after=self.ctx.backfill_after)
        self.post_message(self.Loaded(view, flt))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.view, self.flt = message.view, message.flt
        self.query_one("#scores-body").loading = False
        self._show_filters()
        note = self.query_one("#scores-note", Static)
        view = self.view
        note.display = not view.headline and not view.kinds
        note.update(self._empty_text())
        for widget in self.query("#headline, #scores-charts, #tag-table"):
            widget.display = bool(view.headline)
        self._show_kinds(view.kinds)
        self.query_one("#headline", ListTable).set_rows([
            [Text(f.name, style="bold" if f.name == self.ctx.me else ""), Text(str(f.n_questions), justify="right"),
             _num(f.brier), _num(f.brier_forecasts), _num(f.baseline, 1), _num(f.peer, 1)]
            for f in view.headline
        ])  # fmt: skip
        self.query_one("#calibration", CalibrationChart).set_bins(view.calibration)
        self.query_one("#brier-time", LineChart).set_points(view.monthly)
        if self.focused is None:
            first = self.query_one("#headline", ListTable) if view.headline or not view.kinds else \
                self.query_one(f"#kind-{view.kinds[0].kind} ListTable", ListTable)  # fmt: skip
            first.focus()
        self.query_one("#tag-table", ListTable).set_rows([
            [Text(t.tag), Text(str(t.n_questions), justify="right"), _num(t.brier)] for t in view.by_tag
        ])  # fmt: skip
        self.query_one("#headline").styles.height = min(len(view.headline), 8) + 1
        self.query_one("#tag-table").styles.height = min(len(view.by_tag), 12) + 1

    def _show_kinds(self, tables: list[KindTable]) -> None:
        shown = {t.kind: t for t in tables}
        for kind, columns in KIND_COLUMNS.items():
            section = self.query_one(f"#kind-{kind}", Vertical)
            table = shown.get(kind)
            section.display = table is not None
            if table is None:
                continue
            section.query_one(".kind-title", Static).update(_kind_title(table))
            grid = section.query_one(ListTable)
            grid.set_rows([self._kind_row(f, columns) for f in table.forecasters])
            grid.styles.height = min(len(table.forecasters), 8) + 1

    def _kind_row(self, f: KindForecaster, columns) -> list[Text]:
        row = [Text(f.name, style="bold" if f.name == self.ctx.me else ""), Text(str(f.n_questions), justify="right")]
        row += [_num(getattr(f, c.key), DIGITS[c.key]) for c in columns[2:-1]]
        return [*row, _share(f.coverage)]

    def _show_filters(self) -> None:
        flt = self.flt
        who = flt.forecaster or "everyone"
        parts: list = [
            ("  Who ", "dim"), (who, "bold"), (" w", "dim"),
            ("  Tag ", "dim"), (flt.tag or "all", "bold"), (" t", "dim"),
            ("  Period ", "dim"), (PERIODS[flt.period][0], "bold"), (" p", "dim"),
        ]  # fmt: skip
        # ↶ marks backfilled forecasts (the help screen says so): how many the figures count, or that they are left out.
        shown = self.view.backfilled if self.view.headline or self.view.kinds else 0
        backfilled = "left out" if flt.exclude_backfilled else f"{shown:,} counted" if shown else "counted"
        parts += [("  ↶ ", "dim"), (backfilled, "bold"), (" b", "dim")]
        scored = (self.view.scored if self.view.headline else 0) + sum(k.scored for k in self.view.kinds)
        if scored:
            parts.append((f"  {count(scored, 'question')} scored", "dim"))
        self.query_one("#scores-filters", Static).update(Content.assemble(*parts))

    def _empty_text(self) -> Text:
        """Nothing scored: say which of the filters emptied the view, and the keys that widen it."""
        narrowing = self.flt.narrowing(self.ctx.me)
        if not narrowing:
            return Text("Nothing scored yet: scores appear once questions with forecasts are resolved.")
        keys = ", ".join(k for k, _ in narrowing)
        return Text(f"Nothing scored for {' · '.join(words for _, words in narrowing)}. "
                    f"Press {keys} to widen the selection.")  # fmt: skip

    def _reload(self, flt: ScoresFilter) -> None:
        self.flt = flt
        self._show_filters()
        self.query_one("#scores-body").loading = True
        self.load(flt)

    def action_cycle_forecaster(self) -> None:
        from forecast.tui.screens.pick import PickScreen

        names = sorted(self.view.forecasters, key=lambda n: (n != self.ctx.me, n.lower()))
        choices = [("", "everyone"), *((n, n) for n in names)]

        def picked(choice: str | None) -> None:
            if choice is not None:
                self._reload(replace(self.flt, forecaster=choice or None))

        self.app.push_screen(PickScreen("Scores of", choices, self.flt.forecaster or ""), picked)

    def action_cycle_tag(self) -> None:
        from forecast.tui.screens.pick import PickScreen

        choices = [("", "all tags"), *((t, t) for t in self.view.tags)]

        def picked(choice: str | None) -> None:
            if choice is not None:
                self._reload(replace(self.flt, tag=choice or None))

        self.app.push_screen(PickScreen("Questions tagged", choices, self.flt.tag or ""), picked)

    def action_cycle_period(self) -> None:
        self._reload(replace(self.flt, period=(self.flt.period + 1) % len(PERIODS)))

    def action_toggle_backfilled(self) -> None:
        self._reload(replace(self.flt, exclude_backfilled=not self.flt.exclude_backfilled))

    def on_theme_changed(self) -> None:
        self.post_message(self.Loaded(self.view, self.flt))
