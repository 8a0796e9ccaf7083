"""Help: every binding in the registry, the current screen's first, with the keys actually in effect; then the
marks, the scores' names, the Scores screen's kind tables (their columns read from the screen) and the kinds'
forms and charts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from forecast.tui.bindings import REGISTRY, SCOPES, Command, key_display
from forecast.tui.guard import Guarded

INTRO = (
    "forecast keeps your forecasting questions, the evidence behind them and every probability update. "
    "Every action below is also in the command palette (ctrl+p). Keys can be remapped by their id in the "
    "[keys] table of the config file."
)

# The names on the Scores screen, as in the glossary of docs/scoring.md (and the CLI's `forecast score`).
GLOSSARY = (
    ("Brier", "The headline: per question, the time-weighted mean of (p - outcome)^2 over the time each forecast "
              "stood; then the mean over questions. 0 is perfect, 0.25 is always saying 50%. Lower is better. "
              "`forecast score` BRIER, --json `brier`."),
    ("Brier/forecast", "The plain mean of (p - outcome)^2 over every scored forecast, each weighing 1 however long "
                       "it stood. CLI BRIER/FORECAST, --json `brier_forecasts`."),
    ("Baseline", "Metaculus baseline score: 100 log2(2 p) of the outcome, time-weighted over the question's "
                 "scheduled window; the mean over questions. Higher is better; 0 is saying 50% throughout."),
    ("Peer", "Metaculus peer score: your log score against the geometric mean of everyone else's, time-weighted; "
             "the mean over questions. Above 0 beats the crowd."),
    ("Questions", "Resolved YES or NO questions you forecast on (annulled and unresolved ones are not scored)."),
)  # fmt: skip


# The Scores screen's table per kind lists its own columns (screens/scores.py KIND_COLUMNS, which the help
# reads); here is what each column means, as `forecast score` and docs/scoring.md define it.
KIND_COLUMN_MEANINGS = {
    "name": "Whose scores: each forecaster with a scored question of the kind (you in bold).",
    "questions": "Resolved questions of the kind they forecast on (annulled and unresolved ones are not scored).",
    "brier": "Choice: the multi-category Brier score halved, on binary's 0-1 scale, time-weighted over the "
             "time each forecast stood; the mean over questions. Lower is better.",
    "brier2": "Choice: the multi-category Brier score as is, the sum over the options of (p - outcome)^2: 0 "
              "perfect, 2 all on a wrong option (Good Judgment Open's 0-2 scale).",
    "log_score": "Time-weighted ln of what the forecast gave the outcome: choice, its probability (clamped to "
                 "0.1%-99.9%); numeric and date, the density there on the range scaled to 0-1, or the mass "
                 "beyond an open bound. Higher is better.",
    "crps": "Numeric and date: the continuous ranked probability score, how far the forecast's CDF is from the "
            "outcome's step, in fractions of the range. 0 is perfect; lower is better.",
    "baseline": "Metaculus baseline score for the kind, against a uniform forecast (choice: 1/n per option; "
                "numeric and date: a flat density), weighted by standing time over the scheduled window. Higher "
                "is better.",
    "peer": "Metaculus peer score: against the geometric mean of everyone's forecasts on the question; "
            "above 0 beats the crowd.",
    "coverage": "The share of the question's open window that their forecasts covered.",
}  # fmt: skip


def kind_entries() -> tuple[tuple[str, str], ...]:
    """The forecast forms and detail charts of choice, numeric and date questions, and the link between a
    binary "before X" question and a date question: (name, what it shows), with the rules' own numbers."""
    from forecast.core.kind_input import MIN_OPTION, SUM_TOLERANCE
    from forecast.services.views import EVENT_TOLERANCE

    return (
        ("Option table", "The forecast form of a choice question: one box per option (50, 50% or 0.5), each read "
                         "back beside it, and the Sum line adding them up as you type, with how many options are "
                         f"filled in and what is left to place. Within {SUM_TOLERANCE:.1%} of 100% the forecast is "
                         f"scaled to exactly 100%; each option needs at least {MIN_OPTION:.1%}."),
        ("Quantiles", "The forecast form of a numeric or date question: p10=… p50=… p90=… (or normal(mean, sd), "
                      "lognormal(…), logistic(…); for dates, sd in days). The preview reads back the p10 · p50 · p90 "
                      "it makes, and draws the density (PDF) and the CDF over the range as sparklines, with the "
                      "mass beyond an open bound."),
        ("Stacked chart", "The detail of a choice question: each option's probability over time as stacked bands, "
                          "the first option at the bottom; the legend gives each option's colour and whose forecasts "
                          "they are (yours, else another forecaster's or the team mean)."),
        ("Fan chart", "The detail of a numeric or date question: the 10th-90th percentile band (░) and the median (━) "
                      "of the forecasts over time (whose: at the end of the legend), on the question's range, with "
                      "the outcome marked once resolved."),
        ("Linked event", "A binary \"before X\" question linked to a date question (`forecast q edit B --event D`): "
                         "its detail shows the P(before X) each forecaster's date forecast implies, ⚠ when more than "
                         f"{EVENT_TOLERANCE * 100:.0f} points from their binary forecast; the date question's detail "
                         "lists the binary questions linked to it (medians in the head line, everyone in About)."),
    )  # fmt: skip


class HelpScreen(Guarded, ModalScreen[None]):
    BINDINGS = [("escape,q,question_mark,f1", "app.pop_screen", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.scope = getattr(under, "SCOPE", "app")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Help"
            box.border_subtitle = "esc to close"
            yield Static(Text(INTRO, style="italic"), classes="help-intro")
            order = [self.scope] + [s for s in SCOPES if s != self.scope]
            for scope in order:
                yield Static(self._table(scope, REGISTRY[scope]))
            yield Static(self._marks(), id="help-marks")
            yield Static(self._glossary(), id="help-glossary")
            yield Static(self._kind_scores(), id="help-kind-scores")
            yield Static(self._kinds(), id="help-kinds")

    def _marks(self) -> Table:
        """The glyphs the screens draw beside things, and what each means."""
        from forecast.core.backfill import DEFAULT_BACKFILL_AFTER
        from forecast.tui import format as fmt

        after = getattr(getattr(self.app, "ctx", None), "backfill_after", DEFAULT_BACKFILL_AFTER)
        glyph, meaning = fmt.backfill_legend(after).split(" ", 1)
        marks = [(glyph, f"{meaning}. A forecast written with hindsight is no evidence of skill: the Scores "
                         "screen can leave these out (b)."),
                 (fmt.REMINDER, "a reminder is set on the question (`forecast q remind`); bold when it is due, until "
                                "you record an update, resolve the question or clear the reminder."),
                 (" ".join(fmt.KIND_SHORT.values()), "in the Me column: a choice, numeric or date question, whose "
                  "forecasts are distributions; its detail draws them and f takes one.")]  # fmt: skip
        table = Table(title=Text("Marks: what the glyphs mean", style="bold"), title_justify="left",
                      show_header=False, box=None, padding=(0, 1), expand=True)  # fmt: skip
        table.add_column("mark", width=15, style="bold")
        table.add_column("meaning", ratio=1)
        for mark, text in marks:
            table.add_row(Text(mark), Text(text, style="dim"))
        return table

    def _glossary(self) -> Table:
        table = Table(title=Text("Scores: what the names mean", style="bold"), title_justify="left",
                      show_header=False, box=None, padding=(0, 1), expand=True)  # fmt: skip
        table.add_column("name", width=15, style="bold")
        table.add_column("meaning", ratio=1)
        for name, meaning in GLOSSARY:
            table.add_row(Text(name), Text(meaning, style="dim"))
        return table

    def _kind_scores(self) -> Table:
        """The Scores screen's kind tables: each kind's columns as the screen draws them, then what each means."""
        from forecast.tui.screens.scores import KIND_COLUMNS

        table = self._two_columns("Scores of choice, numeric and date questions: a table per kind")
        seen: dict[str, str] = {}
        for kind, columns in KIND_COLUMNS.items():
            table.add_row(Text(f"{kind.capitalize()} table"), Text(" · ".join(c.label for c in columns), style="dim"))
            for c in columns:
                seen.setdefault(c.key, c.label)
        for key in sorted(seen, key=list(KIND_COLUMN_MEANINGS).index):  # the meanings' order: CRPS next to Log
            table.add_row(Text(seen[key]), Text(KIND_COLUMN_MEANINGS[key], style="dim"))
        return table

    def _kinds(self) -> Table:
        table = self._two_columns("Choice, numeric and date questions: forms and charts")
        for name, meaning in kind_entries():
            table.add_row(Text(name), Text(meaning, style="dim"))
        return table

    @staticmethod
    def _two_columns(title: str) -> Table:
        table = Table(title=Text(title, style="bold"), title_justify="left", show_header=False, box=None,
                      padding=(0, 1), expand=True)  # fmt: skip
        table.add_column("name", width=15, style="bold")
        table.add_column("meaning", ratio=1)
        return table

    def _effective_key(self, command: Command) -> str:
        keymap = getattr(self.app, "keymap", {}) or {}
        return keymap.get(command.id, command.key)

    def _table(self, scope: str, commands: tuple[Command, ...]) -> Table:
        table = Table(
            title=Text(SCOPES[scope] + ("  (this screen)" if scope == self.scope else ""), style="bold"),
            title_justify="left",
            show_header=False,
            box=None,
            padding=(0, 1),
            expand=True,
        )
        table.add_column("key", width=10, style="bold")
        table.add_column("action", width=22)
        table.add_column("what", ratio=1)
        for command in commands:
            key = self._effective_key(command)
            table.add_row(
                Text(key_display(key)) if key else Text("ctrl+p", style="dim"),
                Text(command.title),
                Text(command.help, style="dim"),
            )
        return table
