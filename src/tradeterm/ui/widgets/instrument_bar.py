"""The instrument switcher: every instrument of the session, the selected one highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tradeterm.core.views import BookReader
from tradeterm.domain.instruments import Instrument


class InstrumentBar(Static):
    DEFAULT_CSS = """
    InstrumentBar { height: 1; background: $boost; }
    """

    def __init__(self, instruments: list[Instrument], books: dict[str, BookReader],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.instruments = instruments
        self.books = books
        self.selected = 0
        self._drawn: tuple | None = None

    def refresh_view(self) -> None:
        key = (self.selected, *(self.books[i.id].best_bid for i in self.instruments))
        if key == self._drawn:
            return
        self._drawn = key
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, inst in enumerate(self.instruments):
            book = self.books[inst.id]
            style = "bold reverse" if n == self.selected else ""
            text.append(f" {n + 1} {inst.symbol} ", style)
            text.append(f"{inst.format_price(book.best_bid)} ", "green")
            text.append(f"{inst.format_price(book.best_ask)}  ", "red")
        self.update(text)
