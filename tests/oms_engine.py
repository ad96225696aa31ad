"""One engine process for the OMS state machine (``tests/unit/oms/test_oms_stateful.py``):
the real desk (risk, OMS, store, portfolio, kill switch) on its own simulated clock and bus,
over a store file, talking to the venue double; it can die without flushing (``crash``)."""

from __future__ import annotations

import logging
import re
from decimal import Decimal

from tests.venue_double import VenueDouble
from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.config import load_settings
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.trading.desk import TradingDesk
from tradeterm.domain.events import KillSwitchTripped, TradingState, TradingStateChanged
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookSnapshot
from tradeterm.domain.orders import OrderStatus
from tradeterm.oms.manager import OrderManager
from tradeterm.oms.store import Store

S = OrderStatus
T0 = 1_767_225_600 * NS
BTC = Instrument("fake", "BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"),
                 Decimal(5), Decimal("0.0001"), Decimal("0.0004"))
ETH = Instrument("fake", "ETH/USD", "ETH", "USD", Decimal("0.05"), Decimal("0.001"),
                 Decimal(5), Decimal("0.0001"), Decimal("0.0004"))
MIDS = {BTC.id: 120_000, ETH.id: 60_000}
ACK_TIMEOUT_S = 1.0
WINDOW_NS = 3 * NS // 2  # a request may reach the venue for 1.5 s: longer than the timeout
SETTINGS = load_settings(**dict(
    oms={"ack_timeout_ms": int(ACK_TIMEOUT_S * 1000), "query_retry_ms": 200,
         "max_query_attempts": 4},
    risk={"orders_per_second": 1e6, "order_burst": 10**6, "duplicate_window_ms": 0,
          "max_order_notional": "1e12", "max_position_notional": "1e12",
          "daily_loss_limit": "1e12", "max_drawdown": "1e12", "max_open_orders": 10_000},
    session={"cancel_on_exit": False}))
# what may be logged at ERROR while doing the job: the queries we made fail (a reconciliation
# that meets them retries, and gives up only when they fail past oms.reconcile_retry_s)
EXPECTED_ERRORS = re.compile(r"query for order \S+ failed|reconciliation FAILED: venue \S+ "
                             r"did not answer \(ConnectionError: venue unreachable \(test\)\)")

class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        if not EXPECTED_ERRORS.search(line):
            self.lines.append(f"{record.name}: {line}")


class Engine:
    """One engine process on the store file: dies without flushing (``crash``)."""

    def __init__(self, url: str, venue: VenueDouble, start_ns: int) -> None:
        self.clock = SimClock(start_ns)
        self.bus = MessageBus()
        venue.bus, venue.clock = self.bus, self.clock
        self.views = EngineViews(StatusView(mode="PAPER", venue="fake"))
        MarketDataKeeper(self.bus, self.views, [BTC, ETH])
        self.store = Store(url, "OFF")  # a crash of the process, not of the machine
        self.desk = TradingDesk(SETTINGS, self.bus, self.clock,
                                {"fake": venue}, {BTC.id: BTC, ETH.id: ETH}, self.views,
                                self.store)
        # a reconciliation that meets failing queries retries on this process's clock (the
        # rules move it), not on the wall
        self.desk.watch.pause = self.clock.sleep
        self.desk.watch.now_s = lambda: self.clock.timestamp_ns() / NS
        self.venue = venue
        self.trips: list[KillSwitchTripped] = []
        self.submits_at_trip: int | None = None  # orders sent when the kill switch tripped
        self.bus.subscribe(topics.RISK, self._on_risk)
        self.books()

    def _on_risk(self, msg: object) -> None:
        if type(msg) is KillSwitchTripped:
            self.trips.append(msg)
            self.submits_at_trip = self.venue.submits
        elif type(msg) is TradingStateChanged and msg.state is not TradingState.HALTED:
            self.submits_at_trip = None

    def books(self) -> None:
        now = self.clock.timestamp_ns()
        for inst in (BTC, ETH):
            mid = MIDS[inst.id]
            self.bus.publish(topics.book(inst.id), BookSnapshot(
                inst.id, [(mid - 1, 10**9)], [(mid + 1, 10**9)], now, now, now))

    @property
    def oms(self) -> OrderManager:
        return self.desk.oms

    def crash(self) -> None:
        self.oms.resolver.stop()
        self.desk.watch.stop()  # its reconciliation tasks die with the process
        self.store.conn.close()  # the buffered status changes die with the process
