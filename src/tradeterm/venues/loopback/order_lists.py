"""Order lists on the loopback exchange, as Binance documents them: an OCO (two orders, one
cancels the other), an OTO (a working order that, once fully filled, places a pending order) and
an OTOCO (an OTO whose pending part is an OCO pair). Binance reports an OTOCO with
``contingencyType`` ``"OTO"``.

``OrderList`` is one list and its JSON: the answer shape of the order list endpoints and the
user data stream's ``listStatus`` event. What a list does as its orders trade is ``ListDesk``'s
(``list_desk.py``); reading the requests is ``list_requests.py``'s.

Funds: an OCO pair holds one reservation for both orders (a sell: its quantity of the base
asset; a buy: quantity x the higher of the two orders' prices, a stop-market order counting at
its stop price); whichever order trades draws on it, and what is left comes back when the last
of the pair leaves. An OTO's working order locks its own funds; its pending order (or pair) locks
when it is placed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tradeterm.config import LoopbackSymbol
from tradeterm.venues.loopback.accounts import Account, LoopbackOrder

EXECUTING, ALL_DONE = "EXECUTING", "ALL_DONE"


@dataclass
class OrderList:
    list_id: int
    client_id: str
    contingency: str  # OCO | OTO
    symbol: str
    account: Account
    orders: list[LoopbackOrder]  # in the order Binance lists them
    time_ms: int
    working: LoopbackOrder | None = None  # OTO / OTOCO: the working order
    pending: list[LoopbackOrder] = field(default_factory=list)  # placed when it fills
    pair: list[LoopbackOrder] = field(default_factory=list)  # the two that cancel each other
    pair_live: bool = False  # the pair is placed and neither has traded or triggered
    status_type: str = "EXEC_STARTED"
    order_status: str = EXECUTING
    released: bool = False  # the pair's reservation has come back

    @property
    def active(self) -> bool:
        return self.order_status == EXECUTING

    def head(self) -> dict[str, Any]:
        return {
            "orderListId": self.list_id,
            "contingencyType": self.contingency,
            "listStatusType": self.status_type,
            "listOrderStatus": self.order_status,
            "listClientOrderId": self.client_id,
            "transactionTime": self.time_ms,
            "symbol": self.symbol,
            "orders": [
                {"symbol": o.symbol, "orderId": o.order_id, "clientOrderId": o.client_order_id}
                for o in self.orders
            ],
        }

    def event(self, ms: int) -> dict[str, Any]:
        """The user data stream's ``listStatus`` event for the list as it is now."""
        return {
            "e": "listStatus",
            "E": ms,
            "s": self.symbol,
            "g": self.list_id,
            "c": self.contingency,
            "l": self.status_type,
            "L": self.order_status,
            "r": "NONE",
            "C": self.client_id,
            "T": ms,
            "O": [{"s": o.symbol, "i": o.order_id, "c": o.client_order_id} for o in self.orders],
        }


def lock_pair(
    account: Account, cfg: LoopbackSymbol, side: str, qty: Decimal, unit: Decimal
) -> bool:
    """One reservation for an OCO pair (or one pending order): a sell locks ``qty`` of the
    base asset, a buy ``qty`` x ``unit`` of the quote asset."""
    if side == "SELL":
        return account.lock(cfg.base, qty)
    return account.lock(cfg.quote, qty * unit)


def release_pair(order_list: OrderList, cfg: LoopbackSymbol) -> None:
    """The pair's reservation, less what its orders filled, comes back (once, when both have
    left)."""
    pair = [o for o in order_list.pair if o.shared_lock]
    if order_list.released or not pair or any(o.is_open for o in pair):
        return
    order_list.released = True
    first = pair[0]
    left = first.qty - sum((o.executed for o in pair), Decimal(0))
    if left <= 0:
        return
    if first.side == "SELL":
        first.account.release(cfg.base, left)
    else:
        first.account.release(cfg.quote, left * first.lock_price)


def unit_price(order: LoopbackOrder) -> Decimal:
    """The price a buy order's funds lock at: its limit price, else its stop price."""
    return order.price if order.price else order.stop_price
