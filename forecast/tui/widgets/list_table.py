"""A ViewTable over a list of ready-made rows: for lists of at most a few thousand (updates, evidence, inbox)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text

from forecast.tui.widgets.view_table import ViewTable


@dataclass
class ListRows:
    """A RowSource over a list of ready-made rows (a question has at most a few thousand updates)."""

    rows: list[list[Text]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    all_keys: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def cells(self, index: int) -> list[Text]:
        row = self.rows[index]
        if self.keys == self.all_keys:
            return row
        return [row[self.all_keys.index(k)] for k in self.keys]


class ListTable(ViewTable):
    def __init__(self, specs, **kwargs) -> None:
        self.list_rows = ListRows(all_keys=[c.key for c in specs])
        super().__init__(self.list_rows, specs, **kwargs)
        self.list_rows.keys = self.visible_keys()

    def relayout(self, width: int) -> None:
        super().relayout(width)
        self.list_rows.keys = self.visible_keys()

    def set_rows(self, rows: list[list[Text]]) -> None:
        self.list_rows.rows = rows
        self.reload()
