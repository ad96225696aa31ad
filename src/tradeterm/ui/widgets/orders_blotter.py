"""Working orders blotter: every live or in-flight order, then the held ones. up/down select
(held rows too), ``x`` cancels the selected one (a held order as ``cxl <id>`` would),
shift+up/down (anywhere) move a working one a tick; ``mod <id> @ <price>`` on the command line
or the ticket modifies it. A working order that is a leg of an OCO or a bracket says so as its
source (``entry of #12``).

Ids are shown in the short form the command line accepts (``#15``, ``order_names.short_order_ids``),
so what the trader reads is what they can type. Columns are fitted to the width, never cut: the
least important go first (source, filled, symbol), the status shortens (``open``, ``cxl?``),
then the quantities lose the trailing zeros of their lot's precision (``0.01000000`` -> ``0.01``,
a narrow pane of an 8-decimal instrument) before it goes; id, side, quantity and price always
stay."""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from textual.binding import Binding
from textual.message import Message

from tradeterm.core.views import HeldOrdersView, WorkingOrdersView
from tradeterm.domain.held import HeldKind, HeldOrder, HeldState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.trading.order_names import short_order_ids
from tradeterm.ui.format import palette
from tradeterm.ui.widgets.fit import Column, fit_columns, header_row, table_row
from tradeterm.ui.widgets.pane import Row, TextPane

S = OrderStatus
SHORT_STATUS = {
    S.SUBMITTED: "sent",
    S.ACCEPTED: "open",
    S.PARTIALLY_FILLED: "part",
    S.PENDING_CANCEL: "cxl?",
    S.PENDING_UPDATE: "mod?",
    S.TRIGGERED: "trig",
    S.INITIALIZED: "new",
}
# (title, priority: 0 never dropped, higher goes first, left-aligned)
FIELDS = (
    ("id", 0, True),
    ("symbol", 4, True),
    ("side", 0, True),
    ("qty", 0, False),
    ("filled", 5, False),
    ("price", 0, False),
    ("status", 2, True),
    ("st", 2, True),
    ("source", 6, True),
)

QTY, FILLED, STATUS, SHORT = 3, 4, 6, 7  # their places in FIELDS


def _columns(rows: list[list[str]]) -> list[Column]:
    return [
        Column(title, max([cell_len(title)] + [cell_len(r[i]) for r in rows]), prio, left)
        for i, (title, prio, left) in enumerate(FIELDS)
    ]


def _trimmed(qty: str) -> str:
    """A quantity without the trailing zeros of its lot's precision (``0.01000000`` ->
    ``0.01``): the same number, narrower."""
    return qty.rstrip("0").rstrip(".") if "." in qty else qty


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
        def __init__(self, order: Order | HeldOrder) -> None:
            super().__init__()
            self.order = order

    def __init__(
        self,
        view: WorkingOrdersView,
        instruments: Mapping[str, Instrument],
        held: HeldOrdersView | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.instruments = instruments
        self.held = held or HeldOrdersView()  # the engine's held orders, listed after
        self.selected_id: str | None = None

    def held_orders(self) -> list[HeldOrder]:
        """Held orders not at the venue (a leg working there is listed as its order)."""
        return sorted(
            (h for h in self.held.orders.values() if h.state is not HeldState.WORKING),
            key=lambda h: (h.ts_created, h.held_id),
        )

    def held_cells(self, h: HeldOrder, shown: Mapping[str, str]) -> list[str]:
        """A held order's row: its trigger (or offset) as the price, HELD / TRIG as the status,
        its parent (or, for a parent, its kind) as the source."""
        inst = self.instruments.get(h.instrument)
        fmt_qty = inst.format_qty if inst else str
        if h.kind is HeldKind.TRAIL:
            price = f"trail {h.offset_text()} {_px(inst, h.trigger_price)}"
        elif h.trigger_price is not None or h.price is not None:
            price = _price(inst, h.price, h.trigger_price)
        else:
            price = h.kind.value
        status = "HELD" if h.state is HeldState.HELD else h.state.value
        parent = h.parent_id and shown.get(h.parent_id, h.parent_id)
        link = f"{h.role} of {parent}" if parent else h.kind.value
        return [
            shown[h.held_id],
            inst.symbol if inst else h.instrument,
            h.side.name,
            fmt_qty(h.qty),
            fmt_qty(h.filled),
            price,
            status,
            status[:4].lower(),
            link,
        ]

    def orders(self) -> list[Order]:
        return sorted(
            (o for o in self.view.orders.values() if not o.is_terminal),
            key=lambda o: (o.ts_created, o.client_order_id),
        )

    def selected(self) -> Order | None:
        """The working order selected (the first one when none is; None when a held row
        is)."""
        order = self.view.orders.get(self.selected_id or "")
        if order is not None and not order.is_terminal:
            return order
        if self.selected_held() is not None:
            return None
        live = self.orders()
        return live[0] if live else None

    def selected_held(self) -> HeldOrder | None:
        """The held row selected, if one is."""
        return next((h for h in self.held_orders() if h.held_id == self.selected_id), None)

    def _chosen_id(self) -> str | None:
        held = self.selected_held()
        if held is not None:
            return held.held_id
        order = self.selected()
        return order.client_order_id if order is not None else None

    def refresh_view(self) -> None:
        if not self.changed(
            self.view.version,
            self.held.version,
            self.selected_id,
            self.size.width,
            self.has_focus,
            palette(),
        ):
            return
        self.set_rows(self.rows())

    def cells(self, o: Order, shown: str, ids: Mapping[str, str] | None = None) -> list[str]:
        inst = self.instruments.get(o.instrument)
        fmt_qty = inst.format_qty if inst else str
        price = _price(inst, o.price, o.trigger_price)  # a stop at the venue reads as a held one
        mark = "?" if o.uncertain else ""
        return [
            shown,
            inst.symbol if inst else o.instrument,
            o.side.name,
            fmt_qty(o.qty),
            fmt_qty(o.filled_qty),
            price,
            o.status.value + mark,
            SHORT_STATUS.get(o.status, o.status.value) + mark,
            self._source(o, ids or {}),
        ]

    def _source(self, o: Order, shown: Mapping[str, str]) -> str:
        """``entry of #12`` for a leg of a held group at the venue, else the order's source."""
        leg = self.held.orders.get(o.client_order_id)
        if leg is None or not leg.parent_id:
            return o.source
        return f"{leg.role} of {shown.get(leg.parent_id, leg.parent_id)}"

    def rows(self) -> list[Row]:
        pal = palette()
        orders = self.orders()
        held = self.held_orders()
        shown = short_order_ids(
            {o.client_order_id: o for o in orders} | dict(self.held.orders.items())
        )
        table = [self.cells(o, shown[o.client_order_id], shown) for o in orders]
        held_table = [self.held_cells(h, shown) for h in held]
        width = max(1, (self.size.width or 80) - 2)  # the selection mark and its space
        columns = _columns(table + held_table)
        keep = self.fit(columns, width)
        if STATUS not in keep and SHORT not in keep:  # the quantities' trailing zeros go first
            for row in table + held_table:
                row[QTY], row[FILLED] = _trimmed(row[QTY]), _trimmed(row[FILLED])
            columns = _columns(table + held_table)
            keep = self.fit(columns, width)
        chosen = self._chosen_id()
        out: list[Row] = [(("  ", ""), *header_row(columns, keep))]
        if not orders and not held:
            out.append((("  no working orders", "dim italic"),))
        for o, row in zip(orders, table):
            mine = o.client_order_id == chosen
            style = "reverse" if mine and self.has_focus else ""
            side = f"bold {pal.buy if o.side is Side.BUY else pal.sell} {style}".strip()
            cells = [(text, side if i == 2 else style) for i, text in enumerate(row)]
            out.append((("› " if mine else "  ", style), *table_row(columns, keep, cells)))
        for h, row in zip(held, held_table):
            mine = h.held_id == chosen
            style = "italic reverse" if mine and self.has_focus else "italic"
            side = f"{pal.buy if h.side is Side.BUY else pal.sell} {style}"
            cells = [(text, side if i == 2 else style) for i, text in enumerate(row)]
            out.append((("› " if mine else "  ", style), *table_row(columns, keep, cells)))
        return out

    @staticmethod
    def fit(columns: list[Column], width: int) -> list[int]:
        """The columns that fit: with the full status if it fits, else with the short one."""
        for status, other in ((STATUS, SHORT), (SHORT, STATUS)):
            index = [i for i in range(len(columns)) if i != other]
            keep = [index[k] for k in fit_columns([columns[i] for i in index], width)]
            if status in keep:
                break
        return keep

    def action_select(self, step: int) -> None:
        ids = [o.client_order_id for o in self.orders()] + [h.held_id for h in self.held_orders()]
        if not ids:
            return
        current = self._chosen_id()
        i = ids.index(current) if current in ids else 0
        self.selected_id = ids[max(0, min(len(ids) - 1, i + step))]
        self.refresh_view()

    def action_cancel_selected(self) -> None:
        chosen: Order | HeldOrder | None = self.selected_held() or self.selected()
        if chosen is not None:
            self.post_message(self.CancelRequested(chosen))

    def on_focus(self) -> None:
        self.refresh_view()

    def on_blur(self) -> None:
        self.refresh_view()


def _px(inst: Instrument | None, ticks: int | None) -> str:
    return "-" if ticks is None else inst.format_price(ticks) if inst else str(ticks)


def _price(inst: Instrument | None, price: int | None, trigger: int | None) -> str:
    """``61800.22``, ``MKT``, ``stop 61800.10`` or ``stop 61800.10 lmt 61800.00``."""
    if trigger is None:
        return "MKT" if price is None else _px(inst, price)
    limit = f" lmt {_px(inst, price)}" if price is not None else ""
    return f"stop {_px(inst, trigger)}{limit}"
