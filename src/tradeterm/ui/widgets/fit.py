"""Fitting figures into a narrow pane without ever cutting a number.

A truncated number on a trading screen is a wrong number ("0." for "0.75"), so panes do not crop
figures: a table drops whole columns, least important first, and a list of labelled figures
flows onto as many lines as it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len

from tradeterm.ui.widgets.pane import Row, Run


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: int
    priority: int  # lower is kept longer; 0 is never dropped
    left: bool = False  # left-aligned (text), else right-aligned (numbers)


def fit_columns(columns: Sequence[Column], width: int) -> list[int]:
    """Indexes of the columns to show: all of them if they fit, else drop the highest priority
    number first until the rest fit (columns are separated by one space)."""
    keep = list(range(len(columns)))
    while len(keep) > 1 and sum(columns[i].width + 1 for i in keep) - 1 > width:
        worst = max(
            (i for i in keep if columns[i].priority),
            default=None,
            key=lambda i: (columns[i].priority, i),
        )
        if worst is None:
            break
        keep.remove(worst)
    return keep


def table_row(columns: Sequence[Column], keep: Sequence[int], cells: Sequence[Run]) -> Row:
    """One row of the kept cells, each padded to its column (a longer value widens the cell
    rather than being cut)."""
    runs: list[Run] = []
    for n, i in enumerate(keep):
        text, style = cells[i]
        col = columns[i]
        pad = " " * max(0, col.width - cell_len(text))
        runs.append((("" if n == 0 else " ") + (text + pad if col.left else pad + text), style))
    return tuple(runs)


def header_row(columns: Sequence[Column], keep: Sequence[int]) -> Row:
    return table_row(columns, keep, [(c.title, "bold dim") for c in columns])


def flow(items: Sequence[tuple[str, str, str]], width: int, gap: int = 2) -> list[Row]:
    """(label, value, value style) items laid out left to right, a new line when the next item
    does not fit; an item wider than the pane gets a line of its own."""
    rows: list[Row] = []
    line: list[Run] = []
    used = 0
    for label, value, style in items:
        size = cell_len(label) + 1 + cell_len(value)
        if line and used + gap + size > width:
            rows.append(tuple(line))
            line, used = [], 0
        if line:
            line.append((" " * gap, ""))
            used += gap
        line += [(label + " ", "dim"), (value, style)]
        used += size
    if line:
        rows.append(tuple(line))
    return rows


def flow_text(first: str, items: list[str], width: int, indent: str = "   ") -> list[str]:
    """``first`` then ``items`` joined by " · ", wrapped at word boundaries into lines of at
    most ``width`` cells; nothing is dropped or cut."""
    lines: list[str] = []
    for line_words, lead in ((first.split(" "), " "), (" · ".join(items).split(" "), indent)):
        line = lead
        for word in line_words:
            if not word:
                continue
            candidate = line + ("" if line.strip() == "" else " ") + word
            if cell_len(candidate) > width and line.strip():
                lines.append(line)
                line = indent + word
            else:
                line = candidate
        if line.strip():
            lines.append(line)
    return lines
