"""Accounts on the loopback exchange: API keys, balances (free and locked, exact Decimal),
orders, own trades and listen keys, with the JSON shapes Binance uses for them.

Funds are locked when an order arrives (a limit buy locks price x quantity of the quote asset, a
sell locks the base asset) and released as it fills or leaves the book. Commission is charged in
the asset received, as on Binance: the buyer pays it in the base asset, the seller in the quote.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tradeterm.config import LoopbackAccount

EIGHT = Decimal("0.00000001")


def d8(value: Decimal) -> str:
    return f"{value.quantize(EIGHT, ROUND_HALF_UP):f}"


@dataclass(slots=True)
class Balance:
    free: Decimal = Decimal(0)
    locked: Decimal = Decimal(0)


@dataclass(slots=True)
class LoopbackOrder:
    order_id: int
    client_order_id: str
    symbol: str
    side: str  # BUY | SELL
    type: str  # LIMIT | LIMIT_MAKER | MARKET (and, in order lists, the stop types)
    tif: str  # GTC | IOC | FOK
    price: Decimal  # 0 for MARKET
    qty: Decimal
    account: Account
    time_ms: int
    price_ticks: int = 0
    qty_lots: int = 0
    executed: Decimal = Decimal(0)
    quote: Decimal = Decimal(0)  # cumulative quote asset transacted
    status: str = "NEW"
    update_ms: int = 0
    on_book: bool = False
    cancel_client_id: str = ""  # the cancel request's own client id (executionReport "c")
    # order lists (order_lists.py): the list, the stop price, whether the order works yet (a stop
    # waits for its trigger, an OTO's pending order for the working one), the price a buy's
    # funds are locked at when not its own limit price, and whether the list holds its funds
    list_id: int = -1
    stop_price: Decimal = Decimal(0)
    stop_ticks: int = 0
    working: bool = True
    working_ms: int = 0
    reserve_price: Decimal | None = None
    shared_lock: bool = False
    cancel_as: str = "CANCELED"  # the status a cancel from the book gives (EXPIRED: by its list)

    @property
    def is_open(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED", "PENDING_NEW")

    @property
    def lock_price(self) -> Decimal:
        """The price per unit a buy's locked funds were taken at."""
        return self.price if self.reserve_price is None else self.reserve_price

    def as_json(self, orig_client_id: str | None = None) -> dict[str, Any]:
        """The order as ``GET /api/v3/order`` shows it (with ``orig_client_id``: as the answer to
        a cancel shows it)."""
        out: dict[str, Any] = {"symbol": self.symbol}
        if orig_client_id is not None:
            out["origClientOrderId"] = orig_client_id
        out.update(
            {
                "orderId": self.order_id,
                "orderListId": self.list_id,
                "clientOrderId": self.client_order_id
                if orig_client_id is None
                else self.cancel_client_id,
                "price": d8(self.price),
                "origQty": d8(self.qty),
                "executedQty": d8(self.executed),
                "cummulativeQuoteQty": d8(self.quote),
                "status": self.status,
                "timeInForce": self.tif,
                "type": self.type,
                "side": self.side,
            }
        )
        if orig_client_id is None:
            out.update(
                {
                    "stopPrice": d8(self.stop_price),
                    "icebergQty": "0.00000000",
                    "time": self.time_ms,
                    "updateTime": self.update_ms or self.time_ms,
                    "isWorking": self.working,
                    "workingTime": (self.working_ms or self.time_ms) if self.working else -1,
                    "origQuoteOrderQty": "0.00000000",
                    "selfTradePreventionMode": "NONE",
                }
            )
        return out


@dataclass(slots=True)
class OwnTrade:
    trade_id: int
    order: LoopbackOrder
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    time_ms: int
    maker: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "symbol": self.order.symbol,
            "id": self.trade_id,
            "orderId": self.order.order_id,
            "orderListId": self.order.list_id,
            "price": d8(self.price),
            "qty": d8(self.qty),
            "quoteQty": d8(self.price * self.qty),
            "commission": d8(self.commission),
            "commissionAsset": self.commission_asset,
            "time": self.time_ms,
            "isBuyer": self.order.side == "BUY",
            "isMaker": self.maker,
            "isBestMatch": True,
        }


@dataclass
class Account:
    api_key: str
    secret: bytes
    balances: dict[str, Balance]
    uid: int
    open_orders: dict[int, LoopbackOrder] = field(default_factory=dict)
    orders: list[LoopbackOrder] = field(default_factory=list)
    by_client_id: dict[tuple[str, str], LoopbackOrder] = field(default_factory=dict)
    trades: list[OwnTrade] = field(default_factory=list)
    listen_key: str | None = None
    listen_key_expires: float = 0.0  # monotonic
    changed_assets: set[str] = field(default_factory=set)

    @classmethod
    def from_config(cls, cfg: LoopbackAccount, uid: int) -> Account:
        return cls(
            cfg.api_key,
            cfg.api_secret.encode(),
            {asset: Balance(Decimal(amount)) for asset, amount in cfg.balances.items()},
            uid,
        )

    def balance(self, asset: str) -> Balance:
        bal = self.balances.get(asset)
        if bal is None:
            bal = self.balances[asset] = Balance()
        return bal

    # --- funds -------------------------------------------------------------------------------
    def lock(self, asset: str, amount: Decimal) -> bool:
        bal = self.balance(asset)
        if bal.free < amount:
            return False
        bal.free -= amount
        bal.locked += amount
        self.changed_assets.add(asset)
        return True

    def release(self, asset: str, amount: Decimal) -> None:
        bal = self.balance(asset)
        bal.locked -= amount
        bal.free += amount
        self.changed_assets.add(asset)

    def settle_fill(
        self,
        order: LoopbackOrder,
        base: str,
        quote: str,
        price: Decimal,
        qty: Decimal,
        fee_rate: Decimal,
    ) -> tuple[Decimal, str]:
        """Move the funds of one fill; returns (commission, commission asset)."""
        value = price * qty
        self.changed_assets.update((base, quote))
        if order.side == "BUY":
            commission = (qty * fee_rate).quantize(EIGHT, ROUND_HALF_UP)
            q = self.balance(quote)
            if order.type == "MARKET":
                q.free -= value
            else:  # the lock was taken at the limit price; the difference comes back
                q.locked -= order.lock_price * qty
                q.free += (order.lock_price - price) * qty
            self.balance(base).free += qty - commission
            return commission, base
        commission = (value * fee_rate).quantize(EIGHT, ROUND_HALF_UP)
        self.balance(base).locked -= qty
        self.balance(quote).free += value - commission
        return commission, quote

    def release_rest(self, order: LoopbackOrder, base: str, quote: str) -> None:
        """The order left the book with quantity unfilled: unlock what it still held."""
        leaves = order.qty - order.executed
        if leaves <= 0:
            return
        if order.side == "SELL":
            self.release(base, leaves)
        elif order.type != "MARKET":
            self.release(quote, order.lock_price * leaves)

    # --- listen key ----------------------------------------------------------------------------
    def open_listen_key(self, now: float, ttl_s: float) -> str:
        if self.listen_key is None:
            self.listen_key = secrets.token_urlsafe(45)[:60]
        self.listen_key_expires = now + ttl_s
        return self.listen_key

    def position_event(self, ms: int) -> dict[str, Any] | None:
        """``outboundAccountPosition`` for the assets changed since the last one."""
        if not self.changed_assets:
            return None
        assets, self.changed_assets = sorted(self.changed_assets), set()
        return {
            "e": "outboundAccountPosition",
            "E": ms,
            "u": ms,
            "B": [
                {"a": a, "f": d8(self.balances[a].free), "l": d8(self.balances[a].locked)}
                for a in assets
            ],
        }

    def as_json(self, ms: int, maker_fee: Decimal, taker_fee: Decimal) -> dict[str, Any]:
        return {
            "makerCommission": int(maker_fee * 10_000),
            "takerCommission": int(taker_fee * 10_000),
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {
                "maker": d8(maker_fee),
                "taker": d8(taker_fee),
                "buyer": "0.00000000",
                "seller": "0.00000000",
            },
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": ms,
            "accountType": "SPOT",
            "balances": [
                {"asset": a, "free": d8(b.free), "locked": d8(b.locked)}
                for a, b in sorted(self.balances.items())
            ],
            "permissions": ["SPOT"],
            "uid": self.uid,
        }


def execution_report(
    order: LoopbackOrder,
    exec_type: str,
    ms: int,
    fill: OwnTrade | None = None,
    reject_reason: str = "NONE",
) -> dict[str, Any]:
    """The user data stream's ``executionReport`` for one change of ``order``."""
    canceled = exec_type == "CANCELED"
    return {
        "e": "executionReport",
        "E": ms,
        "s": order.symbol,
        "c": order.cancel_client_id if canceled else order.client_order_id,
        "S": order.side,
        "o": order.type,
        "f": order.tif,
        "q": d8(order.qty),
        "p": d8(order.price),
        "P": d8(order.stop_price),
        "F": "0.00000000",
        "g": order.list_id,
        "C": order.client_order_id if canceled else "",
        "x": exec_type,
        "X": order.status,
        "r": reject_reason,
        "i": order.order_id,
        "l": d8(fill.qty) if fill else "0.00000000",
        "z": d8(order.executed),
        "L": d8(fill.price) if fill else "0.00000000",
        "n": d8(fill.commission) if fill else "0",
        "N": fill.commission_asset if fill else None,
        "T": ms,
        "t": fill.trade_id if fill else -1,
        "I": 0,
        "w": order.on_book,
        "m": fill.maker if fill else False,
        "M": False,
        "O": order.time_ms,
        "Z": d8(order.quote),
        "Y": d8(fill.price * fill.qty) if fill else "0.00000000",
        "Q": "0.00000000",
        "W": order.time_ms,
        "V": "NONE",
    }
