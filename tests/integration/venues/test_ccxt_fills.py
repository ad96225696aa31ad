"""ccxt reconciliation reads every fill (issue 11.6): all pages of ``fetch_my_trades``, and trades
without an id get distinct, stable ids instead of colliding as "None"."""

import asyncio
import time

from tests.ccxt_session import OPTIONS, REST_ONLY, ccxt_kernel
from tests.live_session import canary_keys, counterparty, exchange_settings
from tests.loopback_session import wait_until
from tradeterm.config import load_settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import LiveClock
from tradeterm.runtime.credentials import VenueKeys
from tradeterm.venues.loopback import LoopbackServer

TRADES = 620  # more than one page (Binance's default page: 500)


def rest_for_our_buy(server, key: str) -> str:
    """Pause the market; our buy will be the best bid alone, one tick above the book's."""
    market = server.exchange.market.symbols["BTCUSDT"]
    server.exchange.market.pause()
    return market.price_str(market.book.best_bid + 1)


def sell_to_us(server, price: str, n: int) -> None:
    for _ in range(n):
        counterparty(server, "SELL", "0.0001", price)


async def test_a_restart_applies_every_fill_made_while_away_over_several_pages(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        price = rest_for_our_buy(server, key)
        kernel, venue, task = await ccxt_kernel(
            server,
            tmp_path,
            key,
            secret,
            sections={"session": {"cancel_on_exit": False}},
            **REST_ONLY,
        )
        inst = venue.instruments()[0]
        from tradeterm.domain.commands import SubmitOrder
        from tradeterm.domain.market import Side

        cmd = SubmitOrder(
            kernel.clock.timestamp_ns(),
            kernel.next_order_id(),
            inst.id,
            Side.BUY,
            inst.qty_to_lots("0.1"),
            price=inst.price_to_ticks(price),
        )
        kernel.submit(cmd)
        for _ in range(200):
            await asyncio.sleep(0.02)
            if kernel.desk.oms.working[cmd.client_order_id].venue_order_id:
                break
        kernel.request_stop()
        await asyncio.wait_for(task, 10)
        sell_to_us(server, price, TRADES)  # while we are away
        ours = [t for t in server.exchange.accounts[key].trades]
        assert len(ours) == TRADES
        again, _venue, task = await ccxt_kernel(
            server, tmp_path, key, secret, ready_s=60, **REST_ONLY
        )  # 620 durable fills to apply
        result = again.desk.reconciliations[0]
        assert result.clean, result.describe()
        assert result.missed_fills == TRADES, result.describe()
        await wait_until(
            lambda: again.desk.portfolio.qty(inst.id) == inst.qty_to_lots("0.062"),
            5,
            "the position (told once the fills are on disk)",
        )
        again.request_stop()
        await asyncio.wait_for(task, 10)


async def test_trades_without_an_id_get_distinct_stable_ids(tmp_path):
    from tradeterm.venues.ccxt_setup import create_exchange
    from tradeterm.venues.ccxt_venue import CcxtVenue

    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        price = rest_for_our_buy(server, key)
        server.exchange.new_order(
            server.exchange.accounts[key],
            {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.1",
                "price": price,
                "newClientOrderId": "TT000001-00000001",
            },
        )
        since = time.time_ns() - 10**9
        sell_to_us(server, price, 30)
        cfg = load_settings(ccxt={"symbols": ["BTC/USDT"], "options": OPTIONS}).ccxt
        keys = VenueKeys("ccxt:binance", key, secret)

        def make():
            return create_exchange("binance", cfg, keys, api_url=server.rest_url)

        venue = CcxtVenue(
            MessageBus(), LiveClock(), make, await CcxtVenue.discover(make, ["BTC/USDT"]), cfg
        )
        real = venue.exchange.fetch_my_trades

        async def without_ids(*args, **kw):  # an exchange that gives no trade ids
            return [dict(t, id=None) for t in await real(*args, **kw)]

        venue.exchange.fetch_my_trades = without_ids
        try:
            first = await venue.fills_since(since)
            second = await venue.fills_since(since)
        finally:
            await venue.close()
        ids = [f.trade_id for f in first]
        assert len(first) == 30 and len(set(ids)) == 30, ids[:5]
        assert not [i for i in ids if i in ("None", "0", "")]
        assert [f.trade_id for f in second] == ids  # the same trade, the same id
        assert all(f.client_order_id == "TT000001-00000001" for f in first)
