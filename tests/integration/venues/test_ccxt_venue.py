"""The ccxt venue through ccxt's real binance client, pointed at the loopback exchange, inside
the live kernel, with ccxt.pro's streams off: the REST polling path (market data by
``fetch_order_book``, orders by looking them up). The stream path is in test_ccxt_streams.py."""

import asyncio
import subprocess
import sys
from decimal import Decimal

from tests.ccxt_session import REST_ONLY, ccxt_kernel, order_of
from tests.live_session import canary_keys, counterparty, exchange_settings, files_containing
from tests.loopback_session import wait_until
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderRejected
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.venues.loopback import LoopbackServer
from tradeterm.trading.results import RequestSent


async def test_metadata_lifecycle_errors_and_an_uncertain_submit(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret, "2000").exchange) as server:
        kernel, venue, task = await ccxt_kernel(server, tmp_path, key, secret, **REST_ONLY)
        inst = venue.instruments()[0]
        assert (inst.id, inst.tick_size, inst.lot_size, inst.min_notional, inst.maker_fee) == (
            "ccxt-binance:BTC/USDT",
            Decimal("0.01"),
            Decimal("0.00001"),
            Decimal(5),
            Decimal("0.001"),
        )
        server.exchange.market.pause()
        market = server.exchange.market.symbols["BTCUSDT"]
        ask = market.book.best_ask
        counterparty(
            server, "BUY", market.qty_str(market.book.levels()[1][ask]), market.price_str(ask)
        )
        await asyncio.sleep(0.2)  # the polled book catches up
        price = inst.price_to_ticks(market.price_str(ask))

        def buy(qty: str, px: int = price) -> SubmitOrder:
            return SubmitOrder(
                kernel.clock.timestamp_ns(),
                kernel.next_order_id(),
                inst.id,
                Side.BUY,
                inst.qty_to_lots(qty),
                price=px,
            )

        cmd = buy("0.01")
        kernel.submit(cmd)
        await wait_until(
            lambda: order_of(kernel, cmd.client_order_id).status is OrderStatus.ACCEPTED,
            3,
            "the ack",
        )
        counterparty(server, "SELL", "0.004", inst.format_price(price))
        await wait_until(
            lambda: order_of(kernel, cmd.client_order_id).filled_qty == inst.qty_to_lots("0.004"),
            3,
            "the partial fill (polled)",
        )
        await wait_until(
            lambda: kernel.desk.portfolio.qty(inst.id) == inst.qty_to_lots("0.004"),
            3,
            "the position (told once the fill is on disk)",
        )
        assert kernel.cancel(cmd.client_order_id) == RequestSent(cmd.client_order_id)
        await wait_until(
            lambda: order_of(kernel, cmd.client_order_id).status is OrderStatus.CANCELED,
            3,
            "the cancel",
        )
        # InsufficientFunds -> a reject reason (risk lets it through: the limits are higher)
        rejects = []
        kernel.bus.subscribe(
            "order.ccxt-binance",
            lambda e: rejects.append(e) if isinstance(e, OrderRejected) else None,
        )
        poor = buy("0.05")  # 3,090 USDT of the 2,000 we have
        kernel.submit(poor)
        await wait_until(lambda: rejects, 3, "the reject")
        assert rejects[0].reason == "INSUFFICIENT_FUNDS"
        # a 503 after the exchange placed it: resolved by client order id, never resent
        server.injector.fail_rest(1, 503, processed=True, path="/api/v3/order", method="POST")
        uncertain = buy("0.01", price - 100)
        kernel.submit(uncertain)
        await wait_until(
            lambda: order_of(kernel, uncertain.client_order_id).status is OrderStatus.ACCEPTED,
            5,
            "the uncertain order resolved",
        )
        placed = [
            o
            for o in server.exchange.accounts[key].orders
            if o.client_order_id == uncertain.client_order_id
        ]
        assert len(placed) == 1 and venue.execution.resolved_by_query == 1
        # a 503 before processing: not placed, and said so once the grace has passed
        server.injector.fail_rest(1, 503, processed=False, path="/api/v3/order", method="POST")
        lost = buy("0.01", price - 120)
        kernel.submit(lost)
        await wait_until(
            lambda: order_of(kernel, lost.client_order_id).status is OrderStatus.REJECTED,
            6,
            "NOT_PLACED",
        )
        kernel.request_stop()
        await asyncio.wait_for(task, 10)
    assert files_containing(tmp_path, [key, secret]) == []


def test_the_engine_imports_no_ccxt_at_start_up():
    code = (
        "import sys, tradeterm.cli, tradeterm.runtime.kernel, tradeterm.cli.live\n"
        "import tradeterm.cli.run\n"
        "import tradeterm.venues.ccxt_venue, tradeterm.venues.ccxt_exec\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'ccxt'], 'ccxt imported'"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
