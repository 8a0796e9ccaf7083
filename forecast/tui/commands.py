"""The command palette offers every registry command of the current screen and of the app."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from forecast.tui.bindings import Command, commands, key_display


class RegistryCommands(Provider):
    def _available(self) -> list[Command]:
        scope = getattr(self.screen, "SCOPE", "app")
        own = commands(scope) if scope != "app" else ()
        return [c for c in (*own, *commands("app")) if c.palette]

    def _run(self, command: Command) -> None:
        self.app.call_later(self.screen.run_action, command.action)

    def _help(self, command: Command) -> str:
        # The palette reads help as markup: escape it (a key such as "/" would otherwise be a closing tag).
        text = f"{command.help}  · key {key_display(command.key)}" if command.key else command.help
        return escape(text)

    async def discover(self) -> Hits:
        for command in self._available():
            yield DiscoveryHit(command.title, partial(self._run, command), help=self._help(command))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._available():
            score = max(matcher.match(command.title), matcher.match(command.help) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), partial(self._run, command), help=self._help(command))
