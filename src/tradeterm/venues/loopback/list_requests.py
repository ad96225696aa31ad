"""The order list requests, read as Binance reads them: ``POST /api/v3/orderList/oco``,
``/orderList/oto``, ``/orderList/otoco`` and the older ``POST /api/v3/order/oco``.

Each order of a list is read as a plain order would be (``order_entry.read_order``, its
parameters renamed: ``abovePrice`` -> ``price``, ...), then the list's own rules: an OCO has one
LIMIT_MAKER / TAKE_PROFIT / TAKE_PROFIT_LIMIT order and one STOP_LOSS / STOP_LOSS_LIMIT order
(-1158 ``Order type not supported in OCO.``, -1168 ``At least one OCO order must be
contingent.``), the limit-like one above the market in a sell (-1166) and below it in a buy
(-1165), and the prices must straddle the last trade: above order's price (a LIMIT_MAKER's or
TAKE_PROFIT_LIMIT's limit price, else its stop price) > last trade price > below order's (-2010
``The relationship of the prices for the orders is not correct.``). A refused list places
nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tradeterm.venues.loopback.accounts import Account, LoopbackOrder
from tradeterm.venues.loopback.errors import ApiError, mandatory
from tradeterm.venues.loopback.info import MAX_OPEN_ORDERS
from tradeterm.venues.loopback.market import SymbolMarket
from tradeterm.venues.loopback.order_entry import (
    INSUFFICIENT,
    OrderSpec,
    last_price,
    read_order,
    take_funds,
)
from tradeterm.venues.loopback.order_lists import OrderList, lock_pair
from tradeterm.venues.loopback.params import CLIENT_ID, new_client_id

if TYPE_CHECKING:
    from tradeterm.venues.loopback.exchange import LoopbackExchange

STOP_LOSS = ("STOP_LOSS", "STOP_LOSS_LIMIT")
LIMIT_LIKE = ("LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
AT_LIMIT = ("LIMIT_MAKER", "TAKE_PROFIT_LIMIT")  # placed by their limit price, else stop price
LEG_FIELDS = (
    ("Type", "type"),
    ("Price", "price"),
    ("StopPrice", "stopPrice"),
    ("TimeInForce", "timeInForce"),
    ("ClientOrderId", "newClientOrderId"),
    ("Side", "side"),
    ("Quantity", "quantity"),
)
BAD_PRICES = "The relationship of the prices for the orders is not correct."


class ListRequests:
    """Reads the order list requests and places the lists on ``exchange``."""

    def __init__(self, exchange: LoopbackExchange) -> None:
        self.exchange = exchange

    # --- the endpoints -------------------------------------------------------------------------
    def oco(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        market = self._market(p)
        above, below = self._pair(market, account, p, "above", "below", p, pending=True)
        _check_straddle(above, below, last_price(market))
        for spec in (above, below):  # post-only: after the prices (Binance's order of checks)
            if spec.kind == "LIMIT_MAKER" and market.book.would_take(spec.book_side, spec.ticks):
                raise ApiError(-2010, "Order would immediately match and take.")
        return self._place_oco(account, p, market, above, below)

    def old_oco(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        """The older ``POST /api/v3/order/oco``: a LIMIT_MAKER at ``price`` and a stop order at
        ``stopPrice`` (STOP_LOSS_LIMIT at ``stopLimitPrice`` when given)."""
        limit = {
            "Type": "LIMIT_MAKER",
            "Price": p.get("price", ""),
            "ClientOrderId": p.get("limitClientOrderId", ""),
        }
        stop = {
            "Type": "STOP_LOSS_LIMIT" if p.get("stopLimitPrice") else "STOP_LOSS",
            "Price": p.get("stopLimitPrice", ""),
            "StopPrice": p.get("stopPrice", ""),
            "TimeInForce": p.get("stopLimitTimeInForce", ""),
            "ClientOrderId": p.get("stopClientOrderId", ""),
        }
        if not p.get("price"):
            raise mandatory("price")
        if not p.get("stopPrice"):
            raise mandatory("stopPrice")
        above, below = (stop, limit) if p.get("side") == "BUY" else (limit, stop)
        q = dict(p)
        for prefix, leg in (("above", above), ("below", below)):
            q.update({prefix + k: v for k, v in leg.items() if v})
        return self.oco(account, q)

    def oto(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        market = self._market(p)
        working = self._working(market, account, p)
        pending = self._read(market, account, p, "pending", p, pending=True)
        _check_room(account, 2)
        return self._place_oto(account, p, market, working, [pending])

    def otoco(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        market = self._market(p)
        working = self._working(market, account, p)
        common = {"side": p.get("pendingSide", ""), "quantity": p.get("pendingQuantity", "")}
        if not common["side"]:
            raise mandatory("pendingSide")
        if not common["quantity"]:
            raise mandatory("pendingQuantity")
        above, below = self._pair(
            market, account, p, "pendingAbove", "pendingBelow", common, pending=True
        )
        if _level(above) <= _level(below):
            raise ApiError(-2010, BAD_PRICES)
        _check_room(account, 3)
        return self._place_oto(account, p, market, working, _stop_first(above, below))

    # --- reading -------------------------------------------------------------------------------
    def _market(self, p: dict[str, str]) -> SymbolMarket:
        market = self.exchange.symbol(p)
        assert market is not None
        return market

    def _read(
        self,
        market: SymbolMarket,
        account: Account,
        p: dict[str, str],
        prefix: str,
        common: dict[str, str],
        pending: bool = False,
    ) -> OrderSpec:
        """One order of a list from its prefixed parameters (``common``: side and quantity when
        the list has them once for two orders)."""
        leg = {"symbol": market.symbol}
        for name in ("side", "quantity"):
            if common.get(name):
                leg[name] = common[name]
        for suffix, name in LEG_FIELDS:
            value = p.get(prefix + suffix)
            if value:
                leg[name] = value
        if not leg.get("type"):
            raise mandatory(prefix + "Type")
        try:
            return read_order(market, account, leg, leg=True, pending=pending)
        except ApiError as exc:
            for suffix, name in LEG_FIELDS:
                exc.msg = exc.msg.replace(f"'{name}'", f"'{prefix}{suffix}'")
            raise

    def _working(self, market: SymbolMarket, account: Account, p: dict[str, str]) -> OrderSpec:
        if p.get("workingType") not in ("LIMIT", "LIMIT_MAKER"):
            if not p.get("workingType"):
                raise mandatory("workingType")
            raise ApiError(-1116, "Invalid orderType.")
        return self._read(market, account, p, "working", {})

    def _pair(
        self,
        market: SymbolMarket,
        account: Account,
        p: dict[str, str],
        up: str,
        down: str,
        common: dict[str, str],
        pending: bool = False,
    ) -> tuple[OrderSpec, OrderSpec]:
        """An OCO pair's above and below orders, with the OCO's type rules."""
        side = common.get("side", "")
        if not side:
            raise mandatory("side")
        if not common.get("quantity"):
            raise mandatory("quantity")
        up_type, down_type = p.get(up + "Type", ""), p.get(down + "Type", "")
        if not up_type:
            raise mandatory(up + "Type")
        if not down_type:
            raise mandatory(down + "Type")
        kinds = STOP_LOSS + LIMIT_LIKE
        if up_type not in kinds or down_type not in kinds:
            raise ApiError(-1158, "Order type not supported in OCO.")
        if up_type in LIMIT_LIKE and down_type in LIMIT_LIKE:
            raise ApiError(-1168, "At least one OCO order must be contingent.")
        if up_type in STOP_LOSS and down_type in STOP_LOSS:
            raise ApiError(-1158, "Order type not supported in OCO.")
        if side == "SELL" and up_type in STOP_LOSS:
            raise ApiError(-1166, "A limit order in a sell OCO must be above.")
        if side == "BUY" and down_type in STOP_LOSS:
            raise ApiError(-1165, "A limit order in a buy OCO must be below.")
        above = self._read(market, account, p, up, common, pending)
        below = self._read(market, account, p, down, common, pending)
        if above.client_id == below.client_id:
            raise ApiError(-2010, "Duplicate order sent.")
        return above, below

    def _list_client_id(self, account: Account, p: dict[str, str]) -> str:
        client_id = p.get("listClientOrderId") or new_client_id()
        if not CLIENT_ID.match(client_id):
            raise ApiError(
                -1100,
                "Illegal characters found in parameter 'listClientOrderId'; "
                "legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.",
            )
        for known in self.exchange.lists.lists.values():
            if known.account is account and known.client_id == client_id and known.active:
                raise ApiError(-2010, "Duplicate order sent.")
        return client_id

    # --- placing -------------------------------------------------------------------------------
    def _place_oco(
        self,
        account: Account,
        p: dict[str, str],
        market: SymbolMarket,
        above: OrderSpec,
        below: OrderSpec,
    ) -> dict[str, Any]:
        _check_room(account, 2)
        client_id = self._list_client_id(account, p)
        unit = max(above.unit_price, below.unit_price)
        if not lock_pair(account, market.cfg, above.side, above.qty, unit):
            raise ApiError(-2010, INSUFFICIENT)
        desk = self.exchange.lists
        list_id = desk.next_id()
        legs = [self.exchange.open_order(account, s, list_id) for s in _stop_first(above, below)]
        for leg in legs:
            leg.shared_lock, leg.reserve_price = True, unit
        order_list = OrderList(
            list_id, client_id, "OCO", market.symbol, account, legs, legs[0].time_ms
        )
        order_list.pair, order_list.pair_live = list(legs), True
        return self._start(order_list, p)

    def _place_oto(
        self,
        account: Account,
        p: dict[str, str],
        market: SymbolMarket,
        working_spec: OrderSpec,
        pending_specs: list[OrderSpec],
    ) -> dict[str, Any]:
        client_id = self._list_client_id(account, p)
        if not take_funds(account, working_spec):
            raise ApiError(-2010, INSUFFICIENT)
        desk = self.exchange.lists
        list_id = desk.next_id()
        working = self.exchange.open_order(account, working_spec, list_id)
        pending = [
            self.exchange.open_order(account, s, list_id, status="PENDING_NEW")
            for s in pending_specs
        ]
        order_list = OrderList(
            list_id, client_id, "OTO", market.symbol, account, [working, *pending], working.time_ms
        )
        order_list.working, order_list.pending = working, pending
        if len(pending) > 1:
            order_list.pair = list(pending)
        return self._start(order_list, p)

    def _start(self, order_list: OrderList, p: dict[str, str]) -> dict[str, Any]:
        account = order_list.account
        trades_before = len(account.trades)
        self.exchange.lists.start(order_list)
        fills = account.trades[trades_before:]
        resp_type = p.get("newOrderRespType") or "FULL"
        out = order_list.head()
        out["orderReports"] = [
            _report(self.exchange, o, resp_type, fills) for o in order_list.orders
        ]
        return out


def _report(
    exchange: LoopbackExchange, order: LoopbackOrder, resp_type: str, fills: list[Any]
) -> dict[str, Any]:
    return exchange.order_response(order, resp_type, [t for t in fills if t.order is order])


def _level(spec: OrderSpec) -> Decimal:
    """Where an OCO order sits against the market: a LIMIT_MAKER's or TAKE_PROFIT_LIMIT's
    limit price, else its stop price."""
    price = spec.price if spec.kind in AT_LIMIT else spec.stop_price
    assert price is not None
    return price


def _check_straddle(above: OrderSpec, below: OrderSpec, last: Decimal) -> None:
    if not _level(above) > last > _level(below):
        raise ApiError(-2010, BAD_PRICES)


def _check_room(account: Account, orders: int) -> None:
    if len(account.open_orders) + orders > MAX_OPEN_ORDERS:
        raise ApiError(-1013, "Filter failure: MAX_NUM_ORDERS")


def _stop_first(above: OrderSpec, below: OrderSpec) -> list[OrderSpec]:
    """Binance lists an OCO's stop-loss order first."""
    return [above, below] if above.kind in STOP_LOSS else [below, above]
