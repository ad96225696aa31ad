"""The ladder's footer line (no Textual here): what b and s send now, the rows' step and the
mode, in the longest form that fits."""

from __future__ import annotations

from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import Palette
from tradeterm.ui.widgets.ladder_view import LadderView
from tradeterm.ui.widgets.pane import Row, Run


def keys_line(
    inst: Instrument,
    view: LadderView,
    pal: Palette,
    width: int,
    bid: int | None,
    ask: int | None,
) -> Row:
    """b / s at the cursor, else at the touch (the best bid, the best ask), then the step of
    the rows (``auto`` when the group follows the book) and whether the view is manual."""
    fmt = inst.format_price
    if view.cursor is not None:
        keys: list[Run] = [
            ("b/s ", "dim"),
            (fmt(view.cursor), "bold underline"),
            (" cursor", "dim"),
        ]
    else:
        keys = [
            ("b ", "dim"),
            (fmt(bid), f"bold {pal.bid}"),
            ("  s ", "dim"),
            (fmt(ask), f"bold {pal.ask}"),
        ]
    step = fmt(view.group)
    auto = view.auto_group
    note: list[Run] = (
        [("  cursor left the screen", "italic dim")] if view.released is not None else []
    )
    longs: list[Run] = [(f"  step {step}{' auto' if auto else ''}", "dim")]
    shorts: list[Run] = [(f" ×{view.group}{'a' if auto else ''}", "dim")]
    if view.manual:
        longs.append(("  manual: c centres", "dim italic"))
        shorts.append((" M", "dim italic"))
    for runs in (keys + note + longs, keys + longs, keys + shorts, keys):
        if sum(len(text) for text, _ in runs) <= width:
            return tuple(runs)
    return tuple(keys)
