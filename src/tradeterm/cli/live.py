"""``tradeterm live``: real orders on a real venue (or the loopback exchange).

    tradeterm live --venue binance [--testnet] [--symbols BTC/USDT,ETH/USDT]
    tradeterm live --venue binance --api-url http://127.0.0.1:8765 --ws-url ws://127.0.0.1:8765
    tradeterm live --venue ccxt:kraken [--testnet]          # any ccxt exchange (REST + ccxt.pro)

Keys come from ``TRADETERM_<VENUE>_KEY`` / ``_SECRET`` or the secrets file
(``runtime/credentials.py``). The session starts with order entry locked: the TUI asks the trader
to type the venue's name; headless runs need ``--i-understand-live <venue>`` with that exact
name. The same venue builders serve ``tradeterm record --venue binance`` (market data only, no
keys).
"""

from __future__ import annotations

import argparse
import sys

from tradeterm.cli.errors import UsageError
from tradeterm.cli.kernel_build import build_kernel
from tradeterm.cli.venue_args import venue_choice, venue_settings
from tradeterm.config import Settings
from tradeterm.runtime.options import RunOptions
from tradeterm.venues.base import confirm_names


def live_settings(args: argparse.Namespace) -> Settings:
    from tradeterm.cli.run import check_screen_settings

    return check_screen_settings(venue_settings(args), args)


def run_live(args: argparse.Namespace) -> int:
    from tradeterm.cli.run import prepare_data_dir, run_session
    from tradeterm.runtime.credentials import SecretsError, load_keys

    if args.venue != "binance" and not (args.venue.startswith("ccxt:") and args.venue[5:]):
        raise UsageError(
            f"unknown venue {args.venue!r}: use binance or ccxt:<exchange>, e.g. ccxt:kraken"
        )
    settings = live_settings(args)
    if args.fast or args.seed is not None:
        raise UsageError(
            "--fast and --seed are for simulations; a live session runs on the "
            "wall clock against the venue"
        )
    headless = args.headless or args.json
    confirm = args.i_understand_live
    if headless and confirm is None:
        raise UsageError(
            f"live orders go to {args.venue} for real: a headless live session needs "
            f"--i-understand-live {args.venue}"
        )
    names = sorted(confirm_names(args.venue), key=lambda n: n != args.venue)  # as given first
    if confirm is not None and confirm not in names:
        raise UsageError(
            f"--i-understand-live must be the venue's exact name "
            f"({' or '.join(repr(n) for n in names)}), got {confirm!r}"
        )
    data_dir = prepare_data_dir(settings)
    try:
        keys = load_keys(args.venue, args.secrets, data_dir)
    except SecretsError as exc:
        raise UsageError(str(exc)) from None
    if keys is None:
        raise UsageError(
            f"no API key for {args.venue}: set TRADETERM_{_env(args.venue)}_KEY and "
            f"TRADETERM_{_env(args.venue)}_SECRET, or put [{_toml_key(args.venue)}] key = ... "
            f"secret = ... in {args.secrets or data_dir / 'secrets.toml'} (chmod 600)"
        )
    kernel = build_kernel(
        settings,
        RunOptions(
            mode="live",
            seconds=args.seconds,
            record=not args.no_record,
            interactive=not headless,
            quoter=args.quoter,
            signals=True,
        ),
        venue_choice(args, keys),
    )
    del keys  # only the venue's masked credentials hold them from here on
    if confirm is not None:
        kernel.confirm_live(kernel.clients.name)
    print(
        f"tradeterm: LIVE on {kernel.clients.name} ({', '.join(kernel.instruments)}); real orders",
        file=sys.stderr,
    )
    return run_session(kernel, headless, args.json)


def _env(venue: str) -> str:
    from tradeterm.runtime.credentials import env_prefix

    return env_prefix(venue).removeprefix("TRADETERM_")


def _toml_key(venue: str) -> str:
    return venue if venue.replace("_", "").replace("-", "").isalnum() else f'"{venue}"'
