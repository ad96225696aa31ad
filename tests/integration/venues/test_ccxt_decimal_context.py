"""ccxt sets the Decimal context it finds to ROUND_HALF_UP with Underflow trapped
(``decimal_to_precision``: formatting an order's price and amount, and ccxt.pro's binance
parsing a streamed trade of ours). A ccxt session must leave the engine's context as the engine
set it: its money arithmetic rounds half to even whatever venue it trades on."""

import asyncio
import decimal
from decimal import ROUND_HALF_EVEN, Decimal

from tests.ccxt_session import ccxt_kernel, order_of
from tests.live_session import canary_keys, counterparty, exchange_settings
from tests.loopback_session import wait_until
from tradeterm.core import topics
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.venues.loopback import LoopbackServer

STREAMS = {"websockets": True, "book_depth": 20, "poll_s": 600.0, "private_poll_s": 600.0}
EVEN = (ROUND_HALF_EVEN, False, "0.12")


def _decimals_here() -> tuple[str, bool, str]:
    """The current task's Decimal context as money arithmetic meets it: its rounding, whether
    Underflow raises, and 0.125 formatted to cents (half even: 0.12; half up: 0.13)."""
    ctx = decimal.getcontext()
    return ctx.rounding, ctx.traps[decimal.Underflow], f"{Decimal('0.125'):.2f}"


async def test_a_ccxt_session_leaves_the_engines_decimal_context_alone(tmp_path):
    # as in a process that computed with Decimals before its session: one Context, which every
    # task started from here shares (a task copies the context variables, not the Context)
    assert _decimals_here() == EVEN
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        kernel, venue, task = await ccxt_kernel(server, tmp_path, key, secret, **STREAMS)
        inst = venue.instruments()[0]
        seen: list[tuple[str, bool, str]] = []
        # the engine's own tasks: the venue's book loop publishes, the bus runs this in it
        kernel.bus.subscribe(topics.book(inst.id), lambda _book: seen.append(_decimals_here()))
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
            inst.qty_to_lots("0.002"),
            price=inst.price_to_ticks(market.price_str(ask)),
        )
        kernel.submit(cmd)  # create_order: ccxt formats the price and amount
        cid = cmd.client_order_id
        await wait_until(lambda: order_of(kernel, cid).status is OrderStatus.ACCEPTED, 3, "ack")
        # two fills of one order: the second one's fee is added to the first's through
        # ``currency_to_precision`` in ccxt.pro's handling of the private stream
        counterparty(server, "SELL", "0.001", market.price_str(ask))
        await wait_until(
            lambda: order_of(kernel, cid).filled_qty == inst.qty_to_lots("0.001"), 3, "a fill"
        )
        counterparty(server, "SELL", "0.001", market.price_str(ask))
        await wait_until(
            lambda: order_of(kernel, cid).status is OrderStatus.FILLED, 3, "the last fill"
        )
        server.exchange.market.resume()
        count = len(seen)
        await wait_until(lambda: len(seen) > count + 2, 3, "books after the fill")
        assert seen[-1] == EVEN
        assert _decimals_here() == EVEN  # the test's task, which started the session
        kernel.request_stop()
        await asyncio.wait_for(task, 10)
