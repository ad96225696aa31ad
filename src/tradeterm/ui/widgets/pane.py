"""Base for panes drawn line by line from an engine view.

A pane hands over its content as rows of ``(text, style)`` runs (``set_rows``). Each distinct row
is turned into a ``Strip`` once and cached, and only the rows that changed since the last frame
are repainted, and of those only the cells that changed: a ladder whose ask size moved repaints
that one cell run, not the line or the pane.
Pane sizes come from the stylesheet, never from content, so a redraw never triggers a layout.
"""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

Run = tuple[str, str]  # (text, rich style string)
Row = tuple[Run, ...]

CACHE_LIMIT = 4096


_styles: dict[str, Style] = {}


def _parse(style: str) -> Style:
    parsed = _styles.get(style)
    if parsed is None:
        parsed = _styles[style] = Style.parse(style)
    return parsed


def _inks(text: str, style: str) -> bool:
    """Whether ``style`` shows on ``text``: blank text in a foreground-only style looks the same
    in the pane's base style, and sending it so lets adjacent runs merge (fewer colour codes on
    the wire)."""
    if not text.isspace():
        return True
    parsed = _parse(style)
    return bool(
        parsed.bgcolor or parsed.reverse or parsed.underline or parsed.strike or parsed.overline
    )


def changed_span(y: int, old: Row | None, new: Row | None, width: int) -> Region | None:
    """The cells of line ``y`` that differ between two versions of a row: from the first run
    that changed to the end of the last one when both rows have the same runs' widths (a ladder
    row whose ask size changed repaints the ask column only), else the whole line."""
    if old == new:
        return None
    if old is None or new is None or len(old) != len(new):
        return Region(0, y, width, 1)
    x = 0
    first = last = None
    for (old_text, old_style), (text, style) in zip(old, new):
        cells = cell_len(text)
        if cell_len(old_text) != cells:
            return Region(0, y, width, 1)
        if old_text != text or old_style != style:
            if first is None:
                first = x
            last = x + cells
        x += cells
    if first is None:
        return None
    return Region(first, y, max(1, min(last, width) - first), 1)


class TextPane(Widget):
    REDRAW_S = 0.0  # a busy pane's shortest time between frames drawn by the app's timer

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.next_draw = 0.0  # monotonic time before which the app's timer skips this pane
        self._drawn: tuple[object, ...] | None = None  # what the last frame was drawn from
        self._rows: list[Row] = []
        self._strips: dict[tuple[Row, int, Style], Strip] = {}

    def on_mount(self) -> None:
        self.refresh_view()  # the first frame, before the app's timer first ticks

    def refresh_view(self) -> None:
        """Redraw from the pane's engine view if it changed (panes override it)."""

    def changed(self, *key: object) -> bool:
        """Whether what the pane shows (its views' versions, size, palette...) differs from the
        last frame; remembers ``key`` when it does. ``self._drawn = None`` forces a redraw."""
        if key == self._drawn:
            return False
        self._drawn = key
        return True

    def set_rows(self, rows: list[Row], throttle: bool = True) -> None:
        """Show ``rows``. ``throttle=False`` for a placeholder ("waiting for the book"), so the
        first real frame does not wait out ``REDRAW_S``."""
        if throttle and self.REDRAW_S:
            self.next_draw = time.monotonic() + self.REDRAW_S
        old = self._rows
        self._rows = rows
        width = self.size.width
        dirty = [
            changed_span(
                y, old[y] if y < len(old) else None, rows[y] if y < len(rows) else None, width
            )
            for y in range(max(len(rows), len(old)))
        ]
        dirty = [region for region in dirty if region is not None]
        if len(dirty) > 1 and sum(r.width for r in dirty) > width * max(len(rows), 1) * 3 // 4:
            self.refresh()  # nearly everything changed: one repaint is cheaper than many
        elif dirty:
            self.refresh(*dirty)

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
            segments = [
                Segment(text, base + _parse(style) if style and _inks(text, style) else base)
                for text, style in row
            ]
            strip = Strip(segments).crop_extend(0, width, base).simplify()
            self._strips[key] = strip
        return strip

    def plain_lines(self) -> list[str]:
        """The pane's text, for tests and tools."""
        return ["".join(text for text, _ in row) for row in self._rows]
