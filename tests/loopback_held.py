"""Test harness: held (contingent) orders in a live session against the loopback exchange, for
the state machine of ``tests/integration/venues/test_held_on_loopback.py``.

``ArrivalWatch`` checks, as each order reaches the exchange, that the engine's store already
holds it: the held order's row (for a leg of an OCO or a bracket) and the order's own row, read
on a connection of its own (what is on disk, not what the engine's connection has in hand)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.live_session import LiveSession, counterparty
from tradeterm.venues.loopback import LoopbackServer
from tradeterm.venues.loopback.accounts import LoopbackOrder


class ArrivalWatch:
    """Wraps the exchange's ``open_order``: every order of ``key`` that is a held order's leg
    (``legs``) must have its held row and its order row in the store before it arrives."""

    def __init__(self, server: LoopbackServer, key: str, db: Path) -> None:
        self.legs: set[str] = set()
        self.arrived: list[str] = []
        self.unrecorded: list[str] = []
        self._db = db
        exchange = server.exchange
        opened = exchange.open_order

        def open_order(account: Any, spec: Any, *args: Any, **kwargs: Any) -> LoopbackOrder:
            if account.api_key == key and spec.client_id in self.legs:
                self.arrived.append(spec.client_id)
                if not self._recorded(spec.client_id):
                    self.unrecorded.append(spec.client_id)
            return opened(account, spec, *args, **kwargs)

        exchange.open_order = open_order  # type: ignore[method-assign]

    def _recorded(self, client_id: str) -> bool:
        conn = sqlite3.connect(f"file:{self._db}?mode=ro", uri=True)
        try:
            held = conn.execute("SELECT 1 FROM held_orders WHERE held_id = ?", (client_id,))
            order = conn.execute("SELECT 1 FROM orders WHERE client_order_id = ?", (client_id,))
            return held.fetchone() is not None and order.fetchone() is not None
        finally:
            conn.close()


def exchange_orders(server: LoopbackServer, key: str) -> dict[str, LoopbackOrder]:
    """The account's orders at the exchange by client order id (the last one of an id)."""
    return {o.client_order_id: o for o in server.exchange.accounts[key].orders}


def exchange_trade_ids(server: LoopbackServer, key: str) -> list[str]:
    return [str(t.trade_id) for t in server.exchange.accounts[key].trades]


def sweep(live: LiveSession, side: str, ticks: int, qty: str = "3") -> None:
    """The counterparty takes ``ticks`` beyond the touch (BUY: the asks up to ask + ticks; SELL:
    the bids down to bid - ticks), printing trades there."""
    market = live.server.exchange.market.symbols["BTCUSDT"]
    book = market.book
    if side == "BUY" and book.best_ask is not None:
        counterparty(live.server, "BUY", qty, market.price_str(book.best_ask + ticks))
    elif side == "SELL" and book.best_bid is not None:
        counterparty(live.server, "SELL", qty, market.price_str(max(1, book.best_bid - ticks)))


def touch(live: LiveSession) -> tuple[int, int, int]:
    """(best bid, best ask, last trade) at the exchange, in ticks."""
    market = live.server.exchange.market.symbols["BTCUSDT"]
    bid, ask = market.book.best_bid, market.book.best_ask
    assert bid is not None and ask is not None, "the loopback book has a side empty"
    trades = list(market.recent_trades)
    last = market_ticks(live, Decimal(trades[-1]["price"])) if trades else (bid + ask) // 2
    return bid, ask, last


def engine_sees_the_exchange(live: LiveSession, kernel: Any) -> bool:
    """The engine's book and last trade are the exchange's (its streams have caught up): what
    a test prices from ``touch`` is then what the engine's risk checks see."""
    bid, ask, last = touch(live)
    iid = live.instrument().id
    book, stats = kernel.views.books[iid], kernel.views.stats[iid]
    return (book.best_bid, book.best_ask) == (bid, ask) and stats.last_price in (None, last)


def market_ticks(live: LiveSession, price: Decimal) -> int:
    return live.instrument().parse_price(str(price))
