"""The orders blotter's held rows: selectable with up/down after the working orders, ``x`` asks
to cancel the held order selected (as ``cxl <id>`` does); a working leg of a bracket or an OCO
names its role and parent (``entry of #1``) where a plain order shows its source."""

from decimal import Decimal

from tradeterm.core.views import HeldOrdersView, WorkingOrdersView
from tradeterm.domain.held import HeldKind, HeldOrder, HeldState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.ui.widgets.orders_blotter import OrdersBlotter

BTC = Instrument("sim", "SIM-BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))
ID = "TT000001-0000000"


def blotter_with_a_bracket() -> OrdersBlotter:
    """A bracket #1 whose entry #2 works at the venue, its exits #3 and #4 held, and a plain
    order #5."""
    working, held = WorkingOrdersView(), HeldOrdersView()
    parent = HeldOrder(ID + "1", BTC.id, HeldKind.BRACKET, Side.BUY, 100, 10, ts_created=1)
    entry = HeldOrder(ID + "2", BTC.id, HeldKind.LIMIT, Side.BUY, 100, 10, parent_id=ID + "1")
    entry.role, entry.state, entry.ts_created = "entry", HeldState.WORKING, 2
    tp = HeldOrder(ID + "3", BTC.id, HeldKind.LIMIT, Side.SELL, 0, 20, parent_id=ID + "1")
    sl = HeldOrder(ID + "4", BTC.id, HeldKind.STOP, Side.SELL, 0, None, 5, parent_id=ID + "1")
    tp.role, tp.ts_created, sl.role, sl.ts_created = "tp", 3, "sl", 4
    for h in (parent, entry, tp, sl):
        held.orders[h.held_id] = h
    for coid, ts in ((ID + "2", 2), (ID + "5", 5)):
        order = Order(coid, BTC.id, Side.BUY, 100, price=10, status=OrderStatus.ACCEPTED)
        order.ts_created = ts
        working.orders[coid] = order
    return OrdersBlotter(working, {BTC.id: BTC}, held)


def texts(blotter: OrdersBlotter) -> list[str]:
    return ["".join(cell[0] for cell in row) for row in blotter.rows()]


def test_a_brackets_working_entry_names_its_parent():
    rows = texts(blotter_with_a_bracket())
    entry = next(r for r in rows if r[2:].startswith("#2"))
    plain = next(r for r in rows if r[2:].startswith("#5"))
    assert "entry of #1" in entry and "manual" not in entry
    assert "manual" in plain


def test_held_rows_are_selected_with_down_and_cancelled_with_x():
    blotter = blotter_with_a_bracket()
    asked = []
    blotter.post_message = asked.append  # type: ignore[method-assign]
    assert blotter.selected().client_order_id == ID + "2"
    blotter.action_select(1)  # the plain order #5
    blotter.action_select(1)  # the first held row: the parent #1
    assert blotter.selected_held().held_id == ID + "1"
    assert blotter.selected() is None  # shift+up moves no working order now
    assert any(r.startswith("› #1") for r in texts(blotter))
    blotter.action_select(1)
    blotter.action_cancel_selected()
    assert [m.order.held_id for m in asked] == [ID + "3"]
    blotter.action_select(-1)
    blotter.action_select(-1)  # back to the working order #5
    blotter.action_cancel_selected()
    assert asked[-1].order.client_order_id == ID + "5"
