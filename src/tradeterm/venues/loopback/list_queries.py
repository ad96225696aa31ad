"""Looking up and cancelling order lists: ``GET /api/v3/orderList`` (by ``orderListId`` or
``origClientOrderId``), ``DELETE /api/v3/orderList`` (by ``orderListId`` or
``listClientOrderId``: cancels every open order of the list), ``GET /api/v3/openOrderList`` and
``GET /api/v3/allOrderList`` (``fromId``, ``startTime``/``endTime``, ``limit``), in Binance's
shapes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradeterm.venues.loopback.accounts import Account, LoopbackOrder, d8
from tradeterm.venues.loopback.errors import ApiError
from tradeterm.venues.loopback.order_entry import STOP_TYPES
from tradeterm.venues.loopback.order_lists import OrderList
from tradeterm.venues.loopback.params import in_window, int_param, new_client_id, page

if TYPE_CHECKING:
    from tradeterm.venues.loopback.exchange import LoopbackExchange


class ListQueries:
    def __init__(self, exchange: LoopbackExchange) -> None:
        self.exchange = exchange

    def _mine(self, account: Account) -> list[OrderList]:
        return [o for o in self.exchange.lists.lists.values() if o.account is account]

    def _find(self, account: Account, p: dict[str, str], client_key: str) -> OrderList | None:
        if p.get("orderListId"):
            wanted = int_param(p, "orderListId", -1)
            return next((o for o in self._mine(account) if o.list_id == wanted), None)
        if p.get(client_key):
            found = [o for o in self._mine(account) if o.client_id == p[client_key]]
            return found[-1] if found else None
        raise ApiError(
            -1102,
            f"Param '{client_key}' or 'orderListId' must be sent, but both were empty/null!",
        )

    def query(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        order_list = self._find(account, p, "origClientOrderId")
        if order_list is None:
            raise ApiError(-2011, "Order list does not exist.")
        return order_list.head()

    def cancel(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        market = self.exchange.symbol(p)
        assert market is not None
        order_list = self._find(account, p, "listClientOrderId")
        if order_list is None or order_list.symbol != market.symbol or not order_list.active:
            raise ApiError(-2011, "Unknown order list sent.")
        cancel_id = p.get("newClientOrderId") or new_client_id()
        open_before = [o for o in order_list.orders if o.is_open]
        self.exchange.lists.cancel(order_list, cancel_id)
        out = order_list.head()
        out["orderReports"] = [_cancel_report(o) for o in open_before]
        return out

    def open_lists(self, account: Account, p: dict[str, str]) -> list[dict[str, Any]]:
        return [o.head() for o in self._mine(account) if o.active]

    def all_lists(self, account: Account, p: dict[str, str]) -> list[dict[str, Any]]:
        if p.get("fromId") and (p.get("startTime") or p.get("endTime")):
            raise ApiError(-1128, "Combination of optional parameters invalid.")
        from_id = int_param(p, "fromId", 0)
        limit = min(max(int_param(p, "limit", 500), 1), 1000)
        found = [o for o in self._mine(account) if o.list_id >= from_id and in_window(o.time_ms, p)]
        return [o.head() for o in page(found, limit, p, "fromId")]


def _cancel_report(order: LoopbackOrder) -> dict[str, Any]:
    """A cancelled order of the list, as ``DELETE /api/v3/orderList`` reports it."""
    out = order.as_json(orig_client_id=order.client_order_id)
    out["transactTime"] = order.update_ms
    if order.type in STOP_TYPES:
        out["stopPrice"] = d8(order.stop_price)
    out["selfTradePreventionMode"] = "NONE"
    return out
