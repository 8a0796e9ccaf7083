"""A virtual table over an in-memory row source: only the rows on screen are built and drawn.

Each row is drawn as one line of rich Text (so user text is never read as markup) and cached by the
source's key for it, so filtering or sorting 50,000 rows re-draws only rows not seen before.

Which columns show and how wide they are is one function of the width the table has now (`layout`).
The table checks that width every time it draws a line, not only on Resize: Textual may draw at a new
size before the Resize event arrives, and a row drawn for the old layout must never be kept for the
new one, so drawn rows are forgotten whenever the layout changes. Header and rows go through the same
`Layout`, so their cells start at the same x-offsets by construction.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from forecast.tui.guard import Guarded

PADDING = 2  # one space either side of each cell
CACHE_ROWS = 600
_FLAT = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\v": " ", "\f": " "})


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    width: int
    """Fixed width in cells; 0 for a flexible column, which shares the remaining space by `weight`."""
    min_screen: int = 0
    """Hide the column on screens narrower than this."""
    justify: str = "left"
    weight: int = 1
    """A flexible column's share of the remaining space."""
    min_width: int = 8
    """A flexible column's narrowest."""
    priority: int = 5
    """When the columns do not fit at their narrowest, the lowest priority goes first (the rightmost of equals)."""


@dataclass(frozen=True)
class Layout:
    """The columns shown at one width, each cell's width and where it starts."""

    width: int
    columns: tuple[ColumnSpec, ...]
    widths: tuple[int, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def offsets(self) -> tuple[int, ...]:
        """The x of each cell's first character (after the one-space padding)."""
        out, x = [], 0
        for w in self.widths:
            out.append(x + 1)
            x += w + PADDING
        return tuple(out)


class RowSource(Protocol):
    def __len__(self) -> int: ...

    def cells(self, index: int, keys: Sequence[str]) -> Sequence[Text]:
        """Cells of the row at `index` in the current order, one per key in `keys` (the visible columns)."""
        ...

    def key(self, index: int) -> Hashable:
        """What the row shows, for caching its drawing: equal keys draw the same (until a redraw)."""
        ...


def _narrowest(c: ColumnSpec) -> int:
    return (c.width or c.min_width) + PADDING


def layout(specs: Sequence[ColumnSpec], width: int, hidden: frozenset[str] | set[str] = frozenset()) -> Layout:
    """The columns that fit `width` and their widths; flexible columns share what the fixed ones leave.

    Columns go, lowest priority first, until the rest fit at their narrowest, so a narrow screen shows
    fewer whole columns rather than cutting the last ones off.
    """
    shown = [c for c in specs if width >= c.min_screen and c.key not in hidden]
    while len(shown) > 1 and sum(_narrowest(c) for c in shown) > width:
        drop = min(reversed(range(len(shown))), key=lambda i: shown[i].priority)
        del shown[drop]
    fixed = sum(c.width + PADDING for c in shown if c.width)
    flex = [c for c in shown if not c.width]
    spare = max(width - fixed - PADDING * len(flex), 0)
    total = sum(c.weight for c in flex) or 1
    widths = [c.width if c.width else max(spare * c.weight // total, c.min_width) for c in shown]
    # Integer shares leave a few cells over: give them to the last flexible column so rows end flush.
    used = sum(w + PADDING for w in widths)
    if flex and used < width:
        last = max(i for i, c in enumerate(shown) if not c.width)
        widths[last] += width - used
    return Layout(width, tuple(shown), tuple(widths))


class ViewTable(Guarded, ScrollView, can_focus=True):
    """A row-cursor table: the header stays put, rows scroll under it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"view-table--header", "view-table--cursor"}
    DEFAULT_CSS = """
    ViewTable {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    ViewTable > .view-table--header {
        background: $panel;
        color: $foreground;
        text-style: bold;
    }
    ViewTable > .view-table--cursor {
        background: $primary 30%;
    }
    ViewTable:focus > .view-table--cursor {
        background: $primary 60%;
    }
    ViewTable:nocolor > .view-table--cursor {
        text-style: reverse;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class RowHighlighted(Message):
        table: ViewTable
        cursor_row: int

        @property
        def control(self) -> ViewTable:
            return self.table

    @dataclass
    class RowSelected(Message):
        table: ViewTable
        cursor_row: int

        @property
        def control(self) -> ViewTable:
            return self.table

    def __init__(self, source: RowSource, specs: Sequence[ColumnSpec], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.specs = list(specs)
        self.hidden: frozenset[str] = frozenset()
        self.labels: dict[str, str] = {c.key: c.label for c in self.specs}
        self._layout: Layout | None = None
        self._laid_hidden: frozenset[str] = frozenset()
        self._rows: OrderedDict[tuple, Strip] = OrderedDict()

    # --- data and layout ----------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.source)

    def get_row_at(self, index: int) -> Sequence[Text]:
        return self.source.cells(index, self.current_layout().keys)

    def content_width(self) -> int:
        """The cells the rows can use now: the content area less a vertical scrollbar when one shows."""
        return self.scrollable_content_region.width

    def current_layout(self) -> Layout:
        """The layout for the width the table has now; computing a new one forgets every drawn row."""
        width = self.content_width()
        laid = self._layout
        if laid is None or laid.width != width or self._laid_hidden != self.hidden:
            laid = self._layout = layout(self.specs, width, self.hidden)
            self._laid_hidden = self.hidden
            self._rows.clear()
        return laid

    def visible_keys(self) -> list[str]:
        return list(self.current_layout().keys)

    def set_labels(self, labels: Mapping[str, str]) -> None:
        """Change column headings (e.g. the sort marker)."""
        self.labels = {c.key: labels.get(c.key, c.label) for c in self.specs}
        self.refresh()

    def set_hidden(self, keys: set[str]) -> None:
        if frozenset(keys) != self.hidden:
            self.hidden = frozenset(keys)
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.current_layout()
        self.reload()

    def reload(self) -> None:
        """The source's rows changed (filter, sort, new data): size the scroll area and redraw."""
        self.virtual_size = Size(self.content_width(), len(self.source) + 1)
        if self.cursor_row >= len(self.source):
            self.cursor_row = max(len(self.source) - 1, 0)
        self._scroll_cursor_into_view()
        self.refresh()

    def redraw(self, keys: set[Hashable] | None = None) -> None:
        """Forget drawn rows (those with these keys, or all) because what they show changed."""
        if keys is None:
            self._rows.clear()
        else:
            for cached in [k for k in self._rows if k[0] in keys]:
                del self._rows[cached]
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rows.clear()

    def on_focus(self, event: events.Focus) -> None:
        self._rows.clear()
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self._rows.clear()
        self.refresh()

    # --- drawing ------------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        laid = self.current_layout()
        width = max(self.size.width, laid.width)
        if y == 0:
            return self._header(laid, width)
        row = int(self.scroll_y) + y - 1
        if not 0 <= row < len(self.source):
            return Strip.blank(width, self.rich_style)
        return self._row(laid, row, width)

    @staticmethod
    def line_text(laid: Layout, cells: Sequence[Text]) -> Text:
        """One line of the table: every cell cut or padded to its column's width, one space either side."""
        line = Text(no_wrap=True, overflow="crop", end="")
        for spec, width, cell in zip(laid.columns, laid.widths, cells, strict=False):
            text = cell.copy()
            if text.plain != (flat := text.plain.translate(_FLAT)):
                text = Text(flat, style=text.style, justify=text.justify, spans=text.spans)  # same length: spans hold
            text.truncate(width, overflow="ellipsis")
            pad = " " * max(width - text.cell_len, 0)
            line.append(" ")
            if spec.justify == "right" or text.justify == "right":
                line.append(pad)
                line.append_text(text)
            else:
                line.append_text(text)
                line.append(pad)
            line.append(" ")
        return line

    def _line_strip(self, text: Text, width: int, style: Style) -> Strip:
        segments = [Segment(s.text, s.style, s.control) for s in text.render(self.app.console)]
        return Strip(segments).apply_style(style).extend_cell_length(width, style).crop(0, width)

    def header_cells(self, laid: Layout) -> list[Text]:
        return [Text(self.labels.get(c.key, c.label)) for c in laid.columns]

    def _header(self, laid: Layout, width: int) -> Strip:
        style = self.get_component_rich_style("view-table--header")
        return self._line_strip(self.line_text(laid, self.header_cells(laid)), width, style)

    def _row(self, laid: Layout, row: int, width: int) -> Strip:
        cursor = row == self.cursor_row
        cache_key = (self.source.key(row), cursor)
        strip = self._rows.get(cache_key)
        if strip is not None:
            self._rows.move_to_end(cache_key)
            return strip
        style = self.rich_style
        if cursor:
            style = style + self.get_component_rich_style("view-table--cursor")
        strip = self._line_strip(self.line_text(laid, self.source.cells(row, laid.keys)), width, style)
        self._rows[cache_key] = strip
        if len(self._rows) > CACHE_ROWS:
            self._rows.popitem(last=False)
        return strip

    # --- the cursor ---------------------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.source) - 1)) if len(self.source) else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        if len(self.source):
            self.post_message(self.RowHighlighted(self, new))

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        self.cursor_row = row

    def _scroll_cursor_into_view(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= max(self.size.height - 2, 1)

    def action_page_down(self) -> None:
        self.cursor_row += max(self.size.height - 2, 1)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self.source) - 1

    def action_select(self) -> None:
        if len(self.source):
            self.post_message(self.RowSelected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.source):
            if row == self.cursor_row:
                self.action_select()
            else:
                self.cursor_row = row
