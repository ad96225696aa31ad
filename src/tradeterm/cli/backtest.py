"""``tradeterm backtest RECORDING... --grid quoter.KEY=V1,V2 [--random N] -o SWEEP.parquet``:
a sweep of ``replay --paper --quoter`` runs over parameter points x recordings, on every core,
resumable; ``tradeterm report SWEEP.parquet`` ranks the cells and draws a heatmap."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tradeterm.cli.analyse import open_checked
from tradeterm.cli.ctrl_c import CtrlC
from tradeterm.cli.errors import UsageError
from tradeterm.cli.sweep_grid import parse_axis, plan, recordings
from tradeterm.config import load_settings
from tradeterm.record.journal import JournalError
from tradeterm.record.session import replayable


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _check(path: Path, skip_damaged: bool) -> None:
    """Refuse a recording that cannot be read, has a damaged block (``replay``'s refusal) or
    nothing to replay (``replayable``, as every cell's ``open_source`` would); with
    ``skip_damaged``, say what every cell on it leaves out (its blocks checked once more)."""
    reader = open_checked(path, skip_damaged, "backtest")
    try:
        replayable(reader)
        damage = reader.check_blocks() if skip_damaged else []
        if damage:
            lost = sum(d.records or 0 for d in damage)
            print(
                f"tradeterm: warning: {path.name}: {len(damage):,} damaged block(s) skipped in "
                f"every cell on it: {lost:,} of {reader.records:,} records lost",
                file=sys.stderr,
            )
    except JournalError as exc:
        raise UsageError(str(exc)) from None
    finally:
        reader.close()


def run_backtest(args: argparse.Namespace) -> int:
    from tradeterm.cli.sweep_pool import Progress, outcomes
    from tradeterm.cli.sweep_store import SweepStore

    if args.output.suffix != ".parquet":
        raise UsageError(f"-o {args.output}: the sweep's table is a .parquet file")
    load_settings(args.config)  # a broken config is refused here (ConfigError), not in each cell
    axes = [parse_axis(text) for text in args.grid]
    paths = recordings(args.recordings)
    for path in paths:  # a bad or damaged recording is refused before any cell runs
        _check(Path(path), args.skip_damaged)
    cells = plan(axes, paths, args.random, args.seed, args.seconds, args.skip_damaged)
    store = SweepStore(args.output)
    done = store.done()
    todo = [c for c in cells if c.id not in done]
    workers = min(args.workers or default_workers(), max(len(todo), 1))
    where = f"Ray ({args.ray})" if args.ray else f"{workers} worker(s)"
    print(
        f"tradeterm: {len(cells):,} cells ({len(cells) // len(paths):,} parameter points x "
        f"{len(paths):,} recordings), {len(todo):,} to run on {where}",
        file=sys.stderr,
    )
    if args.ray:
        from tradeterm.cli.sweep_ray import ray_outcomes

        ends = ray_outcomes(todo, args.ray, args.config)
    else:
        ends = outcomes(todo, workers, args.config)
    progress = Progress(len(todo), len(cells) - len(todo))
    started = time.perf_counter()
    try:
        with CtrlC() as ctrl_c:
            for cell, outcome in ends:
                if isinstance(outcome, BaseException):
                    progress.advance(cell, outcome)
                else:
                    store.write(outcome)
                    progress.advance(cell, None)
                ctrl_c.check()  # one dropped where it landed (a finalizer) stops here
    except KeyboardInterrupt:
        progress.close()
        print(
            f"tradeterm: interrupted: {len(store.done() & {c.id for c in cells}):,} of "
            f"{len(cells):,} cells done (in {store.cells}); the same command runs the rest",
            file=sys.stderr,
        )
        raise
    progress.close()
    rows = store.merge(c.id for c in cells)
    wall = time.perf_counter() - started
    print(
        f"tradeterm: {len(todo) - progress.failed:,} cell(s) in {wall:.1f}s "
        f"({(len(todo) - progress.failed) / max(wall, 1e-9):.2f} cells/s); {rows:,} rows in "
        f"{args.output}",
        file=sys.stderr,
    )
    return 1 if progress.failed else 0
