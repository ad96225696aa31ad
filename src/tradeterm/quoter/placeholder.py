"""PLACEHOLDER quoter: a simple two-sided loop that exercises the trading path headless.

This is not the market-making model (the Avellaneda-Stoikov quoter replaces it behind the same
``--quoter`` option). It exists so that ``tradeterm paper --headless --quoter placeholder`` runs
a real trading session end to end: commands through risk and the OMS, fills into the portfolio,
the kill switch, crash recovery.

Every ``refresh`` of the clock, per instrument: join the best bid and the best ask (never at or
through our own working order on the other side) with one order each of about
``quote_notional`` (rounded up to the venue's order step), skipping the side that would take the
inventory past ``max_quotes`` quote sizes. A quote whose price is still right is left alone (it
keeps its queue place); one that is wrong is canceled and replaced. It sends commands only
(``send``) and knows no venue. It stops quoting as soon as trading leaves ACTIVE and resumes on a
re-arm to ACTIVE.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import BookReader, WorkingOrdersView
from tradeterm.domain.commands import CancelOrder, Command, SubmitOrder
from tradeterm.domain.events import TradingState, TradingStateChanged
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side

log = logging.getLogger(__name__)

TIMER = "quoter.placeholder"


@dataclass(frozen=True, slots=True)
class PlaceholderParams:
    refresh_ms: int = 500
    quote_notional: Decimal = Decimal(1_000)  # quote currency per order
    max_quotes: int = 5  # inventory cap, in quote sizes


class PlaceholderQuoter:
    name = "placeholder"

    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        instruments: list[Instrument],
        books: dict[str, BookReader],
        working: WorkingOrdersView,
        position: Callable[[str], int],
        send: Callable[[Command], Any],
        next_id: Callable[[], str],
        params: PlaceholderParams = PlaceholderParams(),
    ) -> None:
        self.clock = clock
        self.instruments = instruments
        self.books = books
        self.working = working.orders
        self.position = position
        self.send = send
        self.next_id = next_id
        self.params = params
        self.quotes: dict[tuple[str, Side], str] = {}  # (instrument, side) -> client order id
        self.active = False
        self.paused = False
        self.sent = 0
        bus.subscribe(topics.RISK, self._on_risk)

    def start(self) -> None:
        self.active = True
        self.clock.set_timer(TIMER, self.params.refresh_ms * 1_000_000, self._tick)
        log.info(
            "placeholder quoter started on %s (refresh %d ms)",
            ", ".join(i.symbol for i in self.instruments),
            self.params.refresh_ms,
        )

    def stop(self) -> None:
        self.active = False
        self.clock.cancel_timer(TIMER)

    def _on_risk(self, msg: object) -> None:
        if type(msg) is TradingStateChanged:
            was = self.paused
            self.paused = msg.state is not TradingState.ACTIVE
            if self.paused and not was:
                log.warning("placeholder quoter paused: trading is %s", msg.state.value)
            elif was and not self.paused:
                log.info("placeholder quoter resumed")

    def _tick(self, ts: int) -> None:
        if not self.active or self.paused:
            return
        for inst in self.instruments:
            book = self.books.get(inst.id)
            if book is None or not book.synced or book.best_bid is None or book.best_ask is None:
                continue
            mid = (book.best_bid + book.best_ask) / 2 * float(inst.tick_size)
            step = inst.qty_step_lots
            lots = max(1, math.ceil(float(self.params.quote_notional) / mid / float(inst.lot_size)))
            lots = -(-lots // step) * step  # up to the venue's order step
            cap = lots * self.params.max_quotes
            pos = self.position(inst.id)
            own_bid, own_ask = self._own_touch(inst.id)
            # market data can run ahead of our own order events: never join at or through our
            # own order on the other side (risk would deny it SELF_CROSS)
            bid = book.best_bid if own_ask is None else min(book.best_bid, own_ask - 1)
            ask = book.best_ask if own_bid is None else max(book.best_ask, own_bid + 1)
            self._quote(ts, inst, Side.BUY, bid, lots if pos + lots <= cap and bid > 0 else 0)
            self._quote(ts, inst, Side.SELL, ask, lots if pos - lots >= -cap else 0)

    def _own_touch(self, instrument: str) -> tuple[int | None, int | None]:
        """Our highest working buy and lowest working sell (any source: as risk counts them)."""
        bid = ask = None
        for order in self.working.values():
            price = order.price
            if order.instrument != instrument or price is None or order.is_terminal:
                continue
            if order.side is Side.BUY:
                bid = price if bid is None or price > bid else bid
            else:
                ask = price if ask is None or price < ask else ask
        return bid, ask

    def _quote(self, ts: int, inst: Instrument, side: Side, price: int, lots: int) -> None:
        key = (inst.id, side)
        current = self.quotes.get(key)
        order = self.working.get(current) if current else None
        if order is not None:
            if lots and order.price == price:
                return  # still right: keep the queue place
            self.send(CancelOrder(ts, order.client_order_id, inst.id))
        self.quotes.pop(key, None)
        if lots:
            coid = self.next_id()
            self.quotes[key] = coid
            self.sent += 1
            self.send(SubmitOrder(ts, coid, inst.id, side, lots, price=price, source="quoter"))
