"""The chart pane's picture, drawn by plotext: the price as a line (the mid) or candles (trades),
the trader's fills as buy / sell markers, working orders as horizontal levels and, in a replay,
the cursor at the replay's clock. Pure: a ``ChartFrame`` in, rows of ``(text, style)`` runs out
(``TextPane`` rows), so a pane draws it like any other and only repaints the rows that changed.

plotext keeps one global figure: ``plot_rows`` clears it first, and the UI runs on one thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.color import Color

from tradeterm.core.display import hms
from tradeterm.core.history import Bar
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import Palette

Run = tuple[str, str]
Row = tuple[Run, ...]
NS = 1_000_000_000


@dataclass(slots=True)
class ChartFrame:
    """What one frame of the chart shows. Times in clock ns, prices in ticks, x from ``start``
    to ``end``; ``line`` is (ts, mid in ticks), ``fills`` (ts, side, price), ``levels`` (side,
    price) of working orders. ``cursor``: the replay's clock, drawn as a vertical line."""

    inst: Instrument
    start: int
    end: int
    width: int
    height: int
    candles: list[Bar] | None = None  # None: the line
    interval: int = NS
    line: list[tuple[int, float]] = field(default_factory=list)
    fills: list[tuple[int, int, int]] = field(default_factory=list)
    levels: list[tuple[int, int]] = field(default_factory=list)
    cursor: int | None = None


def _rgb(colour: str) -> tuple[int, int, int]:
    r, g, b = Color.parse(colour).get_truecolor()
    return (r, g, b)


SGR = re.compile("\x1b\\[([0-9;]*)m")


def _style(params: str) -> str:
    """An SGR sequence plotext writes (colours as 256-colour or RGB codes, reset) as a rich
    style string."""
    codes = params.split(";") if params else ["0"]
    words: list[str] = []
    i = 0
    while i < len(codes):
        code = codes[i]
        if code in ("38", "48") and i + 1 < len(codes):
            if codes[i + 1] == "5" and i + 2 < len(codes):
                colour, i = f"color({codes[i + 2]})", i + 3
            else:
                r, g, b = (int(c) for c in codes[i + 2 : i + 5])
                colour, i = f"#{r:02x}{g:02x}{b:02x}", i + 5
            words.append(colour if code == "38" else f"on {colour}")
            continue
        if code == "1":
            words.append("bold")
        elif code == "0":
            words.clear()
        i += 1
    return " ".join(words)


def _runs(line: str) -> Row:
    """One line of plotext's ANSI output as runs (adjacent runs of one style merged)."""
    runs: list[Run] = []
    style, pos = "", 0
    for match in SGR.finditer(line):
        if match.start() > pos:
            runs.append((line[pos : match.start()], style))
        style = _style(match.group(1))
        pos = match.end()
    if pos < len(line):
        runs.append((line[pos:], style))
    merged: list[Run] = []
    for text, st in runs:
        if merged and merged[-1][1] == st:
            merged[-1] = (merged[-1][0] + text, st)
        else:
            merged.append((text, st))
    return tuple(merged)


def price_range(frame: ChartFrame) -> tuple[float, float] | None:
    """The prices on screen (ticks): what the line, candles and fills span, widened to take in
    working orders near it (within one span), never to a flat range."""
    values = [p for _, p in frame.line]
    if frame.candles:
        values += [b.high for b in frame.candles] + [b.low for b in frame.candles]
    values += [p for _, _, p in frame.fills]
    if not values:
        values = [p for _, p in frame.levels]
    if not values:
        return None
    lo, hi = min(values), max(values)
    span = max(hi - lo, 4.0)
    near = [p for _, p in frame.levels if lo - span <= p <= hi + span]
    lo, hi = min([lo, *near]), max([hi, *near])
    pad = max((hi - lo) * 0.05, 1.0)
    return lo - pad, hi + pad


def plot_rows(frame: ChartFrame, colours: Palette) -> list[Row]:
    """The chart as rows of runs, ``frame.width`` x ``frame.height`` cells."""
    inst = frame.inst
    tick = float(inst.tick_size)
    span = max(frame.end - frame.start, NS)
    x = lambda ts: (ts - frame.start) / NS  # noqa: E731  seconds on the axis
    buy, sell, last = _rgb(colours.buy), _rgb(colours.sell), _rgb(colours.last)
    import plotext as plt  # loaded when the chart is first drawn, not at start

    plt.clf()
    plt.theme("clear")
    plt.limitsize(False, False)  # the pane's size, not the terminal plotext would ask
    plt.plotsize(frame.width, frame.height + 1)  # its last row is the (empty) label
    plt.xlim(0, span / NS)
    prices = price_range(frame)
    if prices is not None:
        plt.ylim(prices[0] * tick, prices[1] * tick)
    if frame.candles:
        half = frame.interval / 2
        plt.candlestick(
            [x(b.start + half) for b in frame.candles],
            {
                "Open": [b.open * tick for b in frame.candles],
                "Close": [b.close * tick for b in frame.candles],
                "High": [b.high * tick for b in frame.candles],
                "Low": [b.low * tick for b in frame.candles],
            },
            colors=[buy, sell],
        )
    elif frame.line:
        plt.plot(
            [x(ts) for ts, _ in frame.line], [p * tick for _, p in frame.line], marker="braille"
        )
    for side, price in frame.levels:
        if prices is None or prices[0] <= price <= prices[1]:
            plt.hline(price * tick, buy if side > 0 else sell)
    for side, marker, colour in ((1, "▲", buy), (-1, "▼", sell)):
        mine = [(ts, p) for ts, s, p in frame.fills if s == side]
        if mine:
            plt.scatter(
                [x(ts) for ts, _ in mine], [p * tick for _, p in mine], marker=marker, color=colour
            )
    if frame.cursor is not None:
        plt.vline(x(frame.cursor), last)
    ticks = 2 if frame.width < 50 else 3 if frame.width < 100 else 5
    at = [span / NS * i / (ticks - 1) for i in range(ticks)]
    plt.xticks(at, [hms(frame.start + int(s * NS)) for s in at])
    plt.yfrequency(max(2, frame.height // 4))
    lines = plt.build().split("\n")[: frame.height]
    while lines and not SGR.sub("", lines[-1]).strip():
        lines.pop()  # plotext's empty label row
    return [_runs(line) for line in lines]
