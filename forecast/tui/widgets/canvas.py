"""A character canvas with braille sub-cells: each cell is 2 x 4 dots, so lines look smooth in a terminal.

Pure drawing, no Textual: plot in dot coordinates (x right, y down), place glyphs in cell coordinates,
then turn the grid into rich Text lines. A cell takes the style of whatever was drawn in it last.
"""

from __future__ import annotations

from rich.text import Text

_BRAILLE = 0x2800
# Dot bits by (x, y) inside a cell, per the Unicode braille layout.
_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width = max(width, 1)
        self.height = max(height, 1)
        self.dots = [[0] * self.width for _ in range(self.height)]
        self.glyphs: list[list[str | None]] = [[None] * self.width for _ in range(self.height)]
        self.styles: list[list[str]] = [[""] * self.width for _ in range(self.height)]
        self.under: list[list[tuple[str, str] | None]] = [[None] * self.width for _ in range(self.height)]
        """Guides drawn beneath: shown only where no dot or glyph is."""

    @property
    def dot_width(self) -> int:
        return self.width * 2

    @property
    def dot_height(self) -> int:
        return self.height * 4

    def dot(self, x: int, y: int, style: str = "") -> None:
        if 0 <= x < self.dot_width and 0 <= y < self.dot_height:
            cx, cy = x // 2, y // 4
            self.dots[cy][cx] |= _BITS[x % 2][y % 4]
            if self.glyphs[cy][cx] is None:
                self.styles[cy][cx] = style

    def line(self, x0: int, y0: int, x1: int, y1: int, style: str = "") -> None:
        """Bresenham, inclusive of both ends."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self.dot(x0, y0, style)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def vline_under(self, cx: int, char: str = "┊", style: str = "") -> None:
        """A vertical rule beneath whatever is drawn in cell column `cx`."""
        if 0 <= cx < self.width:
            for cy in range(self.height):
                self.under[cy][cx] = (char, style)

    def hline_under(self, cy: int, char: str = "┈", style: str = "") -> None:
        """A horizontal guide beneath whatever is drawn in cell row `cy` (vertical rules win crossings)."""
        if 0 <= cy < self.height:
            row = self.under[cy]
            for cx in range(self.width):
                if row[cx] is None:
                    row[cx] = (char, style)

    def glyph(self, cx: int, cy: int, char: str, style: str = "") -> None:
        if 0 <= cx < self.width and 0 <= cy < self.height:
            self.glyphs[cy][cx] = char
            self.styles[cy][cx] = style

    def text(self, cx: int, cy: int, text: str, style: str = "") -> None:
        for i, ch in enumerate(text):
            self.glyph(cx + i, cy, ch, style)

    def lines(self) -> list[Text]:
        out = []
        for cy in range(self.height):
            line = Text(no_wrap=True, overflow="crop")
            for cx in range(self.width):
                glyph = self.glyphs[cy][cx]
                style = self.styles[cy][cx]
                if glyph is not None:
                    ch = glyph
                elif self.dots[cy][cx]:
                    ch = chr(_BRAILLE + self.dots[cy][cx])
                elif self.under[cy][cx] is not None:
                    ch, style = self.under[cy][cx]  # type: ignore[misc]
                else:
                    ch = " "
                line.append(ch, style=style or None)
            out.append(line)
        return out


def scale(value: float, lo: float, hi: float, size: int) -> int:
    """Map value in [lo, hi] onto 0 .. size-1 (clamped)."""
    if hi <= lo:
        return 0
    pos = round((value - lo) / (hi - lo) * (size - 1))
    return min(max(pos, 0), size - 1)
