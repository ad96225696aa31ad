"""The order-book ladder (DOM): one row per price (or per group of prices), asks above, bids
below, with our working orders, the queue ahead of them and the session's volume at each price.

It uses the width it is given (``ladder_rows.layout``) and groups prices so that a fine-tick
book is readable (``ladder_view``): automatically, or ``<`` / ``>`` finer / coarser and ``a``
back to automatic. In auto mode the ladder keeps the spread near the middle and moves only when
the market drifts out of the middle half of the pane, so it does not jitter. Scrolling (page up
/ down) switches to manual mode; ``c`` re-centres, returns to auto and puts b / s back at the
touch. The cursor is a price: up / down move it one row, and b / s act at it; with no cursor
they join the touch. The footer line says what b and s will send, always.

The mouse (``ladder_mouse``, read against the rows drawn: ``ladder_click``): a click in the bid
column buys at the row's price, in the ask column sells, on the price re-centres (``c``), on one
of our orders cancels it (``x`` at the cursor); drag an order, or right-click it and click a
price, to move it (shift+up / shift+down by row). The wheel scrolls (page up / down).

The best bid, best ask and last price come from the ``MarketFrame`` the watchlist also draws
from, so the two never disagree on screen.
"""

from __future__ import annotations

import time

from textual import events
from textual.binding import Binding

from tradeterm.core.views import BookReader, InstrumentStats, PortfolioView, WorkingOrdersView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order
from tradeterm.ui.format import palette
from tradeterm.ui.market_frame import MarketFrame
from tradeterm.ui.widgets.ladder_click import Drawn
from tradeterm.ui.widgets.ladder_footer import keys_line
from tradeterm.ui.widgets.ladder_mouse import LadderMouse, LadderTrader
from tradeterm.ui.widgets.ladder_position import Held, entry_row, position_line
from tradeterm.ui.widgets.ladder_own import QueueAhead
from tradeterm.ui.widgets.ladder_rows import RowPainter, layout, sticky_scale
from tradeterm.ui.widgets.ladder_view import (
    NEAR_LEVELS,
    WHEEL_ROWS,
    LadderView,
    ask_row,
    bid_row,
    choose_group,
    group_is_off,
    group_sizes,
)
from tradeterm.ui.widgets.pane import Row, TextPane

CHECK_GROUP_S = 1.0  # auto mode: how often the ladder asks whether the book outgrew its group


class Ladder(TextPane, can_focus=True):
    REDRAW_S = 0.1  # the ladder at most 10 times a second (keys redraw it at once)
    DEFAULT_CSS = """
    Ladder { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("up", "cursor(1)", "Row up", show=False, id="ladder.cursor_up"),
        Binding("down", "cursor(-1)", "Row down", show=False, id="ladder.cursor_down"),
        Binding("pageup", "page(1)", "Scroll up", show=False, id="ladder.page_up"),
        Binding("pagedown", "page(-1)", "Scroll down", show=False, id="ladder.page_down"),
        Binding("c", "recentre", "Centre", id="ladder.centre"),
        Binding(
            "greater_than_sign",
            "zoom(1)",
            "Coarser rows",
            key_display=">",
            show=False,
            id="ladder.zoom_out",
        ),
        Binding(
            "less_than_sign",
            "zoom(-1)",
            "Finer rows",
            key_display="<",
            show=False,
            id="ladder.zoom_in",
        ),
        Binding("a", "group_auto", "Auto rows", show=False, id="ladder.group_auto"),
        Binding("x", "cancel_here", "Cancel order at cursor", show=False, id="ladder.cancel_order"),
    ]

    def __init__(
        self,
        own: WorkingOrdersView | None = None,
        frame: MarketFrame | None = None,
        portfolio: PortfolioView | None = None,
        trader: LadderTrader | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.own = own or WorkingOrdersView()
        self.portfolio = portfolio or PortfolioView()
        self.frame = frame
        if frame is not None:
            frame.readers.append(self.refresh_view)
        self.view = LadderView()
        self.queue = QueueAhead()  # the queue ahead of our orders, as first seen
        self.drawn: Drawn | None = None  # the price rows on screen, for the mouse
        self.mouse = LadderMouse(self, trader)
        self.instrument: Instrument | None = None
        self.book: BookReader | None = None
        self.stats: InstrumentStats | None = None
        self._scale = 0  # lots that fill a size bar (see sticky_scale)
        self._volume_scale = 0
        self._check_group = 0.0  # monotonic time of the next look at the automatic group
        self._scale_group = 1  # the group the bar scales were set for

    def show(self, instrument: Instrument, book: BookReader, stats: InstrumentStats) -> None:
        self.instrument, self.book, self.stats = instrument, book, stats
        if self.frame is None or self.frame.books.get(instrument.id) is not book:
            self.frame = MarketFrame({instrument.id: book}, {instrument.id: stats})
            self.frame.readers.append(self.refresh_view)
        self.view = LadderView()
        self._drawn = self.drawn = None
        self.mouse.reset()
        self._scale = self._volume_scale = 0
        self.redraw()

    # --- state -------------------------------------------------------------------------------
    @property
    def cursor(self) -> int | None:
        return self.view.cursor

    @property
    def manual_top(self) -> int | None:
        return self.view.manual_top

    @property
    def rows_visible(self) -> int:
        """Price rows: the pane less its header and footer lines."""
        return max(1, (self.size.height or 30) - 2 - (self.held() is not None))

    def held(self) -> Held | None:
        """The position in the instrument on the ladder, None when flat."""
        row = self.portfolio.positions.get(self.instrument.id) if self.instrument else None
        if row is None or not row.qty or row.avg_price is None:
            return None
        return Held(row.qty, row.avg_price)

    def _mid(self) -> int | None:
        return self.frame.top(self.instrument.id).mid if self.frame and self.instrument else None

    def redraw(self) -> None:
        """Draw now (a key moved the view, or b / s need the price on screen), from a new frame
        shared with the other panes that show the top of book."""
        self._drawn = None  # even if nothing it shows changed: the view's window is set anew
        if self.frame is not None:
            self.frame.redraw()
        else:
            self.refresh_view()

    def refresh_view(self) -> None:
        if self.book is None or self.stats is None or self.frame is None or not self.instrument:
            return
        view = self.view
        top = self.frame.top(self.instrument.id)
        if not self.changed(
            id(self.book),
            self.book.version,
            top,
            self.stats.version,
            *self.size,
            view.cursor,
            view.manual_top,
            view.group,
            view.auto_group,
            view.released,
            palette(),
            self.own.version,
            self.portfolio.version,
        ):
            return
        rows = self.ladder_rows(max(3, self.size.height or 30), self.size.width or 52)
        self.set_rows(rows, throttle=len(rows) > 1)  # one row: the "waiting for" placeholder

    # --- navigation --------------------------------------------------------------------------
    def action_cursor(self, rows: int) -> None:
        self.view.move_cursor(rows, self.rows_visible, self._mid())
        self.redraw()

    def action_page(self, direction: int) -> None:
        self.view.page(direction, self.rows_visible, self._mid())
        self.redraw()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.mouse.down(event)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self.mouse.up(event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.view.scroll(WHEEL_ROWS, self.rows_visible, self._mid())
        self.redraw()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.view.scroll(-WHEEL_ROWS, self.rows_visible, self._mid())
        self.redraw()

    def action_recentre(self) -> None:
        self.view.recentre()
        self._scale = self._volume_scale = 0  # the bars scale to the book in view now
        self.redraw()

    def action_zoom(self, step: int) -> None:
        self.view.zoom(step, self.rows_visible)
        self.redraw()

    def action_group_auto(self) -> None:
        self.view.group_auto()
        self.redraw()

    # --- what order keys act on ----------------------------------------------------------------
    def cursor_or_touch(self, side: str) -> int | None:
        """The cursor's price, else the own side's best price (where b / s join)."""
        if self.view.cursor is not None:
            return self.view.cursor
        top = self.frame.top(self.instrument.id) if self.frame and self.instrument else None
        if top is None:
            return None
        return top.bid if side == "buy" else top.ask

    def order_price(self, side: str) -> tuple[int | None, str]:
        """The price b / s sends now. At a cursor the trader sees (on the last frame drawn),
        the cursor's price, even if the market has moved since: the key acts on the screen it
        was pressed on. With no cursor, the touch at the moment of sending (the best bid for a
        buy, the best ask for a sell), redrawn first so the screen shows it. ``(None, why)``
        when there is no such price on screen."""
        view, inst = self.view, self.instrument
        if inst is None or self.frame is None:
            return None, "no instrument on the ladder yet"
        if view.cursor is not None and view.window is not None and view.cursor in view.window:
            return view.cursor, ""
        self.redraw()
        window = view.window
        if window is None:
            return None, f"no {inst.symbol} prices on the ladder (the book is empty or resyncing)"
        if view.cursor is not None:
            return view.cursor, ""
        return self.touch_price(side, 0)

    def touch_price(self, side: str, ticks: int) -> tuple[int | None, str]:
        """The best bid (``side`` buy) or ask of the last frame, ``ticks`` in front of it
        (more aggressive; behind when negative): where the join keys send. ``(None, why)``
        when there is no such price on the ladder, or it would cross the other side."""
        inst, window = self.instrument, self.view.window
        if inst is None or self.frame is None:
            return None, "no instrument on the ladder yet"
        if window is None:
            return None, f"no {inst.symbol} prices on the ladder (the book is empty or resyncing)"
        top = self.frame.top(inst.id)
        buy = side == "buy"
        touch, other, name = (top.bid, top.ask, "bid") if buy else (top.ask, top.bid, "ask")
        if touch is None:
            return None, f"no best {name} to join on {inst.symbol}: put the cursor on a price"
        price = touch + ticks if buy else touch - ticks
        where = f"{name}{price - touch:+d}t" if ticks else f"best {name}"
        if ticks > 0 and other is not None and (price >= other if buy else price <= other):
            return None, (
                f"{where} {inst.format_price(price)} would cross the "
                f"{'ask' if buy else 'bid'} {inst.format_price(other)}"
            )
        if price <= 0 or not (window.shows_bid(price) if buy else window.shows_ask(price)):
            return None, (
                f"the {where} {inst.format_price(max(price, 0))} is off the ladder: "
                "press c to centre, or put the cursor on a price"
            )
        return price, ""

    def working_orders(self) -> list[Order]:
        inst = self.instrument
        if inst is None:
            return []
        return [
            o
            for o in self.own.orders.values()
            if o.instrument == inst.id and o.price is not None and not o.is_terminal
        ]

    def row_of(self, order: Order) -> int:
        g = self.view.group
        return bid_row(order.price, g) if int(order.side) > 0 else ask_row(order.price, g)

    def order_at_cursor(self) -> Order | None:
        """The most recent of our working orders in the cursor's row."""
        return self.order_in_row(self.view.cursor) if self.view.cursor is not None else None

    def order_in_row(self, row: int, side: int = 0) -> Order | None:
        """The most recent of our working orders in a row (``side`` 1 / -1: of that side)."""
        here = [
            o for o in self.working_orders() if self.row_of(o) == row and side in (0, int(o.side))
        ]
        return max(here, key=lambda o: (o.ts_created, o.client_order_id), default=None)

    def action_cancel_here(self) -> None:
        self.mouse.cancel_at_cursor()  # x: as a click on the order in the cursor's row

    def shows(self, order: Order) -> bool:
        window = self.view.window
        return (
            self.instrument is not None
            and order.instrument == self.instrument.id
            and order.price is not None
            and window is not None
            and self.row_of(order) in window
        )

    # --- drawing -------------------------------------------------------------------------------
    def ladder_rows(self, height: int, width: int) -> list[Row]:
        inst, book, stats, frame = self.instrument, self.book, self.stats, self.frame
        assert inst is not None and book is not None and stats is not None and frame is not None
        pal = palette()
        view = self.view
        held = self.held()
        rows = max(1, height - 2 - (held is not None))  # a position: a line of its own
        top = frame.top(inst.id)
        mid = top.mid
        if view.manual_top is None and mid is None:  # nothing to centre on: say so
            why = "waiting for the book (resyncing)" if not top.synced else "the book is empty"
            view.window = self.drawn = None  # no price on screen: b / s and clicks refuse
            return [((f"  {why}", "italic dim"),)]
        if view.auto_group and view.cursor is None and time.monotonic() >= self._check_group:
            self._check_group = time.monotonic() + CHECK_GROUP_S  # has the book outgrown it?
            bids, asks = self._near_levels()
            view.regroup = view.regroup or group_is_off(bids, asks, view.group, max(1, rows // 2))
        if view.regroup and view.auto_group and view.cursor is None:
            self._choose_group(rows)
        window = view.place(rows, mid)
        if view.regroup and view.auto_group and view.cursor is None:  # the view jumped
            self._choose_group(rows)
            window = view.place(rows, mid)
        assert window is not None
        g = window.group
        bids = group_sizes(book.bids, window, asks=False)
        asks = group_sizes(book.asks, window, asks=True)
        volume = group_sizes(stats.volume_at_price, window, asks=False)
        own = self.queue.rows(self.working_orders(), book, window, self.row_of)
        fmt = inst.format_price
        lay = layout(width, max(len(fmt(window.top)), len(fmt(window.bottom)), 5))
        if g != self._scale_group:  # rows of another size: their sizes are another scale
            self._scale_group, self._scale, self._volume_scale = g, 0, 0
        self._scale = sticky_scale(self._scale, max((*bids.values(), *asks.values()), default=0))
        self._volume_scale = sticky_scale(self._volume_scale, max(volume.values(), default=0))
        paint = RowPainter(lay, inst.lot_size, pal, self._scale, self._volume_scale)
        best_bid = bid_row(top.bid, g) if top.bid is not None else None
        best_ask = ask_row(top.ask, g) if top.ask is not None else None
        last = (
            None
            if top.last is None
            # in the row of the side it traded on
            else (ask_row(top.last, g) if top.last_side > 0 else bid_row(top.last, g))
        )
        entry = entry_row(held, inst, g) if held is not None else None
        out: list[Row] = [paint.header()]
        self.drawn = Drawn(inst.id, lay, tuple(window.prices()))  # the rows, as on screen
        for price in window.prices():
            out.append(
                paint.row(
                    fmt(price),
                    bids.get(price, 0),
                    asks.get(price, 0),
                    volume.get(price, 0),
                    own.get(price, []),
                    price == best_bid,
                    price == best_ask,
                    price == last,
                    price == view.cursor,
                    held.lots if held is not None and price == entry else 0,
                )
            )
        if held is not None:  # its PnL at the cursor, else at the touch it would close at
            at, where = (
                (view.cursor, "cursor")
                if view.cursor is not None
                else ((top.bid, "bid") if held.lots > 0 else (top.ask, "ask"))
            )
            out.append(position_line(held, inst, at, where, pal, width))
        out.append(keys_line(inst, view, pal, width, top.bid, top.ask))
        return out

    def _near_levels(self) -> tuple[list[int], list[int]]:
        """The prices of the levels nearest the touch, best first, each side."""
        assert self.book is not None
        bids, asks = self.book.top(NEAR_LEVELS)
        return [p for p, _ in bids], [p for p, _ in asks]

    def _choose_group(self, rows: int) -> None:
        bids, asks = self._near_levels()
        self.view.set_group(choose_group(bids, asks, max(1, rows // 2)), rows, auto=True)
