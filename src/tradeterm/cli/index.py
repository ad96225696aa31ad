"""``tradeterm index REC``: keyframes for a recording made without them (an older file, an
import), written to a side file next to it (``record/keyframe_file.py``); the recording itself
is never modified. A recording that has keyframes of its own needs none."""

from __future__ import annotations

import argparse
import sys

from tradeterm.cli.errors import UsageError


def run_index(args: argparse.Namespace) -> int:
    from tradeterm.record.journal import JournalError, JournalReader
    from tradeterm.record.keyframe_file import build_side_file

    if not 0 < args.interval <= 3600:
        raise UsageError("--interval: give seconds between keyframes, from above 0 to 3600")
    try:
        with JournalReader(args.recording, skip_damaged=args.skip_damaged) as reader:
            if len(reader.keyframes):
                print(
                    f"tradeterm: {args.recording} has {len(reader.keyframes):,} keyframes of "
                    "its own: nothing to do"
                )
                return 0
            path, count = build_side_file(reader, args.interval)
            lost = reader.lost_records
    except JournalError as exc:
        print(f"tradeterm: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"tradeterm: cannot write the side file: {exc}", file=sys.stderr)
        return 1
    tail = f" ({lost:,} records in damaged blocks skipped)" if lost else ""
    print(f"tradeterm: {count:,} keyframes written to {path}{tail}")
    return 0
