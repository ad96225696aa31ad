"""The ccxt venue through ccxt's real binance client, pointed at the loopback exchange, inside
the live kernel. REST only: ccxt.pro's binance connects to numbered ``/ws/0`` endpoints, which
the loopback answers 400 (it takes them for listen keys), so streams are off here."""

import asyncio
import subprocess
import sys
from decimal import Decimal

from tests.live_session import canary_keys, counterparty, exchange_settings, files_containing
from tests.loopback_session import wait_until
from tradeterm.config import load_settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import LiveClock
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderRejected
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.kernel import Kernel, RunOptions
from tradeterm.secrets import VenueKeys
from tradeterm.venues.loopback import LoopbackServer

OPTIONS = {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False, "fetchMargins": False}


async def ccxt_kernel(server, tmp_path, key, secret):
    from tradeterm.venues.ccxt_venue import CcxtVenue, create_exchange

    settings = load_settings(data_dir=str(tmp_path), ccxt={
        "symbols": ["BTC/USDT"], "options": OPTIONS, "websockets": False, "poll_s": 0.05,
        "private_poll_s": 0.1, "not_placed_after_s": 2.0})
    keys = VenueKeys("ccxt:binance", key, secret)

    def make():
        return create_exchange("binance", settings.ccxt, keys, api_url=server.rest_url)

    instruments = await CcxtVenue.discover(make, ["BTC/USDT"])
    bus, clock = MessageBus(), LiveClock()
    venue = CcxtVenue(bus, clock, make, instruments, settings.ccxt)
    kernel = Kernel(settings, RunOptions(mode="live"), venue=venue, clock=clock, bus=bus)
    task = asyncio.create_task(kernel.run())
    await wait_until(lambda: kernel.desk.risk.ready and kernel.views.status.connection.value
                     == "CONNECTED", 5, "reconciled and a book")
    assert kernel.confirm_live("ccxt-binance")
    return kernel, venue, task


def order_of(kernel, cid):
    return kernel.desk.oms.working.get(cid) or kernel.desk.oms.known_id(cid)


async def test_metadata_lifecycle_errors_and_an_uncertain_submit(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret, "2000").exchange) as server:
        kernel, venue, task = await ccxt_kernel(server, tmp_path, key, secret)
        inst = venue.instruments()[0]
        assert (inst.id, inst.tick_size, inst.lot_size, inst.min_notional, inst.maker_fee) == (
            "ccxt-binance:BTC/USDT", Decimal("0.01"), Decimal("0.00001"), Decimal(5),
            Decimal("0.001"))
        server.exchange.market.pause()
        market = server.exchange.market.symbols["BTCUSDT"]
        ask = market.book.best_ask
        counterparty(server, "BUY", market.qty_str(market.book.levels()[1][ask]),
                     market.price_str(ask))
        await asyncio.sleep(0.2)  # the polled book catches up
        price = inst.price_to_ticks(market.price_str(ask))

        def buy(qty: str, px: int = price) -> SubmitOrder:
            return SubmitOrder(kernel.clock.timestamp_ns(), kernel.next_order_id(), inst.id,
                               Side.BUY, inst.qty_to_lots(qty), price=px)

        cmd = buy("0.01")
        kernel.submit(cmd)
        await wait_until(lambda: order_of(kernel, cmd.client_order_id).status
                         is OrderStatus.ACCEPTED, 3, "the ack")
        counterparty(server, "SELL", "0.004", inst.format_price(price))
        await wait_until(lambda: order_of(kernel, cmd.client_order_id).filled_qty
                         == inst.qty_to_lots("0.004"), 3, "the partial fill (polled)")
        assert kernel.desk.portfolio.qty(inst.id) == inst.qty_to_lots("0.004")
        assert kernel.cancel(cmd.client_order_id)
        await wait_until(lambda: order_of(kernel, cmd.client_order_id).status
                         is OrderStatus.CANCELED, 3, "the cancel")
        # InsufficientFunds -> a reject reason (risk lets it through: the limits are higher)
        rejects = []
        kernel.bus.subscribe("order.ccxt-binance",
                             lambda e: rejects.append(e) if isinstance(e, OrderRejected) else None)
        poor = buy("0.05")  # 3,090 USDT of the 2,000 we have
        kernel.submit(poor)
        await wait_until(lambda: rejects, 3, "the reject")
        assert rejects[0].reason == "INSUFFICIENT_FUNDS"
        # a 503 after the exchange placed it: resolved by client order id, never resent
        server.injector.fail_rest(1, 503, processed=True, path="/api/v3/order", method="POST")
        uncertain = buy("0.01", price - 100)
        kernel.submit(uncertain)
        await wait_until(lambda: order_of(kernel, uncertain.client_order_id).status
                         is OrderStatus.ACCEPTED, 5, "the uncertain order resolved")
        placed = [o for o in server.exchange.accounts[key].orders
                  if o.client_order_id == uncertain.client_order_id]
        assert len(placed) == 1 and venue.execution.resolved_by_query == 1
        # a 503 before processing: not placed, and said so once the grace has passed
        server.injector.fail_rest(1, 503, processed=False, path="/api/v3/order", method="POST")
        lost = buy("0.01", price - 120)
        kernel.submit(lost)
        await wait_until(lambda: order_of(kernel, lost.client_order_id).status
                         is OrderStatus.REJECTED, 6, "NOT_PLACED")
        kernel.request_stop()
        await asyncio.wait_for(task, 10)
    assert files_containing(tmp_path, [key, secret]) == []


def test_the_engine_imports_no_ccxt_at_start_up():
    code = ("import sys, tradeterm.cli, tradeterm.kernel, tradeterm.cli_live, tradeterm.cli_run\n"
            "import tradeterm.venues.ccxt_venue, tradeterm.venues.ccxt_exec\n"
            "assert not [m for m in sys.modules if m.split('.')[0] == 'ccxt'], 'ccxt imported'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
