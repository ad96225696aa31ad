"""The venue's answers to the trader's own requests, kept in an engine view.

A trader who sends an order, a cancel or a modify wants to read what the venue said: accepted,
filled, cancelled, modified, or refused and why. The OMS applies every order event; this
component only follows the requests the kernel registered (``expect``), so the quoter's flow
costs it one dictionary lookup per order event. The UI reads ``OrderAnswersView`` on its timer
(never one message per event).

A modify that the venue does by cancel-replace ends the original order and sends a new one:
the answer follows the replacement (its accept, or its refusal) and names it.
"""

from __future__ import annotations

from collections.abc import Iterable

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.views import OrderAnswer, OrderAnswersView
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderUpdateRejected,
)
from tradeterm.domain.market import Side

SENT, ACCEPTED, DONE, REFUSED = "SENT", "ACCEPTED", "DONE", "REFUSED"


class OrderAnswers:
    def __init__(self, bus: MessageBus, venues: Iterable[str], view: OrderAnswersView) -> None:
        self.view = view
        self._open: dict[str, OrderAnswer] = {}  # client order id -> the answer that follows it
        self._side: dict[int, Side] = {}  # a modify's order side (to link its replacement)
        self.bus = bus
        # a cancel-replace's two halves, paired when both come from the same bus message
        self._replacements: list[tuple[int, SubmitOrder]] = []  # (bus seq, the new order)
        self._waiting: dict[int, int] = {}  # modify number -> bus seq its original's cancel came
        for venue in venues:
            bus.subscribe(topics.orders(venue), self._on_order_event)
        bus.subscribe(topics.RISK, self._on_risk)

    # --- requests ----------------------------------------------------------------------------
    def expect(
        self,
        request: str,
        client_order_id: str,
        instrument: str,
        side: Side | None = None,
        price: int | None = None,
    ) -> OrderAnswer:
        """Register a request before it is sent (an in-process venue answers from inside the
        call). ``side`` and ``price`` of a modify let a cancel-replace's new order be found."""
        view = self.view
        view.issued += 1
        answer = OrderAnswer(view.issued, request, client_order_id, instrument, price=price)
        view.answers[answer.number] = answer
        if len(view.answers) > view.KEEP:
            old = view.answers.pop(next(iter(view.answers)))
            if self._open.get(old.client_order_id) is old:
                del self._open[old.client_order_id]
            self._side.pop(old.number, None)
        self._open[client_order_id] = answer
        if side is not None:
            self._side[answer.number] = side
        view.version += 1
        return answer

    def refuse(self, answer: OrderAnswer, reason: str, message: str) -> None:
        """Nothing was sent for the request (the order is not working, a change is already in
        flight): the answer says why."""
        self._set(answer, REFUSED, reason, message, close=True)

    def replacement_sent(self, new: SubmitOrder) -> None:
        """The OMS sends the new half of a cancel-replace (called before it goes out, while
        the bus delivers the cancel of the original)."""
        if any(
            a.request == "modify" and a.instrument == new.instrument for a in self._open.values()
        ):
            self._replacements.append((self.bus.seq, new))
            self._link()

    # --- answers -----------------------------------------------------------------------------
    def _on_order_event(self, event: object) -> None:
        if self._waiting:
            self._settle_unreplaced()
        client_order_id = getattr(event, "client_order_id", "")
        answer = self._open.get(client_order_id)
        if answer is None:
            return
        replacing = answer.replaced_by == client_order_id
        if type(event) is OrderAccepted:
            if replacing:  # the new order of a cancel-replace is working: modified
                self._set(answer, DONE, message="modified", close=True)
            elif answer.request == "submit" and answer.state == SENT:
                self._set(answer, ACCEPTED, message="accepted")
        elif type(event) is OrderFilled:
            answer.filled += event.qty
            answer.fill_price = event.price
            if event.leaves_qty <= 0:
                self._set(answer, DONE, message="filled", close=True)
            else:
                self._set(answer, answer.state)
        elif type(event) is OrderRejected:
            self._set(
                answer,
                REFUSED,
                event.reason,
                event.message,
                close=True,
            )
        elif type(event) is OrderUpdateRejected:
            self._set(
                answer,
                REFUSED,
                event.reason,
                event.message,
                close=True,
            )
        elif type(event) is OrderModified:
            self._set(answer, DONE, message="modified", close=True)
        elif type(event) is OrderCanceled:
            if answer.request == "modify" and not replacing:
                self._cancelled_for_modify(answer)  # the first half of a cancel-replace
            else:  # what was asked (a cancel), or the venue ended the order (IOC, STP...)
                self._set(
                    answer,
                    DONE,
                    "" if answer.request == "cancel" else event.reason,
                    "cancelled",
                    close=True,
                )
        elif type(event) is OrderExpired:
            self._set(answer, DONE, message="expired", close=True)

    def _on_risk(self, event: object) -> None:
        if self._waiting:
            self._settle_unreplaced()
        if type(event) is OrderDenied:
            answer = self._open.get(event.client_order_id)
            if answer is not None:
                self._set(answer, REFUSED, event.reason, event.message, close=True)

    def _set(
        self,
        answer: OrderAnswer,
        state: str,
        reason: str = "",
        message: str = "",
        close: bool = False,
    ) -> None:
        answer.state = state
        if reason:
            answer.reason = reason
        if message:
            answer.message = message
        if close:
            for coid in (answer.client_order_id, answer.replaced_by):
                if self._open.get(coid) is answer:
                    del self._open[coid]
            self._side.pop(answer.number, None)
        self.view.version += 1

    # --- cancel-replace: the new order of a modify --------------------------------------------
    def _cancelled_for_modify(self, answer: OrderAnswer) -> None:
        answer.message = "cancelled; replacing"
        self._waiting[answer.number] = self.bus.seq
        self.view.version += 1
        self._link()

    def _link(self) -> None:
        """Pair a modify whose original was cancelled with the new order the OMS sent for it:
        both come from the delivery of the same cancel (one bus message), in either order."""
        for number, seq in list(self._waiting.items()):
            answer = self.view.answers.get(number)
            side = self._side.get(number)
            for entry in self._replacements:
                new_seq, new = entry
                if (
                    new_seq == seq
                    and answer is not None
                    and new.instrument == answer.instrument
                    and new.side is side
                    and (answer.price is None or answer.price == new.price)
                ):
                    answer.replaced_by = new.client_order_id
                    answer.message = "cancelled; replacement sent"
                    self._open[new.client_order_id] = answer
                    self._replacements.remove(entry)
                    del self._waiting[number]
                    self.view.version += 1
                    break
        seq = self.bus.seq
        self._replacements = [e for e in self._replacements if e[0] == seq]

    def _settle_unreplaced(self) -> None:
        """A modify whose original was cancelled but got no new order in that delivery: the
        OMS found nothing left to replace (it filled meanwhile)."""
        seq = self.bus.seq
        for number, cancel_seq in list(self._waiting.items()):
            if cancel_seq != seq:
                del self._waiting[number]
                answer = self.view.answers.get(number)
                if answer is not None and not answer.replaced_by:
                    self._set(
                        answer, DONE, message="cancelled; nothing left to replace", close=True
                    )
