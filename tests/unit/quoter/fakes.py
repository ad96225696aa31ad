"""A recording order gateway and a tiny market for driving the quoter in tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.config import QuoterConfig
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.events import (
    ConnectionState,
    KillSwitchTripped,
    Liquidity,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderModified,
    TradingState,
    TradingStateChanged,
    VenueStatus,
)
from tradeterm.domain.market import BookSnapshot, Side, Trade
from tradeterm.quoter.component import Quoter

from tests.helpers import BTC

START = 1_767_225_600 * NS


@dataclass
class RecordingGateway:
    """Records every call; with ``bus`` it also answers like a venue that accepts everything."""

    bus: MessageBus | None = None
    venue: str = "test"
    calls: list = field(default_factory=list)
    working: dict = field(default_factory=dict)  # client id -> [side, price, lots]

    def submit(self, command: SubmitOrder) -> None:
        self.calls.append(command)
        self.working[command.client_order_id] = [command.side, command.price, command.qty]
        self._answer(
            OrderAccepted(
                command.ts,
                command.ts,
                command.client_order_id,
                command.instrument,
                "v" + command.client_order_id,
            )
        )

    def cancel(self, command: CancelOrder) -> None:
        self.calls.append(command)
        if self.working.pop(command.client_order_id, None) is not None:
            self._answer(
                OrderCanceled(command.ts, command.ts, command.client_order_id, command.instrument)
            )

    def modify(self, command: ModifyOrder) -> None:
        self.calls.append(command)
        order = self.working.get(command.client_order_id)
        if order is not None:
            order[1], order[2] = command.price, command.qty
            self._answer(
                OrderModified(
                    command.ts,
                    command.ts,
                    command.client_order_id,
                    command.instrument,
                    command.price,
                    command.qty,
                )
            )

    def _answer(self, event) -> None:
        if self.bus is not None:
            self.bus.publish(topics.orders(self.venue), event)

    def of(self, kind: type) -> list:
        return [c for c in self.calls if isinstance(c, kind)]

    def take(self) -> list:
        calls, self.calls = self.calls, []
        return calls

    def resting(self, side: Side) -> list[tuple[int, int]]:
        rows = [(p, q) for s, p, q in self.working.values() if s is side]
        return sorted(rows, reverse=side is Side.BUY)


class Rig:
    """Bus + SimClock + book + status + quoter on BTC (tick 0.5, lot 0.0001)."""

    def __init__(self, auto_ack: bool = True, **config) -> None:
        self.bus = MessageBus()
        self.clock = SimClock(START)
        self.views = EngineViews(StatusView(mode="PAPER", venue="test"))
        self.keeper = MarketDataKeeper(self.bus, self.views, [BTC])
        self.book = self.views.books[BTC.id]
        self.gateway = RecordingGateway(self.bus if auto_ack else None)
        defaults = {
            "enabled": True,
            "sigma": 2.0,
            "k": 0.5,
            "A": 2.0,
            "gamma": 0.1,
            "order_size": "0.01",
            "max_position": "0.05",
            "stale_after_s": 5.0,
        }
        self.quoter = Quoter(
            self.bus,
            self.clock,
            BTC,
            self.book,
            self.views.status,
            self.gateway,
            QuoterConfig(**(defaults | config)),
        )
        self.update_id = 0
        self.trade_id = 0

    @property
    def now(self) -> int:
        return self.clock.timestamp_ns()

    def at(self, seconds: float) -> int:
        ts = START + int(seconds * NS)
        self.clock.advance_to(ts)
        return ts

    def settle(self) -> None:
        """Run what the quoter scheduled for 'now' (its reactions to order events)."""
        self.clock.advance_to(self.now)

    def book_at(
        self, seconds: float, bid: int, ask: int, bid_size: int = 500, ask_size: int = 500
    ) -> None:
        ts = self.at(seconds)
        self.update_id += 1
        self.bus.publish(
            topics.book(BTC.id),
            BookSnapshot(
                BTC.id,
                [(bid, bid_size), (bid - 1, 800)],
                [(ask, ask_size), (ask + 1, 800)],
                self.update_id,
                ts,
                ts,
            ),
        )

    def trade_at(self, seconds: float, price: int, side: Side, size: int = 10) -> None:
        ts = self.at(seconds)
        self.trade_id += 1
        self.bus.publish(
            topics.trade(BTC.id), Trade(BTC.id, price, size, side, self.trade_id, ts, ts)
        )

    def fill(self, client_order_id: str, lots: int) -> None:
        side, price, working = self.gateway.working[client_order_id]
        leaves = working - lots
        if leaves <= 0:
            del self.gateway.working[client_order_id]
        else:
            self.gateway.working[client_order_id][2] = leaves
        self.bus.publish(
            topics.orders("test"),
            OrderFilled(
                self.now,
                self.now,
                client_order_id,
                BTC.id,
                "v1",
                "t1",
                side,
                price,
                lots,
                Liquidity.MAKER,
                0,
                "USD",
                max(leaves, 0),
            ),
        )
        self.settle()

    def venue(self, state: ConnectionState) -> None:
        self.bus.publish(
            topics.venue_status("test"), VenueStatus(self.now, self.now, "test", state)
        )

    def kill(self, reason: str = "test") -> None:
        self.bus.publish(topics.RISK, KillSwitchTripped(self.now, self.now, reason, "manual"))

    def trading(self, state: TradingState) -> None:
        self.bus.publish(topics.RISK, TradingStateChanged(self.now, self.now, state, "test"))
