"""The command line's grammar: every subcommand, its options, and the checks on their values
(argparse types in ``arg_types.py``). ``main.py`` dispatches what this parses."""

from __future__ import annotations

import argparse
from pathlib import Path

from tradeterm import __version__
from tradeterm.cli.common_args import add_quoter_option, add_run_options, add_venue_urls
from tradeterm.cli.recording_args import add_recording_commands
from tradeterm.cli.arg_types import (
    data_venue,
    gamma,
    paths,
    port,
    positive_float,
    seconds,
    seed,
    tabs,
)

COMMANDS = (
    "paper",
    "live",
    "config",
    "quoter",
    "record",
    "replay",
    "import",
    "export",
    "report",
    "backtest",
    "exchange",
    "status",
    "kill",
    "rearm",
    "bench",
    "serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeterm",
        description="A keyboard-driven trading workstation for the terminal. "
        "With no command: paper trading on the embedded simulated market.",
    )
    parser.add_argument("--version", action="version", version=f"tradeterm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    paper = sub.add_parser("paper", help="paper trading: real or simulated data, simulated fills")
    paper.add_argument(
        "--venue",
        default="sim",
        type=data_venue,
        metavar="NAME",
        help="market data source: the embedded simulated market (sim, default), Binance's live "
        "data (binance) or any ccxt exchange's (ccxt:<exchange>); no keys, orders filled on paper",
    )
    add_venue_urls(paper)
    paper.add_argument(
        "--symbols",
        metavar="LIST",
        help="comma-separated symbols to trade, e.g. SIM-BTC/USD, or BTC/USDT with --venue binance",
    )
    paper.add_argument(
        "--activity",
        choices=["calm", "normal", "busy", "storm"],
        help="simulated market activity preset",
    )
    paper.add_argument(
        "--rate",
        type=positive_float,
        metavar="EV_PER_S",
        help="simulated market actions per second (overrides --activity)",
    )
    add_quoter_option(paper)
    add_run_options(paper)
    _add_serve_command(sub)

    _add_live_command(sub)
    add_recording_commands(sub)
    exchange = sub.add_parser(
        "exchange",
        help="the loopback exchange: Binance's protocol on 127.0.0.1, for tests and other bots",
    )
    exchange_sub = exchange.add_subparsers(dest="exchange_command", metavar="ACTION", required=True)
    serve = exchange_sub.add_parser("serve", help="run the loopback exchange until Ctrl-C")
    serve.add_argument("--host", help="loopback address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=port, help="port (default 8765; 0 picks a free one)")
    serve.add_argument(
        "--faults",
        metavar="SPEC",
        help="fault plan, e.g. drop=30,gap=45,stale=60:5,5xx=0.05,timeout=0.02:10",
    )
    serve.add_argument(
        "--rate",
        type=positive_float,
        metavar="EV_PER_S",
        help="simulated market actions per second",
    )
    serve.add_argument("--seed", type=seed, metavar="S", help="seed the simulated market")
    serve.add_argument("--seconds", type=seconds, metavar="N", help="stop after N seconds")
    serve.add_argument("--config", type=Path, metavar="FILE", help="TOML config file")
    status = sub.add_parser("status", help="trading state, positions, orders, PnL (from the store)")
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.add_argument("--fills", action="store_true", help="list every fill")
    status.add_argument("--config", type=Path, metavar="FILE", help="TOML config file")
    kill = sub.add_parser("kill", help="trip the kill switch: HALT and cancel every working order")
    kill.add_argument(
        "--flatten",
        action="store_true",
        help="also close every position with reduce-only IOC orders",
    )
    kill.add_argument("--reason", default="", help="why (goes to the audit log)")
    kill.add_argument("--config", type=Path, metavar="FILE", help="TOML config file")
    rearm = sub.add_parser("rearm", help="leave HALTED: resume trading (a reason is required)")
    rearm.add_argument("--reason", required=True, help="why trading may resume (audit log)")
    rearm.add_argument(
        "--reducing", action="store_true", help="resume as REDUCING: only exposure-reducing orders"
    )
    rearm.add_argument("--config", type=Path, metavar="FILE", help="TOML config file")

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help="validate a config file and the environment")
    check.add_argument("file", nargs="?", type=Path, help="TOML file (default: defaults + env)")

    quoter = sub.add_parser("quoter", help="market making tools")
    quoter_sub = quoter.add_subparsers(dest="quoter_command", metavar="ACTION", required=True)
    study = quoter_sub.add_parser(
        "simulate", help="reproduce the Avellaneda & Stoikov (2008) study with the live model"
    )
    study.add_argument(
        "--gamma",
        type=gamma,
        nargs="+",
        metavar="G",
        help="risk aversions to run (default: 0.01 0.1 0.5 1)",
    )
    study.add_argument(
        "--paths",
        type=paths,
        default=1000,
        metavar="N",
        help="simulated sessions per strategy (default: 1000)",
    )
    study.add_argument("--seed", type=seed, metavar="S", help="seed; random (and shown) if unset")
    study.add_argument("--json", action="store_true", help="print the results as one JSON object")
    bench = sub.add_parser("bench", help="performance figures, each beside a reference")
    bench.add_argument("--json", action="store_true", help="one JSON document on stdout")
    bench.add_argument(
        "--only", metavar="NAMES", help="comma-separated benchmark names or areas (e.g. matching)"
    )
    bench.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    return parser


def _add_live_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    live = sub.add_parser("live", help="LIVE trading: real orders; asks for typed confirmation")
    live.add_argument(
        "--venue",
        required=True,
        metavar="NAME",
        help="binance (native), or ccxt:<exchange> (e.g. ccxt:kraken)",
    )
    live.add_argument("--symbols", metavar="LIST", help="comma-separated, e.g. BTC/USDT,ETH/USDT")
    add_venue_urls(live)
    live.add_argument(
        "--secrets",
        type=Path,
        metavar="FILE",
        help="TOML secrets file, mode 0600 (default: <data dir>/secrets.toml)",
    )
    live.add_argument(
        "--i-understand-live",
        metavar="VENUE",
        help="confirm live order entry up front by typing the venue's name "
        "(required with --headless)",
    )
    add_quoter_option(live)
    add_run_options(live)


def _add_serve_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """serve: the workstation in a browser tab (serve.py)."""
    serve = sub.add_parser(
        "serve", help="the workstation in a browser tab (textual-serve), on 127.0.0.1 by default"
    )
    serve.add_argument(
        "--host",
        help="address to listen on (default 127.0.0.1); a non-loopback address needs --public",
    )
    serve.add_argument("--port", type=port, help="port (default 8000; 0 picks a free one)")
    serve.add_argument(
        "--public",
        action="store_true",
        help="allow a non-loopback --host (anyone with the URL can trade)",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        metavar="NAME",
        help="another name the browser may use for this server (a DNS name, a "
        "reverse proxy's); repeatable",
    )
    serve.add_argument(
        "--no-token",
        action="store_true",
        help="no token in the URL (loopback --host only; Host and Origin are still checked)",
    )
    serve.add_argument("--venue", default="sim", choices=["sim"], help="market data source")
    serve.add_argument("--symbols", metavar="LIST", help="comma-separated symbols")
    serve.add_argument("--activity", choices=["calm", "normal", "busy", "storm"])
    serve.add_argument("--rate", type=positive_float, metavar="EV_PER_S")
    add_quoter_option(serve)
    serve.add_argument("--config", type=Path, metavar="FILE", help="TOML config file")
    serve.add_argument("--seed", type=seed, metavar="S", help="seed the simulated market")
    serve.add_argument("--no-record", action="store_true", help="do not journal the sessions")
    serve.add_argument(
        "--max-tabs",
        type=tabs,
        default=4,
        metavar="N",
        help="browser tabs open at once, each its own paper session (default 4)",
    )
