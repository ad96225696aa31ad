"""Paper fills on the real Binance BTCUSDT capture (../shared/data)."""

from __future__ import annotations

import pytest

from tests.unit.venues.capture import BTC_CAPTURE, BTCUSDT, btc_events
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import SimClock
from tradeterm.domain.events import Liquidity, OrderAccepted, OrderCanceled, OrderFilled
from tradeterm.domain.market import BookDelta, Side, Trade
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.matching.paper_fills import FillModel
from tradeterm.venues.paper import PaperExecution

pytestmark = pytest.mark.skipif(not BTC_CAPTURE.exists(), reason="shared market data not present")

QUEUE_CASE = 5400  # event index where a bid placed at the best bid is later filled by its queue


class Replay:
    """Pushes the capture through a bus on a SimClock, with a PaperExecution listening."""

    def __init__(self, model: FillModel = FillModel()) -> None:
        self.events = btc_events()
        self.bus = MessageBus()
        self.clock = SimClock(self.events[0].ts_recv)
        self.execution = PaperExecution(self.bus, self.clock, "binance", [BTCUSDT], model)
        self.out: list = []
        self.bus.subscribe(topics.orders("binance"), self.out.append)
        self.book = self.execution.books[BTCUSDT.id].book
        self.i = 0

    def step(self) -> object:
        event = self.events[self.i]
        self.i += 1
        self.clock.advance_to(event.ts_recv)
        topic = topics.trade(BTCUSDT.id) if isinstance(event, Trade) else topics.book(BTCUSDT.id)
        self.bus.publish(topic, event)
        return event

    def run_to(self, index: int) -> None:
        while self.i <= index:
            self.step()

    def fills(self, cid: str | None = None) -> list[OrderFilled]:
        return [
            e
            for e in self.out
            if isinstance(e, OrderFilled) and (cid is None or e.client_order_id == cid)
        ]


def test_bid_at_the_best_fills_only_after_trades_exhaust_its_queue():
    r = Replay()
    r.run_to(QUEUE_CASE)
    price = r.book.best_bid
    ahead = r.book.bids[price]  # queue ahead on arrival: everything visible at our price
    r.execution.submit_order(Order("q", BTCUSDT.id, Side.BUY, qty=1_000_000, price=price))
    assert isinstance(r.out[-1], OrderAccepted)
    traded = 0
    exhausted_by = None
    while not r.fills("q"):
        event = r.step()
        if isinstance(event, Trade) and event.price == price and event.aggressor is Side.SELL:
            traded += event.size
            if traded > ahead:
                exhausted_by = event
        elif isinstance(event, BookDelta):  # what is ahead can never exceed what is shown
            ahead = min(ahead, r.book.bids.get(price, 0))
        assert not (isinstance(event, Trade) and event.price < price), "traded through first"
    fill = r.fills("q")[0]
    assert exhausted_by is not None and traded > ahead, "filled before its queue was exhausted"
    assert fill.note == f"queue ahead exhausted by trade {exhausted_by.trade_id}"
    assert fill.qty == min(1_000_000, traded - ahead) and fill.price == price
    assert fill.liquidity is Liquidity.MAKER
    assert fill.fee == BTCUSDT.notional(price, fill.qty) * BTCUSDT.maker_fee


def test_touch_model_fills_the_same_order_at_the_first_print():
    queue, touch = Replay(), Replay(FillModel(model="touch"))
    for r in (queue, touch):
        r.run_to(QUEUE_CASE)
        r.execution.submit_order(
            Order("q", BTCUSDT.id, Side.BUY, qty=1_000_000, price=r.book.best_bid)
        )
        while not r.fills("q"):
            r.step()
    assert touch.i < queue.i  # the optimistic model fills earlier
    assert touch.fills("q")[0].note.startswith("touched by")


def test_trade_through_model_never_fills_on_trades_at_the_price():
    r = Replay(FillModel(model="trade-through"))
    r.run_to(QUEUE_CASE)
    r.execution.submit_order(Order("q", BTCUSDT.id, Side.BUY, qty=1_000_000, price=r.book.best_bid))
    while not r.fills("q") and r.i < len(r.events):
        r.step()
    assert r.fills("q")[0].note.startswith(("traded through", "ask "))


@pytest.mark.parametrize(("side", "at"), [(Side.BUY, 3000), (Side.SELL, 9000)])
def test_marketable_order_walks_the_visible_levels(side, at):
    r = Replay()
    r.run_to(at)
    bids, asks = r.book.top(10)
    levels = asks if side is Side.BUY else bids
    qty = sum(size for _, size in levels[:3]) + levels[3][1] // 2  # into the 4th level
    expected, left = [], qty
    for price, size in levels:
        take = min(size, left)
        expected.append((price, take))
        left -= take
        if not left:
            break
    r.execution.submit_order(
        Order("m", BTCUSDT.id, side, qty=qty, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    )
    fills = r.fills("m")
    assert [(f.price, f.qty) for f in fills] == expected and len(fills) == 4
    vwap = sum(p * q for p, q in expected) / qty
    assert sum(f.price * f.qty for f in fills) / sum(f.qty for f in fills) == vwap
    assert all(
        f.liquidity is Liquidity.TAKER and f.note.startswith("took the visible") for f in fills
    )
    assert fills[-1].leaves_qty == 0


def test_limit_order_takes_up_to_its_price_and_rests_the_rest():
    r = Replay()
    r.run_to(3000)
    _, asks = r.book.top(5)
    limit = asks[1][0]
    qty = asks[0][1] + asks[1][1] + 5_000_000
    r.execution.submit_order(Order("l", BTCUSDT.id, Side.BUY, qty=qty, price=limit))
    assert [(f.price, f.qty) for f in r.fills("l")] == [asks[0], asks[1]]
    paper = r.execution.books[BTCUSDT.id].orders
    (order,) = paper.values()
    assert order.leaves == 5_000_000 and order.price == limit


def test_latency_delays_arrival_and_the_book_may_have_moved():
    latency = 300_000_000  # 300 ms
    r = Replay(FillModel(latency_ns=latency))
    r.run_to(3000)
    sent = r.clock.timestamp_ns()
    r.execution.submit_order(
        Order(
            "m",
            BTCUSDT.id,
            Side.BUY,
            qty=10_000_000,
            order_type=OrderType.MARKET,
            tif=TimeInForce.IOC,
        )
    )
    assert not r.out
    while not r.out:
        r.step()
    accepted = r.out[0]
    assert isinstance(accepted, OrderAccepted) and accepted.ts_event == sent + latency
    assert r.fills("m") or isinstance(r.out[-1], OrderCanceled)


def test_fok_against_the_visible_book():
    r = Replay()
    r.run_to(3000)
    _, asks = r.book.top(3)
    too_much = asks[0][1] + asks[1][1] + 1
    r.execution.submit_order(
        Order("f", BTCUSDT.id, Side.BUY, qty=too_much, price=asks[1][0], tif=TimeInForce.FOK)
    )
    assert not r.fills("f") and r.out[-1].reason == "FOK"
    r.execution.submit_order(
        Order("g", BTCUSDT.id, Side.BUY, qty=too_much - 1, price=asks[1][0], tif=TimeInForce.FOK)
    )
    assert sum(f.qty for f in r.fills("g")) == too_much - 1
