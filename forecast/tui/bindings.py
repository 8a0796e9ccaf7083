"""Every key binding and command, declared once as data.

Screens take their BINDINGS from here, the help screen lists this registry, and the command palette
offers every entry of the current screen. Users can remap any binding by its id in the config file:

    [keys]
    "questions.filter" = "ctrl+f"
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Command:
    id: str
    key: str
    action: str
    title: str
    """Short label for the footer and the palette."""
    help: str
    """One sentence for the help screen and the palette."""
    footer: bool = True
    palette: bool = True


def _c(scope: str, name: str, key: str, action: str, title: str, help: str, **kw) -> Command:
    return Command(id=f"{scope}.{name}", key=key, action=action, title=title, help=help, **kw)


SCOPES: dict[str, str] = {
    "app": "Everywhere",
    "questions": "Questions",
    "detail": "Question detail",
    "inbox": "Evidence inbox",
    "scores": "Scores",
    "form": "Forms",
    "confirm": "Confirmations",
}

REGISTRY: dict[str, tuple[Command, ...]] = {
    "app": (
        _c("app", "questions", "1", "app.show('questions')", "Questions", "Show the questions table.", footer=False),
        _c("app", "inbox", "2", "app.show('inbox')", "Inbox", "Show the evidence inbox.", footer=False),
        _c("app", "scores", "3", "app.show('scores')", "Scores", "Show scores and calibration.", footer=False),
        _c("app", "help", "question_mark,f1", "app.help", "Help", "Show every key binding."),
        _c("app", "refresh", "r", "app.refresh_data", "Refresh", "Reload from the database now."),
        _c("app", "undo", "u", "app.undo", "Undo", "Undo the last change made in this session (forecast, resolve, "
           "edit, link, delete); again for the one before.", footer=False),
        _c("app", "theme", "ctrl+t", "app.toggle_dark", "Light/dark", "Switch between the light and dark theme.",
           footer=False),
        _c("app", "quit", "q", "app.quit", "Quit", "Leave forecast.", footer=False),
    ),
    "questions": (
        _c("questions", "open", "enter", "open_question", "Open", "Open the highlighted question."),
        _c("questions", "filter", "slash", "focus_filter", "Filter", "Filter by title, slug or tag as you type."),
        _c("questions", "clear", "escape", "clear_filter", "Clear", "Clear the filter and return to the table.",
           footer=False),
        _c("questions", "status", "s", "cycle_status", "Status", "Cycle open / closed / resolved / all."),
        _c("questions", "sort", "o", "cycle_sort", "Sort", "Cycle sort: close date, last update, probability, Brier."),
        _c("questions", "reverse", "O", "reverse_sort", "Reverse", "Reverse the sort order.", footer=False),
        _c("questions", "forecast", "f", "new_forecast", "Forecast", "Record a forecast on the highlighted question."),
        _c("questions", "new", "n", "new_question", "New", "Create a question.", footer=False),
        _c("questions", "edit", "e", "edit_question", "Edit", "Edit the highlighted question.", footer=False),
        _c("questions", "delete", "d", "delete_question", "Delete",
           "Delete the highlighted question (asks first; u undoes it, `forecast restore` brings it back).", footer=False),
        _c("questions", "show_open", "", "set_status('open')", "Show open", "Show open questions.", footer=False),
        _c("questions", "show_closed", "", "set_status('closed')", "Show closed",
           "Show closed questions awaiting resolution.", footer=False),
        _c("questions", "show_resolved", "", "set_status('resolved')", "Show resolved",
           "Show resolved and annulled questions.", footer=False),
        _c("questions", "show_all", "", "set_status('all')", "Show all", "Show every question.", footer=False),
        _c("questions", "sort_close", "", "set_sort('closes')", "Sort by close date", "Soonest close first.",
           footer=False),
        _c("questions", "sort_updated", "", "set_sort('updated')", "Sort by last update", "Latest update first.",
           footer=False),
        _c("questions", "sort_probability", "", "set_sort('probability')", "Sort by probability",
           "Highest probability first (yours, else the team median).", footer=False),
        _c("questions", "sort_brier", "", "set_sort('brier')", "Sort by Brier", "Worst Brier score first.",
           footer=False),
    ),
    "detail": (
        _c("detail", "back", "escape,backspace", "back", "Back", "Return to the questions."),
        _c("detail", "forecast", "f", "new_forecast", "Forecast", "Record a new forecast."),
        _c("detail", "evidence", "a", "add_evidence", "Add evidence", "Add evidence from a URL, a file or pasted text."),
        _c("detail", "link", "l", "link_evidence", "Link", "Link evidence already in the database."),
        _c("detail", "resolve", "x", "resolve", "Resolve", "Resolve the question, or unresolve it."),
        _c("detail", "edit", "e", "edit_question", "Edit", "Edit the question."),
        _c("detail", "browser", "b", "open_article", "Browser", "Open the highlighted article in the browser."),
        _c("detail", "delete", "d", "delete_item", "Delete",
           "Delete the highlighted forecast (Updates) or evidence (Evidence tab); asks first, u undoes it.", footer=False),
        _c("detail", "next_pane", "tab", "app.focus_next", "Next pane", "Move to the next pane.", footer=False,
           palette=False),
    ),
    "inbox": (
        _c("inbox", "link", "enter,l", "link_item", "Link", "Link the highlighted item to a question."),
        _c("inbox", "dismiss", "d", "dismiss_item", "Dismiss", "Dismiss the highlighted item."),
        _c("inbox", "browser", "b", "open_article", "Browser", "Open the highlighted article in the browser."),
    ),
    "scores": (
        _c("scores", "forecaster", "w", "cycle_forecaster", "Who", "Choose whose scores to show (or everyone's)."),
        _c("scores", "tag", "t", "cycle_tag", "Tag", "Limit the scores to questions with one tag."),
        _c("scores", "period", "p", "cycle_period", "Period", "Cycle the period: all, last year, 90 days, 30 days."),
        _c("scores", "backfilled", "b", "toggle_backfilled", "Backfilled",
           "Leave out backfilled forecasts (recorded long after the time they claim), or count them again."),
    ),
    "form": (
        _c("form", "save", "ctrl+s", "save", "Save", "Validate and save the form."),
        _c("form", "cancel", "escape", "cancel", "Cancel", "Close the form without saving."),
    ),
    "confirm": (
        _c("confirm", "yes", "y", "confirm", "Yes", "Go ahead (a delete goes to the trash)."),
        _c("confirm", "no", "n,escape", "cancel", "No", "Leave everything as it is."),
    ),
}


def commands(scope: str) -> tuple[Command, ...]:
    return REGISTRY[scope]


def bindings(scope: str) -> list[Binding]:
    """Textual bindings for a scope; entries without a key are palette-only commands."""
    return [
        Binding(c.key, c.action, c.title, show=c.footer, id=c.id, tooltip=c.help)
        for c in REGISTRY[scope]
        if c.key
    ]


def command_by_id(command_id: str) -> Command | None:
    scope = command_id.split(".", 1)[0]
    return next((c for c in REGISTRY.get(scope, ()) if c.id == command_id), None)


def key_display(key: str) -> str:
    names = {"question_mark": "?", "slash": "/", "escape": "esc", "backspace": "⌫", "enter": "⏎"}
    return " ".join(names.get(k, k) for k in key.split(","))


def load_keymap() -> dict[str, str]:
    """Overrides from the `[keys]` table of the config file; unknown ids are ignored."""
    import tomllib

    from forecast.config import config_path

    path = config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    keys = raw.get("keys")
    if not isinstance(keys, dict):
        return {}
    known = {c.id for scope in REGISTRY.values() for c in scope}
    return {str(k): str(v) for k, v in keys.items() if k in known and isinstance(v, str) and v}
