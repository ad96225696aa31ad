"""Running the loopback exchange: HTTP and websockets on one port of a loopback address.

    async with LoopbackServer(settings.exchange) as server:
        server.rest_url   # http://127.0.0.1:PORT   (Binance's https://api.binance.com)
        server.ws_url     # ws://127.0.0.1:PORT     (Binance's wss://stream.binance.com:9443)

Port 0 picks a free port. The server only ever binds loopback addresses (127.0.0.0/8, ::1,
localhost): it is a test double and must never be reachable from another machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import time
from typing import Any

from aiohttp import web

from tradeterm.config import ExchangeConfig
from tradeterm.venues.loopback.exchange import LoopbackExchange
from tradeterm.venues.loopback.faults import FaultInjector, FaultPlan
from tradeterm.venues.loopback.public_streams import PublicStreams
from tradeterm.venues.loopback.rest import build_app

log = logging.getLogger(__name__)

HOUSEKEEPING_S = 0.25


class NotLoopback(ValueError):
    """The requested host is not a loopback address."""


def check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise NotLoopback(
        f"the loopback exchange only listens on loopback addresses "
        f"(127.0.0.1, ::1, localhost), not {host!r}"
    )


class LoopbackServer:
    def __init__(self, cfg: ExchangeConfig, plan: FaultPlan | None = None) -> None:
        check_loopback(cfg.host)
        self.cfg = cfg
        plan = plan if plan is not None else FaultPlan.parse(cfg.faults)
        self.injector = FaultInjector(plan, random.Random(cfg.seed))
        self.exchange = LoopbackExchange(cfg, self.injector)
        self.public = PublicStreams(self.exchange.market)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._housekeeping: asyncio.Task[None] | None = None

    @property
    def rest_url(self) -> str:
        return f"http://{self._url_host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self._url_host}:{self.port}"

    @property
    def _url_host(self) -> str:
        return f"[{self.cfg.host}]" if ":" in self.cfg.host else self.cfg.host

    async def start(self) -> None:
        self._runner = web.AppRunner(
            build_app(self.exchange), handle_signals=False, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.cfg.host, self.cfg.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.exchange.market.start()
        self.public.start()
        self._housekeeping = asyncio.create_task(self._keep_house(), name="loopback.house")
        log.info("loopback exchange listening on %s", self.rest_url)

    async def stop(self) -> None:
        """Stop serving (safe to call twice)."""
        house, self._housekeeping = self._housekeeping, None
        if house is not None:
            house.cancel()
            try:
                await house
            except asyncio.CancelledError:
                pass
        await self.public.stop()
        await self.exchange.market.stop()
        self.exchange.hub.drop_all()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> LoopbackServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def _keep_house(self) -> None:
        """Expire listen keys; fire the fault plan's scheduled faults."""
        plan, inj = self.injector.plan, self.injector
        last: dict[str, float] = {}
        started = time.monotonic()
        schedule = (
            ("drop", plan.drop_every_s, inj.drop_connections),
            ("gap", plan.gap_every_s, lambda: inj.gap(None)),
            ("shutdown", plan.shutdown_every_s, inj.server_shutdown),
            ("stale", plan.stale_every_s, lambda: inj.go_stale(plan.stale_for_s)),
        )
        while True:
            await asyncio.sleep(HOUSEKEEPING_S)
            now = time.monotonic()
            for account in self.exchange.accounts.values():
                if account.listen_key is not None and account.listen_key_expires < now:
                    key, account.listen_key = account.listen_key, None
                    self.exchange.hub.close_listen_key(key)
            for kind, every, fire in schedule:
                if every and now - last.get(kind, started) >= every:
                    last[kind] = now
                    log.info("loopback fault: %s", kind)
                    fire()
