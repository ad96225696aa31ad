"""Working orders blotter: every live or in-flight order. up/down select, ``x`` cancels the
selected one, shift+up/down (anywhere) move it one tick; ``mod <id> @ <price>`` on the command
line or the ticket modifies it."""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding
from textual.message import Message

from tradeterm.core.views import WorkingOrdersView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.ui.format import palette
from tradeterm.ui.widgets.pane import Row, TextPane


class OrdersBlotter(TextPane, can_focus=True):
    DEFAULT_CSS = """
    OrdersBlotter { height: 1fr; }
    """
    BINDINGS = [
        Binding("up", "select(-1)", "Prev order", show=False, id="orders.up"),
        Binding("down", "select(1)", "Next order", show=False, id="orders.down"),
        Binding("x", "cancel_selected", "Cancel order", id="orders.cancel"),
    ]

    class CancelRequested(Message):
        def __init__(self, order: Order) -> None:
            super().__init__()
            self.order = order

    def __init__(self, view: WorkingOrdersView, instruments: Mapping[str, Instrument],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.instruments = instruments
        self.selected_id: str | None = None
        self._order_ids: list[str] = []

    def orders(self) -> list[Order]:
        return sorted((o for o in self.view.orders.values() if not o.is_terminal),
                      key=lambda o: (o.ts_created, o.client_order_id))

    def selected(self) -> Order | None:
        order = self.view.orders.get(self.selected_id or "")
        if order is not None and not order.is_terminal:
            return order
        live = self.orders()
        return live[0] if live else None

    def refresh_view(self) -> None:
        if not self.changed(self.view.version, self.selected_id, self.size.width, self.has_focus, palette()):
            return
        self.set_rows(self.rows())

    def rows(self) -> list[Row]:
        pal = palette()
        orders = self.orders()
        self._order_ids = [o.client_order_id for o in orders]
        chosen = self.selected()
        narrow = (self.size.width or 80) < 60  # 80x24: id, side, qty, price, status
        out: list[Row] = [(("  id          side       qty       price  status" if narrow else
                            "  id          symbol      side       qty    filled       price"
                            "  status", "bold dim"),)]
        if not orders:
            out.append((("  no working orders", "dim italic"),))
        for o in orders:
            inst = self.instruments.get(o.instrument)
            sym = inst.symbol if inst else o.instrument
            qty = inst.format_qty(o.qty) if inst else str(o.qty)
            filled = inst.format_qty(o.filled_qty) if inst else str(o.filled_qty)
            price = ("MKT" if o.price is None else inst.format_price(o.price) if inst
                     else str(o.price))
            side_style = pal.buy if o.side is Side.BUY else pal.sell
            mark = "›" if chosen is not None and o.client_order_id == chosen.client_order_id \
                else " "
            row_style = "reverse" if mark == "›" and self.has_focus else ""
            status = o.status.value + ("?" if o.uncertain else "")
            if narrow:
                out.append((
                    (f"{mark} {o.client_order_id[-11:]:<11} ", row_style),
                    (f"{o.side.name:<4}", f"bold {side_style} {row_style}"),
                    (f" {qty:>9} {price:>11}  {status}", row_style)))
                continue
            out.append((
                (f"{mark} {o.client_order_id[-11:]:<11} {sym[-11:]:<11} ", row_style),
                (f"{o.side.name:<4}", f"bold {side_style} {row_style}"),
                (f" {qty:>9} {filled:>9} {price:>11}  {status} {o.source}", row_style),
            ))
        return out

    def action_select(self, step: int) -> None:
        ids = [o.client_order_id for o in self.orders()]
        if not ids:
            return
        current = self.selected()
        i = ids.index(current.client_order_id) if current and current.client_order_id in ids \
            else 0
        self.selected_id = ids[max(0, min(len(ids) - 1, i + step))]
        self.refresh_view()

    def action_cancel_selected(self) -> None:
        order = self.selected()
        if order is not None:
            self.post_message(self.CancelRequested(order))

    def on_focus(self) -> None:
        self.refresh_view()

    def on_blur(self) -> None:
        self.refresh_view()
