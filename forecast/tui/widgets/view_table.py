"""A fast data table over an in-memory row source.

textual-fastdatatable draws only the rows on screen and asks its backend for them one at a time;
this backend forwards those requests to a `RowSource`, which builds the cells (rich Text, so user
text is never read as markup) when they are first drawn. Filtering and sorting replace the source's
row order; `ViewTable.reload` then redraws without rebuilding anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rich.text import Text
from textual.binding import Binding
from textual_fastdatatable.backend import DataTableBackend
from textual_fastdatatable.data_table import DataTable

PADDING = 2  # fastdatatable pads each cell with one space either side


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    width: int
    """Fixed width in cells; 0 for the one flexible column that takes the remaining space."""
    min_screen: int = 0
    """Hide the column on screens narrower than this."""
    justify: str = "left"


class RowSource(Protocol):
    def __len__(self) -> int: ...

    def cells(self, index: int) -> Sequence[Text]:
        """Cells of the row at `index` in the current order, one per visible column."""
        ...


def layout(
    specs: Sequence[ColumnSpec], width: int, hidden: frozenset[str] | set[str] = frozenset()
) -> tuple[list[ColumnSpec], list[int]]:
    """The columns that fit `width` and their widths; the flexible column takes what is left."""
    shown = [c for c in specs if width >= c.min_screen and c.key not in hidden]
    fixed = sum(c.width + PADDING for c in shown if c.width)
    flex = [c for c in shown if not c.width]
    spare = max(width - fixed - PADDING * len(flex) - 1, 8)  # 1: the vertical scrollbar's share
    widths = [c.width if c.width else max(spare // max(len(flex), 1), 8) for c in shown]
    return shown, widths


class SourceBackend(DataTableBackend):
    """Read-only: rows come from the source, never from stored data."""

    def __init__(self, source: RowSource, labels: Sequence[str], widths: Sequence[int]) -> None:
        self._render_markup = False
        self.source = source
        self.labels = list(labels)
        self.widths = list(widths)

    @classmethod
    def from_pydict(cls, data: Mapping[str, Sequence[Any]], max_rows=None, column_names=None):
        raise NotImplementedError

    @property
    def source_data(self) -> None:
        return None

    @property
    def source_row_count(self) -> int:
        return len(self.source)

    @property
    def row_count(self) -> int:
        return len(self.source)

    @property
    def columns(self) -> Sequence[str]:
        return self.labels

    @property
    def column_content_widths(self) -> Sequence[int]:
        return self.widths

    def get_row_at(self, index: int) -> Sequence[Any]:
        return self.source.cells(index)

    def get_column_at(self, index: int) -> Sequence[Any]:
        return [self.source.cells(i)[index] for i in range(len(self.source))]

    def get_cell_at(self, row_index: int, column_index: int) -> Any:
        return self.source.cells(row_index)[column_index]

    def append_column(self, label: str, default: Any | None = None) -> int:
        raise NotImplementedError

    def append_rows(self, records: Iterable[Iterable[Any]]) -> list[int]:
        raise NotImplementedError

    def drop_row(self, row_index: int) -> None:
        raise NotImplementedError

    def update_cell(self, row_index: int, column_index: int, value: Any) -> None:
        raise NotImplementedError

    def sort(self, by) -> None:
        raise NotImplementedError


class ViewTable(DataTable):
    """A row-cursor table over a RowSource, with responsive column widths."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]

    def __init__(self, source: RowSource, specs: Sequence[ColumnSpec], *, id: str | None = None) -> None:
        self.specs = list(specs)
        self.hidden: set[str] = set()
        self.shown, widths = layout(self.specs, 100)
        super().__init__(
            backend=SourceBackend(source, [c.label for c in self.shown], widths),
            column_widths=list(widths),
            cursor_type="row",
            render_markup=False,
            show_row_labels=False,
            zebra_stripes=False,
            max_column_content_width=None,
            id=id,
        )
        self._laid_out_for = 0

    @property
    def source(self) -> RowSource:
        return self.backend.source  # type: ignore[union-attr]

    def visible_keys(self) -> list[str]:
        return [c.key for c in self.shown]

    def set_labels(self, labels: Mapping[str, str]) -> None:
        """Change column headings (e.g. the sort indicator)."""
        self.backend.labels = [labels.get(c.key, c.label) for c in self.shown]  # type: ignore[union-attr]
        self._column_labels = None
        self.reload(measure=True)

    def set_hidden(self, keys: set[str]) -> None:
        if keys != self.hidden:
            self.hidden = set(keys)
            self.relayout(self._laid_out_for or self.size.width or 100)

    def on_resize(self) -> None:
        if self.size.width and self.size.width != self._laid_out_for:
            self.relayout(self.size.width)

    def relayout(self, width: int) -> None:
        self._laid_out_for = width
        labels = dict(zip(self.visible_keys(), self.backend.labels, strict=False))  # type: ignore[union-attr]
        self.shown, widths = layout(self.specs, width, self.hidden)
        backend: SourceBackend = self.backend  # type: ignore[assignment]
        backend.labels = [labels.get(c.key, c.label) for c in self.shown]
        backend.widths = widths
        self._column_widths = list(widths)
        self.reload(measure=True)

    def reload(self, *, measure: bool = False) -> None:
        """Redraw after the source's rows changed. Touches fastdatatable internals: its row caches are
        keyed on an update counter, and its column list is cached until reset."""
        self._update_count += 1
        if measure:
            self._ordered_columns = None
        self._require_update_dimensions = True
        if self.row_count and self.cursor_row >= self.row_count:
            self.move_cursor(row=self.row_count - 1)
        self.refresh(layout=True)
        self.check_idle()

    def redraw(self) -> None:
        """Repaint the visible rows (their cells changed, the rows did not)."""
        self._update_count += 1
        self.refresh()
