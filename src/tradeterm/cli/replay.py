"""``tradeterm replay RECORDING``: the TUI with transport controls, or headless with a progress
bar on stderr and a summary on stdout."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path
from typing import Any

from tradeterm.cli.analyse import damage_refusal, journal_refusal, lost_warning
from tradeterm.cli.errors import UsageError
from tradeterm.cli.run import prepare_data_dir, run_session, settings_for
from tradeterm.record.journal import JournalError
from tradeterm.record.replay_time import parse_time
from tradeterm.record.replay_state import speed_label
from tradeterm.runtime.kernel import Kernel
from tradeterm.runtime.options import RunOptions

BAR = 30
log = logging.getLogger("tradeterm")


def parse_speed(text: str) -> float:
    """``max`` (infinity) or a number from 0.1 to 100 (a trailing ``x`` is allowed)."""
    if text.strip().lower() in ("max", "inf", "fast"):
        return float("inf")
    try:
        value = float(text.strip().lower().rstrip("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a speed like 1, 10 or max, got {text!r}"
        ) from None
    if not 0.1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"speed must be from 0.1 to 100 (or max), got {text}")
    return value


def run_replay(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    headless = args.headless or args.json
    speed: float | None = (
        args.speed if args.speed is not None else (float("inf") if headless else 1.0)
    )
    if args.fast or speed == float("inf"):
        speed = None  # as fast as possible
    prepare_data_dir(settings)
    quoter = getattr(args, "quoter", None)
    if quoter is not None and not args.paper:
        raise UsageError(
            "--quoter needs --paper: a plain replay does not trade (replay the "
            "market data with --paper and the quoter trades it on paper fills)"
        )
    options = RunOptions(
        mode="replay",
        seconds=args.seconds,
        record=not args.no_record,
        replay=args.recording,
        speed=speed,
        interactive=not headless,
        quoter=quoter,
        paper=args.paper,
        skip_damaged=args.skip_damaged,
    )
    try:
        kernel = Kernel(settings, options)
    except JournalError as exc:
        raise UsageError(str(exc)) from None
    replay = kernel.replay
    assert replay is not None
    reader = replay.reader
    if reader.damaged_at is not None:
        print(
            f"tradeterm: warning: {reader.path.name}: {reader.damage}; replaying "
            f"the {reader.records:,} records before it",
            file=sys.stderr,
        )
    damage = reader.check_blocks()  # before the first record: refuse now, not half-way
    if damage and not args.skip_damaged:
        reader.close()
        raise damage_refusal(damage, "replay")
    if args.start:
        state = replay.state
        try:
            target = parse_time(args.start, state.start_ns, state.end_ns, state.start_ns)
        except ValueError as exc:
            reader.close()
            raise UsageError(f"--start: {exc}") from None
        replay.seek(target)
        if speed is not None or headless:
            replay.state.paused = False  # play on from the target
    code = run_session(kernel, headless, args.json, _progress_bar, _add_replay_section)
    if replay.failure is not None:  # a block that passed its checksum but does not decode
        raise journal_refusal(replay.failure, "replay")
    warning = lost_warning([reader])
    if warning:
        print(warning, file=sys.stderr)
    return code


def _add_replay_section(kernel: Kernel, summary: dict[str, Any]) -> None:
    replay = kernel.replay
    assert replay is not None
    state = replay.state
    summary["replay"] = {
        "source": Path(state.source).name,
        "records": state.total,
        "read": state.published,
        "speed": speed_label(state.speed),
        "paper": kernel.options.paper,
        "complete": state.done and state.published == state.total,
        "lost_records": state.lost,
        "start_ns": state.start_ns,
        "end_ns": state.clock_ns,
    }


async def _progress_bar(kernel: Kernel) -> None:
    """A progress bar on stderr (one line a second when stderr is not a terminal)."""
    replay = kernel.replay
    assert replay is not None
    tty = sys.stderr.isatty()
    started = time.perf_counter()
    try:
        await _draw_bar(replay.state, tty, started)
    finally:
        if tty:
            print(file=sys.stderr)  # leave the bar's line


async def _draw_bar(state: Any, tty: bool, started: float) -> None:
    while True:
        await asyncio.sleep(0.2 if tty else 1.0)
        frac = state.progress
        filled = int(frac * BAR)
        elapsed = time.perf_counter() - started
        clock = time.strftime("%H:%M:%S", time.gmtime(state.clock_ns / 1e9))
        line = (
            f"[{'#' * filled}{'.' * (BAR - filled)}] {frac * 100:5.1f}%  {clock} UTC  "
            f"{state.published:,}/{state.total:,} records  "
            f"{state.published / max(elapsed, 1e-9):,.0f}/s"
        )
        print(("\r" + line) if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)
