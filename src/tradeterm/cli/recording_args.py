"""The command line's grammar for recordings: ``record``, ``replay``, ``import``, ``index``,
``export``, ``report`` and ``backtest`` (``parser.py`` builds the rest)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tradeterm.cli.arg_types import data_venue, positive_float, positive_int
from tradeterm.cli.backtest_args import add_backtest_command, add_sweep_report_options
from tradeterm.cli.common_args import add_quoter_option, add_run_options, add_venue_urls


def add_recording_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """record / replay / import / export / report (record/)."""

    def parse_speed(text: str) -> float:  # cli/replay.py pulls in the kernel: only when used
        from tradeterm.cli.replay import parse_speed

        return parse_speed(text)

    record = sub.add_parser("record", help="run a session headless only to record it")
    record.add_argument(
        "--venue",
        default="sim",
        type=data_venue,
        metavar="NAME",
        help="market data source: sim (default), binance or ccxt:<exchange>",
    )
    add_venue_urls(record)
    record.add_argument("--symbols", metavar="LIST", help="comma-separated symbols")
    record.add_argument("--activity", choices=["calm", "normal", "busy", "storm"])
    record.add_argument("--rate", type=positive_float, metavar="EV_PER_S")
    record.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="RECORDING",
        help="journal path (default: <data dir>/recordings/<start>-record-...)",
    )
    add_run_options(record)

    replay = sub.add_parser("replay", help="replay a recording: TUI with transport, or headless")
    replay.add_argument("recording", type=Path, help="a .ttj journal")
    replay.add_argument(
        "--speed",
        type=parse_speed,
        metavar="1|10|max",
        help="0.1 to 100 or max (default: 1 in the TUI, max headless)",
    )
    replay.add_argument(
        "--start",
        metavar="TIME",
        help="begin at TIME: HH:MM:SS (UTC), +90s / +5m from the start, ISO",
    )
    replay.add_argument(
        "--paper",
        action="store_true",
        help="replay market data only and trade against it with paper fills "
        "(the [paper] fill model): a backtest",
    )
    add_skip_damaged(replay, "replay")
    add_quoter_option(replay)
    add_run_options(replay)

    imp = sub.add_parser("import", help="turn an exchange capture into a recording")
    imp_sub = imp.add_subparsers(dest="import_venue", metavar="VENUE", required=True)
    binance = imp_sub.add_parser("binance", help="Binance combined-stream captures (.gz)")
    binance.add_argument(
        "captures",
        nargs="+",
        type=Path,
        metavar="CAPTURE",
        help="one or more captures, merged by receive time",
    )
    binance.add_argument("-o", "--output", type=Path, required=True, metavar="RECORDING")
    binance.add_argument(
        "--trades-only",
        action="store_true",
        help="import trades and best bid/ask only (a capture without snapshot)",
    )
    binance.add_argument("--json", action="store_true", help="the import report as JSON")

    index = sub.add_parser("index", help="keyframes for seeking an older recording (a side file)")
    index.add_argument("recording", type=Path)
    index.add_argument(
        "--interval", type=float, default=60.0, metavar="S", help="seconds between keyframes"
    )
    add_skip_damaged(index, "index")

    export = sub.add_parser("export", help="recordings -> Parquet or CSV")
    export.add_argument("recordings", nargs="+", type=Path, metavar="RECORDING")
    export.add_argument(
        "--what", required=True, choices=["trades", "book-top", "orders", "fills", "pnl"]
    )
    export.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="PATH",
        help="a file, or a directory: a hive-partitioned tree (date, instrument)",
    )
    export.add_argument(
        "--row-group",
        type=positive_int,
        default=65_536,
        metavar="ROWS",
        help="rows per Parquet row group (CSV write); memory is bounded by it (default 65536)",
    )
    add_skip_damaged(export, "export")

    report = sub.add_parser("report", help="PnL, drawdown, Sharpe, fills, markouts, latency")
    report.add_argument("recording", type=Path)
    report.add_argument("--json", action="store_true", help="the numbers as one JSON object")
    report.add_argument("--no-charts", action="store_true", help="tables only")
    add_skip_damaged(report, "report on")
    add_sweep_report_options(report)
    add_backtest_command(sub)


def add_skip_damaged(p: argparse.ArgumentParser, verb: str) -> None:
    p.add_argument(
        "--skip-damaged",
        action="store_true",
        help=f"{verb} the rest of a recording with damaged blocks (say how many "
        "records were lost) instead of refusing it",
    )
