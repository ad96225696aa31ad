"""The workstation's side of trading: typed lines and keys -> engine commands, and what to say.

Every order goes through the kernel (risk first); this module only builds the commands, decides
whether a confirmation is needed, and turns the outcome into one line for the trader. A request
that reached the venue is followed to the venue's answer (``views.answers``, the engine's
``OrderAnswersView``): the outcome names the answers the command line then shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tradeterm.core.display import money
from tradeterm.domain.commands import (
    CancelAll,
    CancelOrder,
    HoldBracket,
    HoldOco,
    HoldOrder,
    ModifyOrder,
    SubmitOrder,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType
from tradeterm.runtime.kernel import Kernel
from tradeterm.trading.order_text import describe
from tradeterm.trading.orderentry import Command, EntryContext, Market, parse
from tradeterm.trading.results import (
    Denied,
    HeldPlaced,
    KillSwitchTrip,
    OrderSent,
    RequestRefused,
)
from tradeterm.ui.size_presets import SizePresets

PREVIEW_ID = "PREVIEW"  # the order id of a command parsed only to be shown


@dataclass(slots=True)
class Outcome:
    """What became of a command: ``ok`` True / False, or None while the venue's answer is
    pending; ``follow`` = the ``views.answers`` numbers to show as they arrive."""

    ok: bool | None
    text: str
    follow: list[int] = field(default_factory=list)
    logged: bool = False  # the engine's log has it already (a risk denial, the OMS's end)


@dataclass
class Trading:
    kernel: Kernel

    # --- context -----------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        return self.kernel.views.status.mode == "LIVE"

    def needs_confirmation(self) -> bool:
        return self.live or self.kernel.settings.ui.confirm_orders

    def context(self, selected: Instrument, preview: bool = False) -> EntryContext:
        """The parse context now: reference prices from the books at this moment. A preview
        takes no order id (``PREVIEW``); a command about to be sent takes the next one."""
        views = self.kernel.views
        markets = {
            iid: Market(book.best_bid, book.best_ask, views.stats[iid].last_price)
            for iid, book in views.books.items()
        }
        orders = views.orders.orders
        working = {oid: o.instrument for oid, o in orders.items() if not o.is_terminal}
        sides = {oid: o.side for oid, o in orders.items() if not o.is_terminal}
        for hid, held in views.held.orders.items():  # cxl / mod a held order by its id
            working.setdefault(hid, held.instrument)
            sides.setdefault(hid, held.side)
        next_id = (lambda: PREVIEW_ID) if preview else self.kernel.next_order_id
        return EntryContext(
            list(self.kernel.instruments.values()),
            selected,
            markets,
            working,
            self.kernel.clock.timestamp_ns,
            next_id,
            sides,
        )

    def parse(self, line: str, selected: Instrument, preview: bool = False) -> Command:
        """The command ``line`` means against the book at this moment (raises GrammarError)."""
        return parse(line, self.context(selected, preview))

    def __post_init__(self) -> None:
        insts = list(self.kernel.instruments.values())
        self.sizes = SizePresets(self.kernel.settings, insts, [i.id for i in insts])

    def default_lots(self, inst: Instrument) -> int:
        """The size preset in force for ``inst`` (``ui/size_presets.py``), in lots."""
        return self.sizes.current(inst.id)

    def limit_at(
        self, inst: Instrument, side: Side, price: int, preview: bool = False
    ) -> SubmitOrder:
        """A limit order of the size preset in force (``preview``: with no order id)."""
        return SubmitOrder(
            self.kernel.clock.timestamp_ns(),
            PREVIEW_ID if preview else self.kernel.next_order_id(),
            inst.id,
            side,
            self.default_lots(inst),
            price=price,
        )

    def position_lots(self, inst: Instrument) -> int:
        row = self.kernel.views.portfolio.positions.get(inst.id)
        return row.qty if row else 0

    def closing_order(
        self, inst: Instrument, reverse: bool, preview: bool = False
    ) -> SubmitOrder | str:
        """Flatten: a market order (protected from the book when it is sent: ``execute``) for
        the whole position the other way, reduce-only; reverse: twice the position, so the
        position ends the same size the other way. In whole order steps (a remainder under
        one step, dust, cannot be traded). The reason instead when there is nothing to send."""
        pos = self.position_lots(inst)
        verb = "reverse" if reverse else "flatten"
        if not pos:
            return f"{inst.symbol} is flat: nothing to {verb}"
        step = inst.qty_step_lots
        lots = abs(pos) * (2 if reverse else 1)
        lots -= lots % step
        if not lots:
            return (
                f"{inst.symbol} position {inst.format_qty(pos)} is under one order step "
                f"({inst.format_qty(step)}): nothing to {verb}"
            )
        return SubmitOrder(
            self.kernel.clock.timestamp_ns(),
            PREVIEW_ID if preview else self.kernel.next_order_id(),
            inst.id,
            Side.SELL if pos > 0 else Side.BUY,
            lots,
            order_type=OrderType.MARKET,
            reduce_only=not reverse,
        )

    def describe(self, cmd: Command) -> str:
        """One line for the trader; a market order with the protection price it would get now."""
        if isinstance(cmd, SubmitOrder):
            cmd = self.kernel.protect(cmd)
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
        notional = "-" if price is None else money(inst.notional(price, cmd.qty), inst.quote, 2)
        return (
            f"notional {notional}   position {inst.format_qty(now)} -> "
            f"{inst.format_qty(after)} {inst.base}"
        )

    # --- execution ---------------------------------------------------------------------------
    def execute(self, cmd: Command) -> Outcome:
        k = self.kernel
        before = k.views.answers.issued
        if isinstance(cmd, SubmitOrder):
            cmd = k.protect(cmd)  # said and sent with the same protection price
        what = self.describe(cmd)
        match cmd:
            case SubmitOrder():
                match k.submit(cmd):
                    case Denied(denial):
                        return Outcome(
                            False, f"DENIED {denial.reason}: {denial.message}", logged=True
                        )
                    case OrderSent(order) if (
                        order.reason and order.is_terminal and k.views.answers.issued == before
                    ):  # else its answer says why
                        return Outcome(False, f"{order.status.value}: {order.reason}", logged=True)
                return self._sent(before, f"{what} [{cmd.client_order_id}]")
            case HoldOrder() | HoldOco() | HoldBracket():
                match k.requests.hold(cmd):
                    case Denied(denial):
                        return Outcome(
                            False, f"DENIED {denial.reason}: {denial.message}", logged=True
                        )
                    case HeldPlaced(held) if held.is_terminal:
                        return Outcome(False, f"{held.state.value}: {held.reason}")
                return Outcome(True, f"{what} [{cmd.held_id}]")
            case CancelAll():
                n = k.cancel_all(cmd.instrument, cmd.side).count
                return (
                    self._sent(before, f"cancel {n} order(s)")
                    if n
                    else Outcome(None, "no working orders to cancel")
                )
            case CancelOrder() if cmd.client_order_id in k.views.held.orders:
                if isinstance(k.cancel(cmd.client_order_id), RequestRefused):
                    return Outcome(False, f"{cmd.client_order_id} is not held")
                return Outcome(True, f"{what} (held by the engine)")
            case CancelOrder():
                if isinstance(k.cancel(cmd.client_order_id), RequestRefused):
                    return Outcome(False, f"{cmd.client_order_id} is not working")
                return self._sent(before, what)
            case ModifyOrder():
                match k.modify(cmd):
                    case Denied(denial):
                        return Outcome(
                            False, f"DENIED {denial.reason}: {denial.message}", logged=True
                        )
                    case RequestRefused():
                        return Outcome(
                            False,
                            f"{cmd.client_order_id} cannot be modified now "
                            "(not working, or a change is still waiting for the "
                            "venue)",
                        )
                return self._sent(before, what)
        return Outcome(False, f"unsupported command {type(cmd).__name__}")

    def _sent(self, before: int, what: str) -> Outcome:
        return Outcome(None, what, list(range(before + 1, self.kernel.views.answers.issued + 1)))

    def move(self, order: Order, ticks: int) -> Outcome:
        if order.price is None:
            return Outcome(False, f"{order.client_order_id} has no price to move")
        return self.execute(
            ModifyOrder(
                self.kernel.clock.timestamp_ns(),
                order.client_order_id,
                order.instrument,
                order.price + ticks,
            )
        )

    def kill(self) -> KillSwitchTrip:
        return self.kernel.trip_kill_switch("kill switch pressed (ctrl+k)", source="key")
