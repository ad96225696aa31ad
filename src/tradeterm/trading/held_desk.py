"""The desk's held (contingent) orders (``TradingDesk.held``): the emulator (``oms/emulator.py``)
wired to the desk. A held order is refused while HALTED (and by the session's own gate, as any
order); when it is released its order enters through ``TradingDesk.execute`` like any other
(pre-trade risk first). Cancel and modify by id reach it when the id is a held order's.

On a venue with ``native_order_lists`` (Binance's orderList) an OCO of a limit and a stop leg
goes out as the venue's own list (``oms/held_lists.py``), each leg through pre-trade risk
(``send_list``); everything else is held and triggered by the emulator on every venue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import msgspec

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import EngineViews
from tradeterm.domain.commands import (
    HeldCommand,
    HoldBracket,
    HoldOco,
    HoldOrder,
    ModifyOrder,
    SubmitOrder,
)
from tradeterm.domain.held import HeldLeg
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType
from tradeterm.oms.emulator import HeldRefused, OrderEmulator
from tradeterm.oms.manager import OrderManager
from tradeterm.oms.reasons import HELD_CANCELED, HELD_KILL_SWITCH
from tradeterm.oms.store_port import OrderStore
from tradeterm.risk.codes import KILL_SWITCH
from tradeterm.risk.context import CheckResult
from tradeterm.risk.killswitch import KillSwitch
from tradeterm.trading.denials import Denials
from tradeterm.trading.results import (
    GROUP_LEG_FIXED,
    OCO_LEG_FIXED,
    CancelResult,
    Denied,
    HeldPlaced,
    HoldResult,
    ModifyResult,
    OrderSent,
    RequestRefused,
    RequestSent,
    SubmitResult,
)

log = logging.getLogger("tradeterm.desk")


class HeldDesk:
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        store: OrderStore,
        views: EngineViews,
        oms: OrderManager,
        killswitch: KillSwitch,
        denials: Denials,
        execute: Callable[[SubmitOrder], SubmitResult],
        gate: Callable[[], tuple[str, str] | None],
        preview: Callable[[SubmitOrder], list[CheckResult]],
    ) -> None:
        self.oms = oms
        self._preview = preview
        self.killswitch = killswitch
        self.denials = denials
        self._execute = execute
        self._gate = gate
        self.emulator = OrderEmulator(
            bus,
            clock,
            store,
            views,
            self,
            self._order_of,
            oms.cancel,
            lambda: killswitch.halted,
        )
        oms.registry.watchers.append(self.emulator.follow_order)
        # first: held orders are cancelled before the working ones, so no leg's end releases
        # another while the kill switch cancels
        killswitch.on_trip.insert(0, self.emulator.on_trip)

    def _order_of(self, client_order_id: str) -> Order | None:
        return self.oms.registry.get(client_order_id) or self.oms.store.load_order(client_order_id)

    def hold(self, cmd: HeldCommand) -> HoldResult:
        """Refused while HALTED or by the session's gate; else held (durable first)."""
        gate = self._gate()
        if gate is None and self.killswitch.halted:
            gate = (KILL_SWITCH, f"trading is HALTED ({self.killswitch.reason}): re-arm first")
        if gate is None:
            gate = self._static_refusal(cmd)
        if gate is not None:
            return self.denials.deny(_probe(cmd), gate, cmd.held_id)
        try:
            return HeldPlaced(self.emulator.place(cmd))
        except HeldRefused as refused:
            return self.denials.deny(_probe(cmd), (refused.code, refused.message), cmd.held_id)

    def _static_refusal(self, cmd: HeldCommand) -> tuple[str, str] | None:
        """What pre-trade risk already knows at placement, for every order the command may
        send (each at its limit, else its trigger: the price it is meant to trade at): the
        instrument, tick and lot, the order-size and notional limits. What depends on the
        market and the book at release (price band, position, self-cross, throttle) is checked
        when it is released."""
        for probe in _orders_of(cmd):
            for check in self._preview(probe):
                if check.check in STATIC_CHECKS and not check.passed:
                    return check.code, check.message
        return None

    def killed_offline(self, reason: str) -> None:
        """``tradeterm kill`` from another shell while no session ran: a kill cancels held
        orders, so the ones it could not reach are cancelled now, at the start (HALTED), rather
        than coming alive at the re-arm."""
        n = self.emulator.cancel_all(f"{HELD_KILL_SWITCH}: {reason}")
        if n:
            log.warning("kill switch from the command line: %d held order(s) canceled", n)

    def send_held(self, cmd: SubmitOrder) -> Order | str:  # oms.ports.HeldOrderSender
        match self._execute(cmd):
            case OrderSent(order):
                return order
            case Denied(denial):
                return f"{denial.reason}: {denial.message}"
        raise AssertionError("a submit is sent or denied")

    def takes_lists(self, instrument: str) -> bool:  # oms.ports.HeldListSender
        return self.oms.takes_lists(instrument)

    def send_list(self, list_id: str, cmds: list[SubmitOrder]) -> list[Order] | str:
        """An OCO as the venue's order list, through pre-trade risk: the limit leg as any
        order; the stop leg, which trades only once the venue triggers it (out of the engine's
        reach then), by what risk knows without the market (``STATIC_CHECKS``, at its limit,
        else its trigger). Then the OMS sends them as one list."""
        gate = self._gate()
        if gate is None and self.killswitch.halted:
            gate = (KILL_SWITCH, f"trading is HALTED ({self.killswitch.reason}): re-arm first")
        for cmd in cmds:
            price = cmd.price if cmd.price is not None else cmd.trigger_price
            probe = msgspec.structs.replace(cmd, order_type=OrderType.LIMIT, price=price)
            static = cmd.order_type is not OrderType.LIMIT
            failed = gate or next(
                (
                    (c.code, c.message)
                    for c in self._preview(probe)
                    if not c.passed and (not static or c.check in STATIC_CHECKS)
                ),
                None,
            )
            if failed is not None:
                self.denials.deny(probe, failed, cmd.client_order_id)
                return f"{failed[0]}: {failed[1]}"
        return self.oms.submit_list(list_id, cmds)

    def cancel(self, held_id: str) -> CancelResult | None:
        """None: ``held_id`` is not a held order."""
        if not self.emulator.holds(held_id):
            return None
        self.emulator.cancel(held_id, HELD_CANCELED)
        return RequestSent(held_id)

    def keeps_fixed(self, client_order_id: str) -> str | None:
        """Why a working order may not be modified, if it is a leg of a group: a leg of an OCO
        the venue keeps as its order list (the cancel of a cancel-replace ends the whole list
        there); a working leg of a group the engine holds (a bracket's entry or exit, an OCO's
        limit leg) on a venue that cannot amend in place (the cancel would end the group, its
        exits or other leg cancelled, and the replacement would go out alone, unprotected).
        On a venue that amends in place the leg keeps its id, and its group follows it."""
        if self.emulator.lists.leg_of_a_list(client_order_id):
            return OCO_LEG_FIXED
        leg = self.emulator.book.get(client_order_id)
        if leg is None or not leg.parent_id or self.oms.amends_in_place(leg.instrument):
            return None
        return GROUP_LEG_FIXED

    def modify(self, cmd: ModifyOrder) -> ModifyResult | None:
        """None: not a held order. A leg of a group that a modify would break is refused
        (``keeps_fixed``)."""
        why = self.keeps_fixed(cmd.client_order_id)
        if why is not None:
            return RequestRefused(cmd.client_order_id, why)
        if not self.emulator.holds(cmd.client_order_id):
            return None
        try:
            self.emulator.modify(cmd)
        except HeldRefused as refused:
            return RequestRefused(cmd.client_order_id, refused.message)
        return RequestSent(cmd.client_order_id)


#: the pre-trade checks that do not depend on the market at release (risk/checks.py's names)
STATIC_CHECKS = frozenset(
    {"instrument", "tick / lot", "max order qty", "max order notional", "min notional"}
)


def _orders_of(cmd: HeldCommand) -> list[SubmitOrder]:
    """Each order ``cmd`` may send, as a limit order at the price it is meant to trade at (a
    trailing stop, or a market entry, as a market order: priced by risk's reference now)."""

    def order(side: Side, qty: int, price: int | None) -> SubmitOrder:
        kind = OrderType.MARKET if price is None else OrderType.LIMIT
        return SubmitOrder(cmd.ts, cmd.held_id, cmd.instrument, side, qty, kind, price)

    def leg_order(leg: HeldLeg) -> SubmitOrder:
        price = leg.price if leg.price is not None else leg.trigger_price
        return order(leg.side, leg.qty, price)

    if isinstance(cmd, HoldOrder):
        return [leg_order(cmd.leg)]
    if isinstance(cmd, HoldOco):
        return [leg_order(cmd.first), leg_order(cmd.second)]
    exit_side = cmd.side.opposite
    return [
        order(cmd.side, cmd.qty, cmd.price),
        order(exit_side, cmd.qty, cmd.take_profit),
        order(exit_side, cmd.qty, cmd.stop_loss),
    ]


def _probe(cmd: HeldCommand) -> SubmitOrder:
    """The held order as an order, for the denial's record."""
    if isinstance(cmd, HoldBracket):
        return SubmitOrder(cmd.ts, cmd.held_id, cmd.instrument, cmd.side, cmd.qty)
    leg = cmd.first if isinstance(cmd, HoldOco) else cmd.leg
    return SubmitOrder(cmd.ts, cmd.held_id, cmd.instrument, leg.side, leg.qty)
