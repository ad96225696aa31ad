"""The loopback's public market data in Binance's shapes, read from each symbol's book and trade
tape (``tape.py``): klines (``GET /api/v3/klines``, ``/api/v3/uiKlines``), aggregate trades,
the 24 hour ticker (FULL and MINI), the price and book tickers and the average price, and the
payloads of the matching streams (``@kline_<interval>``, ``@ticker``, ``@miniTicker``,
``@aggTrade``). Functions of the market and the request's parameters.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

from tradeterm.venues.loopback.errors import ApiError, mandatory
from tradeterm.venues.loopback.intervals import check_interval, time_zone_ms
from tradeterm.venues.loopback.market import LoopbackMarket, SymbolMarket, fixed8
from tradeterm.venues.loopback.params import int_param
from tradeterm.venues.loopback.tape import AggTrade, Candle

AVERAGE_MINUTES = 5
HOUR_MS = 3_600_000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def quote_str(market: SymbolMarket, ticks_x_lots: int) -> str:
    return fixed8(ticks_x_lots * market.tick8 * market.step8 // 100_000_000)


def _limit(p: dict[str, str], default: int, high: int) -> int:
    limit = int_param(p, "limit", default)
    if not 1 <= limit <= high:
        raise ApiError(-1130, "Data sent for parameter 'limit' is not valid.")
    return limit


def _optional_ms(p: dict[str, str], name: str) -> int | None:
    return int_param(p, name, 0) if p.get(name) else None


# --- klines ----------------------------------------------------------------------------------
def klines(market: SymbolMarket, p: dict[str, str]) -> list[list[Any]]:
    interval = check_interval(p.get("interval"))
    limit = _limit(p, 500, 1000)
    tz_ms = time_zone_ms(p.get("timeZone"))
    start, end = _optional_ms(p, "startTime"), _optional_ms(p, "endTime")
    tape = market.tape
    opens = tape.openings(interval, start, end, limit, now_ms(), tz_ms)
    return [kline_row(market, o, c, k) for o, c, k in tape.candles(interval, opens, tz_ms)]


def kline_row(market: SymbolMarket, open_ms: int, close_ms: int, k: Candle) -> list[Any]:
    return [
        open_ms,
        market.price_str(k.open),
        market.price_str(k.high),
        market.price_str(k.low),
        market.price_str(k.close),
        market.qty_str(k.volume),
        close_ms,
        quote_str(market, k.quote),
        k.count,
        market.qty_str(k.taker_buy_volume),
        quote_str(market, k.taker_buy_quote),
        "0",
    ]


def kline_event(
    market: SymbolMarket, interval: str, open_ms: int, close_ms: int, k: Candle, final: bool
) -> str:
    return _compact(
        {
            "e": "kline",
            "E": now_ms(),
            "s": market.symbol,
            "k": {
                "t": open_ms,
                "T": close_ms,
                "s": market.symbol,
                "i": interval,
                "f": k.first_id,
                "L": k.last_id,
                "o": market.price_str(k.open),
                "c": market.price_str(k.close),
                "h": market.price_str(k.high),
                "l": market.price_str(k.low),
                "v": market.qty_str(k.volume),
                "n": k.count,
                "x": final,
                "q": quote_str(market, k.quote),
                "V": market.qty_str(k.taker_buy_volume),
                "Q": quote_str(market, k.taker_buy_quote),
                "B": "0",
            },
        }
    )


# --- aggregate trades ------------------------------------------------------------------------
def agg_trades(market: SymbolMarket, p: dict[str, str]) -> list[dict[str, Any]]:
    limit = _limit(p, 500, 1000)
    start, end = _optional_ms(p, "startTime"), _optional_ms(p, "endTime")
    if start is not None and end is not None and not 0 <= end - start <= HOUR_MS:
        raise ApiError(-1127, "More than 1 hours between startTime and endTime.")
    found = list(market.tape.aggs)
    if p.get("fromId"):
        from_id = int_param(p, "fromId", 0)
        found = [a for a in found if a.agg_id >= from_id][:limit]
    elif start is not None or end is not None:
        found = [
            a for a in found if (start is None or a.ms >= start) and (end is None or a.ms <= end)
        ]
        found = found[:limit] if start is not None else found[-limit:]
    else:
        found = found[-limit:]
    return [agg_json(market, a) for a in found]


def agg_json(market: SymbolMarket, a: AggTrade) -> dict[str, Any]:
    return {
        "a": a.agg_id,
        "p": market.price_str(a.price),
        "q": market.qty_str(a.qty),
        "f": a.first_id,
        "l": a.last_id,
        "T": a.ms,
        "m": a.buyer_maker,
        "M": True,
    }


def agg_event(market: SymbolMarket, a: AggTrade) -> str:
    body = {"e": "aggTrade", "E": a.ms, "s": market.symbol}
    body.update(agg_json(market, a))
    return _compact(body)


# --- tickers ---------------------------------------------------------------------------------
def chosen(markets: LoopbackMarket, p: dict[str, str]) -> tuple[list[SymbolMarket], bool]:
    """The symbols a ticker request names (``symbol`` or ``symbols``, else all) and whether
    the answer is a single object."""
    if p.get("symbol") and p.get("symbols"):
        raise ApiError(-1128, "Combination of optional parameters invalid.")
    if p.get("symbol"):
        return [_market(markets, p["symbol"])], True
    if p.get("symbols"):
        try:
            names = json.loads(p["symbols"])
            if not isinstance(names, list) or not names:
                raise ValueError
        except ValueError:
            raise ApiError(-1100, "Illegal characters found in parameter 'symbols'.") from None
        return [_market(markets, str(n)) for n in names], False
    return list(markets.symbols.values()), False


def _market(markets: LoopbackMarket, name: str) -> SymbolMarket:
    market = markets.symbols.get(name.upper())
    if market is None:
        raise ApiError(-1121, "Invalid symbol.")
    return market


def answer(markets: LoopbackMarket, p: dict[str, str], one: Any) -> Any:
    found, single = chosen(markets, p)
    rows = [one(m) for m in found]
    return rows[0] if single else rows


def last_price(market: SymbolMarket) -> str:
    last = market.tape.last
    if last is not None:
        return market.price_str(last[0])
    return fixed8(int(market.cfg.start_price.scaleb(8)))


def price_ticker(market: SymbolMarket) -> dict[str, Any]:
    return {"symbol": market.symbol, "price": last_price(market)}


def book_ticker(market: SymbolMarket) -> dict[str, Any]:
    bid, bid_qty, ask, ask_qty = market.top
    return {
        "symbol": market.symbol,
        "bidPrice": market.price_str(bid) if bid is not None else "0.00000000",
        "bidQty": market.qty_str(bid_qty),
        "askPrice": market.price_str(ask) if ask is not None else "0.00000000",
        "askQty": market.qty_str(ask_qty),
    }


def avg_price(market: SymbolMarket) -> dict[str, Any]:
    tape = market.tape
    now = now_ms()
    found = tape.average(now, AVERAGE_MINUTES)
    if found is None:
        price = last_price(market)
    else:
        quote, volume = found
        price = f"{(Decimal(quote) * market.cfg.tick_size / volume).quantize(Decimal('1E-8')):f}"
    return {
        "mins": AVERAGE_MINUTES,
        "price": price,
        "closeTime": tape.last[2] if tape.last is not None else now,
    }


def ticker_24hr(market: SymbolMarket, full: bool = True) -> dict[str, Any]:
    """``GET /api/v3/ticker/24hr`` for one symbol (``type=FULL`` or ``MINI``)."""
    now = now_ms()
    k, prev = market.tape.window(now)
    price, qty = market.price_str, market.qty_str
    last = market.tape.last
    if k is None:
        close = last[0] if last is not None else 0
        k = Candle(now - 86_400_000, close, close, close, close)
    out: dict[str, Any] = {"symbol": market.symbol}
    if full:
        change = k.close - k.open
        percent = Decimal(change * 100) / k.open if k.open else Decimal(0)
        weighted = Decimal(k.quote) * market.cfg.tick_size / k.volume if k.volume else Decimal(0)
        bid = book_ticker(market)
        out.update(
            {
                "priceChange": fixed8(change * market.tick8),
                "priceChangePercent": f"{percent.quantize(Decimal('0.001')):f}",
                "weightedAvgPrice": f"{weighted.quantize(Decimal('1E-8')):f}",
                "prevClosePrice": price(prev) if prev is not None else "0.00000000",
                "lastPrice": price(k.close),
                "lastQty": qty(last[1]) if last is not None else "0.00000000",
                "bidPrice": bid["bidPrice"],
                "bidQty": bid["bidQty"],
                "askPrice": bid["askPrice"],
                "askQty": bid["askQty"],
            }
        )
    else:
        out["lastPrice"] = price(k.close)
    out.update(
        {
            "openPrice": price(k.open),
            "highPrice": price(k.high),
            "lowPrice": price(k.low),
            "volume": qty(k.volume),
            "quoteVolume": quote_str(market, k.quote),
            "openTime": now - 86_400_000,
            "closeTime": now,
            "firstId": k.first_id,
            "lastId": k.last_id,
            "count": k.count,
        }
    )
    return out


def ticker_type(p: dict[str, str]) -> bool:
    kind = p.get("type") or "FULL"
    if kind not in ("FULL", "MINI"):
        raise ApiError(-1130, "Data sent for parameter 'type' is not valid.")
    return kind == "FULL"


def ticker_event(market: SymbolMarket, full: bool) -> dict[str, Any]:
    """``<symbol>@ticker`` (full) or ``@miniTicker``, from the same 24 hour window."""
    t = ticker_24hr(market, full)
    event: dict[str, Any] = {
        "e": "24hrTicker" if full else "24hrMiniTicker",
        "E": t["closeTime"],
        "s": market.symbol,
    }
    if full:
        event.update(
            {
                "p": t["priceChange"],
                "P": t["priceChangePercent"],
                "w": t["weightedAvgPrice"],
                "x": t["prevClosePrice"],
                "c": t["lastPrice"],
                "Q": t["lastQty"],
                "b": t["bidPrice"],
                "B": t["bidQty"],
                "a": t["askPrice"],
                "A": t["askQty"],
            }
        )
    else:
        event["c"] = t["lastPrice"]
    event.update(
        {
            "o": t["openPrice"],
            "h": t["highPrice"],
            "l": t["lowPrice"],
            "v": t["volume"],
            "q": t["quoteVolume"],
        }
    )
    if full:
        event.update(
            {
                "O": t["openTime"],
                "C": t["closeTime"],
                "F": t["firstId"],
                "L": t["lastId"],
                "n": t["count"],
            }
        )
    return event


def symbol_of(markets: LoopbackMarket, p: dict[str, str]) -> SymbolMarket:
    if not p.get("symbol"):
        raise mandatory("symbol")
    return _market(markets, p["symbol"])


def _compact(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))
