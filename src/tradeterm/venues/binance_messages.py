"""Binance market data messages -> domain events, spot and USD-M futures alike.

Used by every path that reads Binance: the native websocket feed, the capture importer and the
loopback exchange's tests. Prices and sizes are parsed straight from Binance's decimal strings to
ticks and lots (``Instrument.parse_price``), never through floats.

Message shapes (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams):

* ``depthUpdate``: ``U`` first and ``u`` last update id, ``b``/``a`` absolute level sizes,
  futures add ``pu`` (the previous message's ``u``) and ``T`` (transaction time).
* ``trade``: ``t`` trade id, ``p``/``q``, ``T`` trade time, ``m`` true when the buyer is the
  maker (so the aggressor sold).
* ``bookTicker``: ``u`` update id, ``b``/``B`` best bid price/size, ``a``/``A`` best ask; spot
  sends no event time, so ``ts_event`` is the receive time there.
* REST depth snapshot: ``lastUpdateId``, ``bids``, ``asks`` (no symbol: the caller names it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, TopOfBook, Trade

MS = 1_000_000

Event = BookDelta | BookSnapshot | Trade | TopOfBook


class UnknownMessage(ValueError):
    """A well-formed message this decoder does not handle (e.g. another stream type)."""


def binance_instrument(
    symbol: str,
    base: str,
    quote: str,
    tick: str,
    lot: str,
    min_notional: str = "0",
    maker_fee: str = "0.001",
    taker_fee: str = "0.001",
    venue: str = "binance",
    qty_step_lots: int = 1,
) -> Instrument:
    """An Instrument with Binance's naming: ``symbol`` as the trader writes it (BTC/USDT)."""
    return Instrument(
        venue,
        symbol,
        base,
        quote,
        Decimal(tick),
        Decimal(lot),
        Decimal(min_notional),
        Decimal(maker_fee),
        Decimal(taker_fee),
        qty_step_lots,
    )


def stream_symbol(instrument: Instrument) -> str:
    """BTC/USDT -> BTCUSDT, the symbol inside Binance messages."""
    return instrument.symbol.replace("/", "").upper()


class BinanceDecoder:
    """Decodes one venue's messages for a known set of instruments."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self.by_symbol = {stream_symbol(i): i for i in instruments}

    def instrument(self, symbol: str) -> Instrument:
        try:
            return self.by_symbol[symbol.upper()]
        except KeyError:
            raise UnknownMessage(f"symbol {symbol} is not configured") from None

    def snapshot(self, instrument: Instrument, msg: dict[str, Any], recv_ns: int) -> BookSnapshot:
        price, qty = instrument.parse_price, instrument.parse_qty
        ts = int(msg["T"]) * MS if "T" in msg else recv_ns
        return BookSnapshot(
            instrument.id,
            [(price(p), qty(q)) for p, q in msg["bids"]],
            [(price(p), qty(q)) for p, q in msg["asks"]],
            int(msg["lastUpdateId"]),
            ts,
            recv_ns,
        )

    def decode(self, data: dict[str, Any], recv_ns: int) -> Event:
        """One stream payload (the ``data`` of a combined-stream frame)."""
        kind = data.get("e")
        if kind == "depthUpdate":
            inst = self.instrument(data["s"])
            price, qty = inst.parse_price, inst.parse_qty
            return BookDelta(
                inst.id,
                [(price(p), qty(q)) for p, q in data["b"]],
                [(price(p), qty(q)) for p, q in data["a"]],
                int(data["U"]),
                int(data["u"]),
                int(data["E"]) * MS,
                recv_ns,
                int(data["pu"]) if "pu" in data else -1,
            )
        if kind == "trade":
            inst = self.instrument(data["s"])
            return Trade(
                inst.id,
                inst.parse_price(data["p"]),
                inst.parse_qty(data["q"]),
                Side.SELL if data["m"] else Side.BUY,
                int(data["t"]),
                int(data["T"]) * MS,
                recv_ns,
            )
        if kind == "bookTicker" or (kind is None and "b" in data and "A" in data):
            inst = self.instrument(data["s"])
            ts = int(data["E"]) * MS if "E" in data else recv_ns
            return TopOfBook(
                inst.id,
                inst.parse_price(data["b"]),
                inst.parse_qty(data["B"]),
                inst.parse_price(data["a"]),
                inst.parse_qty(data["A"]),
                int(data["u"]),
                ts,
                recv_ns,
            )
        raise UnknownMessage(f"unhandled message type {kind!r}")
