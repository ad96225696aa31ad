"""Positions equal the exchange's balances, fees included. The loopback charges as Binance spot
does (a buy pays its commission in the base asset it receives, a sell in the quote asset); after
a series of maker and taker fills through the native venue, and through ccxt's binance client,
the portfolio's base balance and quote flow equal the changes of the account's balances on the
exchange to the last satoshi, and a restart rebuilds the same from the store."""

from decimal import Decimal

from tests.ccxt_session import ccxt_kernel, order_of
from tests.live_session import (
    COUNTERPARTY_KEY,
    LiveSession,
    canary_keys,
    counterparty,
    exchange_settings,
)
from tests.loopback_session import wait_until
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus, TimeInForce
from tradeterm.runtime.kernel import Kernel
from tradeterm.venues.loopback import LoopbackServer

REST_ONLY = {"websockets": False, "poll_s": 0.05, "private_poll_s": 0.1}


def trades_at_the_exchange(server: LoopbackServer, key: str) -> int:
    """The account's trades as the exchange recorded them: a taker order that met two resting
    orders on one level is two trades (two fills), whatever the test meant to send."""
    return len(server.exchange.accounts[key].trades)


def held(server: LoopbackServer, key: str) -> tuple[Decimal, Decimal]:
    """The account's BTC and USDT on the exchange, free + locked."""
    balances = server.exchange.accounts[key].balances
    return tuple(balances[a].free + balances[a].locked for a in ("BTC", "USDT"))  # type: ignore


async def trade_series(server: LoopbackServer, kernel: Kernel, order) -> int:
    """Maker buys filled by the counterparty in two parts, then taker sells and buys against the
    book: fees in BTC (buys) and USDT (sells), at maker and taker rates. Returns the fills it
    expects at least (a taker order can meet more than one resting order on its level)."""
    market = server.exchange.market.symbols["BTCUSDT"]
    inst = next(iter(kernel.instruments.values()))
    fills = 0
    for qty, part in (("0.00123", "0.00057"), ("0.0101", "0.0033"), ("0.00789", "0.00411")):
        ask = market.book.best_ask  # cleared away: our bid at this price is alone at the top
        counterparty(
            server, "BUY", market.qty_str(market.book.levels()[1][ask]), market.price_str(ask)
        )
        cmd = SubmitOrder(
            kernel.clock.timestamp_ns(),
            kernel.next_order_id(),
            inst.id,
            Side.BUY,
            inst.qty_to_lots(qty),
            price=inst.price_to_ticks(market.price_str(ask)),
        )
        kernel.submit(cmd)
        cid = cmd.client_order_id
        await wait_until(lambda cid=cid: order(cid).status is OrderStatus.ACCEPTED, 5, "the ack")
        counterparty(server, "SELL", part, market.price_str(ask))
        counterparty(server, "SELL", f"{Decimal(qty) - Decimal(part):f}", market.price_str(ask))
        await wait_until(
            lambda cid=cid: order(cid).status is OrderStatus.FILLED, 5, "the maker fills"
        )
        fills += 2
    for side, qty in (
        (Side.SELL, "0.00733"),
        (Side.BUY, "0.00071"),
        (Side.SELL, "0.01111"),
        (Side.BUY, "0.00402"),
        (Side.SELL, "0.00019"),
    ):
        levels = market.book.levels()
        price = market.book.best_bid if side is Side.SELL else market.book.best_ask
        have = Decimal(market.qty_str(levels[0 if side is Side.SELL else 1][price]))
        if have < Decimal(qty):  # the paused book is thin there: one level must fill us
            rest_at(server, "BUY" if side is Side.SELL else "SELL", qty, market.price_str(price))
        cmd = SubmitOrder(
            kernel.clock.timestamp_ns(),
            kernel.next_order_id(),
            inst.id,
            side,
            inst.qty_to_lots(qty),
            price=inst.price_to_ticks(market.price_str(price)),
            tif=TimeInForce.IOC,
        )
        kernel.submit(cmd)
        cid = cmd.client_order_id
        await wait_until(
            lambda cid=cid: order(cid).status is OrderStatus.FILLED, 5, "the taker fill"
        )
        fills += 1
    return fills


def rest_at(server: LoopbackServer, side: str, qty: str, price: str) -> None:
    """Another account's resting order: liquidity at a level (its fills are not ours)."""
    exchange = server.exchange
    exchange.new_order(
        exchange.accounts[COUNTERPARTY_KEY],
        {"symbol": "BTCUSDT", "side": side, "type": "LIMIT", "timeInForce": "GTC",
         "quantity": qty, "price": price},
    )  # fmt: skip


def check_balances(
    kernel: Kernel, start: tuple[Decimal, Decimal], now: tuple[Decimal, Decimal]
) -> None:
    inst = next(iter(kernel.instruments.values()))
    pos = kernel.desk.portfolio.position(inst.id)
    btc, usdt = now[0] - start[0], now[1] - start[1]
    assert pos.balance(inst) == btc
    assert pos.quote_flow(inst) == usdt
    assert pos.paid["BTC"] > 0 and pos.paid["USDT"] > 0  # both kinds of fee were charged
    assert inst.lots_to_qty(pos.qty) == btc + pos.paid["BTC"]  # the lots ignore the BTC fees
    row = kernel.views.portfolio.positions[inst.id]
    assert row.balance == btc and dict(row.paid) == dict(pos.paid)


async def test_native_venue_positions_equal_the_exchange_balances(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        start = held(server, key)
        live = LiveSession(server, tmp_path, key, secret)
        kernel = await live.start()
        server.exchange.market.pause()
        fills = await trade_series(server, kernel, live.order)
        inst = live.instrument()
        assert trades_at_the_exchange(server, key) >= fills
        await wait_until(
            lambda: (
                kernel.desk.portfolio.position(inst.id).fills == trades_at_the_exchange(server, key)
            ),
            30,
            "every fill applied",
        )
        check_balances(kernel, start, held(server, key))
        before = kernel.desk.portfolio.position(inst.id)
        await live.stop()
        again = LiveSession(server, tmp_path, key, secret)
        kernel = await again.start()
        assert kernel.desk.portfolio.position(inst.id) == before  # rebuilt from the store
        check_balances(kernel, start, held(server, key))
        await again.stop()


async def test_ccxt_venue_positions_equal_the_exchange_balances(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        start = held(server, key)
        kernel, venue, task = await ccxt_kernel(server, tmp_path, key, secret, **REST_ONLY)
        server.exchange.market.pause()
        fills = await trade_series(server, kernel, lambda cid: order_of(kernel, cid))
        inst = venue.instruments()[0]
        assert trades_at_the_exchange(server, key) >= fills
        await wait_until(
            lambda: (
                kernel.desk.portfolio.position(inst.id).fills == trades_at_the_exchange(server, key)
            ),
            30,
            "every fill applied",
        )
        check_balances(kernel, start, held(server, key))
        kernel.request_stop()
        await task
