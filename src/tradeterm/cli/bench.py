"""``tradeterm bench [--json] [--only NAMES] [--quick]``."""

from __future__ import annotations

import argparse
import sys

from tradeterm.cli.errors import UsageError


def run_bench(args: argparse.Namespace) -> int:
    from tradeterm.bench import runner

    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    if args.only is not None and not names:
        raise UsageError("--only needs at least one benchmark name")
    try:
        selected = runner.select(names)
    except runner.UnknownBenchmark as exc:
        raise UsageError(str(exc)) from None
    figures, skipped = [], []
    for name in selected:
        if not args.json:
            print(
                f"running {name}{' (quick)' if args.quick else ''}...", file=sys.stderr, flush=True
            )
        try:
            figures += runner.run([name], quick=args.quick)
        except (FileNotFoundError, ImportError) as exc:  # missing data or optional package
            skipped.append(name)  # that figure only: the others still run
            print(f"tradeterm: bench: {name} skipped: {exc}", file=sys.stderr, flush=True)
    if not figures:
        raise UsageError(f"no figure could run ({len(skipped)} skipped, reasons above)")
    print(runner.to_json(figures) if args.json else runner.to_table(figures))
    return 0
