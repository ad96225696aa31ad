"""The command line. ``tradeterm`` with no arguments is ``tradeterm paper``: the embedded
simulated market in the full TUI. Heavy or mode-specific libraries are imported only by the
commands that need them, so start-up stays fast.

Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad configuration (a message, never a
traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tradeterm import __version__

COMMANDS = ("paper", "config", "bench")


class UsageError(Exception):
    """Bad command-line input, phrased for the trader (exit code 2)."""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="TOML config file")
    p.add_argument("--headless", action="store_true",
                   help="no TUI: progress on stderr, a summary on stdout")
    p.add_argument("--json", action="store_true",
                   help="print the summary as one JSON object (implies --headless)")
    p.add_argument("--seconds", type=_positive_float, metavar="N",
                   help="stop after N seconds (simulated seconds with --fast)")
    p.add_argument("--fast", action="store_true",
                   help="simulated clock, as fast as possible (implies --headless)")
    p.add_argument("--seed", type=_seed, metavar="S", help="seed the simulated market")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeterm",
        description="A keyboard-driven trading workstation for the terminal. "
                    "With no command: paper trading on the embedded simulated market.")
    parser.add_argument("--version", action="version", version=f"tradeterm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    paper = sub.add_parser("paper", help="paper trading: real or simulated data, simulated fills")
    paper.add_argument("--venue", default="sim", choices=["sim"],
                       help="market data source (default: the embedded simulated market)")
    paper.add_argument("--symbols", metavar="LIST",
                       help="comma-separated symbols to trade, e.g. SIM-BTC/USD")
    paper.add_argument("--activity", choices=["calm", "normal", "busy", "storm"],
                       help="simulated market activity preset")
    paper.add_argument("--rate", type=_positive_float, metavar="EV_PER_S",
                       help="simulated market actions per second (overrides --activity)")
    _add_run_options(paper)

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help="validate a config file and the environment")
    check.add_argument("file", nargs="?", type=Path, help="TOML file (default: defaults + env)")

    bench = sub.add_parser("bench", help="performance figures, each beside a reference")
    bench.add_argument("--json", action="store_true", help="one JSON document on stdout")
    bench.add_argument("--only", metavar="NAMES",
                       help="comma-separated benchmark names or areas (e.g. matching)")
    bench.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    return parser


def _normalise(argv: list[str]) -> list[str]:
    """``tradeterm [options]`` means ``tradeterm paper [options]``."""
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        return ["paper", *argv]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_normalise(list(sys.argv[1:] if argv is None else argv)))
    from tradeterm.config import ConfigError

    try:
        if args.command == "config":
            from tradeterm.cli_config import check_config

            return check_config(args.file)
        if args.command == "bench":
            from tradeterm.cli_bench import run_bench

            return run_bench(args)
        from tradeterm.cli_run import run_paper

        return run_paper(args)
    except ConfigError as exc:
        print(f"tradeterm: {exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"tradeterm: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
