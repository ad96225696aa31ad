"""A desk (risk + OMS + portfolio + kill switch) over a scriptable venue and a book the test
controls, on a SimClock and an in-memory (or file) store."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.config import load_settings
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.trading.desk import TradingDesk
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import (
    Liquidity,
    OrderAccepted,
    OrderCanceled,
    OrderDenied,
    OrderFilled,
    OrderRejected,
    OrderUpdateRejected,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookSnapshot, Side, Trade
from tradeterm.domain.orders import Order, OrderStatus, OrderType, TimeInForce
from tradeterm.domain.reports import OrderStatusReport, PositionReport
from tradeterm.oms.store import Store
from tradeterm.trading.results import Denied, OrderSent
from tradeterm.venues.base import Venue

T0 = 1_767_225_600 * NS
BTC = Instrument(
    "fake",
    "BTC/USD",
    "BTC",
    "USD",
    Decimal("0.5"),
    Decimal("0.0001"),
    Decimal(5),
    Decimal("0.0001"),
    Decimal("0.0004"),
)
ETH = Instrument(
    "fake",
    "ETH/USD",
    "ETH",
    "USD",
    Decimal("0.05"),
    Decimal("0.001"),
    Decimal(5),
    Decimal("0.0001"),
    Decimal("0.0004"),
)
MID = 120_000  # BTC mid in ticks = 60,000 USD


class FakeVenue(Venue):
    """A venue whose answers the test scripts. Venue-side truth lives in ``orders``,
    ``fill_log`` and ``account``; ``auto_ack`` answers submits and cancels at once."""

    name = "fake"

    def __init__(
        self,
        bus: MessageBus,
        clock: SimClock,
        instruments: list[Instrument],
        keeps_state: bool = True,
        modify: bool = False,
    ) -> None:
        super().__init__(bus, clock)
        self._instruments = instruments
        self.keeps_state = keeps_state
        self.native_modify = modify
        self.auto_ack = True
        self.ioc_fill = 0.0  # share of an IOC order that fills before the rest is canceled
        self.sent: list[Order] = []
        self.cancels: list[str] = []
        self.modifies: list[tuple[str, int | None, int | None]] = []
        self.orders: dict[str, OrderStatusReport] = {}
        self.fill_log: list[OrderFilled] = []
        self.account: dict[str, int] | None = {}
        self.fail_queries = 0
        self.queries: list[str] = []
        self.on_submit = None  # hook(order) called before anything else
        self._trade = 0
        self._oid = 0

    @property
    def topic(self) -> str:
        return topics.orders(self.name)

    def now(self) -> int:
        return self.clock.timestamp_ns()

    def instruments(self) -> list[Instrument]:
        return self._instruments

    async def run(self) -> None:
        while not self.stopping:
            await asyncio.sleep(0.001)

    def submit_order(self, order: Order) -> None:
        if self.on_submit is not None:
            self.on_submit(order)
        self.sent.append(order)
        self._oid += 1
        self.orders[order.client_order_id] = OrderStatusReport(
            order.client_order_id,
            f"V{self._oid}",
            order.instrument,
            order.side,
            order.qty,
            OrderStatus.ACCEPTED,
            0,
            order.price,
            order.order_type,
            order.tif,
            self.now(),
        )
        if self.auto_ack:
            self.ack(order.client_order_id)
            if order.tif is TimeInForce.IOC:
                filled = int(order.qty * self.ioc_fill)
                if filled:
                    self.fill(order.client_order_id, filled)
                if filled < order.qty:
                    self.cancel_at_venue(order.client_order_id, "IOC")

    def ack(self, coid: str) -> None:
        r = self.orders[coid]
        self.bus.publish(
            self.topic, OrderAccepted(self.now(), self.now(), coid, r.instrument, r.venue_order_id)
        )

    def reject(self, coid: str, reason: str = "INSUFFICIENT_BALANCE") -> None:
        r = self.orders.pop(coid)
        self.bus.publish(
            self.topic, OrderRejected(self.now(), self.now(), coid, r.instrument, reason)
        )

    def cancel_order(self, order: Order) -> None:
        self.cancels.append(order.client_order_id)
        if not self.auto_ack:
            return
        r = self.orders.get(order.client_order_id)
        if r is None or r.status not in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED):
            self.bus.publish(
                self.topic,
                OrderUpdateRejected(
                    self.now(),
                    self.now(),
                    order.client_order_id,
                    order.instrument,
                    "cancel",
                    "NOT_WORKING",
                ),
            )
            return
        self.cancel_at_venue(order.client_order_id)

    def cancel_at_venue(self, coid: str, reason: str = "CANCELED", publish: bool = True) -> None:
        r = self.orders[coid]
        if r.status in (OrderStatus.FILLED, OrderStatus.CANCELED):
            return
        self.orders[coid] = _with(r, status=OrderStatus.CANCELED, reason=reason)
        if publish:
            self.bus.publish(
                self.topic, OrderCanceled(self.now(), self.now(), coid, r.instrument, reason)
            )

    def modify_order(self, order: Order, price: int | None, qty: int | None) -> bool:
        if not self.native_modify:
            return False
        self.modifies.append((order.client_order_id, price, qty))
        return True

    def fill(
        self,
        coid: str,
        qty: int,
        price: int | None = None,
        publish: bool = True,
        trade_id: str | None = None,
        fee: str = "0.01",
        fee_currency: str = "USD",
    ) -> OrderFilled:
        r = self.orders[coid]
        self._trade += 1
        filled = r.filled_qty + qty
        self.orders[coid] = _with(
            r,
            filled_qty=filled,
            status=OrderStatus.FILLED if filled == r.qty else OrderStatus.PARTIALLY_FILLED,
        )
        fill = OrderFilled(
            self.now(),
            self.now(),
            coid,
            r.instrument,
            r.venue_order_id,
            trade_id or f"T{self._trade}",
            r.side,
            price if price is not None else (r.price or MID),
            qty,
            Liquidity.MAKER,
            Decimal(fee),
            fee_currency,
            r.qty - filled,
        )
        self.fill_log.append(fill)
        if self.account is not None:
            self.account[r.instrument] = self.account.get(r.instrument, 0) + int(r.side) * qty
        if publish:
            self.bus.publish(self.topic, fill)
        return fill

    async def query_order(self, client_order_id: str, instrument: str):
        self.queries.append(client_order_id)
        if self.fail_queries:
            self.fail_queries -= 1
            raise ConnectionError("venue unreachable")
        return self.orders.get(client_order_id)

    async def open_orders(self, instrument=None):
        if self.fail_queries:
            raise ConnectionError("venue unreachable")
        return [
            r
            for r in self.orders.values()
            if r.status in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED)
        ]

    async def fills_since(self, since_ns, instrument=None):
        return [
            f
            for f in self.fill_log
            if f.ts_event >= since_ns and (instrument is None or f.instrument == instrument)
        ]

    async def positions(self):
        if self.account is None:
            return None
        return [PositionReport(i, q) for i, q in self.account.items()]


def _with(report: OrderStatusReport, **changes) -> OrderStatusReport:
    import msgspec

    return msgspec.structs.replace(report, **changes)


class Harness:
    def __init__(
        self,
        store_url: str = "sqlite://",
        venue: FakeVenue | None = None,
        instruments: tuple[Instrument, ...] = (BTC, ETH),
        keeps_state: bool = True,
        modify: bool = False,
        start_ns: int = T0,
        sync_thread: bool = False,
        **sections,
    ) -> None:
        self.settings = load_settings(**sections)
        self.bus = MessageBus()
        self.clock = SimClock(start_ns)
        self.views = EngineViews(StatusView(mode="PAPER", venue="fake"))
        self.instruments = {i.id: i for i in instruments}
        self.market = MarketDataKeeper(self.bus, self.views, list(instruments))
        self.venue = venue or FakeVenue(
            self.bus, self.clock, list(instruments), keeps_state, modify
        )
        self.store = Store(store_url, sync_thread=sync_thread)
        self.desk = TradingDesk(
            self.settings,
            self.bus,
            self.clock,
            {"fake": self.venue},
            self.instruments,
            self.views,
            self.store,
        )
        self.events: list = []
        self.bus.subscribe("*", self.events.append)
        self._update = 0
        self.book(BTC, MID - 2, MID + 2)
        self.book(ETH, 60_000 - 1, 60_000 + 1)

    async def start(self) -> bool:
        return await self.desk.start()

    def book(self, inst: Instrument, bid: int, ask: int, size: int = 1_000_000) -> None:
        self._update += 1
        now = self.clock.timestamp_ns()
        self.bus.publish(
            topics.book(inst.id),
            BookSnapshot(inst.id, [(bid, size)], [(ask, size)], self._update, now, now),
        )

    def trade(self, inst: Instrument, price: int) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(topics.trade(inst.id), Trade(inst.id, price, 1, Side.BUY, 1, now, now))

    def advance(self, seconds: float) -> None:
        self.clock.advance_to(self.clock.timestamp_ns() + int(seconds * NS))

    def order(
        self,
        side: Side = Side.BUY,
        qty: int = 100,
        price: int | None = MID - 2,
        inst: Instrument = BTC,
        **kw,
    ) -> SubmitOrder:
        return SubmitOrder(
            self.clock.timestamp_ns(),
            self.desk.ids.next(),
            inst.id,
            side,
            qty,
            OrderType.LIMIT if price is not None else OrderType.MARKET,
            price,
            **kw,
        )

    def submit(self, *args, **kw) -> Order | OrderDenied:
        return self.send(self.order(*args, **kw))

    def send(self, cmd: SubmitOrder) -> Order | OrderDenied:
        """The order the desk took, or the denial it published (``desk.execute`` says which)."""
        match self.desk.execute(cmd):
            case OrderSent(order):
                return order
            case Denied(denial):
                return denial

    def of(self, kind: type) -> list:
        return [e for e in self.events if type(e) is kind]
