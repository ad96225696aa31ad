"""Paper execution on synthetic market data: queue rules, order types, latency, composition."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers import BTC, fast_kernel
from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import SimClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderUpdateRejected,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderTriggered,
)
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, Trade
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.matching.paper_fills import FillModel
from tradeterm.venues.paper import PaperExecution
from tradeterm.venues.paper_client import PaperExecutionClient

BUY, SELL = Side.BUY, Side.SELL


class Market:
    keeper = False  # fill against the market data keeper's book (a session's), not a copy

    def __init__(self, model=FillModel()):
        self.bus, self.clock = MessageBus(), SimClock(1_000)
        self.ex = PaperExecution(self.bus, self.clock, "x", [BTC], model)
        if self.keeper:
            keeper = MarketDataKeeper(self.bus, EngineViews(StatusView("PAPER", "x")), [BTC])
            for iid, paper in self.ex.read_books(keeper.books).items():
                keeper.watch(iid, paper)
            assert self.ex.books[BTC.id].book is keeper.books[BTC.id]
        self.out = []
        self.bus.subscribe(topics.orders("x"), self.out.append)
        self.uid = 10
        self.tid = 0
        self.ts = 0  # every event its own timestamp: they happen one after the other
        self.bus.publish(
            topics.book(BTC.id),
            BookSnapshot(BTC.id, [(100, 50), (99, 80)], [(101, 40), (102, 60)], 10, 0, 0),
        )

    def delta(self, bids=(), asks=()):
        self.uid += 1
        self.ts += 1
        self.bus.publish(
            topics.book(BTC.id),
            BookDelta(BTC.id, list(bids), list(asks), self.uid, self.uid, self.ts, self.ts),
        )

    def trade(self, price, size, aggressor):
        self.tid += 1
        self.ts += 1
        self.bus.publish(
            topics.trade(BTC.id), Trade(BTC.id, price, size, aggressor, self.tid, self.ts, self.ts)
        )

    def submit(self, cid, side, qty, price=None, **kw):
        order = Order(cid, BTC.id, side, qty=qty, price=price, **kw)
        self.ex.submit_order(order)
        return order

    def of(self, kind, cid=None):
        return [
            e for e in self.out if isinstance(e, kind) and (cid is None or e.client_order_id == cid)
        ]


@pytest.fixture(autouse=True, params=["its own book", "the keeper's book"])
def book_kept(request, monkeypatch):
    """Every rule holds whether paper execution keeps its own copy of the book or reads the
    one the market data keeper keeps (each update applied once)."""
    monkeypatch.setattr(Market, "keeper", request.param == "the keeper's book")


def test_queue_ahead_shrinks_with_trades_and_level_cap():
    m = Market()
    m.submit("b", BUY, 10, 100)  # 50 ahead
    m.trade(100, 30, SELL)
    m.delta(bids=[(100, 25)])  # 20 left after the trade, 5 more cancelled: cap 25 >= 20
    assert not m.of(OrderFilled)
    m.delta(bids=[(100, 12)])  # the level shows 12: at most 12 can be ahead
    m.trade(100, 15, SELL)
    (fill,) = m.of(OrderFilled)
    assert fill.qty == 3 and fill.note == "queue ahead exhausted by trade 2"


def test_cancels_ahead_share_is_configurable():
    conservative, optimistic = Market(), Market(FillModel(cancels_ahead=1.0))
    for m in (conservative, optimistic):
        m.submit("b", BUY, 10, 100)
        m.delta(bids=[(100, 70)])  # 20 join behind us
        m.delta(bids=[(100, 60)])  # 10 cancelled: ahead of us or behind?
        m.trade(100, 45, SELL)
    assert not conservative.of(OrderFilled)  # 50 - 45 = 5 still ahead
    assert optimistic.of(OrderFilled)[0].qty == 5  # 40 ahead, 45 traded: 5 for us


def test_trade_through_fills_up_to_the_traded_size_at_our_price():
    m = Market()
    m.submit("b", BUY, 10, 100)
    m.trade(99, 4, SELL)
    (fill,) = m.of(OrderFilled)
    assert (fill.price, fill.qty, fill.leaves_qty) == (100, 4, 6)
    assert fill.note == "traded through 50.0 (trade 1 at 49.5)"


def test_quote_reaching_our_price_fills_it():
    m = Market()
    m.submit("s", SELL, 10, 102)
    m.delta(bids=[(102, 7)])
    assert not m.of(OrderFilled)  # its moment may still hold trades: they fill first
    m.delta(asks=[(103, 5)])  # any later event completes the moment
    (fill,) = m.of(OrderFilled)
    assert fill.qty == 7 and fill.note == "bid 51.0 reached our price"


def test_post_only_reject_and_slide():
    m, s = Market(), Market(FillModel(post_only_slide=True))
    m.submit("p", BUY, 1, 101, post_only=True)
    assert m.of(OrderRejected)[0].reason == "POST_ONLY_WOULD_TAKE"
    s.submit("p", BUY, 1, 105, post_only=True)
    assert not s.of(OrderFilled) and s.ex.books[BTC.id].orders[1].price == 100


def test_stop_market_triggers_on_a_trade_and_walks_the_book():
    m = Market()
    m.trade(100, 1, SELL)
    m.submit(
        "st", BUY, 50, order_type=OrderType.STOP_MARKET, trigger_price=101, tif=TimeInForce.IOC
    )
    m.trade(101, 1, BUY)
    assert not m.of(OrderTriggered, "st")  # the moment of the trigger is not complete yet
    m.delta(asks=[(101, 39)])  # the book update that reflects the trade: the stop walks it
    assert m.of(OrderTriggered, "st")
    assert [(f.price, f.qty) for f in m.of(OrderFilled, "st")] == [(101, 39), (102, 11)]


def test_gtd_expires_on_the_clock_and_cancel_after_fill_is_refused():
    m = Market()
    m.submit("g", BUY, 5, 99, tif=TimeInForce.GTD, expire_ns=5_000)
    m.clock.advance_to(5_000)
    assert m.of(OrderExpired, "g")
    order = m.submit("c", SELL, 5, 100)  # marketable: fills at once
    m.ex.cancel_order(order)
    assert m.of(OrderUpdateRejected, "c")


def test_reduce_only_against_the_paper_position():
    m = Market()
    m.submit("r", SELL, 5, 100, reduce_only=True)
    assert m.of(OrderRejected, "r")[0].reason == "REDUCE_ONLY_WOULD_INCREASE"
    m.submit("buy", BUY, 3, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    m.submit("r2", SELL, 5, 110, reduce_only=True)
    assert m.ex.books[BTC.id].orders[3].qty == 3


def test_modify_price_requeues_size_down_keeps_place():
    m = Market()
    order = m.submit("b", BUY, 10, 99)  # 80 ahead
    m.ex.modify_order(order, None, 8)
    book = m.ex.books[BTC.id]
    assert book.orders[1].queue_ahead == 80 and m.of(OrderModified)[-1].qty == 8
    m.ex.modify_order(order, 100, None)
    assert book.orders[1].queue_ahead == 50


def test_latency_keeps_request_order():
    m = Market(FillModel(latency_ns=100, jitter_ns=1_000))
    for i in range(5):
        m.submit(f"o{i}", BUY, 1, 90)
    m.clock.advance_to(10_000)
    assert [e.client_order_id for e in m.of(OrderAccepted)] == [f"o{i}" for i in range(5)]


def test_paper_venue_trades_on_the_sim_feed_without_touching_its_book():
    kernel = fast_kernel(seed=5, seconds=20)
    sim = kernel.data
    paper = PaperExecutionClient(sim, FillModel())
    events = []
    kernel.bus.subscribe(topics.orders("sim"), events.append)
    inst = next(iter(kernel.instruments.values()))

    async def scenario():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        bid = kernel.views.books[inst.id].best_bid
        paper.submit_order(Order("pb", inst.id, BUY, qty=10, price=bid))
        await task

    asyncio.run(scenario())
    assert any(isinstance(e, OrderAccepted) and e.client_order_id == "pb" for e in events)
    assert all(o.owner != 0 for b in sim.books for o in b.engine.orders.values())
    fills = [e for e in events if isinstance(e, OrderFilled) and e.client_order_id == "pb"]
    assert fills and all(f.note for f in fills)
    assert not any(isinstance(e, OrderCanceled) and e.client_order_id == "pb" for e in events)


def test_one_trade_is_shared_between_own_orders_best_price_first():
    m = Market()
    m.submit("hi", BUY, 4, 100)  # 50 visible ahead
    m.delta(bids=[(100, 0)])  # the level empties (cancels): nothing can be ahead now
    m.submit("lo", BUY, 10, 99)  # 80 ahead
    m.trade(99, 84, SELL)  # through 100 (4 for "hi"), 80 left at 99: exactly the queue
    assert [(f.client_order_id, f.qty) for f in m.of(OrderFilled)] == [("hi", 4)]
    m.trade(99, 3, SELL)
    assert m.of(OrderFilled, "lo")[0].qty == 3


def test_a_slid_post_only_order_reports_its_new_price():
    m = Market(FillModel(post_only_slide=True))
    m.submit("p", BUY, 1, 105, post_only=True)
    accepted, modified = m.out[-2:]
    assert isinstance(accepted, OrderAccepted) and isinstance(modified, OrderModified)
    assert modified.price == 100 and modified.qty == 1


def test_a_protected_market_order_takes_liquidity_up_to_its_protection_price_only():
    """Issue 13.6: a market order's price is its protection price; the paper fill model walks
    the visible levels up to it and cancels the rest (never the 102 level here)."""
    m = Market()
    m.submit("mkt", BUY, 70, 101, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert [(f.price, f.qty) for f in m.of(OrderFilled, "mkt")] == [(101, 40)]
    assert len(m.of(OrderCanceled, "mkt")) == 1
