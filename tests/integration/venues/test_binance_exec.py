"""Orders through the native Binance venue against the loopback exchange: signed REST, the user
data stream, and the exchange misbehaving (5xx, timeouts, duplicates, drops). A second account on
the exchange (the counterparty) trades against our orders so that fills happen when we say."""

import asyncio
from decimal import Decimal

import pytest

from tests.loopback_session import (
    COUNTERPARTY_KEY,
    TRADER_KEY,
    TRADER_SECRET,
    Session,
    loopback_settings,
    wait_until,
)
from tradeterm.domain.events import (
    Liquidity,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
)
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.venues.binance_rest import Credentials
from tradeterm.venues.loopback import LoopbackServer

CREDS = Credentials(TRADER_KEY, TRADER_SECRET)


async def trading_session(server: LoopbackServer, **feed) -> Session:
    session = await Session(server, ["BTC/USDT"], CREDS, **feed).start()
    await wait_until(lambda: session.venue.execution.stream_connected, 3, "the user stream")
    server.exchange.market.pause()  # only our orders and the counterparty's move the book
    return session


def counterparty_takes(server: LoopbackServer, side: str, qty: str, price: str) -> dict:
    exchange = server.exchange
    return exchange.new_order(
        exchange.accounts[COUNTERPARTY_KEY],
        {
            "symbol": "BTCUSDT",
            "side": side,
            "type": "LIMIT",
            "timeInForce": "IOC",
            "quantity": qty,
            "price": price,
        },
    )


def events_for(session: Session, client_id: str, kind=None) -> list:
    return [
        e
        for e in session.orders
        if e.client_order_id == client_id and (kind is None or isinstance(e, kind))
    ]


def exchange_orders(server: LoopbackServer, client_id: str) -> list:
    return [
        o for o in server.exchange.accounts[TRADER_KEY].orders if o.client_order_id == client_id
    ]


def passive_buy(session: Session, client_id: str, qty: str) -> Order:
    """A buy that will rest alone as the best bid: the counterparty first clears the best ask
    level, and the order bids that price (now inside the spread)."""
    inst = session.instrument()
    market = session.server.exchange.market.symbols["BTCUSDT"]
    ask = market.book.best_ask
    counterparty_takes(
        session.server, "BUY", market.qty_str(market.book.levels()[1][ask]), market.price_str(ask)
    )
    assert market.book.best_ask > ask > market.book.best_bid
    return Order(client_id, inst.id, Side.BUY, inst.qty_to_lots(qty), price=ask)


@pytest.mark.parametrize("user_stream", ["ws-api", "listen-key"])
async def test_submit_ack_partial_fill_cancel(user_stream):
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server, user_stream=user_stream)
        inst = session.instrument()
        order = passive_buy(session, "t-1", "0.01")
        session.venue.submit_order(order)
        await wait_until(lambda: events_for(session, "t-1", OrderAccepted), 2, "the ack")
        price = inst.format_price(order.price)
        counterparty_takes(server, "SELL", "0.004", price)
        await wait_until(lambda: events_for(session, "t-1", OrderFilled), 2, "the fill")
        fill = events_for(session, "t-1", OrderFilled)[0]
        assert (fill.price, fill.qty, fill.leaves_qty) == (
            order.price,
            inst.qty_to_lots("0.004"),
            inst.qty_to_lots("0.006"),
        )
        assert fill.liquidity is Liquidity.MAKER and fill.side is Side.BUY
        assert fill.fee == Decimal("0.000004") and fill.fee_currency == "BTC"
        session.venue.cancel_order(order)
        await wait_until(lambda: events_for(session, "t-1", OrderCanceled), 2, "the cancel")
        kinds = [type(e).__name__ for e in events_for(session, "t-1")]
        assert kinds == ["OrderAccepted", "OrderFilled", "OrderCanceled"]
        assert exchange_orders(server, "t-1")[0].status == "CANCELED"
        assert exchange_orders(server, "t-1")[0].client_order_id == "t-1"  # our id travelled
        await session.stop()


async def test_rejections_carry_the_reason():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server)
        inst = session.instrument()
        book = server.exchange.market.symbols["BTCUSDT"].book
        venue = session.venue
        venue.submit_order(
            Order("r-funds", inst.id, Side.BUY, inst.qty_to_lots("100"), price=book.best_bid)
        )  # 6 million USDT we do not have
        venue.submit_order(
            Order(
                "r-maker",
                inst.id,
                Side.BUY,
                inst.qty_to_lots("0.01"),
                price=book.best_ask,
                post_only=True,
            )
        )
        venue.submit_order(
            Order("r-step", inst.id, Side.BUY, inst.qty_to_lots("0.000015"), price=book.best_bid)
        )  # not a multiple of the 0.00001 step
        venue.submit_order(
            Order(
                "r-gtd",
                inst.id,
                Side.BUY,
                inst.qty_to_lots("0.01"),
                price=book.best_bid,
                tif=TimeInForce.GTD,
            )
        )
        await wait_until(
            lambda: len([e for e in session.orders if isinstance(e, OrderRejected)]) == 4,
            3,
            "4 rejects",
        )
        reasons = {e.client_order_id: e.reason for e in session.orders}
        assert reasons == {
            "r-funds": "INSUFFICIENT_FUNDS",
            "r-maker": "POST_ONLY_WOULD_TAKE",
            "r-step": "FILTER_LOT_SIZE",
            "r-gtd": "UNSUPPORTED_TIME_IN_FORCE",
        }
        assert exchange_orders(server, "r-step") == []  # refused before it left
        await session.stop()


async def test_an_ioc_remainder_expires_and_a_market_order_fills():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server)
        inst = session.instrument()
        book = server.exchange.market.symbols["BTCUSDT"].book
        ask, ask_size = book.best_ask, book.levels()[1][book.best_ask]
        session.venue.submit_order(
            Order("ioc", inst.id, Side.BUY, ask_size * 1000 + 1000, price=ask, tif=TimeInForce.IOC)
        )
        session.venue.submit_order(
            Order("mkt", inst.id, Side.SELL, inst.qty_to_lots("0.002"), order_type=OrderType.MARKET)
        )
        await wait_until(
            lambda: (
                events_for(session, "ioc", OrderExpired) and events_for(session, "mkt", OrderFilled)
            ),
            3,
            "the outcomes",
        )
        ioc_fills = events_for(session, "ioc", OrderFilled)
        assert sum(f.qty for f in ioc_fills) == ask_size * 1000  # instrument lots are 1e-8
        assert all(f.liquidity is Liquidity.TAKER for f in ioc_fills)
        assert events_for(session, "mkt", OrderFilled)[-1].leaves_qty == 0
        await session.stop()


async def test_a_duplicated_fill_is_applied_once():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server)
        inst = session.instrument()
        order = passive_buy(session, "d-1", "0.01")
        session.venue.submit_order(order)
        await wait_until(lambda: events_for(session, "d-1", OrderAccepted), 2, "the ack")
        server.injector.duplicate_next_fill()
        counterparty_takes(server, "SELL", "0.003", inst.format_price(order.price))
        await wait_until(lambda: session.venue.execution.duplicates_dropped == 1, 2, "the dup")
        await asyncio.sleep(0.1)
        assert len(events_for(session, "d-1", OrderFilled)) == 1
        assert server.injector.counts["dup"] == 1
        await session.stop()


async def test_5xx_before_processing_is_resolved_as_not_placed():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server)
        server.injector.fail_rest(1, 503, processed=False, path="/api/v3/order", method="POST")
        session.venue.submit_order(passive_buy(session, "u-1", "0.01"))
        await wait_until(lambda: events_for(session, "u-1"), 4, "the outcome")
        (event,) = events_for(session, "u-1")
        assert isinstance(event, OrderRejected) and event.reason == "NOT_PLACED"
        assert exchange_orders(server, "u-1") == []
        await session.stop()


async def test_5xx_after_processing_is_resolved_by_query_without_a_duplicate():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server)
        server.injector.fail_rest(1, 503, processed=True, path="/api/v3/order", method="POST")
        session.venue.submit_order(passive_buy(session, "u-2", "0.01"))
        await wait_until(lambda: events_for(session, "u-2", OrderAccepted), 3, "the ack")
        await asyncio.sleep(0.2)
        assert [type(e) for e in events_for(session, "u-2")] == [OrderAccepted]
        assert len(exchange_orders(server, "u-2")) == 1
        assert session.venue.execution.resolved_by_query == 1
        await session.stop()


async def test_a_timeout_is_resolved_by_query_and_fills_are_not_lost():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server, request_timeout_s=0.3)
        inst = session.instrument()
        server.injector.hold_rest(2.0, 1, path="/api/v3/order", method="POST")
        order = passive_buy(session, "u-3", "0.01")
        session.venue.submit_order(order)
        await wait_until(lambda: session.venue.execution.resolved_by_query == 1, 3, "the query")
        counterparty_takes(server, "SELL", "0.01", inst.format_price(order.price))
        await wait_until(lambda: events_for(session, "u-3", OrderFilled), 3, "the fill")
        await asyncio.sleep(0.7)  # the held answer arrives late and changes nothing
        kinds = [type(e).__name__ for e in events_for(session, "u-3")]
        assert kinds == ["OrderAccepted", "OrderFilled"]
        assert len(exchange_orders(server, "u-3")) == 1
        await session.stop()


async def test_a_bad_signature_is_refused():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server, ["BTC/USDT"], Credentials(TRADER_KEY, "wrong")).start()
        session.venue.submit_order(passive_buy(session, "s-1", "0.01"))
        await wait_until(lambda: events_for(session, "s-1"), 2, "the reject")
        assert events_for(session, "s-1")[0].reason == "BAD_SIGNATURE"
        await session.stop()


async def test_fills_while_the_user_stream_is_down_are_recovered():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server, reconnect_min_s=0.3, reconnect_max_s=0.3)
        inst = session.instrument()
        order = passive_buy(session, "g-1", "0.01")
        session.venue.submit_order(order)
        await wait_until(lambda: events_for(session, "g-1", OrderAccepted), 2, "the ack")
        server.injector.drop_connections()
        await wait_until(lambda: not session.venue.execution.stream_connected, 2, "the drop")
        counterparty_takes(server, "SELL", "0.01", inst.format_price(order.price))
        await wait_until(lambda: events_for(session, "g-1", OrderFilled), 3, "recovered fill")
        assert session.venue.user.connects == 2
        fills = events_for(session, "g-1", OrderFilled)
        assert sum(f.qty for f in fills) == order.qty and fills[-1].leaves_qty == 0
        await session.stop()


async def test_no_credentials_means_a_clear_reject():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server, ["BTC/USDT"]).start()
        session.venue.submit_order(passive_buy(session, "n-1", "0.01"))
        (event,) = events_for(session, "n-1")
        assert event.reason == "NO_CREDENTIALS" and "TRADETERM_BINANCE_KEY" in event.message
        await session.stop()


async def test_the_user_stream_comes_back_after_the_clock_drifted_out_of_the_receive_window():
    """A subscription refused with -1021 (our timestamp outside Binance's recvWindow: the local
    clock drifted, or the offset was measured while the event loop was stalled) measures the
    server's time again before the next try, instead of retrying with the same offset for ever
    (a soak on a loaded machine never got its user stream back)."""
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await trading_session(server, reconnect_min_s=0.2, reconnect_max_s=0.2)
        session.venue.rest.time_offset_ms = -10_000  # 10 s behind the server from now on
        server.injector.drop_connections()
        await wait_until(lambda: not session.venue.execution.stream_connected, 2, "the drop")
        await wait_until(lambda: session.venue.execution.stream_connected, 4, "the stream back")
        assert session.venue.user.connects == 2 and abs(session.venue.rest.time_offset_ms) < 1000
        await session.stop()
