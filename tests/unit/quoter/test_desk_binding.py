"""The quoter bound to the real trading desk (risk + OMS + kill switch) through QuoterGateway,
over the scriptable venue of the trading harness."""

import random

from tests.trading_harness import BTC, ETH, MID, Harness
from tradeterm.config import QuoterConfig
from tradeterm.core import topics
from tradeterm.core.clock import NS
from tradeterm.trading.quoter_wiring import QuoterGateway
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import (
    ConnectionState,
    OrderDenied,
    TradingState,
    VenueStatus,
)
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.quoter.component import Quoter
from tradeterm.risk import codes

CONFIG = {
    "enabled": True,
    "sigma": 2.0,
    "k": 0.5,
    "A": 2.0,
    "gamma": 0.1,
    "order_size": "0.01",
    "max_position": "0.05",
    "stale_after_s": 5.0,
}


async def desk_and_quoter(modify: bool = True, **config) -> tuple[Harness, Quoter]:
    h = Harness(modify=modify, risk={"orders_per_second": 1e6, "order_burst": 10**6})
    await h.start()
    quoter = Quoter(
        h.bus,
        h.clock,
        BTC,
        h.views.books[BTC.id],
        h.views.status,
        QuoterGateway(h.desk),
        QuoterConfig(**(CONFIG | config)),
        position=h.desk.portfolio.qty,
    )
    h.book(BTC, MID - 2, MID + 2)
    quoter.start()
    h.advance(0.0)
    return h, quoter


def quoter_orders(h: Harness) -> list:
    return [o for o in h.desk.oms.working.values() if o.source == "quoter"]


async def test_quotes_go_through_risk_and_the_oms_to_the_venue():
    h, quoter = await desk_and_quoter()
    working = quoter_orders(h)
    assert sorted(o.side for o in working) == [Side.SELL, Side.BUY]
    assert all(o.post_only and o.qty == 100 for o in working)
    assert len(h.venue.sent) == 2 and all(o.source == "quoter" for o in h.venue.sent)
    assert {row[0].client_order_id for row in h.store.load_orders()} >= {
        o.client_order_id for o in working
    }  # tracked (durable) before it was sent
    assert quoter.view.state == "QUOTING"


async def test_stale_data_pulls_every_quote_through_the_desk():
    h, quoter = await desk_and_quoter()
    assert len(quoter_orders(h)) == 2
    h.advance(4.0)
    assert len(quoter_orders(h)) == 2 and not h.venue.cancels
    h.advance(1.5)  # the book is 5.5 s old
    assert len(h.venue.cancels) == 2 and quoter_orders(h) == []
    assert quoter.view.state == "PULLED" and "stale data" in quoter.view.reason
    h.book(BTC, MID - 2, MID + 2)
    h.advance(0.0)
    assert len(quoter_orders(h)) == 2 and quoter.view.state == "QUOTING"


async def test_venue_status_not_connected_pulls_quotes():
    h, quoter = await desk_and_quoter()
    for state in (ConnectionState.STALE, ConnectionState.DISCONNECTED):
        now = h.clock.timestamp_ns()
        h.bus.publish(topics.venue_status("fake"), VenueStatus(now, now, "fake", state))
        h.advance(0.0)
        assert quoter_orders(h) == [] and quoter.view.reason == f"venue {state.value}"
        now = h.clock.timestamp_ns()
        h.bus.publish(
            topics.venue_status("fake"), VenueStatus(now, now, "fake", ConnectionState.CONNECTED)
        )
        h.book(BTC, MID - 2, MID + 2)
        h.advance(0.5)
        assert len(quoter_orders(h)) == 2, (quoter.view.state, quoter.view.reason)


async def test_kill_switch_cancels_the_quotes_and_stops_the_quoter():
    h, quoter = await desk_and_quoter()
    h.desk.kill.trip("drawdown", "command")
    h.advance(0.0)
    assert quoter_orders(h) == [] and h.desk.oms.working == {}
    assert not quoter.enabled and quoter.view.state == "OFF"
    assert quoter.view.reason == "kill switch: drawdown"
    sent = len(h.venue.sent)
    h.desk.kill.rearm("reviewed")
    for _ in range(20):
        h.book(BTC, MID - 4, MID + 4)
        h.advance(0.3)
    assert len(h.venue.sent) == sent  # stays off until the trader switches it on
    quoter.enable()
    h.advance(0.0)
    assert len(quoter_orders(h)) == 2


async def test_reducing_pulls_quotes():
    h, quoter = await desk_and_quoter()
    h.desk.kill.rearm("wind down", TradingState.REDUCING)
    h.advance(0.0)
    assert quoter_orders(h) == [] and quoter.view.reason == "trading state REDUCING"


async def test_ten_thousand_random_quoter_submissions_while_halted_none_accepted():
    """Through the quoter's own gateway, with source "quoter": the quoter itself stops on the
    kill switch, so this also drives a quoter that ignores the halt (its guard bypassed) while
    the book moves, plus random commands straight into the gateway."""
    h, quoter = await desk_and_quoter()
    gateway = QuoterGateway(h.desk)
    h.desk.kill.trip("everything must be denied", "command")
    h.advance(0.0)
    before = len(h.venue.sent)
    denials: list[OrderDenied] = []
    h.bus.subscribe(topics.RISK, lambda m: denials.append(m) if type(m) is OrderDenied else None)
    quoter._blocked_reason = lambda now: ""  # a quoter that ignored the halt
    quoter.enabled = True
    rng = random.Random(7)
    submits = 0
    while submits < 10_000:
        if rng.random() < 0.2:
            h.book(BTC, MID - rng.randint(1, 20), MID + rng.randint(1, 20))
            h.advance(rng.random() * 0.05)
            continue
        side = rng.choice([Side.BUY, Side.SELL])
        price = rng.choice([None, MID, MID - 2, MID + 2, 60_000, 1, MID * 3])
        gateway.submit(
            SubmitOrder(
                h.clock.timestamp_ns(),
                f"q-rand-{submits}",
                rng.choice([BTC.id, ETH.id]),
                side,
                rng.choice([1, 100, 10_000]),
                OrderType.MARKET if price is None else OrderType.LIMIT,
                price,
                tif=rng.choice(list(TimeInForce)),
                post_only=rng.random() < 0.5,
                source="quoter",
            )
        )
        submits += 1
    assert quoter.view.submits > 100  # the rogue quoter kept trying
    assert len(h.venue.sent) == before
    assert not any(
        isinstance(o, Order) and o.status.value != "CANCELED" for o in h.desk.oms.working.values()
    )
    assert len(denials) >= 10_000 and all(d.reason == codes.KILL_SWITCH for d in denials)


async def test_modify_without_native_modify_is_a_plain_cancel_no_orphan_replacement():
    h, quoter = await desk_and_quoter(modify=False)
    first = {o.client_order_id for o in quoter_orders(h)}
    h.book(BTC, MID + 8, MID + 12)  # the market moves: the quoter wants new prices
    h.advance(1.0)
    working = quoter_orders(h)
    assert first & set(h.venue.cancels)
    # every working quoter order is one the quoter tracks: no replacement it does not know
    assert {o.client_order_id for o in working} == {q.client_order_id for q in quoter.working}
    assert len(working) == 2


async def test_inventory_starts_from_the_stored_position_and_follows_fills():
    h, quoter = await desk_and_quoter(max_position="0.02")
    bid = next(o for o in quoter_orders(h) if o.side is Side.BUY)
    h.venue.fill(bid.client_order_id, 100)
    h.advance(0.0)
    assert quoter.inventory == h.desk.portfolio.qty(BTC.id) == 100
    again = Quoter(
        h.bus,
        h.clock,
        BTC,
        h.views.books[BTC.id],
        h.views.status,
        QuoterGateway(h.desk),
        QuoterConfig(**CONFIG),
        position=h.desk.portfolio.qty,
    )
    again.start()
    assert again.inventory == 100
    again.stop()
    assert h.clock.timestamp_ns() >= 0 and NS


async def eth_quoter(**config) -> tuple[Harness, Quoter]:
    h = Harness(modify=True, risk={"orders_per_second": 1e6, "order_burst": 10**6})
    await h.start()
    quoter = Quoter(
        h.bus,
        h.clock,
        ETH,
        h.views.books[ETH.id],
        h.views.status,
        QuoterGateway(h.desk),
        QuoterConfig(**(CONFIG | config)),
        position=h.desk.portfolio.qty,
    )
    h.book(ETH, 60_000 - 1, 60_000 + 1)
    quoter.start()
    h.advance(0.0)
    return h, quoter


def denials_of(h: Harness) -> list[OrderDenied]:
    return [e for e in h.events if type(e) is OrderDenied]


async def test_room_under_the_limit_worth_less_than_the_minimum_notional_is_not_quoted():
    """Issue 13.16: ETH at 3,000 with a 5 USD minimum; 0.01 quoted, limit 0.011. After a fill of
    0.01 the room left is 0.001 (3 USD): before, the quoter bid it, was DENIED MIN_NOTIONAL and
    backed off, pulling both sides, again and again."""
    h, quoter = await eth_quoter(order_size="0.01", max_position="0.011")
    bid = next(o for o in quoter_orders(h) if o.side is Side.BUY)
    h.venue.fill(bid.client_order_id, 10)
    for _ in range(8):
        h.advance(0.25)
        h.book(ETH, 60_000 - 1 - len(h.events) % 2, 60_000 + 1)
    assert denials_of(h) == []
    assert quoter.view.state == "QUOTING", quoter.view.reason
    working = quoter_orders(h)
    assert [o.side for o in working] == [Side.SELL]  # the ask works; no bid below the minimum


async def test_a_quote_identical_to_one_just_sent_waits_out_the_window_on_a_late_timer():
    """Issue 13.16: the README promises that a quote identical to one sent within
    ``risk.duplicate_window_ms`` waits; the quoter judged the window by its timers' scheduled
    times, risk by the clock, and a live event loop runs timers late. A quote sent from a timer
    200 ms late, cancelled by the venue and wanted again 100 ms later was DENIED DUPLICATE_ORDER
    and the quoter backed off."""
    h, quoter = await desk_and_quoter()
    h.advance(1.0)
    bid = next(o for o in quoter_orders(h) if o.side is Side.BUY)
    h.venue.cancel_at_venue(bid.client_order_id, "EXPIRED")  # gone: the level is free
    late = h.clock.timestamp_ns() - 200 * 1_000_000
    quoter.requote(late)  # a timer that fired 200 ms late: the same bid again
    again = next(o for o in quoter_orders(h) if o.side is Side.BUY)
    assert (again.price, again.qty) == (bid.price, bid.qty)
    h.advance(0.1)
    h.venue.cancel_at_venue(again.client_order_id, "EXPIRED")
    h.advance(0.0)
    quoter.requote(h.clock.timestamp_ns())  # 100 ms after risk saw the last one
    assert denials_of(h) == [], denials_of(h)
    assert quoter.view.state == "QUOTING", quoter.view.reason
    h.advance(0.2)  # the window has passed: the bid is back
    quoter.requote(h.clock.timestamp_ns())
    assert denials_of(h) == [] and any(o.side is Side.BUY for o in quoter_orders(h))
