"""``tradeterm record`` (a headless session whose point is its recording) and
``tradeterm import binance`` (exchange captures -> a recording)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from tradeterm.cli.errors import UsageError
from tradeterm.cli.kernel_build import build_kernel
from tradeterm.cli.run import prepare_data_dir, run_headless, settings_for
from tradeterm.cli.venue_args import (
    refuse_sim_flags,
    refuse_venue_urls,
    venue_choice,
    venue_settings,
)
from tradeterm.runtime.options import RunOptions


def run_record(args: argparse.Namespace) -> int:
    output: Path | None = args.output
    if output is not None and output.exists():
        raise UsageError(f"{output} already exists; choose another name or remove it")
    options = RunOptions(
        mode="record", fast=args.fast, seconds=args.seconds, record=True, recording=output
    )
    if args.venue != "sim":  # a real venue's market data, no keys: nothing can trade
        refuse_sim_flags(args)
        settings = venue_settings(args)
        prepare_data_dir(settings)
        kernel = build_kernel(settings, options, venue_choice(args))
    else:
        refuse_venue_urls(args)
        settings = settings_for(args)
        prepare_data_dir(settings)
        kernel = build_kernel(settings, options)
    code = asyncio.run(run_headless(kernel, as_json=args.json))
    recorder = kernel.recorder
    if recorder is None or recorder.writer is None:
        reason = recorder.failed if recorder is not None else "recording is disabled"
        raise UsageError(f"nothing was recorded: {reason}")
    print(
        f"tradeterm: recorded {recorder.records:,} records "
        f"({recorder.writer.bytes_written:,} bytes) to {recorder.path}",
        file=sys.stderr,
    )
    return code


def run_import(args: argparse.Namespace) -> int:
    from tradeterm.record.binance_import import import_binance
    from tradeterm.record.import_report import CaptureError

    try:
        report = import_binance(list(args.captures), args.output, trades_only=args.trades_only)
    except CaptureError as exc:
        raise UsageError(str(exc)) from None
    size = args.output.stat().st_size
    if args.json:
        print(
            json.dumps(
                {**report.to_json(), "output": str(args.output), "bytes": size}, sort_keys=True
            )
        )
    else:
        print(format_import(report, args.output, size))
    return 0


def format_import(report, output: Path, size: int) -> str:  # type: ignore[no-untyped-def]
    counts = ", ".join(f"{name} {n:,}" for name, n in sorted(report.counts.items()))
    lines = [
        f"imported {report.lines:,} lines into {output} ({report.records:,} records, "
        f"{size:,} bytes, {size / max(report.records, 1):.1f} bytes/record)",
        f"  instruments: {', '.join(report.instruments)} on {report.venue}",
        f"  records: {counts}",
    ]
    if report.stale_diffs:
        lines.append(
            f"  {report.stale_diffs:,} depth diffs before the snapshot dropped, as "
            "Binance documents (already in the snapshot)"
        )
    if report.skipped_depth:
        lines.append(f"  {report.skipped_depth:,} depth diffs not imported (--trades-only)")
    if report.unapplied_diffs:
        lines.append(
            f"  WARNING {report.unapplied_diffs:,} depth diffs waited for a snapshot "
            "that never came: the book ends unsynced"
        )
    for gap in report.gaps:
        lines.append(f"  GAP {gap}")
    if report.malformed:
        lines.append(f"  MALFORMED {report.malformed:,} lines could not be read, e.g.:")
        lines.extend(f"    {example}" for example in report.malformed_examples)
    for kind, n in sorted(report.unhandled.items()):
        lines.append(f"  {n:,} messages of {kind} are not handled and were left out")
    for note in report.truncated:
        lines.append(f"  TRUNCATED {note}")
    return "\n".join(lines)
