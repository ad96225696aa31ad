"""The instrument switcher: every instrument of the session, the selected one highlighted."""

from __future__ import annotations

from tradeterm.core.views import BookReader
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.widgets.pane import Run, TextPane


class InstrumentBar(TextPane):
    DEFAULT_CSS = """
    InstrumentBar { height: 1; background: $boost; }
    """

    def __init__(self, instruments: list[Instrument], books: dict[str, BookReader],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.instruments = instruments
        self.books = books
        self.selected = 0

    def refresh_view(self) -> None:
        runs: list[Run] = []
        for n, inst in enumerate(self.instruments):
            book = self.books[inst.id]
            runs.append((f" {n + 1} {inst.symbol} ", "bold reverse" if n == self.selected else ""))
            runs.append((f"{inst.format_price(book.best_bid)} ", "green"))
            runs.append((f"{inst.format_price(book.best_ask)}  ", "red"))
        self.set_rows([tuple(runs)])  # unchanged rows cost nothing: set_rows compares
