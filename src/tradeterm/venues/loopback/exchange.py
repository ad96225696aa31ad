"""The loopback exchange itself: symbols, accounts and order entry with Binance's rules and
error answers. The REST layer (``rest.py``) parses requests and calls in here; everything here is
synchronous, so each request is atomic with respect to the market. Parameters are read as Binance
reads them (``params.py``); what the book then does to the orders is settled in
``settlement.py``.

Order entry checks what Binance checks, in Binance's words: the symbol (-1121), mandatory
parameters (-1102), the filters (-1013 ``Filter failure: PRICE_FILTER`` / ``LOT_SIZE`` /
``NOTIONAL``), the client order id (-1100, and -2010 ``Duplicate order sent.``), funds (-2010
``Account has insufficient balance for requested action.``) and post-only (-2010 ``Order would
immediately match and take.``). Supported order types: LIMIT (GTC, IOC, FOK), LIMIT_MAKER, MARKET.
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
from tradeterm.venues.loopback.info import (
    MAX_OPEN_ORDERS,
    MAX_PRICE,
    MAX_QTY,
    ORDER_TYPES,
    exchange_info,
)
from tradeterm.venues.loopback.market import LoopbackMarket, SymbolMarket
from tradeterm.venues.loopback.params import (
    CLIENT_ID,
    decimal_param,
    in_window,
    int_param,
    new_client_id,
    page,
)
from tradeterm.venues.loopback.settlement import Settlement
from tradeterm.venues.loopback.streams import StreamHub

UNSUPPORTED_TYPES = {
    "STOP_LOSS": "Stop loss orders are not supported for this symbol.",
    "STOP_LOSS_LIMIT": "Stop loss limit orders are not supported for this symbol.",
    "TAKE_PROFIT": "Take profit orders are not supported for this symbol.",
    "TAKE_PROFIT_LIMIT": "Take profit limit orders are not supported for this symbol.",
}


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
        cfg = market.cfg
        side = p.get("side", "")
        if not side:
            raise mandatory("side")
        if side not in ("BUY", "SELL"):
            raise ApiError(-1117, "Invalid side.")
        kind = p.get("type", "")
        if not kind:
            raise mandatory("type")
        if kind in UNSUPPORTED_TYPES:
            raise ApiError(-2010, UNSUPPORTED_TYPES[kind])
        if kind not in ORDER_TYPES:
            raise ApiError(-1116, "Invalid orderType.")
        tif = p.get("timeInForce", "")
        if kind == "LIMIT" and not tif:
            raise mandatory("timeInForce")
        if kind != "LIMIT" and tif:
            raise ApiError(-1106, "Parameter 'timeInForce' sent when not required.")
        if tif and tif not in ("GTC", "IOC", "FOK"):
            raise ApiError(-1115, "Invalid timeInForce.")
        qty = decimal_param(p, "quantity")
        if qty is None:
            raise mandatory("quantity")
        price = decimal_param(p, "price")
        if kind != "MARKET" and price is None:
            raise mandatory("price")
        if kind == "MARKET" and price is not None:
            raise ApiError(-1106, "Parameter 'price' sent when not required.")
        step, min_qty = cfg.step_size, cfg.min_qty or cfg.step_size
        if qty < min_qty or qty > MAX_QTY or qty % step:
            raise ApiError(-1013, "Filter failure: LOT_SIZE")
        lots = int(qty / step)
        ticks = 0
        book_side = Side.BUY if side == "BUY" else Side.SELL
        if price is not None:
            if price < cfg.tick_size or price > MAX_PRICE or price % cfg.tick_size:
                raise ApiError(-1013, "Filter failure: PRICE_FILTER")
            ticks = int(price / cfg.tick_size)
            notional = price * qty
        else:
            took, value = market.book.cost_to_take(book_side, lots)
            notional = (
                Decimal(value) * cfg.tick_size * step
                if took == lots
                else (Decimal(value) * cfg.tick_size * step + (lots - took) * step * _last(market))
            )
        if notional < cfg.min_notional:
            raise ApiError(-1013, "Filter failure: NOTIONAL")
        client_id = p.get("newClientOrderId") or new_client_id()
        if not CLIENT_ID.match(client_id):
            raise ApiError(
                -1100,
                "Illegal characters found in parameter 'newClientOrderId'; "
                "legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.",
            )
        existing = account.by_client_id.get((market.symbol, client_id))
        if existing is not None and existing.is_open:
            raise ApiError(-2010, "Duplicate order sent.")
        if len(account.open_orders) >= MAX_OPEN_ORDERS:
            raise ApiError(-1013, "Filter failure: MAX_NUM_ORDERS")
        if kind == "LIMIT_MAKER" and market.book.would_take(book_side, ticks):
            raise ApiError(-2010, "Order would immediately match and take.")
        if not self._take_funds(account, market, side, kind, price, qty, notional, not test):
            raise ApiError(-2010, "Account has insufficient balance for requested action.")
        if test:
            return {}

        ts = time.time_ns()
        ms = ts // 1_000_000
        order = LoopbackOrder(
            next(self._order_ids),
            client_id,
            market.symbol,
            side,
            kind,
            tif or "GTC",
            price or Decimal(0),
            qty,
            account,
            ms,
            ticks,
            lots,
            on_book=kind != "MARKET" and tif in ("", "GTC"),
        )
        self.orders[order.order_id] = order
        account.orders.append(order)
        account.open_orders[order.order_id] = order
        account.by_client_id[(market.symbol, client_id)] = order
        trades_before = len(account.trades)
        self.settlement.user(account, execution_report(order, "NEW", ms))
        book = market.book
        if kind == "MARKET":
            book.submit_market(order.order_id, book_side, lots)
        else:
            book.submit_limit(order.order_id, book_side, ticks, lots, order.tif)
        self.market.after_change(market, ts)
        self.settlement.send_position(account, ms)  # the funds locked for a resting order
        return self._order_response(
            order,
            p.get("newOrderRespType", ""),
            [t for t in account.trades[trades_before:] if t.order is order],
        )

    def _take_funds(
        self,
        account: Account,
        market: SymbolMarket,
        side: str,
        kind: str,
        price: Decimal | None,
        qty: Decimal,
        notional: Decimal,
        lock: bool = True,
    ) -> bool:
        cfg = market.cfg
        if kind == "MARKET" and side == "BUY":  # paid as it fills; the whole cost must be there
            return account.balance(cfg.quote).free >= notional
        asset, amount = (cfg.base, qty) if side == "SELL" else (cfg.quote, price * qty)  # type: ignore[operator]
        return account.lock(asset, amount) if lock else account.balance(asset).free >= amount

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

    def _order_response(
        self, order: LoopbackOrder, resp_type: str, fills: list[OwnTrade]
    ) -> dict[str, Any]:
        resp_type = resp_type or ("FULL" if order.type in ("LIMIT", "MARKET") else "ACK")
        out: dict[str, Any] = {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "orderListId": -1,
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
        return [self._cancel(o, new_client_id()) for o in mine]

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


def _last(market: SymbolMarket) -> Decimal:
    if market.recent_trades:
        return Decimal(str(market.recent_trades[-1]["price"]))
    return market.cfg.start_price
