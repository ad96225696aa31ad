"""The quoter's order gateway bound to the trading desk (built by ``quoting.py``). Like the desk
this module is a composition helper: components never import it."""

from __future__ import annotations

from tradeterm.desk import TradingDesk
from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.orders import OrderStatus
from tradeterm.risk import codes

# denials the quoter can know beforehand: it holds the order back instead (quoter/sender.py)
AVOIDABLE = frozenset({codes.DUPLICATE_ORDER, codes.MIN_NOTIONAL, codes.QTY_STEP,
                       codes.PRICE_BAND, codes.SELF_CROSS})


class QuoterGateway:
    """The quoter's ``OrderGateway`` bound to the desk: every request goes through ``execute``
    (risk for submits and modifies, the OMS, the ``command`` topic for the record). A denial
    comes back to the quoter as the ``OrderDenied`` the desk publishes on the risk topic;
    ``screen`` lets the quoter hold back what would be denied for a reason it can know.

    A modify on a venue without native modify would be a cancel-replace whose replacement the
    quoter does not know; here it is a plain cancel instead (the quoter sees ``OrderCanceled``
    and quotes that level afresh). ``cancel``/``modify`` return False when the OMS has no such
    working order any more, so the quoter forgets it.
    """

    def __init__(self, desk: TradingDesk) -> None:
        self.desk = desk

    def screen(self, command: SubmitOrder | ModifyOrder) -> tuple[str, str] | None:
        """Risk's verdict now, with its own clock and state, when it is one the quoter should
        avoid rather than earn (``AVOIDABLE``); changes nothing."""
        risk = self.desk.risk
        if isinstance(command, ModifyOrder):
            order = self.desk.oms.working.get(command.client_order_id)
            if order is None:
                return None
            command = risk.modify_probe(order, command)
        verdict = risk.check(command, commit=False)
        return verdict if verdict is not None and verdict[0] in AVOIDABLE else None

    def submit(self, command: SubmitOrder) -> None:
        self.desk.execute(command)

    def cancel(self, command: CancelOrder) -> bool:
        return bool(self.desk.execute(command)) or command.client_order_id in self.desk.oms.working

    def modify(self, command: ModifyOrder) -> bool:
        oms = self.desk.oms
        result = self.desk.execute(command)
        order = oms.working.get(command.client_order_id)
        if result is True and order is not None and order.status is OrderStatus.PENDING_CANCEL:
            oms.drop_replacement(command.client_order_id)
        return result is not False or order is not None
