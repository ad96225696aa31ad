"""Cancel-replace: a modify on a venue without native modify. The replacement goes out only
once the venue has confirmed the cancel, however that news arrives (the event, or a query when
the answer was lost), sized to what is left after the fills. If the order ends any other way
(filled, rejected, closed because the venue had no record of it) the modify is dropped."""

from __future__ import annotations

import logging

from tradeterm.core.clock import Clock
from tradeterm.domain.commands import ModifyOrder, SubmitOrder
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.oms.ids import ClientOrderIds
from tradeterm.oms.ports import ReplacementSender
from tradeterm.oms.reasons import CLOSED_WITHOUT_VENUE

log = logging.getLogger("tradeterm.oms.manager")


class CancelReplace:
    def __init__(self, clock: Clock, ids: ClientOrderIds, sender: ReplacementSender) -> None:
        self._clock = clock
        self._ids = ids
        self._sender = sender  # through risk (the desk)
        self._waiting: dict[str, ModifyOrder] = {}  # old client order id -> the modify

    def expect(self, client_order_id: str, cmd: ModifyOrder) -> None:
        """The cancel of ``client_order_id`` is about to go out for ``cmd``."""
        self._waiting[client_order_id] = cmd

    def drop(self, client_order_id: str) -> None:
        """No replacement for this order (its cancel was refused, or the quoter re-quotes)."""
        self._waiting.pop(client_order_id, None)

    def waiting(self, client_order_id: str) -> bool:
        return client_order_id in self._waiting

    def follow(self, order: Order) -> None:
        """Told of every order change (a registry watcher)."""
        if not order.is_terminal or not self._waiting:
            return
        cmd = self._waiting.pop(order.client_order_id, None)
        if cmd is None:
            return
        if order.status is not OrderStatus.CANCELED or order.reason in CLOSED_WITHOUT_VENUE:
            log.info(
                "modify of %s dropped: the order ended %s %s",
                order.client_order_id,
                order.status.value,
                order.reason,
            )
            return
        self._send_replacement(order, cmd)

    def _send_replacement(self, old: Order, cmd: ModifyOrder) -> None:
        qty = (cmd.qty if cmd.qty is not None else old.qty) - old.filled_qty
        if qty <= 0:
            log.info("modify of %s: nothing left to replace after fills", old.client_order_id)
            return
        new = SubmitOrder(
            self._clock.timestamp_ns(),
            self._ids.next(),
            old.instrument,
            old.side,
            qty,
            old.order_type,
            cmd.price if cmd.price is not None else old.price,
            old.trigger_price,
            old.tif,
            old.post_only,
            old.reduce_only,
            old.display_qty,
            old.expire_ns,
            old.source,
        )
        log.info("modify of %s: replaced by %s", old.client_order_id, new.client_order_id)
        self._sender.send_replacement(new)
