"""The workstation's side of trading: typed lines and keys -> engine commands, and what to say.

Every order goes through the kernel (risk first); this module only builds the commands, decides
whether a confirmation is needed, and turns the outcome into one line for the trader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tradeterm.domain.commands import CancelAll, CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.events import KillSwitchTripped, OrderDenied
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.core import topics
from tradeterm.kernel import Kernel
from tradeterm.orderentry import Command, EntryContext, Market, describe


@dataclass(slots=True)
class TripRecord:
    """What the last kill-switch trip did, for the HALTED banner."""

    ts: int
    reason: str
    source: str
    orders_canceled: int
    quoters_stopped: int
    flatten: bool
    cancel: bool


@dataclass(slots=True)
class Outcome:
    ok: bool
    text: str


@dataclass
class Trading:
    kernel: Kernel
    last_trip: TripRecord | None = None
    _listening: bool = field(default=False, repr=False)

    def listen(self) -> None:
        """Note each kill-switch trip (the banner says what it did)."""
        if not self._listening:
            self.kernel.bus.subscribe(topics.RISK, self._on_risk)
            self._listening = True

    def _on_risk(self, msg: object) -> None:
        if isinstance(msg, KillSwitchTripped):
            views = self.kernel.views
            working = sum(1 for o in views.orders.orders.values() if not o.is_terminal) \
                if msg.cancel else 0
            quoting = sum(1 for q in views.quoters.values() if q.enabled)
            self.last_trip = TripRecord(msg.ts_event, msg.reason, msg.source, working, quoting,
                                        msg.flatten, msg.cancel)

    # --- context -----------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        return self.kernel.views.status.mode == "LIVE"

    def needs_confirmation(self) -> bool:
        return self.live or self.kernel.settings.ui.confirm_orders

    def context(self, selected: Instrument) -> EntryContext:
        views = self.kernel.views
        markets = {iid: Market(book.best_bid, book.best_ask, views.stats[iid].last_price)
                   for iid, book in views.books.items()}
        orders = views.orders.orders
        working = {oid: o.instrument for oid, o in orders.items()}
        return EntryContext(list(self.kernel.instruments.values()), selected, markets, working,
                            self.kernel.clock.timestamp_ns, self.kernel.next_order_id,
                            {oid: o.side for oid, o in orders.items()})

    def default_lots(self, inst: Instrument) -> int:
        size = self.kernel.settings.ui.default_size
        value = size.get(inst.symbol, size.get(inst.base, size.get("*"))) \
            if isinstance(size, dict) else size
        if value is None:
            return 1
        return max(1, inst.qty_to_lots(Decimal(value) // inst.lot_size * inst.lot_size))

    def limit_at(self, inst: Instrument, side: Side, price: int) -> SubmitOrder:
        return SubmitOrder(self.kernel.clock.timestamp_ns(), self.kernel.next_order_id(),
                           inst.id, side, self.default_lots(inst), price=price)

    def describe(self, cmd: Command) -> str:
        return describe(cmd, self.kernel.instruments)

    def exposure(self, cmd: SubmitOrder) -> str:
        """Notional and the position after a full fill, for the ticket."""
        inst = self.kernel.instruments[cmd.instrument]
        views = self.kernel.views
        price = cmd.price
        if price is None:
            book = views.books[cmd.instrument]
            price = book.best_ask if cmd.side is Side.BUY else book.best_bid
        row = views.portfolio.positions.get(cmd.instrument)
        now = row.qty if row else 0
        after = now + int(cmd.side) * cmd.qty
        notional = "-" if price is None else f"{inst.notional(price, cmd.qty):,.2f} {inst.quote}"
        return (f"notional {notional}   position {inst.format_qty(now)} -> "
                f"{inst.format_qty(after)} {inst.base}")

    # --- execution ---------------------------------------------------------------------------
    def execute(self, cmd: Command) -> Outcome:
        k = self.kernel
        if isinstance(cmd, SubmitOrder):
            result = k.submit(cmd)
            if isinstance(result, OrderDenied):
                return Outcome(False, f"DENIED {result.reason}: {result.message}")
            if isinstance(result, Order) and result.reason and result.is_terminal:
                return Outcome(False, f"{result.status.value}: {result.reason}")
            return Outcome(True, f"sent {self.describe(cmd)}  [{cmd.client_order_id}]")
        if isinstance(cmd, CancelAll):
            n = k.cancel_all(cmd.instrument, cmd.side)
            return Outcome(True, f"cancel sent for {n} order(s)" if n else "no working orders")
        if isinstance(cmd, CancelOrder):
            ok = k.cancel(cmd.client_order_id)
            return Outcome(ok, f"cancel sent for {cmd.client_order_id}" if ok
                           else f"{cmd.client_order_id} is not working")
        if isinstance(cmd, ModifyOrder):
            result = k.modify(cmd)
            if isinstance(result, OrderDenied):
                return Outcome(False, f"DENIED {result.reason}: {result.message}")
            return Outcome(bool(result), self.describe(cmd) if result
                           else f"{cmd.client_order_id} cannot be modified now")
        return Outcome(False, f"unsupported command {type(cmd).__name__}")

    def move(self, order: Order, ticks: int) -> Outcome:
        if order.price is None:
            return Outcome(False, f"{order.client_order_id} has no price to move")
        return self.execute(ModifyOrder(self.kernel.clock.timestamp_ns(), order.client_order_id,
                                        order.instrument, order.price + ticks))

    def kill(self) -> bool:
        return self.kernel.trip_kill_switch("kill switch pressed (ctrl+k)", source="key")
