"""The command line. ``tradeterm`` with no arguments is ``tradeterm paper``: the embedded
simulated market in the full TUI. Heavy or mode-specific libraries are imported only by the
commands that need them, so start-up stays fast.

Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad configuration (a message, never a
traceback), 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tradeterm.cli.errors import UsageError
from tradeterm.cli.parser import build_parser


def _normalise(argv: list[str]) -> list[str]:
    """``tradeterm [options]`` means ``tradeterm paper [options]``."""
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        return ["paper", *argv]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_normalise(list(sys.argv[1:] if argv is None else argv)))
    from tradeterm.config import ConfigError
    from tradeterm.oms.store_columns import StoreError

    try:
        if args.command == "config":
            from tradeterm.cli.config_check import check_config

            return check_config(args.file)
        if args.command == "live":
            from tradeterm.cli.live import run_live

            return run_live(args)
        if args.command == "quoter":
            from tradeterm.cli.quoter import simulate

            return simulate(args)
        if args.command in ("record", "import"):
            from tradeterm.cli.record import run_import, run_record

            return run_record(args) if args.command == "record" else run_import(args)
        if args.command == "replay":
            from tradeterm.cli.replay import run_replay

            return run_replay(args)
        if args.command == "index":
            from tradeterm.cli.index import run_index

            return run_index(args)
        if args.command == "backtest":
            from tradeterm.cli.backtest import run_backtest

            return run_backtest(args)
        if args.command == "report" and args.recording.suffix == ".parquet":
            from tradeterm.cli.sweep_report import run_sweep_report

            return run_sweep_report(args)
        if args.command in ("export", "report"):
            from tradeterm.cli.analyse import run_export, run_report

            return run_export(args) if args.command == "export" else run_report(args)
        if args.command == "exchange":
            from tradeterm.cli.exchange import run_exchange

            return run_exchange(args)
        if args.command == "status":
            from tradeterm.cli.status import run_status

            return run_status(args)
        if args.command in ("kill", "rearm"):
            from tradeterm.cli.kill import run_kill, run_rearm

            return run_kill(args) if args.command == "kill" else run_rearm(args)
        if args.command == "serve":
            from tradeterm.cli.serve import run_serve

            return run_serve(args)
        if args.command == "bench":
            from tradeterm.cli.bench import run_bench

            return run_bench(args)
        from tradeterm.cli.run import run_paper

        return run_paper(args)
    except ConfigError as exc:
        print(f"tradeterm: {exc}", file=sys.stderr)
        return 2
    except (UsageError, StoreError) as exc:  # StoreError: a damaged store met after the start
        print(f"tradeterm: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tradeterm ... | head`: the reader left; not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
