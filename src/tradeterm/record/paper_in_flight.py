"""What was on its way to the paper venue at a ``--paper`` replay's seek-back target: the
requests (``paper_branch.PaperRequest``) among the kept records that no answer among them
settles. ``trading/paper_rewind.py`` sends them again at the target.

A submit is settled by any answer about its order; a cancel by the order's end or the venue's
refusal of the cancel; a modify by ``OrderModified``, the venue's refusal of the modify, or the
order's end. An order's end (rejected, cancelled, expired, filled in full) settles every request
about it.
"""

from __future__ import annotations

from typing import Any

from tradeterm.domain.events import (
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderUpdateRejected,
)
from tradeterm.record.paper_branch import REQUEST, PaperRequest

ENDS = (OrderRejected, OrderCanceled, OrderExpired)


def in_flight(records: list[tuple[str, Any]], answer_topics: set[str]) -> list[PaperRequest]:
    """The requests in ``records`` (``PaperHistory.cut``'s) no later record among them
    answers, in the order they were sent; ``answer_topics``: the paper venue's order topics."""
    waiting: dict[int, PaperRequest] = {}
    for n, (topic, event) in enumerate(records):
        if topic == REQUEST:
            waiting[n] = event
        elif topic in answer_topics:
            for key in [k for k, r in waiting.items() if settles(event, r)]:
                del waiting[key]
    return list(waiting.values())


def settles(event: Any, request: PaperRequest) -> bool:
    """``event`` (a paper venue's answer) answers ``request``."""
    if getattr(event, "client_order_id", None) != request.client_order_id:
        return False
    kind = type(event)
    if kind in ENDS or (kind is OrderFilled and event.leaves_qty <= 0):
        return True
    if request.kind == "submit":
        return True
    if kind is OrderUpdateRejected:
        return bool(event.request == request.kind)
    return request.kind == "modify" and kind is OrderModified
