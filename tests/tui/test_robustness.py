"""Never crashing, every binding reachable, keys remappable, other processes' changes picked up, start-up light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from forecast.tui.bindings import REGISTRY
from tests.tui.conftest import SIZE, make_app, settle, until

pytestmark = pytest.mark.anyio


async def test_a_bug_in_a_handler_is_reported_not_fatal(app_factory, monkeypatch):
    from forecast.tui.errors import log_path
    from forecast.tui.screens.questions import QuestionsScreen

    def broken(self) -> None:
        raise RuntimeError("boom in cycle_status")

    monkeypatch.setattr(QuestionsScreen, "action_cycle_status", broken)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert app.is_running
        assert [str(e) for e in app.unexpected_errors] == ["boom in cycle_status"]
        assert any("boom in cycle_status" in str(n.message) for n in app._notifications)
        # Still responsive afterwards.
        await pilot.press("o")
        assert app.screen.view.sort == "updated"
    assert "boom in cycle_status" in log_path().read_text()


async def test_a_failing_worker_is_reported_not_fatal(app_factory, monkeypatch):
    from forecast.services.questions import table as question_table

    def broken(*args, **kwargs):
        raise ValueError("sparklines exploded")

    monkeypatch.setattr(question_table, "sparklines", broken)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        assert any("sparklines exploded" in str(n.message) for n in app._notifications)
        await pilot.press("down")
        assert app.screen.table.cursor_row == 1


async def test_database_that_cannot_be_opened_ends_the_app_with_a_message(tmp_path):
    from forecast.tui.app import ForecastApp
    from forecast.tui.context import TuiContext

    bad = tmp_path / "not-a-database.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    app = ForecastApp(TuiContext(target=str(bad), me="tester", refresh_seconds=None))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert app.fatal_error is not None
    assert "is not a forecast database" in app.fatal_error


def test_every_registry_action_exists():
    """Each binding's action is a method on the screen (or the app) it belongs to."""
    from forecast.tui.app import ForecastApp
    from forecast.tui.forms.base import FormScreen
    from forecast.tui.screens.confirm import ConfirmScreen
    from forecast.tui.screens.detail import DetailScreen
    from forecast.tui.screens.inbox import InboxScreen
    from forecast.tui.screens.questions import QuestionsScreen
    from forecast.tui.screens.scores import ScoresScreen

    owners = {"app": ForecastApp, "questions": QuestionsScreen, "detail": DetailScreen, "inbox": InboxScreen,
              "scores": ScoresScreen, "form": FormScreen, "confirm": ConfirmScreen}  # fmt: skip
    ids = set()
    for scope, commands in REGISTRY.items():
        for c in commands:
            assert c.id not in ids
            ids.add(c.id)
            target, _, name = c.action.rpartition(".")
            owner = ForecastApp if target == "app" else owners[scope]
            method = name.split("(")[0]
            assert hasattr(owner, f"action_{method}"), f"{c.id}: no action_{method} on {owner.__name__}"
            assert c.title and c.help.endswith(".")


async def test_help_lists_every_binding_and_palette_offers_every_command(app_factory):
    from forecast.tui.commands import RegistryCommands
    from forecast.tui.screens.help import HelpScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        provider = RegistryCommands(screen)
        offered = [hit.text async for hit in provider.discover()]
        expected = [c.title for c in (*REGISTRY["questions"], *REGISTRY["app"]) if c.palette]
        assert offered == expected
        hits = sorted([hit async for hit in provider.search("sort by brier")], key=lambda h: -h.score)
        assert hits and "Sort by Brier" in str(hits[0].text)
        hits[0].command()
        await settle(pilot)
        assert screen.view.sort == "brier"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        from rich.console import Console

        console = Console(width=200, record=True, file=open("/dev/null", "w"))
        for widget in app.screen.query("Static"):
            console.print(widget.content)
        shown = console.export_text()
        for commands in REGISTRY.values():
            for c in commands:
                assert c.title in shown
        await pilot.press("escape")
        assert app.screen is screen


async def test_keys_remap_from_config(fixture_db, clock, isolated_env):
    (isolated_env / "config.toml").write_text('name = "tester"\n[keys]\n"questions.filter" = "ctrl+f"\n')
    app = make_app(fixture_db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        assert app.focused.id == "filter"


async def test_changes_by_another_process_appear_on_refresh(fixture_db, clock):
    from forecast.services.forecasts import ForecastRequest, record_forecast

    app = make_app(fixture_db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        row = screen.view.row_of(screen.view.columns.ids[screen.view.columns.slugs.index("rate-cut-q2")])
        assert screen.table.get_row_at(row)[2].plain == "30%"
        # Someone else writes (the scheduled check, a teammate on the shared database).
        with fixture_db.session() as s:
            record_forecast(s, ForecastRequest("rate-cut-q2", 0.55, "tester"), now=clock())
        screen.refresh_data(quiet=True)  # what the periodic timer calls
        await until(pilot, lambda: screen.table.get_row_at(row)[2].plain == "55%", what="the refreshed row")
        # No change: the periodic check does not reload.
        version = screen.version
        screen.refresh_data(quiet=True)
        await settle(pilot)
        assert screen.version == version


async def test_periodic_refresh_runs_on_its_own(fixture_db, clock):
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.tui.app import ForecastApp
    from forecast.tui.context import TuiContext

    ctx = TuiContext(target=fixture_db.url, me="tester", clock=clock, refresh_seconds=0.2, database=fixture_db)
    app = ForecastApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with fixture_db.session() as s:
            record_forecast(s, ForecastRequest("rate-cut-q2", 0.66, "tester"), now=clock())
        table = app.screen.table
        await until(pilot, lambda: "66%" in [table.get_row_at(r)[2].plain for r in range(table.row_count)],
                    what="the periodic refresh to pick up the new forecast")  # fmt: skip


def test_first_frame_path_does_not_import_the_database_stack():
    """SQLAlchemy is imported in a worker after the first frame; the modules drawn first must not need it."""
    code = (
        "import json, sys\n"
        "import forecast.tui.launch, forecast.tui.app, forecast.tui.screens.questions\n"
        "print(json.dumps(sorted({k.split('.')[0] for k in sys.modules})))\n"
    )
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True).stdout))  # fmt: skip
    for heavy in ("sqlalchemy", "sqlmodel", "alembic", "statsmodels", "pandas", "trafilatura", "httpx"):
        assert heavy not in loaded, heavy


def test_palette_help_is_never_markup_textual_could_reject():
    """Textual renders palette help as markup and has no public hook to survive a markup error in its own
    widget, so the help we hand it must always parse, to exactly the text we meant."""
    from textual.content import Content

    from forecast.tui.bindings import key_display
    from forecast.tui.commands import RegistryCommands

    provider = RegistryCommands.__new__(RegistryCommands)
    for commands in REGISTRY.values():
        for c in commands:
            help_text = provider._help(c)
            expected = f"{c.help}  · key {key_display(c.key)}" if c.key else c.help
            assert Content.from_markup(help_text).plain == expected


async def test_a_bug_in_a_message_handler_is_reported_not_fatal(app_factory, monkeypatch):
    from forecast.tui.screens.questions import QuestionsScreen

    def broken(self, message) -> None:
        raise RuntimeError("boom in a message handler")

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        monkeypatch.setattr(screen.view, "set_team", lambda team: broken(screen, team))
        screen.refresh_data()
        await until(pilot, lambda: bool(app.unexpected_errors), what="the handler's error")
        assert app.is_running
        assert [str(e) for e in app.unexpected_errors] == ["boom in a message handler"]
        await pilot.press("s")
        assert screen.view.status == "closed"


async def test_palette_help_with_brackets_renders(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from textual.command import CommandList, CommandPalette

        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await pilot.press(*"filter")
        palette = app.screen
        await until(pilot, lambda: palette.query_one(CommandList).option_count > 0, what="the palette's matches")
        await pilot.press("escape")
        assert app.is_running and not app.unexpected_errors


def test_handlers_are_guarded_and_no_private_textual_method_is_overridden():
    """Every `on` handler goes through forecast.tui.guard; no class of ours redefines a private Textual method."""
    import ast
    import importlib
    import inspect
    import pkgutil
    from pathlib import Path

    import forecast.tui

    root = Path(forecast.tui.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "textual" and path.name != "guard.py":
                assert "on" not in [a.name for a in node.names], f"{path}: import `on` from forecast.tui.guard"
    for info in pkgutil.walk_packages(forecast.tui.__path__, "forecast.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith("forecast."):
                continue
            theirs = [base for base in cls.__mro__ if base.__module__.split(".")[0] == "textual"]
            for name, value in vars(cls).items():
                if name.startswith("_") and not name.startswith("__") and callable(value):
                    owner = next((base for base in theirs if name in vars(base)), None)
                    assert owner is None, f"{cls.__qualname__}.{name} overrides {owner.__qualname__}.{name}"
