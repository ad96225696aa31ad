"""One cell of a sweep: ``replay RECORDING --paper --quoter --headless`` in this process, with
the cell's ``[quoter]`` / ``[paper]`` values over the config, then its row of figures.

The session is journaled into a private temporary data dir, analysed by the report
(``record/report.py``: PnL, drawdown, markouts) and the dir removed. The row holds no wall-clock
figure but ``run_s``, so the same cell gives the same row in any process.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradeterm.cli.sweep_grid import Cell, partitions
from tradeterm.config import load_settings
from tradeterm.domain import events
from tradeterm.record.journal import JournalReader
from tradeterm.record.merged import session_records
from tradeterm.record.report import analyse
from tradeterm.record.tables import instruments_of
from tradeterm.runtime.kernel import Kernel
from tradeterm.runtime.options import RunOptions

MARKOUTS = ("1s", "10s", "60s")


def run_cell(cell: Cell, config: Path | None = None) -> dict[str, Any]:
    """Replay the cell and return its row (parameters, recording, figures, run time)."""
    started = time.perf_counter()
    home = Path(tempfile.mkdtemp(prefix="tradeterm-cell-"))
    try:
        settings = load_settings(
            config,
            data_dir=home,
            sim={"seed": cell.seed},
            record={"enabled": True, "directory": home / "recordings"},
            **cell.overrides(),
        )
        options = RunOptions(
            mode="replay",
            seconds=cell.seconds,
            record=True,
            replay=Path(cell.recording),
            speed=None,
            quoter="on",
            paper=True,
            skip_damaged=cell.skip_damaged,
        )
        kernel = Kernel(settings, options)
        asyncio.run(kernel.run())
        summary = kernel.summary()
        assert kernel.recorder is not None and kernel.replay is not None
        if kernel.replay.failure is not None:  # a block that does not decode: no row from half
            raise kernel.replay.failure
        summary["records"] = kernel.replay.state.published
        row = _row(cell, summary, kernel.recorder.path)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    row["run_s"] = round(time.perf_counter() - started, 3)
    return row


def _row(cell: Cell, summary: dict[str, Any], journal: Path) -> dict[str, Any]:
    with JournalReader(journal) as reader:
        insts = instruments_of(reader)
        report = analyse(session_records(reader), insts)
        inventory = _max_inventory(reader.records_iter(), insts)  # fills are the session's own
    trading = summary["trading"]
    pnl = report["pnl"]
    fills = report["fills"]
    row: dict[str, Any] = {"cell": cell.id}
    row.update(dict(cell.values()))
    row.update(
        {
            "recording": cell.recording,
            "seed": cell.seed,
            "seconds": cell.seconds,
            "currency": report["currency"],
            "pnl": float(Decimal(pnl["total"])),
            "pnl_exact": pnl["total"],
            "realized": float(Decimal(pnl["realized"])),
            "fees": float(Decimal(pnl["fees"])),
            "max_drawdown": float(Decimal(pnl["max_drawdown"])),
            "sharpe": pnl["sharpe"],
            "sortino": pnl["sortino"],
            "fills": fills["count"],
            "maker_fills": fills["maker"],
            "orders": trading["orders_submitted"],
            "orders_denied": trading["orders_denied"],
            "max_inventory_value": inventory,
            "records": summary["records"],
        }
    )
    row.update((f"recording.{key}", value) for key, value in partitions(cell.recording))
    for horizon in MARKOUTS:
        mark = fills["markouts"].get(horizon) or {}
        row[f"markout_{horizon}_bps"] = mark.get("avg_bps")
    return row


def _max_inventory(records: Any, insts: dict[str, Any]) -> float:
    """The largest value of the open inventory over the session: the sum over instruments of
    |position| x its last fill price (quote currency), after each fill."""
    lots: dict[str, int] = {}
    value: dict[str, Decimal] = {}
    top = Decimal(0)
    for _, _, _, ev in records:
        if type(ev) is not events.OrderFilled:
            continue
        inst = insts[ev.instrument]
        signed = ev.qty if ev.side.name == "BUY" else -ev.qty
        lots[ev.instrument] = held = lots.get(ev.instrument, 0) + signed
        value[ev.instrument] = abs(inst.lots_to_qty(held) * inst.ticks_to_price(ev.price))
        top = max(top, sum(value.values(), Decimal(0)))
    return float(top)
