"""Help: every binding in the registry, the current screen's first, with the keys actually in effect."""

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
