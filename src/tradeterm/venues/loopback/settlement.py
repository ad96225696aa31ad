"""Settlement of the loopback accounts' orders from what the book tells about them: a fill
moves the account's balances (fee included) and the order's filled quantity, a cancel or an
expiry releases what the order still locked, and each goes to the account's user data stream
(execution reports, then one balance update per account touched).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tradeterm.config import ExchangeConfig
from tradeterm.venues.loopback.accounts import Account, LoopbackOrder, OwnTrade, execution_report
from tradeterm.venues.loopback.book import OwnDone, OwnEvent, OwnFill
from tradeterm.venues.loopback.market import SymbolMarket
from tradeterm.venues.loopback.streams import StreamHub


class Settlement:
    """Settles the exchange's orders (``orders``, by id) and publishes to ``hub``."""

    def __init__(
        self, cfg: ExchangeConfig, orders: dict[int, LoopbackOrder], hub: StreamHub
    ) -> None:
        self.cfg = cfg
        self.orders = orders
        self.hub = hub
        # news of an order list's order (it traded or left), for the lists (list_desk.py)
        self.on_list_order: Callable[[LoopbackOrder], None] = lambda order: None

    def on_own_events(self, market: SymbolMarket, events: list[OwnEvent], ts: int) -> None:
        ms = ts // 1_000_000
        cfg = market.cfg
        touched: dict[int, Account] = {}
        for ev in events:
            order = self.orders.get(ev.order_id)
            if order is None:
                continue
            account = order.account
            touched[id(account)] = account
            if isinstance(ev, OwnFill):
                price = ev.price * cfg.tick_size
                qty = ev.qty * cfg.step_size
                rate = self.cfg.maker_fee if ev.maker else self.cfg.taker_fee
                commission, asset = account.settle_fill(
                    order, cfg.base, cfg.quote, price, qty, rate
                )
                order.executed += qty
                order.quote += price * qty
                order.update_ms = ms
                order.status = "FILLED" if order.executed == order.qty else "PARTIALLY_FILLED"
                if order.status == "FILLED":
                    self._close(order)
                trade = OwnTrade(ev.trade_id, order, price, qty, commission, asset, ms, ev.maker)
                account.trades.append(trade)
                self.user(account, execution_report(order, "TRADE", ms, trade), fill=True)
            elif isinstance(ev, OwnDone) and ev.reason != "FILLED":
                order.status = order.cancel_as if ev.reason == "CANCELED" else "EXPIRED"
                order.update_ms = ms
                if not order.shared_lock:  # an OCO pair's funds come back through its list
                    account.release_rest(order, cfg.base, cfg.quote)
                self._close(order)
                self.user(account, execution_report(order, order.status, ms))
            else:
                continue
            if order.list_id >= 0:
                self.on_list_order(order)
        for account in touched.values():
            self.send_position(account, ms)

    def send_position(self, account: Account, ms: int) -> None:
        position = account.position_event(ms)
        if position is not None:
            self.user(account, position)

    @staticmethod
    def _close(order: LoopbackOrder) -> None:
        order.on_book = False
        order.account.open_orders.pop(order.order_id, None)

    def user(self, account: Account, payload: dict[str, Any], fill: bool = False) -> None:
        self.hub.publish_user(account, json.dumps(payload, separators=(",", ":")), fill)
