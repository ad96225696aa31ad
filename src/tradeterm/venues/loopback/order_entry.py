"""An order request read as Binance reads it, before anything happens: ``read_order`` checks, in
Binance's words and order, the side (-1117), type (-1116), time in force (-1106 / -1115),
quantity and prices (-1102), the filters (-1013 ``PRICE_FILTER`` / ``LOT_SIZE`` / ``NOTIONAL``),
the client order id (-1100, -2010 ``Duplicate order sent.``), the open order count and post-only
(-2010 ``Order would immediately match and take.``), and gives an ``OrderSpec``. ``take_funds``
then locks what the order needs (-2010 ``Account has insufficient balance...`` when it cannot).

A plain order (``POST /api/v3/order``) may be LIMIT, LIMIT_MAKER or MARKET; the legs of an order
list (``order_lists.py``) may also be the stop types, which wait for the last trade to cross
their ``stopPrice``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradeterm.domain.market import Side
from tradeterm.venues.loopback.accounts import Account
from tradeterm.venues.loopback.errors import ApiError, mandatory
from tradeterm.venues.loopback.info import MAX_OPEN_ORDERS, MAX_PRICE, MAX_QTY, ORDER_TYPES
from tradeterm.venues.loopback.market import SymbolMarket
from tradeterm.venues.loopback.params import CLIENT_ID, decimal_param, new_client_id

UNSUPPORTED_TYPES = {
    "STOP_LOSS": "Stop loss orders are not supported for this symbol.",
    "STOP_LOSS_LIMIT": "Stop loss limit orders are not supported for this symbol.",
    "TAKE_PROFIT": "Take profit orders are not supported for this symbol.",
    "TAKE_PROFIT_LIMIT": "Take profit limit orders are not supported for this symbol.",
}
STOP_TYPES = tuple(UNSUPPORTED_TYPES)
LIMIT_PRICED = ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
WITH_TIF = ("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
INSUFFICIENT = "Account has insufficient balance for requested action."


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """A checked order request, in the symbol's units too (ticks, lots)."""

    market: SymbolMarket
    side: str
    kind: str
    tif: str
    qty: Decimal
    price: Decimal | None
    stop_price: Decimal | None
    lots: int
    ticks: int
    stop_ticks: int
    notional: Decimal
    client_id: str

    @property
    def book_side(self) -> Side:
        return Side.BUY if self.side == "BUY" else Side.SELL

    @property
    def unit_price(self) -> Decimal:
        """The price a buy's funds are locked at: its limit price, else its stop price."""
        return self.price if self.price is not None else (self.stop_price or Decimal(0))


def read_order(
    market: SymbolMarket,
    account: Account,
    p: dict[str, str],
    leg: bool = False,
    pending: bool = False,
) -> OrderSpec:
    """Check one order request (``leg``: an order of an order list, which may be a stop order;
    ``pending``: one placed later, whose book checks wait until then)."""
    cfg = market.cfg
    side = p.get("side", "")
    if not side:
        raise mandatory("side")
    if side not in ("BUY", "SELL"):
        raise ApiError(-1117, "Invalid side.")
    kind = p.get("type", "")
    if not kind:
        raise mandatory("type")
    if kind in UNSUPPORTED_TYPES and not leg:
        raise ApiError(-2010, UNSUPPORTED_TYPES[kind])
    if kind not in ORDER_TYPES and kind not in STOP_TYPES:
        raise ApiError(-1116, "Invalid orderType.")
    tif = p.get("timeInForce", "")
    if kind in WITH_TIF and not tif:
        raise mandatory("timeInForce")
    if kind not in WITH_TIF and tif:
        raise ApiError(-1106, "Parameter 'timeInForce' sent when not required.")
    if tif and tif not in ("GTC", "IOC", "FOK"):
        raise ApiError(-1115, "Invalid timeInForce.")
    qty = decimal_param(p, "quantity")
    if qty is None:
        raise mandatory("quantity")
    price = decimal_param(p, "price")
    if kind in LIMIT_PRICED and price is None:
        raise mandatory("price")
    if kind not in LIMIT_PRICED and price is not None:
        raise ApiError(-1106, "Parameter 'price' sent when not required.")
    stop_price = decimal_param(p, "stopPrice")
    if kind in STOP_TYPES and stop_price is None:
        raise mandatory("stopPrice")
    if kind not in STOP_TYPES and stop_price is not None and leg:
        raise ApiError(-1106, "Parameter 'stopPrice' sent when not required.")
    step, min_qty = cfg.step_size, cfg.min_qty or cfg.step_size
    if qty < min_qty or qty > MAX_QTY or qty % step:
        raise ApiError(-1013, "Filter failure: LOT_SIZE")
    lots = int(qty / step)
    ticks = _ticks(market, price)
    stop_ticks = _ticks(market, stop_price)
    if price is not None:
        notional = price * qty
    elif stop_price is not None:
        notional = stop_price * qty
    else:
        took, value = market.book.cost_to_take(Side.BUY if side == "BUY" else Side.SELL, lots)
        notional = Decimal(value) * cfg.tick_size * step
        if took < lots:
            notional += (lots - took) * step * last_price(market)
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
    if len(account.open_orders) >= MAX_OPEN_ORDERS and not pending:
        raise ApiError(-1013, "Filter failure: MAX_NUM_ORDERS")
    spec = OrderSpec(
        market,
        side,
        kind,
        tif,
        qty,
        price,
        stop_price,
        lots,
        ticks,
        stop_ticks,
        notional,
        client_id,
    )
    if kind == "LIMIT_MAKER" and not pending and market.book.would_take(spec.book_side, ticks):
        raise ApiError(-2010, "Order would immediately match and take.")
    return spec


def _ticks(market: SymbolMarket, price: Decimal | None) -> int:
    if price is None:
        return 0
    tick = market.cfg.tick_size
    if price < tick or price > MAX_PRICE or price % tick:
        raise ApiError(-1013, "Filter failure: PRICE_FILTER")
    return int(price / tick)


def take_funds(account: Account, spec: OrderSpec, lock: bool = True) -> bool:
    """Lock what a plain order needs: a sell its quantity, a limit buy price x quantity (a
    market buy pays as it fills: the whole cost must be free now). ``lock`` False: only check
    that it is free (``order/test``)."""
    cfg = spec.market.cfg
    if spec.side == "SELL":
        asset, amount = cfg.base, spec.qty
    elif spec.kind == "MARKET":
        return account.balance(cfg.quote).free >= spec.notional
    else:
        asset, amount = cfg.quote, spec.unit_price * spec.qty
    return account.lock(asset, amount) if lock else account.balance(asset).free >= amount


def last_price(market: SymbolMarket) -> Decimal:
    """The symbol's last trade price (its start price before any trade)."""
    if market.recent_trades:
        return Decimal(str(market.recent_trades[-1]["price"]))
    return market.cfg.start_price
