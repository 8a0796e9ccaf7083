"""What the terminal shows, as lines of text, read from the composited screen (App.export_screenshot).

The SVG that Textual exports (through rich) draws every run of cells as a <text> element at x = column
times the cell width, so the columns come back exactly, wide characters included.
"""

from __future__ import annotations

import html
import re

from rich.cells import get_character_cell_size

_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>([^<]*)</text>')
_CELL = 12.2  # rich's export_svg: char width = 0.61 x font size 20


def screen_cells(app) -> list[list[str]]:
    """The screen, one list of cells per row (a wide character's second cell is ""), `app.size.width` long.

    Index a row by cell column; "".join(row) gives its text."""
    width, height = app.size
    rows: dict[float, list[tuple[int, str]]] = {}
    for x, y, _length, text in _TEXT.findall(app.export_screenshot(simplify=True)):
        rows.setdefault(float(y), []).append((round(float(x) / _CELL), html.unescape(text).replace("\xa0", " ")))
    out = []
    for y in sorted(rows)[:height]:
        line = [" "] * width
        for col, text in rows[y]:
            for ch in text:
                size = get_character_cell_size(ch)
                if 0 <= col < width:
                    line[col] = ch
                    if size == 2 and col + 1 < width:
                        line[col + 1] = ""  # the wide character's second cell
                col += size
        out.append(line)
    while len(out) < height:
        out.append([" "] * width)
    return out
