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


class KeyBar(Guarded, Static):
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
