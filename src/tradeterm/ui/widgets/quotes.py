"""Quotes / watchlist: every instrument with bid, ask, last, change since the session's first
trade and volume. The last price is coloured by its tick (up / down); the selected instrument
is highlighted."""

from __future__ import annotations

from tradeterm.core.views import BookReader, InstrumentStats
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import compact, palette
from tradeterm.ui.widgets.pane import Row, TextPane


class QuotesPane(TextPane):
    REDRAW_S = 0.25  # the watchlist four times a second
    DEFAULT_CSS = """
    QuotesPane { height: auto; max-height: 12; padding: 0 1; }
    """

    def __init__(self, instruments: list[Instrument], books: dict[str, BookReader],
                 stats: dict[str, InstrumentStats], **kwargs) -> None:
        super().__init__(**kwargs)
        self.instruments = instruments
        self.books = books
        self.stats = stats
        self.selected = 0
        self.styles.height = len(instruments) + 1

    def refresh_view(self) -> None:
        self.set_rows(self.quote_rows(self.size.width or 100))

    def quote_rows(self, width: int) -> list[Row]:
        pal = palette()
        sw = max(11, *(len(i.symbol) for i in self.instruments))
        wide = width >= 70
        head = f"  {'symbol':<{sw}} {'bid':>11} {'ask':>11} {'last':>11} {'chg%':>7}"
        rows: list[Row] = [((head + (f" {'volume':>9}" if wide else ""), "bold dim"),)]
        for n, inst in enumerate(self.instruments):
            book, stats = self.books[inst.id], self.stats[inst.id]
            last_style = pal.buy if stats.tick > 0 else pal.sell if stats.tick < 0 else ""
            change = ""
            if stats.open_price and stats.last_price is not None:
                pct = (stats.last_price - stats.open_price) * 100 / stats.open_price
                change = f"{pct:+.2f}" if abs(pct) >= 0.005 else "0.00"
            chg_style = pal.buy if change.startswith("+") else (
                pal.sell if change.startswith("-") else "")
            marker = ("▶ ", "bold") if n == self.selected else ("  ", "")
            row: list[tuple[str, str]] = [
                marker,
                (f"{n + 1} {inst.symbol:<{sw - 2}}", "bold" if n == self.selected else ""),
                (f" {inst.format_price(book.best_bid):>11}", pal.bid),
                (f" {inst.format_price(book.best_ask):>11}", pal.ask),
                (f" {inst.format_price(stats.last_price):>11}", last_style),
                (f" {change:>7}", chg_style),
            ]
            if wide:
                row.append((f" {compact(float(inst.lots_to_qty(stats.volume))):>9}", "dim"))
            rows.append(tuple(row))
        return rows
