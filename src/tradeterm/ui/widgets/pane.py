"""Base for panes drawn line by line from an engine view.

A pane hands over its content as rows of ``(text, style)`` runs (``set_rows``). Each distinct row
is turned into a ``Strip`` once and cached, and only the rows that changed since the last frame
are repainted: a ladder whose market moved by one level repaints one or two lines, not the pane.
Pane sizes come from the stylesheet, never from content, so a redraw never triggers a layout.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

Run = tuple[str, str]  # (text, rich style string)
Row = tuple[Run, ...]

CACHE_LIMIT = 4096


class TextPane(Widget):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[Row] = []
        self._strips: dict[tuple[Row, int, Style], Strip] = {}

    def set_rows(self, rows: list[Row]) -> None:
        old = self._rows
        self._rows = rows
        width = self.size.width
        changed = [y for y in range(max(len(rows), len(old)))
                   if y >= len(rows) or y >= len(old) or rows[y] != old[y]]
        if len(changed) > len(rows) // 2:
            self.refresh()
        elif changed:
            self.refresh(*(Region(0, y, width, 1) for y in changed))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style  # foreground + the background blended from the ancestors (theme)
        if y >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[y]
        key = (row, width, base)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > CACHE_LIMIT:
                self._strips.clear()
            segments = [Segment(text, base + Style.parse(style) if style else base)
                        for text, style in row]
            strip = Strip(segments).crop_extend(0, width, base)
            self._strips[key] = strip
        return strip

    def plain_lines(self) -> list[str]:
        """The pane's text, for tests and tools."""
        return ["".join(text for text, _ in row) for row in self._rows]
