"""The trader's requests (the UI's and the CLI's orders, cancels and modifies) on their way to
the desk. Each is registered with the desk's ``OrderAnswers`` before it goes out, so the engine
view ``views.answers`` says what the venue answered; the quoter's flow does not come this way.
"""

from __future__ import annotations

import logging

from tradeterm.core.clock import Clock
from tradeterm.domain.commands import (
    CancelAll,
    CancelOrder,
    HeldCommand,
    ModifyOrder,
    SubmitOrder,
)
from tradeterm.domain.market import Side
from tradeterm.oms.store_port import OrderStore
from tradeterm.trading.desk import TradingDesk
from tradeterm.trading.results import (
    NOT_WORKING,
    CancelResult,
    CancelsSent,
    HoldResult,
    ModifyResult,
    RequestRefused,
    SubmitResult,
)
from tradeterm.venues.base import confirm_names

log = logging.getLogger("tradeterm.kernel")  # the live confirmation's lines, as before

NOT_SENT = "NOT_SENT"  # nothing went to the venue (the order is not working, or busy)


class TraderRequests:
    def __init__(self, desk: TradingDesk, clock: Clock, store: OrderStore) -> None:
        self.desk = desk
        self.clock = clock
        self.store = store
        self.answers = desk.answers

    def confirm_live(self, text: str, venue: str) -> bool:
        """Live mode: unlock order entry when ``text`` is exactly the venue's name (either
        spelling of a ccxt venue, ``confirm_names``). Audited."""
        if not self.desk.live_unconfirmed:
            return True
        if text.strip() not in confirm_names(venue):
            log.warning(
                "live confirmation refused: type %s exactly",
                " or ".join(repr(n) for n in sorted(confirm_names(venue))),
            )
            return False
        self.desk.live_unconfirmed = False
        now = self.clock.timestamp_ns()
        self.store.controls.audit(now, "live_confirmed", "key", f"live trading on {venue}")
        log.warning("LIVE trading on %s confirmed: orders now go to the venue", venue)
        return True

    def hold(self, cmd: HeldCommand) -> HoldResult:
        """A held order: the engine keeps it (no venue answer until it is released)."""
        return self.desk.execute(cmd)

    def submit(self, cmd: SubmitOrder) -> SubmitResult:
        self.answers.expect("submit", cmd.client_order_id, cmd.instrument)
        return self.desk.execute(cmd)

    def cancel(self, client_order_id: str) -> CancelResult:
        order = self.desk.oms.working.get(client_order_id)
        if order is None:
            held = self.desk.held.emulator.book.get(client_order_id)
            if held is None:
                return RequestRefused(client_order_id, NOT_WORKING)
            # a held order: cancelled in the engine, no venue answer to follow
            return self.desk.execute(
                CancelOrder(self.clock.timestamp_ns(), client_order_id, held.instrument)
            )
        answer = self.answers.expect("cancel", client_order_id, order.instrument)
        result = self.desk.execute(
            CancelOrder(self.clock.timestamp_ns(), client_order_id, order.instrument)
        )
        if isinstance(result, RequestRefused):
            self.answers.refuse(answer, NOT_SENT, result.reason)
        return result

    def cancel_all(self, instrument: str | None = None, side: Side | None = None) -> CancelsSent:
        for order in list(self.desk.oms.working.values()):
            if (instrument is None or order.instrument == instrument) and (
                side is None or order.side is side
            ):
                self.answers.expect("cancel", order.client_order_id, order.instrument)
        return self.desk.execute(CancelAll(self.clock.timestamp_ns(), instrument, side))

    def modify(self, cmd: ModifyOrder) -> ModifyResult:
        order = self.desk.oms.working.get(cmd.client_order_id)
        answer = (
            None
            if order is None
            else self.answers.expect(
                "modify", cmd.client_order_id, cmd.instrument, order.side, cmd.price
            )
        )
        result = self.desk.execute(cmd)
        if answer is not None and isinstance(result, RequestRefused):
            self.answers.refuse(answer, NOT_SENT, result.reason)
        return result
