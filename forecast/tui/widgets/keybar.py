"""The bottom line: the keys that work here, drawn as one line of text.

Textual's Footer builds a widget per key, which costs more to mount than the rest of a screen; this
draws the same information (the screen's active bindings marked `show`) in a single Static.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from forecast.tui.bindings import command_by_id
from forecast.tui.guard import Guarded


def _preferred(bindings: list[Binding], keymap: dict[str, str]) -> Binding:
    """Of the active keys for one action, the one declared first in the registry: which of them Textual
    lists first depends on focus (a focused table's own enter shadows the screen's)."""
    command = command_by_id(bindings[0].id) if bindings[0].id else None
    if command is None:
        return bindings[0]
    declared = keymap.get(command.id, command.key).split(",")
    return min(bindings, key=lambda b: declared.index(b.key) if b.key in declared else len(declared))


SAID_SECONDS = 6.0
"""How long the key bar shows what was just saved or undone before the keys come back."""


class KeyBar(Guarded, Static):
    """The keys; after a change, for a few seconds, what the change was ("✓ Saved forecast 35% on nk")."""

    _said = ""
    _said_timer = None

    def say(self, text: str) -> None:
        """Confirm a change here, in the footer, until the next one or SAID_SECONDS from now."""
        self._said = text.splitlines()[0] if text else ""
        if self._said_timer is not None:
            self._said_timer.stop()
        self._said_timer = self.set_timer(SAID_SECONDS, self._unsay) if self._said else None
        self._draw()

    def _unsay(self) -> None:
        self._said, self._said_timer = "", None
        self._draw()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self.app.theme_changed_signal.subscribe(self, self._changed)
        self._draw()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)
        self.app.theme_changed_signal.unsubscribe(self)

    def _changed(self, _screen) -> None:
        self.call_after_refresh(self._draw)

    def _draw(self) -> None:
        if not self.is_attached:
            return
        accent = f"bold {getattr(self.app, 'palette').accent}"
        if self._said:
            self.update(Content.assemble((" ✓ ", accent), (self._said, "bold")))
            return
        keymap = getattr(self.app, "keymap", {})
        by_action: dict[str, list] = {}
        for active in self.screen.active_bindings.values():
            if active.binding.show:
                by_action.setdefault(active.binding.action, []).append(active)
        parts: list[Content] = []
        for actives in by_action.values():
            binding = _preferred([a.binding for a in actives], keymap)
            style = "" if any(a.enabled for a in actives) else "dim"
            display = self.app.get_key_display(binding)
            parts.append(Content.assemble((f" {display} ", f"{accent} {style}"), (f"{binding.description} ", style)))
        parts.append(Content.assemble((" ^p ", accent), ("palette ", "")))
        self.update(Content("").join(parts))
