"""``tradeterm exchange serve``: the loopback exchange on a loopback address, until Ctrl-C (or
``--seconds``). It speaks Binance's spot REST and websocket protocol, so tradeterm's live mode,
ccxt and other bots can trade against it; ``--faults`` makes it misbehave on a schedule."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from tradeterm.cli.errors import UsageError
from tradeterm.config import ExchangeConfig, Settings, load_settings
from tradeterm.venues.loopback import FaultPlan, FaultSpecError, LoopbackServer, check_loopback
from tradeterm.venues.loopback.server import NotLoopback


def exchange_settings(args: argparse.Namespace) -> Settings:
    """The config file and environment, with ``--host --port --faults --seed --rate`` over
    them."""
    overrides: dict[str, Any] = {}
    for name, key in (
        ("host", "host"),
        ("port", "port"),
        ("faults", "faults"),
        ("seed", "seed"),
        ("rate", "events_per_second"),
    ):
        value = getattr(args, name, None)
        if value is not None:
            overrides[key] = value
    return load_settings(args.config, **({"exchange": overrides} if overrides else {}))


def run_exchange(args: argparse.Namespace) -> int:
    settings = exchange_settings(args)
    cfg = settings.exchange
    try:
        check_loopback(cfg.host)
        plan = FaultPlan.parse(cfg.faults)
    except (NotLoopback, FaultSpecError) as exc:
        raise UsageError(str(exc)) from None
    return asyncio.run(_serve(cfg, plan, args.seconds))


async def _serve(cfg: ExchangeConfig, plan: FaultPlan, seconds: float | None) -> int:
    server = LoopbackServer(cfg, plan)
    try:
        await server.start()
    except OSError as exc:
        await server.stop()
        raise UsageError(
            f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror or exc}; "
            "choose another --port (0 picks a free one)"
        ) from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    account = cfg.accounts[0]
    print(
        f"loopback exchange (Binance spot protocol) listening on {server.rest_url}\n"
        f"  REST     {server.rest_url}/api/v3/...\n"
        f"  streams  {server.ws_url}/stream?streams=<sym>@depth@100ms/<sym>@trade/... "
        f"and {server.ws_url}/ws/<listenKey>\n"
        f"  symbols  {', '.join(s.symbol for s in cfg.symbols)}\n"
        f"  test key {account.api_key} / secret {account.api_secret} (the loopback's own)\n"
        f"  faults   {cfg.faults or 'none'} (trigger more: POST /loopback/fault/<kind>)\n"
        f"  trade it tradeterm live --venue binance --api-url {server.rest_url} "
        f"--ws-url {server.ws_url}",
        flush=True,
    )
    try:
        if seconds is None:
            await stop.wait()
        else:
            try:
                await asyncio.wait_for(stop.wait(), seconds)
            except asyncio.TimeoutError:
                pass
    finally:
        await server.stop()
    counts = server.injector.counts
    print(f"stopped; faults injected: {dict(sorted(counts.items())) or 'none'}", file=sys.stderr)
    return 0
