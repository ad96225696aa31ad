"""The desk's positions in the headless summary (``TradingDesk.summary``): deterministic text for
``--fast --seed`` runs, every amount as a Decimal string."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tradeterm.core.views import PortfolioView
from tradeterm.domain.instruments import Instrument


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
