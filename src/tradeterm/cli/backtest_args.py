"""The command line of ``tradeterm backtest`` and of ``tradeterm report SWEEP.parquet``."""

from __future__ import annotations

import argparse
from pathlib import Path

from tradeterm.cli.arg_types import positive_int, seconds, seed


def add_backtest_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bt = sub.add_parser(
        "backtest",
        help="a parameter sweep: replay --paper --quoter over a grid x recordings, every core",
    )
    bt.add_argument(
        "recordings", nargs="+", metavar="RECORDING", help="paths, globs or directories of .ttj"
    )
    bt.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="SECTION.KEY=V1,V2",
        help="a [quoter] or [paper] key and its values (repeat for more axes); with --random, "
        "also lo..hi",
    )
    bt.add_argument(
        "--random",
        type=positive_int,
        metavar="N",
        help="N seeded random points instead of the whole grid",
    )
    bt.add_argument("-o", "--output", type=Path, required=True, metavar="SWEEP.parquet")
    bt.add_argument(
        "--workers", type=positive_int, metavar="N", help="processes (default: every core)"
    )
    bt.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run the cells on a Ray cluster: its address, auto (the running one) or local "
        "(start one here); needs pip install 'tradeterm[ray]'",
    )
    bt.add_argument(
        "--seconds", type=seconds, metavar="N", help="replay only the first N seconds of each"
    )
    bt.add_argument("--seed", type=seed, default=1, help="the paper fills' seed (default 1)")
    bt.add_argument("--config", type=Path, metavar="FILE", help="TOML config under the grid")
    bt.add_argument(
        "--skip-damaged",
        action="store_true",
        help="replay a recording's blocks around a damaged one (else it is refused)",
    )


def add_sweep_report_options(report: argparse.ArgumentParser) -> None:
    group = report.add_argument_group("a sweep's table (tradeterm report SWEEP.parquet)")
    group.add_argument("--metric", default="pnl", help="the column to rank by (default pnl)")
    group.add_argument("--x", metavar="PARAM", help="the heatmap's columns (default: 1st axis)")
    group.add_argument("--y", metavar="PARAM", help="the heatmap's rows (default: 2nd axis)")
    group.add_argument("--top", type=positive_int, default=10, help="cells ranked (default 10)")
