"""The ccxt venue with ccxt.pro's streams on, through ccxt's real binance client, against the
loopback exchange. On the wire (ccxt 4.5): the book is ``/ws/<n>`` + ``SUBSCRIBE
btcusdt@depth@100ms`` then a ``GET /api/v3/depth`` snapshot (the documented diff sync), trades
``/ws/<n>`` + ``SUBSCRIBE btcusdt@trade``, and orders / own trades the WebSocket API's
``userDataStream.subscribe.signature`` on ``/ws-api/v3``. REST polling is pushed out of reach
(``poll_s`` / ``private_poll_s`` far longer than the tests), so whatever arrives came by stream."""

import asyncio
from urllib.parse import urlsplit

from tests.ccxt_session import ccxt_kernel, order_of
from tests.live_session import canary_keys, counterparty, exchange_settings
from tests.loopback_session import wait_until
from tradeterm.core import topics
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.market import BookSnapshot, Side, Trade
from tradeterm.domain.orders import OrderStatus
from tradeterm.venues.loopback import LoopbackServer

STREAMS = {"websockets": True, "book_depth": 20, "poll_s": 600.0, "private_poll_s": 600.0}
TOP = 20  # levels a side compared: all the venue publishes


def loopback_levels(market, inst, n):
    snap = market.snapshot(n)
    return (
        [(inst.price_to_ticks(p), inst.qty_to_lots(q)) for p, q in snap["bids"]],
        [(inst.price_to_ticks(p), inst.qty_to_lots(q)) for p, q in snap["asks"]],
    )


async def test_the_streamed_book_follows_the_loopback_book_and_trades_arrive(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        kernel, venue, task = await ccxt_kernel(server, tmp_path, key, secret, **STREAMS)
        inst = venue.instruments()[0]
        books: list[BookSnapshot] = []
        trades: list[Trade] = []
        kernel.bus.subscribe(topics.book(inst.id), books.append)
        kernel.bus.subscribe(topics.trade(inst.id), trades.append)
        market = server.exchange.market.symbols["BTCUSDT"]
        start_id = market.update_id
        await wait_until(
            lambda: market.update_id - start_id >= 2000 and len(trades) >= 20,
            8,
            "2,000 book updates and 20 trades",
        )
        server.exchange.market.pause()

        def same_top() -> bool:
            bids, asks = loopback_levels(market, inst, TOP)
            return bool(books) and (books[-1].bids[:TOP], books[-1].asks[:TOP]) == (bids, asks)

        await wait_until(same_top, 3, "the streamed book equal to the loopback's")
        assert len(books) > 50  # it followed the updates (each update is a snapshot here)
        # every streamed trade is one the exchange printed, at its price and size
        printed = {
            t["id"]: (
                inst.price_to_ticks(t["price"]),
                inst.qty_to_lots(t["qty"]),
                Side.SELL if t["isBuyerMaker"] else Side.BUY,
            )
            for t in market.recent_trades
        }
        seen = [t for t in trades if t.trade_id in printed]
        assert len(seen) >= 20
        assert all(printed[t.trade_id] == (t.price, t.size, t.aggressor) for t in seen)
        # a counterparty takes the whole best ask: the book and the trade tape follow
        ask = market.book.best_ask
        counterparty(
            server, "BUY", market.qty_str(market.book.levels()[1][ask]), market.price_str(ask)
        )
        last_id = market.recent_trades[-1]["id"]
        await wait_until(
            lambda: books[-1].asks[0][0] > ask and same_top(),
            3,
            "the taken level gone from the streamed book",
        )
        await wait_until(lambda: any(t.trade_id == last_id for t in trades), 3, "the trade")
        paths = sorted(urlsplit(url).path for url in venue.exchange.clients)
        assert paths == ["/ws-api/v3", "/ws/0", "/ws/1"]  # book, trades; user data
        kernel.request_stop()
        await asyncio.wait_for(task, 10)


async def test_an_order_is_acked_and_filled_over_the_private_stream(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        kernel, venue, task = await ccxt_kernel(server, tmp_path, key, secret, **STREAMS)
        inst = venue.instruments()[0]
        await wait_until(
            lambda: any(c.subscription_id is not None for c in server.exchange.hub.connections),
            5,
            "the user data subscription on /ws-api/v3",
        )
        server.exchange.market.pause()
        market = server.exchange.market.symbols["BTCUSDT"]
        ask = market.book.best_ask  # taken away, so our bid at this price is alone at the top
        counterparty(
            server, "BUY", market.qty_str(market.book.levels()[1][ask]), market.price_str(ask)
        )
        cmd = SubmitOrder(
            kernel.clock.timestamp_ns(),
            kernel.next_order_id(),
            inst.id,
            Side.BUY,
            inst.qty_to_lots("0.01"),
            price=inst.price_to_ticks(market.price_str(ask)),
        )
        fills = []
        kernel.bus.subscribe(
            topics.orders(venue.name),
            lambda e: fills.append(e) if isinstance(e, OrderFilled) else None,
        )
        kernel.submit(cmd)
        cid = cmd.client_order_id
        await wait_until(lambda: order_of(kernel, cid).status is OrderStatus.ACCEPTED, 3, "ack")
        counterparty(server, "SELL", "0.004", market.price_str(ask))
        await wait_until(
            lambda: order_of(kernel, cid).filled_qty == inst.qty_to_lots("0.004"),
            3,
            "the partial fill, streamed",
        )
        assert order_of(kernel, cid).status is OrderStatus.PARTIALLY_FILLED
        counterparty(server, "SELL", "0.006", market.price_str(ask))
        await wait_until(
            lambda: order_of(kernel, cid).status is OrderStatus.FILLED,
            3,
            "the fill of the rest, streamed",
        )
        await wait_until(
            lambda: kernel.desk.portfolio.qty(inst.id) == inst.qty_to_lots("0.01"),
            3,
            "the position (told once the fill is on disk)",
        )
        # ccxt.pro's own caches hold what the stream carried: the order closed, both fills
        oid = order_of(kernel, cid).venue_order_id
        streamed = [o for o in venue.exchange.orders if o["id"] == oid]
        assert [o["status"] for o in streamed] == ["closed"]
        assert sorted(t["amount"] for t in venue.exchange.myTrades if t["order"] == oid) == [
            0.004,
            0.006,
        ]
        # watch_orders and watch_my_trades both report each fill: applied once
        assert [f.qty for f in fills] == [inst.qty_to_lots("0.004"), inst.qty_to_lots("0.006")]
        # a 503 after the exchange placed an order, and every lookup by client id failing: the ack
        # can only come from the private stream, and it ends the lookups
        server.injector.fail_rest(1, 503, processed=True, path="/api/v3/order", method="POST")
        server.injector.fail_rest(10, 503, path="/api/v3/order", method="GET")
        uncertain = SubmitOrder(
            kernel.clock.timestamp_ns(),
            kernel.next_order_id(),
            inst.id,
            Side.BUY,
            inst.qty_to_lots("0.01"),
            price=inst.price_to_ticks(market.price_str(ask - 100)),
        )
        kernel.submit(uncertain)
        await wait_until(
            lambda: order_of(kernel, uncertain.client_order_id).status is OrderStatus.ACCEPTED,
            2,
            "the uncertain order's ack, streamed",
        )
        lookups_left = len(server.injector.rest_queue)
        await asyncio.sleep(1.0)  # the lookup in flight may fail; no further one is made
        assert lookups_left - len(server.injector.rest_queue) <= 1
        assert venue.execution.resolved_by_query == 0
        assert [
            o.client_order_id
            for o in server.exchange.accounts[key].orders
            if o.client_order_id == uncertain.client_order_id
        ] == [uncertain.client_order_id]
        server.injector.rest_queue.clear()
        kernel.request_stop()
        await asyncio.wait_for(task, 10)


async def test_a_duplicated_trade_message_is_one_trade(tmp_path):
    """ccxt.pro hands a trade the stream repeated (the loopback's dup fault) to ``watch_trades``
    again; the venue publishes each trade once (``repeated_trades.py``)."""
    key, secret = canary_keys()
    settings = exchange_settings(key, secret, faults="dup=0.5")
    async with LoopbackServer(settings.exchange) as server:
        kernel, venue, task = await ccxt_kernel(server, tmp_path, key, secret, **STREAMS)
        inst = venue.instruments()[0]
        trades: list[Trade] = []
        kernel.bus.subscribe(topics.trade(inst.id), trades.append)
        await wait_until(lambda: len(trades) >= 60, 10, "60 trades")
        kernel.request_stop()
        await task
    ids = [t.trade_id for t in trades]
    assert len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)[:5]
