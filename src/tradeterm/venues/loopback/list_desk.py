"""What the loopback's order lists do as their orders trade, as Binance documents it.

* OCO: when either order trades (fully or partly) or, a stop order, triggers, the other expires
  (``EXPIRED``) and the list is ``ALL_DONE``;
* OTO: when the working order is fully filled, the pending order is placed (an OTOCO's pending
  pair then works as an OCO); an OTO is ``ALL_DONE`` once its pending order is placed;
* cancelling any order of a list cancels the list; an order that leaves without trading (e.g.
  an IOC pending order) ends the rest of its list the same way (``EXPIRED``).

Stop orders (STOP_LOSS / STOP_LOSS_LIMIT: a buy triggers at a last trade at or above its stop
price, a sell at or below; TAKE_PROFIT / TAKE_PROFIT_LIMIT the other way round) wait here, off
the book, and are checked against the prices each batch of trades prints; a triggered one goes
to the book as a market or limit order (the matching is the book's, ``book.py``). Every change
of a list sends a ``listStatus`` event on the account's user data stream.
"""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING

from tradeterm.domain.market import Side
from tradeterm.venues.loopback.accounts import LoopbackOrder, execution_report
from tradeterm.venues.loopback.market import SymbolMarket
from tradeterm.venues.loopback.order_entry import STOP_TYPES, last_price
from tradeterm.venues.loopback.order_lists import (
    ALL_DONE,
    OrderList,
    lock_pair,
    release_pair,
    unit_price,
)

if TYPE_CHECKING:
    from tradeterm.venues.loopback.exchange import LoopbackExchange

RISING = ("STOP_LOSS", "STOP_LOSS_LIMIT")  # a buy of these triggers as the price rises


class ListDesk:
    """The exchange's order lists (by id) and its waiting stop orders (by symbol)."""

    def __init__(self, exchange: LoopbackExchange) -> None:
        self.exchange = exchange
        self.lists: dict[int, OrderList] = {}
        self.waiting: dict[str, dict[int, LoopbackOrder]] = {}
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    # --- placing -------------------------------------------------------------------------------
    def start(self, order_list: OrderList) -> None:
        """A list whose orders are open (and funds taken): announce it and put its working
        orders to work."""
        self.lists[order_list.list_id] = order_list
        self._status(order_list)
        first = order_list.working
        for order in [first] if first is not None else order_list.pair:
            self._work(order)

    def _work(self, order: LoopbackOrder) -> None:
        if order.type in STOP_TYPES:
            self.waiting.setdefault(order.symbol, {})[order.order_id] = order
            self.exchange.settlement.send_position(order.account, _ms())
        else:
            self.exchange.submit(order)

    # --- what the book and the tape tell -------------------------------------------------------
    def leg_changed(self, order: LoopbackOrder) -> None:
        """Settlement's news about a list's order: it traded, or it left the book."""
        order_list = self.lists.get(order.list_id)
        if order_list is None:
            return
        if order.executed and order_list.pair_live and order in order_list.pair:
            self._resolve_pair(order_list, order)
        elif order is order_list.working and order.status == "FILLED" and order_list.active:
            self._place_pending(order_list)
        elif not order.is_open and order_list.active and order in order_list.orders:
            self._end_list(order_list, "CANCELED" if order.status == "CANCELED" else "EXPIRED")
        self._release(order_list)

    def trades_printed(self, market: SymbolMarket, low: int, high: int) -> None:
        """Trades printed on ``market`` between ``low`` and ``high`` (ticks): fire the stops
        they cross, in the order they were placed."""
        waiting = self.waiting.get(market.symbol)
        if not waiting:
            return
        crossed = [o for o in waiting.values() if _crossed(o, low, high)]
        for order in sorted(crossed, key=lambda o: o.order_id):
            if waiting.pop(order.order_id, None) is None:
                continue  # its other half fired first and expired it
            order_list = self.lists[order.list_id]
            if order_list.pair_live and order in order_list.pair:
                self._resolve_pair(order_list, order)
            self.exchange.submit(order)

    # --- cancelling ----------------------------------------------------------------------------
    def cancel(self, order_list: OrderList, cancel_id: str) -> None:
        """The list's owner cancels it: every open order is cancelled."""
        for order in order_list.orders:
            order.cancel_client_id = cancel_id
        self._end_list(order_list, "CANCELED")

    # --- the work ------------------------------------------------------------------------------
    def _resolve_pair(self, order_list: OrderList, survivor: LoopbackOrder) -> None:
        order_list.pair_live = False
        done = self._done(order_list)  # first: news of the other's end must not end it again
        for other in order_list.pair:
            if other is not survivor and other.is_open:
                self._end_order(other, "EXPIRED")
        self._announce(order_list, done)

    def _place_pending(self, order_list: OrderList) -> None:
        legs = order_list.pending
        market = self.exchange.market.symbols[order_list.symbol]
        first = legs[0]
        unit = max(unit_price(o) for o in legs)
        if first.type == "MARKET" and first.side == "BUY":
            funded = first.account.balance(market.cfg.quote).free >= first.qty * last_price(market)
        else:
            funded = lock_pair(first.account, market.cfg, first.side, first.qty, unit)
        if not funded or _would_take(market, first):
            done = self._done(order_list)
            for order in legs:
                self._end_order(order, "EXPIRED", "INSUFFICIENT_BALANCES" if not funded else "")
            self._announce(order_list, done)
            return
        ms = _ms()
        for order in legs:
            order.status = "NEW"
            if first.type != "MARKET":
                order.shared_lock, order.reserve_price = len(legs) > 1, unit
            self.exchange.settlement.user(order.account, execution_report(order, "NEW", ms))
        if len(legs) > 1:
            order_list.pair_live = True
            self._status(order_list)
        else:
            self._finish(order_list)
        for order in legs:
            self._work(order)

    def _end_list(self, order_list: OrderList, status: str) -> None:
        order_list.pair_live = False
        done = self._done(order_list)
        for order in order_list.orders:
            if order.is_open:
                self._end_order(order, status)
        self._announce(order_list, done)

    def _end_order(self, order: LoopbackOrder, status: str, reason: str = "") -> None:
        """``order`` leaves as ``status``: off the book through the book (settlement reports it),
        else (a waiting stop, a pending order) here."""
        if order.on_book:
            order.cancel_as = status
            market = self.exchange.market.symbols[order.symbol]
            market.book.cancel(order.order_id)
            self.exchange.market.after_change(market, time.time_ns())
            return
        ms = _ms()
        held = order.status != "PENDING_NEW" and not order.shared_lock
        self.waiting.get(order.symbol, {}).pop(order.order_id, None)
        order.status, order.update_ms, order.working = status, ms, False
        order.account.open_orders.pop(order.order_id, None)
        account = order.account
        if held:
            cfg = self.exchange.market.symbols[order.symbol].cfg
            account.release_rest(order, cfg.base, cfg.quote)
        self.exchange.settlement.user(
            account, execution_report(order, status, ms, reject_reason=reason or "NONE")
        )
        self.exchange.settlement.send_position(account, ms)

    def _finish(self, order_list: OrderList) -> None:
        self._announce(order_list, self._done(order_list))

    @staticmethod
    def _done(order_list: OrderList) -> bool:
        """The list is ALL_DONE from now on; True if it was not already."""
        if not order_list.active:
            return False
        order_list.status_type = order_list.order_status = ALL_DONE
        return True

    def _announce(self, order_list: OrderList, done: bool) -> None:
        """After the orders' own reports: the list's ``listStatus`` (if it just ended), and
        what is left of the pair's reservation comes back."""
        if done:
            self._status(order_list)
        self._release(order_list)

    def _release(self, order_list: OrderList) -> None:
        if not order_list.released:
            release_pair(order_list, self.exchange.market.symbols[order_list.symbol].cfg)
            if order_list.released:
                self.exchange.settlement.send_position(order_list.account, _ms())

    def _status(self, order_list: OrderList) -> None:
        self.exchange.settlement.user(order_list.account, order_list.event(_ms()))


def _crossed(order: LoopbackOrder, low: int, high: int) -> bool:
    rising = (order.type in RISING) == (order.side == "BUY")
    return high >= order.stop_ticks if rising else low <= order.stop_ticks


def _would_take(market: SymbolMarket, order: LoopbackOrder) -> bool:
    side = Side.BUY if order.side == "BUY" else Side.SELL
    return order.type == "LIMIT_MAKER" and market.book.would_take(side, order.price_ticks)


def _ms() -> int:
    return time.time_ns() // 1_000_000
