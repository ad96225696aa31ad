"""What a session says when it ends (headless runs print it; ``--json`` as is): the books'
tops, trades and volume per instrument, the trading desk's totals and each quoter's counters.
Deterministic for ``--fast --seed``: no wall-clock data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tradeterm.core.clock import FAST_START_NS, NS
from tradeterm.core.views import PortfolioView
from tradeterm.domain.instruments import Instrument

if TYPE_CHECKING:
    from tradeterm.kernel import Kernel

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
        "venue": kernel.venue.name,
        "seed": kernel.seed,
        "fast": kernel.options.fast,
        "sim_seconds": (kernel.clock.timestamp_ns() - start) / NS if start else None,
        "events": kernel.bus.seq,
        "market_events": kernel.market.md_events,
        "instruments": instruments,
        "trading": kernel.desk.summary(),
    } | _quoter_summary(kernel)


def positions_summary(view: PortfolioView, instruments: Mapping[str, Instrument]
                      ) -> dict[str, Any]:
    """Every position that traded, by symbol, as the portfolio values it: ``qty`` (the lots
    position), ``balance`` (the base asset at the venue: qty less base-asset fees), average
    price, realized and unrealized PnL, ``fees`` (valued in the quote currency) and
    ``fees_paid`` (every fee in the currency it was charged in)."""
    out = {}
    for iid, row in sorted(view.positions.items()):
        inst = instruments[iid]
        if row.qty == 0 and row.realized == 0 and row.fees == 0 and not row.paid:
            continue
        out[inst.symbol] = {
            "qty": f"{inst.lots_to_qty(row.qty):f}",
            "balance": None if row.balance is None else f"{row.balance:f}",
            "avg_price": None if row.avg_price is None else f"{row.avg_price:f}",
            "realized": f"{row.realized:f}", "unrealized": f"{row.unrealized:f}",
            "fees": f"{row.fees:f}", "currency": inst.quote,
            "fees_paid": {c: f"{a:f}" for c, a in row.paid.items()}}
    return out


def _quoter_summary(kernel: Kernel) -> dict[str, Any]:
    if not kernel.quoters:
        return {}
    from tradeterm import quoting

    return {"quoters": quoting.summary(kernel.quoters)}


def _price(inst: Instrument, ticks: int | None) -> str | None:
    return None if ticks is None else str(inst.ticks_to_price(ticks))
