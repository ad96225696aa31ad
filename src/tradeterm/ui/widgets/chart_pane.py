"""The chart pane: one instrument's price over time (the mid as a line, or trade candles), the
trader's fills marked buy / sell, working orders as levels and, in a replay, the cursor at the
replay's clock; its position and PnL over the same time in a strip below.

Each column of the chart is one interval (``INTERVALS``, cycled by a key): the chart reaches
back as many intervals as it has columns, and ends at the engine clock. Drawn from engine
views only (``views.history``, fills, working orders), redrawn when one of them or the clock
moved and at most once a second: a plotext canvas redraws whole (``chart_plot.py``; its cost
is ``ui.chart_redraw_ms`` in ``tradeterm bench``). A hidden chart costs nothing.
"""

from __future__ import annotations

from typing import Any

from tradeterm.core.clock import NS
from tradeterm.core.history import candles
from tradeterm.core.views import EngineViews
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import palette
from tradeterm.ui.widgets.chart_plot import ChartFrame, plot_rows
from tradeterm.ui.widgets.pane import Row, TextPane
from tradeterm.ui.widgets.chart_strip import ROWS as STRIP_ROWS, strip_rows

INTERVALS = ((NS, "1s"), (5 * NS, "5s"), (60 * NS, "1m"), (300 * NS, "5m"))
AXIS = 10  # columns plotext takes for the price axis and frame, about


class ChartPane(TextPane):
    DEFAULT_CSS = "ChartPane { height: 1fr; }"
    REDRAW_S = 1.0  # the history moves once a clock second; a redraw costs ~30 ms

    def __init__(self, views: EngineViews, replay: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.views = views
        self.replay = replay  # record.replay_state.ReplayState in a replay, else None
        self.inst: Instrument | None = None
        self.interval = 0  # index in INTERVALS
        self.candles = False  # False: the mid as a line

    @property
    def style_name(self) -> str:
        label = INTERVALS[self.interval][1]
        return f"{label} candles" if self.candles else f"line {label}"

    def show(self, inst: Instrument) -> None:
        self.inst = inst
        self.refresh_view()

    def cycle_interval(self) -> None:
        self.interval = (self.interval + 1) % len(INTERVALS)
        self.refresh_view()

    def toggle_candles(self) -> None:
        self.candles = not self.candles
        self.refresh_view()

    def on_resize(self, _event: object) -> None:
        self.refresh_view()  # shown (from no size), or the terminal resized: at once

    def clock(self) -> int:
        """The engine clock the chart ends at: the replay's own in a replay (a seek moves it
        at once), else the header's (sampled once a clock second)."""
        if self.replay is not None and self.replay.clock_ns:
            return self.replay.clock_ns
        return self.views.status.clock_ns

    def refresh_view(self) -> None:
        inst, views = self.inst, self.views
        width, height = self.size.width, self.size.height
        if inst is None or not width or not height:
            return  # hidden: nothing to draw
        history = views.history.get(inst.id)
        now = self.clock()
        key = (
            inst.id,
            history.version if history is not None else -1,
            views.fills.version,
            views.orders.version,
            now,
            self.size,
            self.interval,
            self.candles,
            palette(),
        )
        if not self.changed(*key):
            return
        self.set_rows(self.rows(inst, now, width, height))

    def frame(self, inst: Instrument, now: int, width: int, height: int) -> ChartFrame:
        """What the chart shows at ``now``, ``width`` x ``height`` cells."""
        interval = INTERVALS[self.interval][0]
        end = now - now % interval + interval
        start = end - interval * max(width - AXIS, 2)
        frame = ChartFrame(inst, start, now, width, height, interval=interval)
        history = self.views.history.get(inst.id)
        if history is not None:
            series = history.series(interval)
            seen = [m for m in series.marks if start <= m.ts <= now]
            frame.line = [(m.ts, m.mid) for m in seen if m.mid is not None]
            if frame.line and frame.line[-1][0] < now:  # unchanged since: up to the clock
                frame.line.append((now, frame.line[-1][1]))
            if self.candles:
                frame.candles = candles(
                    [b for b in series.bars if start <= b.start <= now], interval
                )
        frame.fills = [
            (f.ts_event, int(f.side), f.price)
            for f in self.views.fills
            if f.instrument == inst.id and start <= f.ts_event <= now
        ]
        frame.levels = [
            (int(o.side), o.price)
            for o in self.views.orders.orders.values()
            if o.instrument == inst.id and o.price is not None and not o.is_terminal
        ]
        frame.cursor = now if self.replay is not None else None
        return frame

    def rows(self, inst: Instrument, now: int, width: int, height: int) -> list[Row]:
        if not now:
            return [(("no price history yet", "dim italic"),)]
        frame = self.frame(inst, now, width, max(height - STRIP_ROWS, 3))
        if not frame.line and not frame.candles and not frame.levels:
            return [(("no price history yet", "dim italic"),)]
        plot = plot_rows(frame, palette())
        top = "".join(text for text, _ in plot[0]) if plot else ""
        margin = top.find("┌") + 1 if "┌" in top else AXIS
        history = self.views.history.get(inst.id)
        marks = [] if history is None else list(history.series(frame.interval).marks)
        marks = [m for m in marks if frame.start <= m.ts <= frame.end]
        return plot + strip_rows(
            inst, marks, frame.start, frame.end, margin, width - margin - 1, width
        )
