"""``tradeterm report SWEEP.parquet``: a sweep's cells ranked by a metric, and a heatmap of the
metric (its mean over the recordings) over two parameters; ``--json`` for machines."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import sys
from pathlib import Path
from typing import Any

from tradeterm.cli.errors import UsageError
from tradeterm.cli.sweep_figures import figure, parameter

LOWER_IS_BETTER = {"fees", "max_drawdown", "max_inventory_value", "orders_denied", "run_s"}
FIGURES = ("pnl", "fees", "max_drawdown", "fills", "orders", "markout_1s_bps")


def params_of(columns: list[str]) -> list[str]:
    return [c for c in columns if c.startswith(("quoter.", "paper."))]


def load(path: Any) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        return list(pq.read_table(path).to_pylist())
    except FileNotFoundError:  # its text is only the path
        raise UsageError(f"cannot read the sweep {path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the sweep {path}: {exc}") from None


def ranked(rows: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
    """Best first; cells without the metric (None, NaN) last."""
    sign = 1 if metric in LOWER_IS_BETTER else -1

    def key(row: dict[str, Any]) -> tuple[bool, float]:
        v = row.get(metric)
        missing = v is None or (isinstance(v, float) and math.isnan(v))
        return missing, 0.0 if v is None or missing else sign * float(v)

    return sorted(rows, key=key)


def grid(rows: list[dict[str, Any]], metric: str, x: str, y: str) -> dict[str, Any]:
    """The metric's mean over recordings for each (x, y): {"x": [...], "y": [...], "z": [[...]]}"""
    sums: dict[tuple[Any, Any], list[float]] = {}
    for row in rows:
        v = row.get(metric)
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            sums.setdefault((row[x], row[y]), []).append(float(v))
    xs = sorted({row[x] for row in rows})
    ys = sorted({row[y] for row in rows})
    z = [
        [(sum(sums[(a, b)]) / len(sums[(a, b)])) if (a, b) in sums else None for a in xs]
        for b in ys
    ]
    return {"x_param": x, "y_param": y, "metric": metric, "x": xs, "y": ys, "z": z}


def run_sweep_report(args: argparse.Namespace) -> int:
    rows = load(args.recording)
    if not rows:
        raise UsageError(f"{args.recording} holds no cells")
    params = params_of(list(rows[0]))
    if args.metric not in rows[0]:
        numeric = [k for k, v in rows[0].items() if isinstance(v, int | float)]
        raise UsageError(f"--metric {args.metric}: no such column; numeric ones: {numeric}")
    x = args.x or (params[0] if params else None)
    y = args.y or (params[1] if len(params) > 1 else None)
    for name, value in (("--x", x), ("--y", y)):
        if value is not None and value not in params:
            raise UsageError(f"{name} {value}: not a parameter of this sweep; its: {params}")
    best = ranked(rows, args.metric)
    heat = grid(rows, args.metric, x, y) if x and y and x != y else None
    if args.json:
        out = {"metric": args.metric, "params": params, "cells": len(rows), "ranked": best}
        out["heatmap"] = heat
        print(json.dumps(out, sort_keys=True, default=str))
        return 0
    _render(best[: args.top], params, args.metric, len(rows), heat, charts=not args.no_charts)
    return 0


def _render(
    best: list[dict[str, Any]],
    params: list[str],
    metric: str,
    cells: int,
    heat: dict[str, Any] | None,
    charts: bool,
) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:  # a pipe or a file: wide enough for a row per line
        console = Console(width=160)
    cols = params + ["recording", metric] + [f for f in FIGURES if f != metric]
    table = Table(title=f"Best {len(best)} of {cells} cells by {metric}")
    table.add_column("#", justify="right")
    for c in cols:
        if c == "recording":
            table.add_column(c, overflow="ellipsis", no_wrap=True, max_width=24)
        else:
            table.add_column(c, justify="right", overflow="fold")
    for i, row in enumerate(best, 1):
        currency = str(row.get("currency") or "")
        cells_text = [parameter(row.get(c)) for c in params]
        cells_text.append(Path(str(row["recording"])).stem)
        cells_text += [figure(c, row.get(c), currency) for c in cols[len(params) + 1 :]]
        table.add_row(str(i), *cells_text)
    console.print(table)
    if heat is None:
        return
    currencies = {str(row.get("currency") or "") for row in best}
    currency = currencies.pop() if len(currencies) == 1 else ""
    grid_table = Table(title=f"mean {metric}: {heat['y_param']} (rows) x {heat['x_param']}")
    grid_table.add_column(heat["y_param"], justify="right")
    for a in heat["x"]:
        grid_table.add_column(parameter(a), justify="right")
    for b, line in zip(heat["y"], heat["z"]):
        grid_table.add_row(parameter(b), *(figure(metric, v, currency) for v in line))
    console.print(grid_table)
    if charts and len(heat["x"]) * len(heat["y"]) > 1:
        print(_heatmap(heat) if sys.stdout.isatty() else "")


def _heatmap(heat: dict[str, Any]) -> str:
    import pandas as pd
    import plotext as plt

    frame = pd.DataFrame(
        [[math.nan if v is None else v for v in line] for line in heat["z"]],
        index=[parameter(b) for b in heat["y"]],
        columns=[parameter(a) for a in heat["x"]],
    )
    plt.clear_figure()
    with contextlib.redirect_stdout(io.StringIO()):  # plotext prints the frame: shown above
        plt.heatmap(frame)
    plt.title(f"{heat['metric']}: {heat['y_param']} x {heat['x_param']}")
    plt.plotsize(80, 4 + 4 * len(heat["y"]))
    chart: str = plt.build()
    return chart
