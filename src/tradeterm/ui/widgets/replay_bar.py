"""The replay's progress bar, under the header in a replay: how far the replay has played (a
thick line to the cursor ``●``, a thin one after it), where the recorded session's fills are
(``┃``) and where the bookmarks are (``◆``, drawn over a fill in the same cell), with the
percentage and a legend when the width allows. Positions are records of the recording (file
order), as the header's percentage."""

from __future__ import annotations

from typing import Any

from tradeterm.ui.format import palette
from tradeterm.ui.widgets.pane import Row, TextPane

FILL, BOOKMARK, CURSOR = "┃", "◆", "●"
LEGEND = f"  {FILL} fill  {BOOKMARK} bookmark"
MIN_BAR = 10


def bar_cells(width: int, total: int, at: int, fills: list[int], marks: list[int]) -> list[str]:
    """The bar's cells: ``━`` played, ``─`` to come, ``●`` the replay, then the marks."""
    total = max(total, 1)

    def cell(record: int) -> int:
        return min(width - 1, max(0, record * width // total))

    cursor = cell(at)
    cells = ["━" if x < cursor else "─" for x in range(width)]
    for record in fills:
        cells[cell(record)] = FILL
    for record in marks:
        cells[cell(record)] = BOOKMARK
    cells[cursor] = CURSOR
    return cells


class ReplayBar(TextPane):
    DEFAULT_CSS = """
    ReplayBar { height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self, replay: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.replay = replay  # record.replayer.ReplayVenue

    def refresh_view(self) -> None:
        nav, state = self.replay.navigator, self.replay.state
        marks = tuple(m.record for m in nav.bookmarks.marks) if nav is not None else ()
        if not self.changed(state.version, marks, palette(), self.size.width):
            return
        fills = [m.record for m in nav.session.fills] if nav is not None else []
        self.set_rows([self.bar_row(fills, list(marks))])

    def bar_row(self, fills: list[int], marks: list[int]) -> Row:
        state = self.replay.state
        width = self.size.width or 80
        percent = f" {state.progress * 100:5.1f}%"
        legend = LEGEND if width - len(percent) - len(LEGEND) - 2 >= MIN_BAR * 3 else ""
        inner = max(1, width - len(percent) - len(legend) - 2)
        cells = bar_cells(inner, state.total, state.published + state.lost, fills, marks)
        pal = palette()
        styles = {"━": "bold", "─": "dim", FILL: pal.last, BOOKMARK: "bold cyan", CURSOR: "bold"}
        runs: list[tuple[str, str]] = [(" ", "")]
        for c in cells:
            style = styles[c]
            if runs and runs[-1][1] == style and len(runs) > 1:
                runs[-1] = (runs[-1][0] + c, style)
            else:
                runs.append((c, style))
        runs.append((percent, "dim"))
        if legend:
            runs += [("  ", ""), (FILL, pal.last), (" fill  ", "dim")]
            runs += [(BOOKMARK, "bold cyan"), (" bookmark", "dim")]
        return tuple(runs)
