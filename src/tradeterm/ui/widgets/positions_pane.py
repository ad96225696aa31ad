"""Positions: quantity, average price, mark, unrealized and realized PnL, fees; under a
position, where they differ from what the row says, its base balance at the venue (fees paid in
the coin leave it under the lots position), every fee as charged per currency, and the fees no
rate values (left out of PnL). Detail lines wrap at words: a figure is never cut."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from tradeterm.core.display import base_amount, money as money_in
from tradeterm.core.views import PortfolioView, PositionRow
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import palette
from tradeterm.ui.widgets.fit import Column, fit_columns, flow_text, header_row, table_row
from tradeterm.ui.widgets.pane import Row, TextPane

# most important kept longest: a narrow pane shows symbol, qty and unrealized PnL
COLUMNS = (
    Column("symbol", 11, 0, left=True),
    Column("qty", 8, 0),
    Column("avg", 9, 3),
    Column("mark", 10, 4),
    Column("unreal", 9, 1),
    Column("real", 9, 2),
    Column("fees", 8, 5),
)


def money(value: Decimal | None, places: int = 2) -> str:
    """A price or an amount to ``places`` decimals, grouped (``-`` for none)."""
    return "-" if value is None else f"{value:,.{places}f}"


def signed_style(value: Decimal) -> str:
    pal = palette()
    return pal.buy if value > 0 else pal.sell if value < 0 else ""


def ledger_lines(row: PositionRow, inst: Instrument) -> tuple[list[str], list[str]]:
    """What a position's row does not say, as (balance, fees) detail items: the base balance
    where fees paid in the coin left it under the lots position, and every fee as charged
    where any was not in the quote currency, naming those no rate values (not in PnL). An
    amount and its currency are joined by a no-break space: they wrap together."""
    balance, fees = [], []
    if row.balance is not None and row.balance != inst.lots_to_qty(row.qty):
        balance.append(f"{inst.base} balance {base_amount(inst, row.balance)}")
    if any(c != inst.quote for c in row.paid):
        quote_first = sorted(row.paid.items(), key=lambda kv: (kv[0] != inst.quote, kv[0]))
        paid = " + ".join(money_in(a, c or inst.quote).replace(" ", NBSP) for c, a in quote_first)
        unpriced = ", ".join(sorted(row.unpriced))
        fees.append(
            f"{inst.base} fees {paid}"
            + (f" ({unpriced}: no price, not in PnL)" if unpriced else "")
        )
    return balance, fees


NBSP = "\u00a0"


class PositionsPane(TextPane):
    DEFAULT_CSS = "PositionsPane { height: 1fr; }"

    def __init__(
        self, view: PortfolioView, instruments: Mapping[str, Instrument], **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.instruments = instruments

    def refresh_view(self) -> None:
        if not self.changed(self.view.version, self.size.width, palette()):
            return
        width = self.size.width or 80
        keep = fit_columns(COLUMNS, width)
        rows: list[Row] = [header_row(COLUMNS, keep)]
        details: tuple[list[str], list[str]] = ([], [])
        for iid, p in sorted(self.view.positions.items()):
            if p.qty == 0 and p.realized == 0 and p.fees == 0 and not p.paid:
                continue
            inst = self.instruments.get(iid)
            qty = inst.lots_to_qty(p.qty) if inst else Decimal(p.qty)
            px = inst.price_decimals + 1 if inst else 2  # an average sits between ticks
            cash = lambda v: money_in(v, p.currency, unit=False)  # noqa: E731
            rows.append(
                table_row(
                    COLUMNS,
                    keep,
                    [
                        (inst.symbol if inst else iid, ""),
                        (f"{qty.normalize():+f}", "bold " + signed_style(qty)),
                        (money(p.avg_price, px), ""),
                        (money(p.mark, px - 1), ""),
                        (cash(p.unrealized), signed_style(p.unrealized)),
                        (cash(p.realized), signed_style(p.realized)),
                        (cash(p.fees), "dim"),
                    ],
                )
            )
            if inst is not None:
                balances, fees = ledger_lines(p, inst)
                details[0].extend(balances)
                details[1].extend(fees)
        # under every position (a short pane shows the positions first): the balances, which
        # say what can be sold, then the fees as charged
        for item in details[0] + details[1]:
            for line in flow_text(item, [], width, indent="  "):
                rows.append(
                    ((line.replace(NBSP, " "), "yellow" if "not in PnL" in item else "dim"),)
                )
        if len(rows) == 1:
            rows.append((("flat: no positions", "dim italic"),))
        self.set_rows(rows)
