"""The orders blotter in a narrow pane (80x24: about 30 columns) of an instrument with an
8-decimal lot (Binance's BTC/USDT): seen in tmux, the status column went before anything else
could, and the trader could not tell an accepted order from one still waiting for the venue.
The quantities lose the trailing zeros of their lot's precision first (the same number)."""

from decimal import Decimal

from textual.geometry import Size

from tradeterm.core.views import HeldOrdersView, WorkingOrdersView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.ui.widgets.orders_blotter import OrdersBlotter

BTC = Instrument("binance", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00000001"))


class Narrow(OrdersBlotter):
    width = 80

    @property
    def size(self) -> Size:  # as the pane is laid out on a screen of that width
        return Size(self.width, 10)


def blotter(width: int) -> Narrow:
    working = WorkingOrdersView()
    for n, status in ((1, OrderStatus.ACCEPTED), (2, OrderStatus.SUBMITTED)):
        coid = f"TT000001-0000000{n}"
        order = Order(coid, BTC.id, Side.BUY, 1_000_000, price=6_181_200, status=status)
        order.ts_created = n
        working.orders[coid] = order
    pane = Narrow(working, {BTC.id: BTC}, HeldOrdersView())
    pane.width = width
    return pane


def texts(pane: OrdersBlotter) -> list[str]:
    return ["".join(cell[0] for cell in row) for row in pane.rows()]


def test_a_narrow_blotter_keeps_the_status_and_trims_the_quantities():
    rows = texts(blotter(32))
    assert rows[0].split() == ["id", "side", "qty", "price", "st"], rows
    assert rows[1].split()[-4:] == ["BUY", "0.01", "61812.00", "open"], rows
    assert rows[2].split()[-4:] == ["BUY", "0.01", "61812.00", "sent"], rows
    assert all(len(r) <= 32 for r in rows), rows


def test_a_wide_blotter_keeps_the_lot_precision():
    rows = texts(blotter(120))
    assert "0.01000000" in rows[1] and "ACCEPTED" in rows[1], rows
