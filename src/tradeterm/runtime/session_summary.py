"""What a session says when it ends (headless runs print it; ``--json`` as is): the books'
tops, trades and volume per instrument from the engine's views, the trading desk's totals
(``trading/summary.py``) and each quoter's counters. Deterministic for ``--fast --seed``: no
wall-clock data. The kernel hands each part over; nothing here reads the kernel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tradeterm.core.views import EngineViews
from tradeterm.domain.instruments import Instrument

SUMMARY_LEVELS = 20  # book levels a side in the summary


@dataclass(frozen=True)
class SessionFacts:
    """The session's own line: what ran, on what, for how long (simulated time only)."""

    mode: str
    venue: str
    seed: int
    fast: bool
    sim_seconds: float | None  # simulated seconds run, for --fast; None on the wall clock
    events: int  # every message on the bus
    market_events: int  # the market data among them


def session_summary(
    facts: SessionFacts,
    views: EngineViews,
    instruments: Mapping[str, Instrument],
    trading: dict[str, Any],
    quoters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The summary's fields in their printed order; ``quoters`` only when the session quoted."""
    books: dict[str, Any] = {}
    for iid, inst in instruments.items():
        book = views.books[iid]
        stats = views.stats[iid]
        bids, asks = book.top(SUMMARY_LEVELS)
        books[inst.symbol] = {
            "best_bid": _price(inst, book.best_bid),
            "best_ask": _price(inst, book.best_ask),
            "last": _price(inst, stats.last_price),
            "trades": stats.trades,
            "volume": str(inst.lots_to_qty(stats.volume)),
            "bids": [[str(inst.ticks_to_price(p)), str(inst.lots_to_qty(s))] for p, s in bids],
            "asks": [[str(inst.ticks_to_price(p)), str(inst.lots_to_qty(s))] for p, s in asks],
        }
    return {
        "mode": facts.mode,
        "venue": facts.venue,
        "seed": facts.seed,
        "fast": facts.fast,
        "sim_seconds": facts.sim_seconds,
        "events": facts.events,
        "market_events": facts.market_events,
        "instruments": books,
        "trading": trading,
    } | ({"quoters": quoters} if quoters is not None else {})


def _price(inst: Instrument, ticks: int | None) -> str | None:
    return None if ticks is None else str(inst.ticks_to_price(ticks))
