"""The order-book ladder (DOM): one row per price tick, asks above, bids below, centred on the
spread. Columns: bid size bar, bid size, price, ask size, ask size bar. The row of the last
trade is marked. The centre moves only when the market drifts out of the middle half of the
pane, so the ladder does not jitter."""

from __future__ import annotations

from tradeterm.core.views import BookReader, InstrumentStats
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import ASK_STYLE, BID_STYLE, compact
from tradeterm.ui.widgets.pane import Row, TextPane

BLOCKS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 10


def bar(value: int, scale: int, width: int = BAR_WIDTH, right_align: bool = False) -> str:
    """A size bar of ``width`` cells with eighth-cell resolution."""
    if scale <= 0 or value <= 0:
        return " " * width
    eighths = max(1, min(width * 8, round(value * width * 8 / scale)))
    full, part = divmod(eighths, 8)
    s = "█" * full + (BLOCKS[part] if part else "")
    return s.rjust(width) if right_align else s.ljust(width)


class Ladder(TextPane):
    DEFAULT_CSS = """
    Ladder { height: 1fr; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.instrument: Instrument | None = None
        self.book: BookReader | None = None
        self.stats: InstrumentStats | None = None
        self.centre: int | None = None
        self._drawn: tuple[int, ...] | None = None

    def show(self, instrument: Instrument, book: BookReader, stats: InstrumentStats) -> None:
        self.instrument, self.book, self.stats = instrument, book, stats
        self.centre = None
        self._drawn = None
        self.refresh_view()

    def refresh_view(self) -> None:
        if self.book is None or self.stats is None:
            return
        key = (id(self.book), self.book.version, self.stats.version, *self.size)
        if key == self._drawn:
            return
        self._drawn = key
        self.set_rows(self.ladder_rows(max(3, self.size.height or 30), self.size.width or 52))

    def _top_price(self, rows: int) -> int:
        """Top price of the ladder, keeping the spread near the middle."""
        book = self.book
        assert book is not None
        if book.best_bid is not None and book.best_ask is not None:
            mid = (book.best_bid + book.best_ask) // 2
        else:
            mid = book.best_bid or book.best_ask or self.centre or 0
        if self.centre is None or abs(mid - self.centre) > rows // 4:
            self.centre = mid
        return self.centre + rows // 2

    def ladder_rows(self, height: int, width: int) -> list[Row]:
        inst, book, stats = self.instrument, self.book, self.stats
        assert inst is not None and book is not None and stats is not None
        rows = height - 1
        top = self._top_price(rows)
        prices = range(top, top - rows, -1)
        sizes = [(book.size_at(1, p), book.size_at(-1, p)) for p in prices]
        scale = max((max(b, a) for b, a in sizes), default=0)
        pw = max(len(inst.format_price(top)), 8)
        bw = max(0, min(BAR_WIDTH, (width - pw - 22) // 2))  # what is left for the bars
        lot = float(inst.lot_size)
        out: list[Row] = [((f"{'':>{bw}} {'bid':>8}  {'price':^{pw}}  {'ask':<8}", "bold dim"),)]
        best_bid, best_ask, last = book.best_bid, book.best_ask, stats.last_price
        for price, (bid, ask) in zip(prices, sizes):
            if price == best_bid:
                price_style, bid_style, ask_style = "bold reverse green", "bold green", ASK_STYLE
            elif price == best_ask:
                price_style, bid_style, ask_style = "bold reverse red", BID_STYLE, "bold red"
            else:
                price_style, bid_style, ask_style = "", BID_STYLE, ASK_STYLE
            out.append((
                (bar(bid, scale, bw, right_align=True), BID_STYLE),
                (f" {compact(bid * lot) if bid else '':>8} ", bid_style),
                (f"{inst.format_price(price):>{pw}}", price_style),
                ("◀" if price == last else " ", "bold yellow"),
                (f" {compact(ask * lot) if ask else '':<8} ", ask_style),
                (bar(ask, scale, bw), ASK_STYLE),
            ))
        return out
