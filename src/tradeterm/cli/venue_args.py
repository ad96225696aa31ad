"""The command-line flags that name a real venue (``--venue binance``, ``--api-url``, ``--ws-url``,
``--symbols BTC/USDT,...``, ``--testnet``) turned into settings and the venue the kernel builds:
shared by ``live``, ``paper --venue binance`` and ``record --venue binance``."""

from __future__ import annotations

import argparse
from typing import Any

from tradeterm.cli.errors import UsageError
from tradeterm.config import Settings, load_settings
from tradeterm.runtime.venue_registry import VenueChoice


def parse_symbols(text: str | None) -> list[str] | None:
    if text is None:
        return None
    symbols = [s.strip().upper() for s in text.split(",") if s.strip()]
    bad = [s for s in symbols if s.count("/") != 1 or not all(s.split("/"))]
    if not symbols or bad:
        raise UsageError(
            f"symbols are BASE/QUOTE separated by commas, e.g. BTC/USDT,ETH/USDT; got {text!r}"
        )
    return symbols


def binance_settings(args: argparse.Namespace) -> Settings:
    """The config file plus ``--api-url / --ws-url / --ws-api-url / --symbols``. With
    ``--testnet`` the URLs given replace the testnet ones."""
    binance: dict[str, Any] = {}
    symbols = parse_symbols(getattr(args, "symbols", None))
    if symbols:
        binance["symbols"] = symbols
    ws_api = args.ws_api_url or (args.ws_url.rstrip("/") + "/ws-api/v3" if args.ws_url else None)
    prefix = "testnet_" if getattr(args, "testnet", False) else ""
    for key, value in (("rest_url", args.api_url), ("ws_url", args.ws_url), ("ws_api_url", ws_api)):
        if value:
            binance[prefix + key] = value
    return load_settings(args.config, **({"binance": binance} if binance else {}))


def venue_settings(args: argparse.Namespace) -> Settings:
    """The settings of a session on a real venue: ``binance``: ``binance_settings``;
    ``ccxt:<id>``: the config file with ``--symbols`` over its ``[ccxt] symbols``."""
    if args.venue == "binance":
        return binance_settings(args)
    symbols = parse_symbols(getattr(args, "symbols", None))
    return load_settings(args.config, **({"ccxt": {"symbols": symbols}} if symbols else {}))


def venue_choice(args: argparse.Namespace, keys: Any = None, paper: bool = False) -> VenueChoice:
    """``--venue binance`` or ``ccxt:<id>`` as the kernel builds it (the venue registry: the
    symbols discovered, the venue on the session's bus). ``keys`` None: market data only, nothing
    can reach the exchange's account; ``paper``: the session's orders filled on paper (the
    [paper] fill model) on the venue's data."""
    return VenueChoice(
        args.venue,
        keys=keys,
        testnet=getattr(args, "testnet", False),
        api_url=args.api_url,
        paper=paper,
    )


def refuse_sim_flags(args: argparse.Namespace) -> None:
    """A session on a real venue's data: the simulated market's flags mean nothing there."""
    if (
        args.fast
        or args.seed is not None
        or getattr(args, "activity", None)
        or getattr(args, "rate", None)
    ):
        raise UsageError(
            "--fast, --seed, --activity and --rate are for the simulated market; "
            "a real venue's data arrives on the wall clock"
        )


def refuse_venue_urls(args: argparse.Namespace) -> None:
    """A session on the simulated market: the real venue's flags mean nothing there."""
    if any(getattr(args, flag, None) for flag in ("api_url", "ws_url", "ws_api_url", "testnet")):
        raise UsageError(
            "--api-url, --ws-url, --ws-api-url and --testnet need --venue binance "
            "(--api-url: or ccxt:<exchange>)"
        )
