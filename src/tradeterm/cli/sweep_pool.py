"""Running a sweep's cells: in this process (``--workers 1``) or on a pool of processes, each
row written as soon as its cell ends; progress (cells done, rate, ETA) on stderr."""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from tradeterm.cli.sweep_cell import run_cell
from tradeterm.cli.sweep_grid import Cell


def outcomes(
    cells: list[Cell], workers: int, config: Path | None
) -> Iterator[tuple[Cell, dict[str, Any] | BaseException]]:
    """(cell, row or the exception it raised) as each cell ends. A pool is fed ``2 x workers``
    cells at a time, so a Ctrl-C leaves few submitted cells to cancel."""
    if workers == 1:
        for cell in cells:
            yield cell, _attempt(run_cell, cell, config)
        return
    # spawn: a worker starts clean (no inherited threads or loop), and imports once
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    pending: dict[Future[dict[str, Any]], Cell] = {}
    queue = iter(cells)
    try:
        while True:
            for cell in queue:
                pending[pool.submit(run_cell, cell, config)] = cell
                if len(pending) >= 2 * workers:
                    break
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                cell = pending.pop(future)
                exc = future.exception()
                yield cell, exc if exc is not None else future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _attempt(
    fn: Callable[[Cell, Path | None], dict[str, Any]], cell: Cell, config: Path | None
) -> dict[str, Any] | BaseException:
    try:
        return fn(cell, config)
    except Exception as exc:  # the cell failed; the sweep goes on and says so
        return exc


class Progress:
    """Cells done, rate and ETA: a rich bar on a terminal, a line per cell otherwise."""

    def __init__(self, total: int, skipped: int) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.started = time.perf_counter()
        self._bar: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress as Bar,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Bar(
                TextColumn("sweep"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._task = self._bar.add_task("sweep", total=total, rate="")
            self._bar.start()
        if skipped:
            self._say(f"{skipped:,} cell(s) already done, skipped")

    def _say(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text)
        else:
            print(f"tradeterm: {text}", file=sys.stderr, flush=True)

    def advance(self, cell: Cell, error: BaseException | None) -> None:
        self.done += 1
        if error is not None:
            self.failed += 1
            self._say(f"cell {cell.id} ({cell.recording} {dict(cell.params)}) failed: {error}")
        rate = self.done / max(time.perf_counter() - self.started, 1e-9)
        eta = (self.total - self.done) / rate
        if self._bar is not None:
            self._bar.update(self._task, advance=1, rate=f"{rate:.2f} cells/s")
        else:
            self._say(f"[{self.done}/{self.total}] {rate:.2f} cells/s, ETA {eta:.0f}s")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
