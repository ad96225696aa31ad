"""The desk's figures in the headless summary (``runtime/session_summary.py``): deterministic
text for ``--fast --seed`` runs, every amount as a Decimal string."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tradeterm.core.views import PortfolioView
from tradeterm.domain.instruments import Instrument

if TYPE_CHECKING:
    from tradeterm.trading.desk import TradingDesk


def desk_summary(desk: TradingDesk) -> dict[str, Any]:
    """Trading state, order counts, positions, equity and the reconciliations."""
    pv = desk.views.portfolio
    return {
        "trading_state": desk.killswitch.state.value,
        "trading_state_reason": desk.killswitch.reason,
        "orders_submitted": desk.submitted,
        "orders_denied": desk.denials.count,
        "working_orders": len(desk.oms.working),
        "fills": desk.oms.fills_applied,
        "positions": positions_summary(pv, desk.instruments),
        "currency": pv.currency,
        "equity": str(pv.equity),
        "day_pnl": str(pv.day_pnl),
        "fees": str(pv.fees),
        "fees_unpriced": {c: f"{a:f}" for c, a in pv.unpriced_fees.items()},
        "reconciliation": [r.describe() for r in desk.reconciliations],
    }


def positions_summary(view: PortfolioView, instruments: Mapping[str, Instrument]) -> dict[str, Any]:
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
            "realized": f"{row.realized:f}",
            "unrealized": f"{row.unrealized:f}",
            "fees": f"{row.fees:f}",
            "currency": inst.quote,
            "fees_paid": {c: f"{a:f}" for c, a in row.paid.items()},
        }
    return out
