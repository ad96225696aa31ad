"""The quoter's order gateway bound to the trading desk (built by ``quoting.py``). Like the desk
this module is a composition helper: components never import it."""

from __future__ import annotations

from tradeterm.desk import MS, TradingDesk
from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.orders import OrderStatus


class QuoterGateway:
    """The quoter's ``OrderGateway`` bound to the desk: every request goes through ``execute``
    (risk for submits and modifies, the OMS, the ``command`` topic for the record). A denial
    comes back to the quoter as the ``OrderDenied`` the desk publishes on the risk topic.

    A modify on a venue without native modify would be a cancel-replace whose replacement the
    quoter does not know; here it is a plain cancel instead (the quoter sees ``OrderCanceled``
    and quotes that level afresh). ``cancel``/``modify`` return False when the OMS has no such
    working order any more, so the quoter forgets it.
    """

    def __init__(self, desk: TradingDesk) -> None:
        self.desk = desk
        # risk denies an identical order within this window; the quoter waits it out instead
        self.duplicate_window_ns = desk.settings.risk.duplicate_window_ms * MS

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
