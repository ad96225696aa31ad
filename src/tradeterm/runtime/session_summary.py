"""What a session says when it ends (headless runs print it; ``--json`` as is): the books'
tops, trades and volume per instrument, the trading desk's totals and each quoter's counters.
Deterministic for ``--fast --seed``: no wall-clock data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradeterm.core.clock import FAST_START_NS, NS
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.summary import desk_summary

if TYPE_CHECKING:
    from tradeterm.runtime.kernel import Kernel

SUMMARY_LEVELS = 20  # book levels a side in the summary

def session_summary(kernel: Kernel) -> dict[str, Any]:
    """What a headless run prints. Deterministic for ``--fast --seed``: no wall-clock data."""
    instruments: dict[str, Any] = {}
    for iid, inst in kernel.instruments.items():
        book = kernel.views.books[iid]
        stats = kernel.views.stats[iid]
        bids, asks = book.top(SUMMARY_LEVELS)
        instruments[inst.symbol] = {
            "best_bid": _price(inst, book.best_bid),
            "best_ask": _price(inst, book.best_ask),
            "last": _price(inst, stats.last_price),
            "trades": stats.trades,
            "volume": str(inst.lots_to_qty(stats.volume)),
            "bids": [[str(inst.ticks_to_price(p)), str(inst.lots_to_qty(s))] for p, s in bids],
            "asks": [[str(inst.ticks_to_price(p)), str(inst.lots_to_qty(s))] for p, s in asks],
        }
    start = FAST_START_NS if kernel.options.fast else None
    return {
        "mode": kernel.options.mode,
        "venue": kernel.clients.name,
        "seed": kernel.seed,
        "fast": kernel.options.fast,
        "sim_seconds": (kernel.clock.timestamp_ns() - start) / NS if start else None,
        "events": kernel.bus.seq,
        "market_events": kernel.market.md_events,
        "instruments": instruments,
        "trading": desk_summary(kernel.desk),
    } | _quoter_summary(kernel)


def _quoter_summary(kernel: Kernel) -> dict[str, Any]:
    if not kernel.quoters:
        return {}
    from tradeterm.trading import quoter_wiring

    return {"quoters": quoter_wiring.summary(kernel.quoters)}


def _price(inst: Instrument, ticks: int | None) -> str | None:
    return None if ticks is None else str(inst.ticks_to_price(ticks))
