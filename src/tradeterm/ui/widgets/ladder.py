"""The order-book ladder (DOM): one row per price tick, asks above, bids below.

Columns: bid size bar, bid size, price, ask size, ask size bar; the last trade's price is
marked. In auto mode the ladder keeps the spread near the middle and moves only when the market
drifts out of the middle half of the pane, so it does not jitter. Scrolling (page up / down)
switches to manual mode; ``c`` re-centres and returns to auto. The cursor is a price: up / down
move it one tick, and order keys act at the cursor's price.
"""

from __future__ import annotations

from textual.binding import Binding

from tradeterm.core.views import BookReader, InstrumentStats, WorkingOrdersView
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import compact, palette
from tradeterm.ui.widgets.pane import Row, TextPane

BLOCKS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 10
OWN_WIDTH = 14  # the own-orders column: " S0.0002 q1.2k"
NARROW_OWN_WIDTH = 6  # on a narrow ladder: "B0.5", no queue estimate
MIN_BAR = 3  # size bars narrower than this say nothing: the own column gives way first


def bar(value: int, scale: int, width: int = BAR_WIDTH, right_align: bool = False) -> str:
    """A size bar of ``width`` cells with eighth-cell resolution."""
    if scale <= 0 or value <= 0 or width <= 0:
        return " " * width
    eighths = max(1, min(width * 8, round(value * width * 8 / scale)))
    full, part = divmod(eighths, 8)
    s = "█" * full + (BLOCKS[part] if part else "")
    return s.rjust(width) if right_align else s.ljust(width)


class Ladder(TextPane, can_focus=True):
    REDRAW_S = 0.1  # the ladder at most 10 times a second (keys redraw it at once)
    DEFAULT_CSS = """
    Ladder { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("up", "cursor(1)", "Tick up", show=False, id="ladder.cursor_up"),
        Binding("down", "cursor(-1)", "Tick down", show=False, id="ladder.cursor_down"),
        Binding("pageup", "page(1)", "Scroll up", show=False, id="ladder.page_up"),
        Binding("pagedown", "page(-1)", "Scroll down", show=False, id="ladder.page_down"),
        Binding("c", "recentre", "Centre", id="ladder.centre"),
    ]

    def __init__(self, own: WorkingOrdersView | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.own = own or WorkingOrdersView()
        self.queue_ahead: dict[str, int] = {}  # order id -> level size (lots) when first seen
        self.instrument: Instrument | None = None
        self.book: BookReader | None = None
        self.stats: InstrumentStats | None = None
        self.centre: int | None = None  # auto mode: the price kept in the middle
        self.manual_top: int | None = None  # manual mode: the top row's price
        self.cursor: int | None = None
        self._scale = 0  # lots that fill a size bar (see _bar_scale)

    def show(self, instrument: Instrument, book: BookReader, stats: InstrumentStats) -> None:
        self.instrument, self.book, self.stats = instrument, book, stats
        self.centre = self.manual_top = self.cursor = None
        self._drawn = None
        self._scale = 0
        self.refresh_view()

    def refresh_view(self) -> None:
        if self.book is None or self.stats is None:
            return
        if not self.changed(id(self.book), self.book.version, self.stats.version, *self.size, self.cursor,
               self.manual_top, palette(), self.own.version):
            return
        rows = self.ladder_rows(max(3, self.size.height or 30), self.size.width or 52)
        self.set_rows(rows, throttle=len(rows) > 1)  # one row: the "waiting for" placeholder

    # --- navigation --------------------------------------------------------------------------
    @property
    def rows_visible(self) -> int:
        return max(2, (self.size.height or 30) - 1)

    def _mid(self) -> int | None:
        book = self.book
        if book is None:
            return None
        if book.best_bid is not None and book.best_ask is not None:
            return (book.best_bid + book.best_ask) // 2
        return book.best_bid or book.best_ask or self.centre

    def top_price(self, rows: int) -> int:
        """Price of the first row under the header."""
        if self.manual_top is not None:
            return self.manual_top
        mid = self._mid()
        if mid is None:
            return rows // 2
        if self.centre is None or abs(mid - self.centre) > rows // 4:
            self.centre = mid
        return self.centre + rows // 2

    def action_cursor(self, ticks: int) -> None:
        rows = self.rows_visible
        top = self.top_price(rows)
        if self.cursor is None:
            self.cursor = self._mid() or top
        self.cursor += ticks
        if not top - rows < self.cursor <= top:  # keep the cursor on screen
            self.manual_top = self.cursor + rows // 2
        self.refresh_view()

    def action_page(self, direction: int) -> None:
        rows = self.rows_visible
        self.manual_top = self.top_price(rows) + direction * (rows // 2)
        self.refresh_view()

    def cursor_or_touch(self, side: str) -> int | None:
        """Where b / s place an order with no cursor yet: join the own side's best price."""
        if self.book is None:
            return None
        return self.book.best_bid if side == "buy" else self.book.best_ask

    def own_orders(self) -> dict[int, list[tuple[int, int, int]]]:
        """price -> [(side, leaves lots, estimated queue ahead lots)] of our working orders on
        this instrument. The queue ahead is the level's size when the order was first seen
        resting (an upper bound: cancels ahead of us are not known)."""
        out: dict[int, list[tuple[int, int, int]]] = {}
        if self.instrument is None or self.book is None:
            return out
        live = set()
        for o in self.own.orders.values():
            if o.instrument != self.instrument.id or o.price is None or o.is_terminal:
                continue
            live.add(o.client_order_id)
            if o.client_order_id not in self.queue_ahead:
                self.queue_ahead[o.client_order_id] = self.book.size_at(int(o.side), o.price)
            out.setdefault(o.price, []).append((int(o.side), o.leaves_qty,
                                                self.queue_ahead[o.client_order_id]))
        for gone in set(self.queue_ahead) - live:
            if self.own.orders.get(gone) is None or self.own.orders[gone].is_terminal:
                self.queue_ahead.pop(gone, None)
        return out

    def action_recentre(self) -> None:
        self.manual_top = None
        self.centre = None
        self.cursor = self._mid()
        self.refresh_view()

    # --- drawing -------------------------------------------------------------------------------
    def ladder_rows(self, height: int, width: int) -> list[Row]:
        inst, book, stats = self.instrument, self.book, self.stats
        assert inst is not None and book is not None and stats is not None
        pal = palette()
        rows = height - 1
        if self.manual_top is None and self._mid() is None:  # nothing to centre on: say so
            why = "waiting for the book (resyncing)" if not book.synced else "the book is empty"
            return [((f"  {why}", "italic dim"),)]
        top = self.top_price(rows)
        prices = range(top, top - rows, -1)
        sizes = [(book.size_at(1, p), book.size_at(-1, p)) for p in prices]
        scale = self._bar_scale(max((max(b, a) for b, a in sizes), default=0))
        pw = max(len(inst.format_price(top)), 8)
        fixed = pw + 23  # two sizes, the price, the markers and the spaces between them
        own_w = OWN_WIDTH
        if width - fixed - own_w < 2 * MIN_BAR:  # narrow: own orders lose the queue estimate
            own_w = NARROW_OWN_WIDTH
        bw = max(0, min(BAR_WIDTH, (width - fixed - own_w) // 2))  # left for the bars
        own = self.own_orders()
        lot = float(inst.lot_size)
        mode = "" if self.manual_top is None else "  manual·c"
        out: list[Row] = [((f"{'':>{bw}} {'bid':>8}   {'price':^{pw}}  {'ask':<8}", "bold dim"),
                           (mode, "dim italic"))]
        best_bid, best_ask, last, cursor = book.best_bid, book.best_ask, stats.last_price, self.cursor
        bid_style, ask_style = pal.bid, pal.ask
        for price, (bid, ask) in zip(prices, sizes):
            if price == best_bid:
                price_style, b_style, a_style = f"bold reverse {pal.bid}", f"bold {pal.bid}", ask_style
            elif price == best_ask:
                price_style, b_style, a_style = f"bold reverse {pal.ask}", bid_style, f"bold {pal.ask}"
            else:
                price_style, b_style, a_style = "", bid_style, ask_style
            at_cursor = price == cursor
            out.append((
                (bar(bid, scale, bw, right_align=True), bid_style),
                (f" {compact(bid * lot) if bid else '':>8} ", b_style),
                ("›" if at_cursor else " ", "bold"),
                (f"{inst.format_price(price):>{pw}}", price_style + (" underline" if at_cursor else "")),
                ("◀" if price == last else " ", f"bold {pal.last}"),
                (f" {compact(ask * lot) if ask else '':<8} ", a_style),
                (bar(ask, scale, bw), ask_style),
                *self._own_runs(own.get(price), lot, pal, own_w),
            ))
        return out

    def _bar_scale(self, largest: int) -> int:
        """The size that fills a bar. Sticky, with headroom: it moves only when the largest
        visible level outgrows it or falls under half of it, so one level's size change redraws
        that level's bar and not every bar on the ladder."""
        if largest <= 0:
            return 0
        if not self._scale or largest > self._scale or largest * 2 < self._scale:
            self._scale = largest * 5 // 4 or 1
        return self._scale

    @staticmethod
    def _own_runs(mine, lot: float, pal, width: int) -> tuple[tuple[str, str], ...]:
        if not mine:
            return ()
        side, leaves, ahead = mine[0]
        more = f"+{len(mine) - 1}" if len(mine) > 1 else ""
        mark, qty = ("B" if side > 0 else "S"), compact(leaves * lot)
        fits = [t for t in (f"{mark}{qty} q{compact(ahead * lot, 2)}{more}", f"{mark}{qty}{more}",
                            f"{mark}{qty}", f"{mark}…") if len(t) < width]  # never cut a number
        text = fits[0] if fits else mark
        colour = pal.buy if side > 0 else pal.sell
        return ((" ", ""), (text[: width - 1], f"bold reverse {colour}"))
