"""Run modes from the command line: headless (progress + summary) or the TUI."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from decimal import Decimal
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

from tradeterm.cli.errors import UsageError
from tradeterm.cli.kernel_build import build_kernel
from tradeterm.config import Settings, load_settings
from tradeterm.core import heap
from tradeterm.core.display import money, signed_money
from tradeterm.runtime.kernel import Kernel
from tradeterm.cli.venue_args import (
    refuse_sim_flags,
    refuse_venue_urls,
    venue_choice,
    venue_settings,
)
from tradeterm.runtime.options import RunOptions

log = logging.getLogger("tradeterm")


def command_line_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the run flags name, by section: the strongest source (``load_settings``).
    ``--activity`` picks a preset, so it also drops an events_per_second from a weaker source;
    ``--rate`` overrides both."""
    sim: dict[str, Any] = {}
    if getattr(args, "seed", None) is not None:
        sim["seed"] = args.seed
    if getattr(args, "activity", None):
        sim["activity"] = args.activity
        sim["events_per_second"] = None
    if getattr(args, "rate", None):
        sim["events_per_second"] = args.rate
    flags: dict[str, Any] = {"sim": sim} if sim else {}
    if getattr(args, "no_record", False):
        flags["record"] = {"enabled": False}
    return flags


def shows_screen(args: argparse.Namespace) -> bool:
    """Whether this command opens the workstation (the TUI, or a browser tab with ``serve``)."""
    if args.command == "serve":
        return True
    if args.command not in ("paper", "live", "replay"):
        return False
    return not (args.headless or args.json or getattr(args, "fast", False))


def check_screen_settings(settings: Settings, args: argparse.Namespace) -> Settings:
    """``[ui]`` keys and theme, before anything starts (ConfigError: exit 2)."""
    if shows_screen(args):
        from tradeterm.ui.config_check import require_valid

        require_valid(settings)
    return settings


def settings_for(args: argparse.Namespace) -> Settings:
    """The config file, the environment and the run flags (``--symbols`` picks from the sim
    market's instruments, wherever they were configured)."""
    settings = check_screen_settings(
        load_settings(args.config, **command_line_settings(args)), args
    )
    symbols = getattr(args, "symbols", None)
    if symbols:
        wanted = [s.strip() for s in symbols.split(",") if s.strip()]
        known = {i.symbol.upper(): i for i in settings.sim.instruments}
        unknown = [s for s in wanted if s.upper() not in known]
        if unknown or not wanted:
            named = ", ".join(unknown) if unknown else repr(symbols)
            available = ", ".join(i.symbol for i in known.values())
            raise UsageError(f"unknown symbol(s) {named} on the sim venue; available: {available}")
        chosen = [known[s.upper()] for s in wanted]
        settings = settings.model_copy(
            update={"sim": settings.sim.model_copy(update={"instruments": chosen})}
        )
    return settings


def prepare_data_dir(settings: Settings) -> Path:
    """Create the data dir (0700) and log to ``<data dir>/logs/tradeterm.log`` (0600)."""
    from tradeterm.core.files import private_dir, too_open, touch_private

    data_dir = settings.resolved_data_dir()
    log_file = data_dir / "logs" / "tradeterm.log"
    try:
        private_dir(log_file.parent)
        touch_private(log_file)
        handler = logging.FileHandler(log_file, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot use data dir {data_dir}: {exc.strerror or exc}; "
            "set TRADETERM_DATA_DIR or data_dir in the config"
        ) from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    log.addHandler(handler)
    if too_open(data_dir):
        log.warning("data dir %s can be read by other users: chmod 700 %s", data_dir, data_dir)
    return data_dir


def run_paper(args: argparse.Namespace) -> int:
    headless = args.headless or args.json or args.fast
    options = RunOptions(
        mode="paper",
        fast=args.fast,
        seconds=args.seconds,
        record=not args.no_record,
        interactive=not headless,
        quoter=getattr(args, "quoter", None),
        signals=True,
    )
    if getattr(args, "venue", "sim") != "sim":
        kernel = _paper_on_venue(args, options)
    else:
        refuse_venue_urls(args)
        settings = settings_for(args)
        prepare_data_dir(settings)
        kernel = build_kernel(settings, options)
    return run_session(kernel, headless, args.json)


def _paper_on_venue(args: argparse.Namespace, options: RunOptions) -> Kernel:
    """Paper on a real venue's live market data (Binance, or any ccxt exchange): no keys,
    nothing reaches the exchange; the session's orders are filled on paper by the [paper] fill
    model against the real book and trades."""
    refuse_sim_flags(args)
    settings = check_screen_settings(venue_settings(args), args)
    prepare_data_dir(settings)
    return build_kernel(settings, options, venue_choice(args, paper=True))


def run_session(
    kernel: Kernel,
    headless: bool,
    as_json: bool,
    progress: Callable[[Kernel], Awaitable[None]] | None = None,
    extend: Callable[[Kernel, dict[str, Any]], None] | None = None,
) -> int:
    """Run a built kernel in the TUI or headless (paper, live and replay share this), then say
    where the session was recorded. ``progress`` replaces the one-line-a-second progress;
    ``extend`` adds a mode's own section to the summary."""
    if headless:
        code = asyncio.run(run_headless(kernel, as_json, progress or _progress, extend))
    else:
        from tradeterm.ui.app import create_app

        app = create_app(kernel)
        app.settle_heap = True
        app.run()
        code = app.return_code or 0
    if kernel.recorder is not None and kernel.recorder.writer is not None:
        print(f"tradeterm: recorded this session to {kernel.recorder.path}", file=sys.stderr)
    return code


async def run_headless(
    kernel: Kernel,
    as_json: bool,
    progress: Callable[[Kernel], Awaitable[None]] | None = None,
    extend: Callable[[Kernel, dict[str, Any]], None] | None = None,
) -> int:
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log.addHandler(stderr)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, kernel.request_stop)
    ticker: asyncio.Task[None] = asyncio.ensure_future((progress or _progress)(kernel))
    loop.call_later(1.0, heap.settle)  # once the market is up (see core/heap.py)
    try:
        await kernel.run()
    finally:
        ticker.cancel()
        log.removeHandler(stderr)
    summary = kernel.summary()
    if extend is not None:
        extend(kernel, summary)
    if as_json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(format_summary(summary, kernel.wall_seconds))
    return 0


async def _progress(kernel: Kernel) -> None:
    """One line a second on stderr while a headless run goes."""
    started = time.perf_counter()
    while True:
        await asyncio.sleep(1.0)
        status = kernel.views.status
        print(
            f"[{time.perf_counter() - started:6.1f}s] events {kernel.bus.seq:,}  "
            f"market {kernel.market.md_events:,}  {status.connection.value}",
            file=sys.stderr,
            flush=True,
        )


def format_summary(summary: dict[str, Any], wall_seconds: float) -> str:
    lines = [
        f"{summary['mode']} on {summary['venue']} (seed {summary['seed']}): "
        f"{summary['events']:,} events in {wall_seconds:.2f}s wall "
        f"({summary['events'] / max(wall_seconds, 1e-9):,.0f}/s)"
    ]
    if summary["sim_seconds"] is not None:
        lines[0] += f", {summary['sim_seconds']:.1f}s simulated"
    for symbol, inst in summary["instruments"].items():
        lines.append(
            f"  {symbol:<14} bid {inst['best_bid']}  ask {inst['best_ask']}  "
            f"last {inst['last']}  trades {inst['trades']:,}  volume {inst['volume']}"
        )
    trading = summary.get("trading")
    if trading:
        reason = f" ({trading['trading_state_reason']})" if trading["trading_state_reason"] else ""
        ccy = trading.get("currency", "")
        lines.append(
            f"trading {trading['trading_state']}{reason}: {trading['orders_submitted']:,} "
            f"orders, {trading['orders_denied']:,} denied, {trading['fills']:,} fills, "
            f"equity {money(Decimal(trading['equity']), ccy)}, today "
            f"{signed_money(Decimal(trading['day_pnl']), ccy)}"
        )
        for symbol, pos in trading["positions"].items():
            quote = pos.get("currency", "")
            balance = (
                f"  balance {pos['balance']}"
                if pos.get("balance") not in (None, pos["qty"])
                else ""
            )
            lines.append(
                f"  {symbol:<14} position {pos['qty']}{balance}  realized "
                f"{money(Decimal(pos['realized']), quote)}  unrealized "
                f"{money(Decimal(pos['unrealized']), quote)}  fees "
                f"{money(Decimal(pos['fees']), quote)}"
            )
    return "\n".join(lines)
