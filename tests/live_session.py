"""Test harness: a whole live session (the kernel in mode "live" with the native Binance venue)
against the loopback exchange on a free port, with the store, journal and a log file in a temp
data dir. The account's key and secret are unique per session (canaries)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path
from typing import Any

from tests.loopback_session import (
    COUNTERPARTY_BALANCES,
    COUNTERPARTY_KEY,
    FAST_FEED,
    loopback_settings,
    wait_until,
)
from tradeterm.config import Settings, load_settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import LiveClock
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.runtime.venue_registry import VenueClients
from tradeterm.record.journal import JournalReader
from tradeterm.venues.binance import BinanceVenue
from tradeterm.venues.binance_rest import Credentials
from tradeterm.venues.loopback import LoopbackServer


def canary_keys() -> tuple[str, str]:
    tag = uuid.uuid4().hex
    return f"CANARYKEY{tag}", f"CANARYSECRET{tag}"


def exchange_settings(key: str, secret: str, usdt: str = "1000000", **exchange: Any) -> Settings:
    accounts = [
        {
            "api_key": key,
            "api_secret": secret,
            "balances": {"USDT": usdt, "BTC": "10", "ETH": "100"},
        },
        {
            "api_key": COUNTERPARTY_KEY,
            "api_secret": "counterparty-secret",
            "balances": COUNTERPARTY_BALANCES,
        },
    ]
    return loopback_settings(accounts=accounts, **exchange)


class LiveSession:
    """One kernel run in live mode; ``start()`` returns once reconciled and the stream is up."""

    def __init__(
        self,
        server: LoopbackServer,
        data_dir: Path,
        key: str,
        secret: str,
        quoter: str | None = None,
        **sections: Any,
    ) -> None:
        self.server = server
        self.data_dir = data_dir
        self.credentials = Credentials(key, secret)
        binance = {
            "rest_url": server.rest_url,
            "ws_url": server.ws_url,
            "ws_api_url": server.ws_url + "/ws-api/v3",
            "symbols": ["BTC/USDT"],
            **FAST_FEED,
        }
        binance.update(sections.pop("binance", {}))
        self.settings = load_settings(data_dir=str(data_dir), binance=binance, **sections)
        self.quoter = quoter  # as --quoter
        self.kernel: Kernel | None = None
        self._task: asyncio.Task[None] | None = None
        self._log: logging.Handler | None = None

    async def start(self, confirm: bool = True) -> Kernel:
        (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        self._log = logging.FileHandler(self.data_dir / "logs" / "test.log")
        self._log.setLevel(logging.DEBUG)
        root = logging.getLogger("tradeterm")
        root.addHandler(self._log)
        root.setLevel(logging.DEBUG)
        cfg = self.settings.binance
        rules = await BinanceVenue.discover(cfg, cfg.symbols)
        bus, clock = MessageBus(), LiveClock()
        venue = BinanceVenue(bus, clock, rules, cfg, self.credentials, seed=5)
        self.kernel = kernel = Kernel(
            self.settings,
            RunOptions(mode="live", quoter=self.quoter),
            clients=VenueClients.of(venue),
            clock=clock,
            bus=bus,
        )
        self._task = asyncio.create_task(kernel.run())
        await wait_until(
            lambda: kernel.desk.risk.ready and venue.execution.stream_connected,
            5,
            "reconciled with the user stream up",
        )
        await wait_until(lambda: all(b.synced for b in kernel.views.books.values()), 5, "books")
        if confirm:
            assert kernel.confirm_live("binance")
        return kernel

    @property
    def venue(self) -> BinanceVenue:
        assert self.kernel is not None
        return self.kernel.execution  # type: ignore[return-value]

    def instrument(self) -> Instrument:
        assert self.kernel is not None
        return next(iter(self.kernel.instruments.values()))

    def order(self, client_order_id: str) -> Order:
        assert self.kernel is not None
        return self.kernel.desk.oms.working.get(client_order_id) or self.kernel.desk.oms.known_id(
            client_order_id
        )

    def passive_buy(self, qty: str) -> SubmitOrder:
        """A buy that rests alone as the best bid (the counterparty clears the best ask level
        first, and we bid that price)."""
        assert self.kernel is not None
        market = self.server.exchange.market.symbols["BTCUSDT"]
        ask = market.book.best_ask
        counterparty(
            self.server, "BUY", market.qty_str(market.book.levels()[1][ask]), market.price_str(ask)
        )
        inst = self.instrument()
        return SubmitOrder(
            self.kernel.clock.timestamp_ns(),
            self.kernel.next_order_id(),
            inst.id,
            Side.BUY,
            inst.qty_to_lots(qty),
            price=ask,
        )

    async def sent(self) -> None:
        """Until every order submitted is on its way to the venue (its record on disk)."""
        assert self.kernel is not None
        oms = self.kernel.desk.oms
        await wait_until(lambda: not oms.entry.unsent, 5, "orders sent")

    async def stop(self) -> None:
        if self.kernel is not None and self._task is not None:
            self.kernel.request_stop()
            await asyncio.wait_for(self._task, 10)
        if self._log is not None:
            logging.getLogger("tradeterm").removeHandler(self._log)
            self._log.close()


def counterparty(server: LoopbackServer, side: str, qty: str, price: str) -> dict:
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


def files_containing(root: Path, needles: list[str]) -> list[str]:
    """Every file under ``root`` that contains any needle (bytes, as written)."""
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".ttj":  # blocks are compressed: search the decoded records too
            with JournalReader(path) as journal:
                data += json.dumps(journal.header, default=str).encode()
                data += "".join(repr(r) for r in journal.records_iter()).encode()
        hits.extend(f"{path.relative_to(root)}: {n[:12]}..." for n in needles if n.encode() in data)
    return hits
