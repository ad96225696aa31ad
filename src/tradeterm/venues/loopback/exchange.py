"""The loopback exchange itself: symbols, accounts and order entry with Binance's rules and
error answers. The REST layer (``rest.py``) parses requests and calls in here; everything here is
synchronous, so each request is atomic with respect to the market. Parameters are read as Binance
reads them (``params.py``); what the book then does to the orders is settled in
``settlement.py``.

Order entry checks what Binance checks, in Binance's words: the symbol (-1121), mandatory
parameters (-1102), the filters (-1013 ``Filter failure: PRICE_FILTER`` / ``LOT_SIZE`` /
``NOTIONAL``), the client order id (-1100, and -2010 ``Duplicate order sent.``), funds (-2010
``Account has insufficient balance for requested action.``) and post-only (-2010 ``Order would
immediately match and take.``), all read in ``order_entry.py``. Supported order types: LIMIT (GTC,
IOC, FOK), LIMIT_MAKER, MARKET; in order lists (``order_lists.py``) also the stop types.
"""

from __future__ import annotations

import itertools
import random
import time
from decimal import Decimal
from typing import Any

from tradeterm.config import ExchangeConfig
from tradeterm.domain.market import Side
from tradeterm.venues.loopback.accounts import (
    Account,
    LoopbackOrder,
    OwnTrade,
    d8,
    execution_report,
)
from tradeterm.venues.loopback.faults import FaultInjector
from tradeterm.venues.loopback.errors import ApiError, mandatory, now_ms
from tradeterm.venues.loopback.info import exchange_info
from tradeterm.venues.loopback.list_desk import ListDesk
from tradeterm.venues.loopback.list_queries import ListQueries
from tradeterm.venues.loopback.list_requests import ListRequests
from tradeterm.venues.loopback.market import LoopbackMarket, SymbolMarket
from tradeterm.venues.loopback.order_entry import (
    INSUFFICIENT,
    STOP_TYPES,
    OrderSpec,
    read_order,
    take_funds,
)
from tradeterm.venues.loopback.params import in_window, int_param, new_client_id, page
from tradeterm.venues.loopback.settlement import Settlement
from tradeterm.venues.loopback.streams import StreamHub


class LoopbackExchange:
    def __init__(self, cfg: ExchangeConfig, injector: FaultInjector | None = None) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.injector = injector or FaultInjector()
        self.hub = StreamHub(self.injector)
        self.injector.hub = self.hub
        self.market = LoopbackMarket(cfg, self.hub, self.rng)
        self.accounts = {
            a.api_key: Account.from_config(a, i + 1) for i, a in enumerate(cfg.accounts)
        }
        self.orders: dict[int, LoopbackOrder] = {}
        self.settlement = Settlement(cfg, self.orders, self.hub)
        self.market.on_own_events = self.settlement.on_own_events
        self._order_ids = itertools.count(1001)
        self.lists = ListDesk(self)  # order lists: what they do, and the stops they hold
        self.settlement.on_list_order = self.lists.leg_changed
        self.market.on_trades = self.lists.trades_printed
        self.list_requests = ListRequests(self)
        self.list_queries = ListQueries(self)

    # --- lookups -------------------------------------------------------------------------------
    def account_for_listen_key(self, key: str) -> Account | None:
        for account in self.accounts.values():
            if account.listen_key == key and account.listen_key_expires > time.monotonic():
                return account
        return None

    def symbol(self, params: dict[str, str], required: bool = True) -> SymbolMarket | None:
        name = params.get("symbol", "")
        if not name:
            if required:
                raise mandatory("symbol")
            return None
        market = self.market.symbols.get(name.upper())
        if market is None:
            raise ApiError(-1121, "Invalid symbol.")
        return market

    # --- public --------------------------------------------------------------------------------
    def exchange_info(self, params: dict[str, str]) -> dict[str, Any]:
        return exchange_info(self.market, params)

    def depth(self, params: dict[str, str]) -> dict[str, Any]:
        market = self.symbol(params)
        assert market is not None
        limit = int_param(params, "limit", 100)
        if not 1 <= limit <= 5000:
            raise ApiError(-1130, "Data sent for parameter 'limit' is not valid.")
        return market.snapshot(limit)

    def recent_trades(self, params: dict[str, str]) -> list[dict[str, Any]]:
        market = self.symbol(params)
        assert market is not None
        limit = min(max(int_param(params, "limit", 500), 1), 1000)
        return list(market.recent_trades)[-limit:]

    # --- order entry ---------------------------------------------------------------------------
    def new_order(self, account: Account, p: dict[str, str], test: bool = False) -> dict[str, Any]:
        """Place an order; ``test``: check it as if placing it (funds too), place nothing."""
        market = self.symbol(p)
        assert market is not None
        spec = read_order(market, account, p)
        if not take_funds(account, spec, lock=not test):
            raise ApiError(-2010, INSUFFICIENT)
        if test:
            return {}
        order = self.open_order(account, spec)
        trades_before = len(account.trades)
        self.submit(order)
        return self.order_response(
            order,
            p.get("newOrderRespType", ""),
            [t for t in account.trades[trades_before:] if t.order is order],
        )

    def test_order(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        """``POST /api/v3/order/test``: ``{}``, or with ``computeCommissionRates=true`` the rates
        the order would pay."""
        self.new_order(account, p, test=True)
        if p.get("computeCommissionRates") != "true":
            return {}
        zero = {"maker": "0.00000000", "taker": "0.00000000"}
        return {
            "standardCommissionForOrder": {
                "maker": d8(self.cfg.maker_fee),
                "taker": d8(self.cfg.taker_fee),
            },
            "specialCommissionForOrder": zero,
            "taxCommissionForOrder": zero,
            "discount": {
                "enabledForAccount": False,
                "enabledForSymbol": False,
                "discountAsset": "BNB",
                "discount": "0.00000000",
            },
        }

    def open_order(
        self, account: Account, spec: OrderSpec, list_id: int = -1, status: str = "NEW"
    ) -> LoopbackOrder:
        """A new order of ``account`` (its funds already taken), known to the exchange and
        reported ``NEW`` (an OTO's pending order: ``PENDING_NEW``, not reported yet)."""
        ms = time.time_ns() // 1_000_000
        order = LoopbackOrder(
            next(self._order_ids),
            spec.client_id,
            spec.market.symbol,
            spec.side,
            spec.kind,
            spec.tif or "GTC",
            spec.price or Decimal(0),
            spec.qty,
            account,
            ms,
            spec.ticks,
            spec.lots,
            on_book=spec.kind != "MARKET" and spec.tif in ("", "GTC"),
            list_id=list_id,
            stop_price=spec.stop_price or Decimal(0),
            stop_ticks=spec.stop_ticks,
            working=status == "NEW" and spec.kind not in STOP_TYPES,
            status=status,
        )
        if order.type in STOP_TYPES or status != "NEW":
            order.on_book = False
        self.orders[order.order_id] = order
        account.orders.append(order)
        account.open_orders[order.order_id] = order
        account.by_client_id[(spec.market.symbol, spec.client_id)] = order
        if status == "NEW":
            self.settlement.user(account, execution_report(order, "NEW", ms))
        return order

    def submit(self, order: LoopbackOrder) -> None:
        """Put a working order on its book (a triggered stop as a market or limit order) and
        publish what follows."""
        market = self.market.symbols[order.symbol]
        side = Side.BUY if order.side == "BUY" else Side.SELL
        ts = time.time_ns()
        if not order.working:  # a stop triggered, or an OTO's pending order placed
            order.working, order.working_ms = True, ts // 1_000_000
        if order.type in ("MARKET", "STOP_LOSS", "TAKE_PROFIT"):
            market.book.submit_market(order.order_id, side, order.qty_lots)
        else:
            order.on_book = order.tif == "GTC"
            market.book.submit_limit(
                order.order_id, side, order.price_ticks, order.qty_lots, order.tif
            )
        self.market.after_change(market, ts)
        self.settlement.send_position(order.account, ts // 1_000_000)  # funds locked for it

    def order_response(
        self, order: LoopbackOrder, resp_type: str, fills: list[OwnTrade]
    ) -> dict[str, Any]:
        resp_type = resp_type or ("FULL" if order.type in ("LIMIT", "MARKET") else "ACK")
        out: dict[str, Any] = {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "orderListId": order.list_id,
            "clientOrderId": order.client_order_id,
            "transactTime": order.time_ms,
        }
        if resp_type == "ACK":
            return out
        full = order.as_json()
        for key in (
            "price",
            "origQty",
            "executedQty",
            "cummulativeQuoteQty",
            "status",
            "timeInForce",
            "type",
            "side",
            "workingTime",
            "selfTradePreventionMode",
        ):
            out[key] = full[key]
        if order.type in STOP_TYPES:
            out["stopPrice"] = full["stopPrice"]
        if not order.working:
            out["workingTime"] = -1
        if resp_type == "FULL":
            out["fills"] = [
                {
                    "price": d8(t.price),
                    "qty": d8(t.qty),
                    "commission": d8(t.commission),
                    "commissionAsset": t.commission_asset,
                    "tradeId": t.trade_id,
                }
                for t in fills
            ]
        return out

    def find_order(self, account: Account, p: dict[str, str]) -> LoopbackOrder | None:
        market = self.symbol(p)
        assert market is not None
        if p.get("orderId"):
            order = self.orders.get(int_param(p, "orderId", -1))
            if order is None or order.account is not account or order.symbol != market.symbol:
                return None
            return order
        if p.get("origClientOrderId"):
            return account.by_client_id.get((market.symbol, p["origClientOrderId"]))
        raise ApiError(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )

    def query_order(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        order = self.find_order(account, p)
        if order is None:
            raise ApiError(-2013, "Order does not exist.")
        return order.as_json()

    def cancel_order(self, account: Account, p: dict[str, str]) -> dict[str, Any]:
        order = self.find_order(account, p)
        if order is None or not order.is_open:
            raise ApiError(-2011, "Unknown order sent.")
        return self._cancel(order, p.get("newClientOrderId") or new_client_id())

    def _cancel(self, order: LoopbackOrder, cancel_id: str) -> dict[str, Any]:
        order.cancel_client_id = cancel_id
        order_list = self.lists.lists.get(order.list_id)
        if order_list is not None:  # cancelling one order of a list cancels the list
            self.lists.cancel(order_list, cancel_id)
            return order.as_json(orig_client_id=order.client_order_id)
        market = self.market.symbols[order.symbol]
        market.book.cancel(order.order_id)
        self.market.after_change(market, time.time_ns())
        out = order.as_json(orig_client_id=order.client_order_id)
        out.update({"transactTime": now_ms(), "selfTradePreventionMode": "NONE"})
        return out

    def cancel_all(self, account: Account, p: dict[str, str]) -> list[dict[str, Any]]:
        market = self.symbol(p)
        assert market is not None
        mine = [o for o in account.open_orders.values() if o.symbol == market.symbol]
        if not mine:
            raise ApiError(-2011, "Unknown order sent.")
        return [self._cancel(o, new_client_id()) for o in mine if o.is_open]

    def open_orders(self, account: Account, p: dict[str, str]) -> list[dict[str, Any]]:
        market = self.symbol(p, required=False)
        return [
            o.as_json()
            for o in account.open_orders.values()
            if market is None or o.symbol == market.symbol
        ]

    def all_orders(self, account: Account, p: dict[str, str]) -> list[dict[str, Any]]:
        market = self.symbol(p)
        assert market is not None
        from_id = int_param(p, "orderId", 0)
        limit = min(max(int_param(p, "limit", 500), 1), 1000)
        found = [
            o
            for o in account.orders
            if o.symbol == market.symbol and o.order_id >= from_id and in_window(o.time_ms, p)
        ]
        return [o.as_json() for o in page(found, limit, p, "orderId")]

    def my_trades(self, account: Account, p: dict[str, str]) -> list[dict[str, Any]]:
        market = self.symbol(p)
        assert market is not None
        order_id = int_param(p, "orderId", 0)
        from_id = int_param(p, "fromId", 0)
        limit = min(max(int_param(p, "limit", 500), 1), 1000)
        found = [
            t
            for t in account.trades
            if t.order.symbol == market.symbol
            and (not order_id or t.order.order_id == order_id)
            and t.trade_id >= from_id
            and in_window(t.time_ms, p)
        ]
        return [t.as_json() for t in page(found, limit, p, "fromId")]

    def account_info(self, account: Account) -> dict[str, Any]:
        return account.as_json(now_ms(), self.cfg.maker_fee, self.cfg.taker_fee)
