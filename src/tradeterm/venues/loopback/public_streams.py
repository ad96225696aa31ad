"""The loopback's public streams read from the tape and the book, in Binance's payloads:

* ``<symbol>@aggTrade``: each aggregate trade as it happens;
* ``<symbol>@depth5`` / ``10`` / ``20`` (every 1000 ms) and ``...@100ms`` (every depth interval):
  the top of the book, ``{"lastUpdateId", "bids", "asks"}``, sent with the diff depth batches;
* every second: ``<symbol>@kline_<interval>`` (the open candle; when a candle closes, its final
  state with ``"x": true`` first), ``<symbol>@ticker``, ``<symbol>@miniTicker`` and
  ``!miniTicker@arr`` (the rolling 24 hour window).
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from tradeterm.venues.loopback.intervals import INTERVALS
from tradeterm.venues.loopback.market import (
    FAST_SUFFIX,
    SLOW_SUFFIX,
    LoopbackMarket,
    SymbolMarket,
)
from tradeterm.venues.loopback.market_data import (
    agg_event,
    kline_event,
    now_ms,
    ticker_event,
)
from tradeterm.venues.loopback.tape import AggTrade

EVERY_S = 1.0
PARTIAL_LEVELS = (5, 10, 20)
MINI_ARRAY = "!miniTicker@arr"


class PublicStreams:
    """Hooked into the market (``on_agg_trades``, ``on_flush``); ``start`` runs the one-second
    streams until ``stop``."""

    def __init__(self, market: LoopbackMarket) -> None:
        self.market = market
        self.hub = market.hub
        self._candle_open: dict[str, int] = {}  # kline stream -> open time of the last push
        self._task: asyncio.Task[None] | None = None
        market.on_agg_trades = self.agg_trades
        market.on_flush = self.partial_depth

    def agg_trades(self, market: SymbolMarket, aggs: list[AggTrade]) -> None:
        stream = market.stream + "@aggTrade"
        if aggs and self.hub.has_subscribers(stream):
            for agg in aggs:
                self.hub.publish(stream, agg_event(market, agg))

    def partial_depth(self, suffix: str) -> None:
        speed = "@100ms" if suffix == FAST_SUFFIX else "" if suffix == SLOW_SUFFIX else None
        if speed is None:
            return
        for market in self.market.symbols.values():
            for levels in PARTIAL_LEVELS:
                stream = f"{market.stream}@depth{levels}{speed}"
                if self.hub.has_subscribers(stream):
                    self.hub.publish(
                        stream, json.dumps(market.snapshot(levels), separators=(",", ":"))
                    )

    # --- the one-second streams ------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="loopback.tickers")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(EVERY_S)
            self.tick()

    def tick(self) -> None:
        """Send what the one-second streams have to say now."""
        minis = []
        want_minis = self.hub.has_subscribers(MINI_ARRAY)
        for market in self.market.symbols.values():
            for interval in INTERVALS:
                stream = f"{market.stream}@kline_{interval}"
                if self.hub.has_subscribers(stream):
                    self._kline(market, interval, stream)
            for name, full in (("@ticker", True), ("@miniTicker", False)):
                stream = market.stream + name
                if self.hub.has_subscribers(stream):
                    self.hub.publish(
                        stream, json.dumps(ticker_event(market, full), separators=(",", ":"))
                    )
            if want_minis and market.tape.last is not None:
                minis.append(ticker_event(market, False))
        if minis:
            self.hub.publish(MINI_ARRAY, json.dumps(minis, separators=(",", ":")))

    def _kline(self, market: SymbolMarket, interval: str, stream: str) -> None:
        tape = market.tape
        now = now_ms()
        (current,) = tape.openings(interval, None, None, 1, now, 0) or (None,)
        if current is None:
            return
        before = self._candle_open.get(stream)
        if before is not None and before != current:
            for open_ms, close_ms, candle in tape.candles(interval, [before]):
                self.hub.publish(
                    stream, kline_event(market, interval, open_ms, close_ms, candle, True)
                )
        self._candle_open[stream] = current
        for open_ms, close_ms, candle in tape.candles(interval, [current]):
            self.hub.publish(
                stream, kline_event(market, interval, open_ms, close_ms, candle, False)
            )
