"""The Textual application: sections as modes, global bindings, forms, error reporting and refresh."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from textual.app import App
from textual.screen import Screen

from forecast.core.errors import ForecastError
from forecast.tui.bindings import bindings, load_keymap
from forecast.tui.commands import RegistryCommands
from forecast.tui.context import TuiContext
from forecast.tui.errors import log_unexpected
from forecast.tui.guard import Guarded, on
from forecast.tui.messages import DataChanged, WorkFailed
from forecast.tui.palette import Palette
from forecast.tui.workers import db_work

MAX_ERRORS = 20
"""Unexpected errors within ERROR_WINDOW seconds after which the app gives up (a render loop, say)."""
ERROR_WINDOW = 10.0


def _questions() -> Screen:
    from forecast.tui.screens.questions import QuestionsScreen

    return QuestionsScreen()


def _inbox() -> Screen:
    from forecast.tui.screens.inbox import InboxScreen  # deferred: not needed for the first frame

    return InboxScreen()


def _scores() -> Screen:
    from forecast.tui.screens.scores import ScoresScreen  # deferred: not needed for the first frame

    return ScoresScreen()


class ForecastApp(Guarded, App):
    CSS_PATH = "app.tcss"
    TITLE = "forecast"
    BINDINGS = bindings("app")
    COMMANDS = App.COMMANDS | {RegistryCommands}
    MODES: ClassVar[dict[str, Callable[[], Screen]]] = {"questions": _questions, "inbox": _inbox, "scores": _scores}

    def __init__(self, ctx: TuiContext, *, theme: str | None = None, on_first_rows: Callable | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.palette = Palette.from_variables({})
        self.unexpected_errors: list[BaseException] = []
        self._error_times: list[float] = []
        self._on_first_rows = on_first_rows
        self.keymap: dict[str, str] = {}
        self.fatal_error: str | None = None
        self.data_generation = 0
        """Bumped on every write this app makes; screens compare it when they come back into view."""
        self.undo_tokens: list = []
        """This session's changes, newest last, as services.undo tokens: `u` takes back the newest."""
        self._undoing = False
        if theme:
            self.theme = theme

    def on_mount(self) -> None:
        self.keymap = load_keymap()
        if self.keymap:
            self.set_keymap(self.keymap)
        self.palette = Palette.from_variables(self.get_css_variables())
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.switch_mode("questions")
        if self.ctx.refresh_seconds:
            self.set_interval(self.ctx.refresh_seconds, self._periodic_refresh)

    # --- errors -------------------------------------------------------------------------------------------

    def report_unexpected(self, what: str, exc: BaseException) -> None:
        """An exception escaped a handler: log it, tell the user, keep running (unless it keeps happening)."""
        self.unexpected_errors.append(exc)
        line = log_unexpected(what, exc)
        now = time.monotonic()
        self._error_times = [t for t in self._error_times if now - t < ERROR_WINDOW] + [now]
        if len(self._error_times) > MAX_ERRORS:
            self.exit(return_code=1, message=f"forecast: too many errors; last: {line}")
            return
        self.notify(line, title="Unexpected error", severity="error", timeout=10, markup=False)

    @on(WorkFailed)
    def _work_failed(self, message: WorkFailed) -> None:
        if not message.expected:
            self.unexpected_errors.append(RuntimeError(message.error))
        title = "Error" if message.expected else "Unexpected error"
        self.notify(message.error, title=f"{title} while {message.what}", severity="error", timeout=8, markup=False)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Only http(s) URLs reach the browser: a stored `javascript:` or `file:` link is refused here."""
        from forecast.core.urls import is_http_url, shown

        if not is_http_url(url):
            self.notify(f"Not opened: {shown(url, 80)} is not an http(s) URL.", severity="warning", markup=False)
            return
        super().open_url(url, new_tab=new_tab)

    # --- navigation ---------------------------------------------------------------------------------------

    def action_show(self, mode: str) -> None:
        if mode in self.MODES and mode != self.current_mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from forecast.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_refresh_data(self) -> None:
        refresh = getattr(self.screen, "refresh_data", None)
        if refresh is not None:
            refresh(quiet=False)
            self.notify("Reloaded from the database.", timeout=2)

    def _periodic_refresh(self) -> None:
        refresh = getattr(self.screen, "refresh_data", None)
        if refresh is not None:
            refresh(quiet=True)

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def _theme_changed(self, _theme) -> None:
        self.palette = Palette.from_variables(self.get_css_variables())
        for screen in self.screen_stack:
            hook = getattr(screen, "on_theme_changed", None)
            if hook is not None:
                hook()

    def on_first_rows(self) -> None:
        self.call_after_refresh(self._first_frame_drawn)

    def _first_frame_drawn(self) -> None:
        self.ctx.first_frame.set()
        if self._on_first_rows is not None:
            self._on_first_rows(self)

    def open_database(self):
        """The database, opened on first use (from a worker). A failure here is fatal: nothing works without it."""
        try:
            return self.ctx.db
        except ForecastError as exc:
            self.call_from_thread(self._fatal, str(exc))
        except Exception as exc:  # a corrupt file, a refused connection: say so and stop, do not limp on
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            self.call_from_thread(self._fatal, f"cannot open database {self.ctx.target}: {reason}")
        return None

    def _fatal(self, message: str) -> None:
        self.fatal_error = message
        self.exit(return_code=1)

    # --- opening screens and forms ------------------------------------------------------------------------

    def open_question(self, question_id: int) -> None:
        """One detail screen, built on first use and kept: later questions reuse its widgets."""
        from forecast.tui.screens.detail import DetailScreen

        if not self.is_screen_installed("detail"):
            self.install_screen(DetailScreen(question_id), "detail")
        detail = self.get_screen("detail")
        detail.show_question(question_id)
        if detail not in self.screen_stack:
            self.push_screen("detail")

    @db_work("loading the question", group="detail-load")
    def fetch_question(self, screen, question_id: int) -> None:
        """Runs on the app, so it can start before the detail screen is built; posts to that screen."""
        from forecast.services.questions.detail import show_question
        from forecast.services.reminders import reminder_marks
        from forecast.tui.screens.detail import DetailScreen

        db = self.open_database()
        if db is None:
            return
        with db.session() as session:
            data = show_question(session, question_id, now=self.ctx.now(), backfill_after=self.ctx.backfill_after)
            due = reminder_marks(session, self.ctx.now()).get(data.id)
        screen.post_message(DetailScreen.Loaded(data, question_id, reminder_due=due))

    def new_forecast(self, question_id: int, evidence: tuple[str, ...] = ()) -> None:
        from forecast.tui.forms.forecast import ForecastForm

        self.push_screen(ForecastForm(question_id, evidence=evidence), self.written)

    def new_question(self) -> None:
        from forecast.tui.forms.question import QuestionForm

        self.push_screen(QuestionForm(), self.written)

    def edit_question(self, question_id: int) -> None:
        from forecast.tui.forms.question import QuestionForm

        self.push_screen(QuestionForm(question_id), self.written)

    def written(self, result: DataChanged | None) -> None:
        """A form saved something: every screen that shows data reloads when next seen."""
        if result is None:
            return
        self.data_generation += 1
        self.post_message(result)

    # --- delete and undo -----------------------------------------------------------------------------------

    def confirm_delete(self, kind: str, ref: int, label: str, question_id: int | None = None) -> None:
        """Ask, then move the item to the trash (u undoes it)."""
        from forecast.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(kind, ref, question_id)

        self.push_screen(ConfirmScreen(f"Delete {kind}", f"Delete {kind} {label}?\n\nIt goes to the trash: u undoes "
                                       f"it now, `forecast restore {kind}` brings it back later."), answered)  # fmt: skip

    @db_work("deleting", group="delete", exclusive=False)
    def _delete(self, kind: str, ref: int, question_id: int | None) -> None:
        from forecast.services import trash
        from forecast.services.undo import for_delete

        db = self.open_database()
        if db is None:
            return
        token = db.write(lambda s: for_delete(trash.DELETERS[kind](s, ref, actor=self.ctx.me, now=self.ctx.now())))
        done = DataChanged("delete", question_id, note=f"Deleted {token.what.removeprefix('delete of ')}", undo=token)
        self.call_from_thread(self.written, done)

    def action_undo(self) -> None:
        if self._undoing:
            self.notify("Still undoing the last change.", timeout=3)
        elif not self.undo_tokens:
            self.notify("Nothing to undo: no changes made in this session.", timeout=4)
        else:
            self._undoing = True
            self._undo(self.undo_tokens.pop())

    @db_work("undoing", group="undo", exclusive=False)
    def _undo(self, token) -> None:
        from forecast.services.undo import undo

        try:
            db = self.open_database()
            if db is None:
                return
            what = db.write(lambda s: undo(s, token, actor=self.ctx.me, now=self.ctx.now()))
            self.call_from_thread(self.written, DataChanged("undo", token.data.get("question"), note=f"Undid: {what}"))
        finally:
            self.call_from_thread(setattr, self, "_undoing", False)

    @on(DataChanged)
    def _data_changed(self, message: DataChanged) -> None:
        if message.undo is not None:
            self.undo_tokens.append(message.undo)
        said = "\n".join(line for line in (message.done, message.note) if line)
        if said:
            self.notify(said, title="Saved" if message.done else "", timeout=6, markup=False)
            from forecast.tui.widgets.keybar import KeyBar

            for bar in self.screen.query(KeyBar):  # and in the footer of the screen the change returns to
                bar.say(message.done or message.note)
        for screen in self.screen_stack:
            hook = getattr(screen, "data_changed", None)
            if hook is not None:
                hook(message)
