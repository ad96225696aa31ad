"""Options several commands share: how a session runs (``--config``, ``--headless``, ``--json``,
``--seconds``, ``--fast``, ``--seed``, ``--no-record``), the quoter, a real venue's URLs."""

from __future__ import annotations

import argparse
from pathlib import Path

from tradeterm.cli.arg_types import quoter_model, seconds, seed


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="TOML config file")
    p.add_argument(
        "--headless", action="store_true", help="no TUI: progress on stderr, a summary on stdout"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the summary as one JSON object (implies --headless)",
    )
    p.add_argument(
        "--seconds",
        type=seconds,
        metavar="N",
        help="stop after N seconds (simulated seconds with --fast)",
    )
    p.add_argument(
        "--fast",
        action="store_true",
        help="simulated clock, as fast as possible (implies --headless)",
    )
    p.add_argument("--seed", type=seed, metavar="S", help="seed the simulated market")
    p.add_argument(
        "--no-record",
        action="store_true",
        help="do not journal this session (recording is on by default)",
    )


def add_quoter_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--quoter",
        nargs="?",
        const="on",
        type=quoter_model,
        metavar="MODEL",
        help="market-make every instrument (the [quoter] config section) from the "
        "start; MODEL overrides quoter.model: glft or as (avellaneda_stoikov); "
        "'placeholder' is the old join-the-touch test loop",
    )


def add_venue_urls(p: argparse.ArgumentParser) -> None:
    p.add_argument("--api-url", metavar="URL", help="Binance REST base URL (e.g. the loopback's)")
    p.add_argument("--ws-url", metavar="URL", help="Binance websocket base URL")
    p.add_argument(
        "--ws-api-url",
        metavar="URL",
        help="Binance WebSocket API URL (default with --ws-url: <ws-url>/ws-api/v3)",
    )
    p.add_argument(
        "--testnet", action="store_true", help="the venue's testnet (ccxt: sandbox mode)"
    )
