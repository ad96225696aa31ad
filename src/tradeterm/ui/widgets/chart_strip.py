"""The strip under the chart: the position and its PnL over the chart's time, one cell per
column of the chart's canvas (the value of the last mark at that column's time), so a change
of inventory sits under the fill that made it. Pure: marks in, ``TextPane`` rows out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from tradeterm.core.display import qty, signed_money
from tradeterm.core.history import Mark
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.widgets.pane import Row
from tradeterm.ui.widgets.pnl_pane import SPARKS
from tradeterm.ui.widgets.positions_pane import signed_style

ROWS = 3  # the figures, then the position's and the PnL's curve


def columns(marks: Sequence[Mark], start: int, end: int, cols: int) -> list[Mark | None]:
    """The mark in force at the middle of each of ``cols`` columns from ``start`` to ``end``
    (None before the first)."""
    out: list[Mark | None] = []
    i, current = 0, None
    for c in range(cols):
        t = start + (end - start) * (2 * c + 1) // (2 * cols)
        while i < len(marks) and marks[i].ts <= t:
            current = marks[i]
            i += 1
        out.append(current)
    return out


def curve(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    lo, hi = min(known), max(known)
    top = len(SPARKS) - 1
    return "".join(
        " " if v is None else SPARKS[3] if hi == lo else SPARKS[round((v - lo) / (hi - lo) * top)]
        for v in values
    )


def strip_rows(
    inst: Instrument,
    marks: Sequence[Mark],
    start: int,
    end: int,
    margin: int,
    cols: int,
    width: int,
) -> list[Row]:
    """Three rows: the latest position and PnL (net of fees), then each as a curve under the
    canvas's ``cols`` columns, which begin ``margin`` cells in; ``width``: the pane's."""
    last = marks[-1] if marks else None
    position = last.position if last else 0
    pnl = last.pnl if last else Decimal(0)
    at = columns(marks, start, end, max(cols, 0))
    size, money = qty(inst, position), signed_money(pnl, inst.quote)
    wide = len(f"position {size}  net PnL {money}") <= width
    figures: Row = (
        ("position " if wide else "pos ", "dim"),
        (size, signed_style(Decimal(position))),
        ("  net PnL " if wide else " PnL ", "dim"),
        (money, signed_style(pnl)),
    )
    rows = [figures]
    for label, value in (
        ("pos", lambda m: float(m.position)),
        ("PnL", lambda m: float(m.pnl)),
    ):
        line = curve([None if m is None else value(m) for m in at])
        rows.append(((f"{label:>{max(margin - 1, 0)}} "[:margin], "dim"), (line, "bold")))
    return rows
