"""The bottom line: the keys that work here, drawn as one line of text.

Textual's Footer builds a widget per key, which costs more to mount than the rest of a screen; this
draws the same information (the screen's active bindings marked `show`) in a single Static.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class KeyBar(Static):
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
        parts: list[Content] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            display = self.app.get_key_display(binding)
            style = "" if active.enabled else "dim"
            parts.append(Content.assemble((f" {display} ", f"{accent} {style}"), (f"{binding.description} ", style)))
        parts.append(Content.assemble((" ^p ", accent), ("palette ", "")))
        self.update(Content("").join(parts))
