"""A ViewTable over a list of ready-made rows: for lists of at most a few thousand (updates, evidence, inbox)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.text import Text

from forecast.tui.widgets.view_table import ViewTable


@dataclass
class ListRows:
    """A RowSource over a list of items; each row's cells are built from its item when first drawn."""

    items: list = field(default_factory=list)
    build: Callable[[object], list[Text]] = lambda item: item  # type: ignore[assignment, return-value]
    all_keys: list[str] = field(default_factory=list)
    _built: dict[int, list[Text]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.items)

    def key(self, index: int) -> int:
        return index

    def cells(self, index: int, keys: Sequence[str]) -> list[Text]:
        row = self._built.get(index)
        if row is None:
            row = self._built[index] = self.build(self.items[index])
        if tuple(keys) == tuple(self.all_keys):
            return row
        return [row[self.all_keys.index(k)] for k in keys]


class ListTable(ViewTable):
    def __init__(self, specs, **kwargs) -> None:
        self.list_rows = ListRows(all_keys=[c.key for c in specs])
        super().__init__(self.list_rows, specs, **kwargs)

    def set_rows(self, rows: list[list[Text]]) -> None:
        """Rows built in advance (short lists)."""
        self.set_items(rows, lambda row: row)

    def set_items(self, items: list, build: Callable[[object], list[Text]]) -> None:
        """Rows built from `items` only when drawn (long lists)."""
        self.list_rows.items = items
        self.list_rows.build = build
        self.list_rows._built = {}
        self.redraw()
        self.reload()
