"""The ccxt exchange object: built by id (ccxt.pro's where it has one, rate limiting on, keys,
sandbox), pointed at another host (the loopback, in tests), and its market metadata read as
instruments (tick = price precision, lot = amount precision, min notional, maker / taker fees).
ccxt is imported inside the functions: only when a ccxt venue is built. The exchange is handed
out fenced (``ccxt_fence``): ccxt's changes to the Decimal context never reach the engine's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tradeterm.config import CcxtConfig
from tradeterm.core.decimals import fenced
from tradeterm.domain.instruments import Instrument
from tradeterm.venues.ccxt_fence import FencedExchange


class CcxtSetupError(Exception):
    """The exchange cannot be used as asked (unknown id, symbol, no markets): for the trader."""


def create_exchange(
    exchange_id: str,
    cfg: CcxtConfig,
    keys: Any = None,
    testnet: bool = False,
    api_url: str | None = None,
) -> Any:
    """A ccxt.pro exchange if ccxt.pro has it, else ccxt's async REST one; rate limiting on;
    fenced (``ccxt_fence``)."""
    import ccxt.async_support as ccxt_async

    try:
        import ccxt.pro as ccxt_pro
    except ImportError:  # pragma: no cover - ccxt ships ccxt.pro since 4.0
        ccxt_pro = None
    cls = getattr(ccxt_pro, exchange_id, None) if ccxt_pro is not None and cfg.websockets else None
    cls = cls or getattr(ccxt_async, exchange_id, None)
    if cls is None:
        raise CcxtSetupError(f"ccxt has no exchange {exchange_id!r} (see ccxt.exchanges)")
    config: dict[str, Any] = {"enableRateLimit": True, "options": dict(cfg.options)}
    if keys is not None:
        config.update(apiKey=keys.key, secret=keys.secret, **keys.extra)
    with fenced():
        exchange = cls(config)
        if testnet:
            exchange.set_sandbox_mode(True)
    if api_url:
        point_rest_at(exchange, api_url)
    return FencedExchange(exchange)


def point_rest_at(exchange: Any, base: str) -> None:
    """Replace the scheme and host of every URL of ``exchange.urls['api']`` (REST and ccxt.pro
    websockets; paths kept) with ``base``'s: how tests point ccxt's binance at the loopback
    exchange (``http://`` makes the websockets ``ws://``)."""
    new = urlsplit(base)
    ws_scheme = "ws" if new.scheme == "http" else "wss"

    def swap(url: Any) -> Any:
        if isinstance(url, dict):
            return {k: swap(v) for k, v in url.items()}
        if isinstance(url, str) and url.startswith(("http", "ws")):
            old = urlsplit(url)
            scheme = new.scheme if old.scheme.startswith("http") else ws_scheme
            return urlunsplit((scheme, new.netloc, old.path, old.query, old.fragment))
        return url

    exchange.urls["api"] = swap(exchange.urls["api"])


def _step(exchange: Any, value: Any) -> Decimal:
    import ccxt

    if value is None:
        raise CcxtSetupError("market without precision")
    if exchange.precisionMode == ccxt.TICK_SIZE:
        return Decimal(str(value))
    return Decimal(1).scaleb(-int(value))


def market_instrument(venue: str, exchange: Any, market: dict[str, Any]) -> Instrument:
    precision = market.get("precision") or {}
    cost = ((market.get("limits") or {}).get("cost") or {}).get("min")
    return Instrument(
        venue,
        market["symbol"],
        market["base"],
        market["quote"],
        _step(exchange, precision.get("price")),
        _step(exchange, precision.get("amount")),
        Decimal(str(cost)) if cost else Decimal(0),
        Decimal(str(market.get("maker") or 0)),
        Decimal(str(market.get("taker") or 0)),
    )
