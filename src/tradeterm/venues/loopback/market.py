"""The loopback exchange's market: the simulated market's agents trading on each symbol's book,
on the exchange's own (wall) clock, and the public streams that come out of it.

Every change of a book (an agent's or an account's order) is one book update with the next
update id. Changed levels collect into depth batches that go out every ``depth_interval_ms``
(``<sym>@depth@100ms``) and ten times slower (``<sym>@depth``) as ``depthUpdate`` messages with
``U``/``u``; trades go out at once (``<sym>@trade``), as does every change of the best bid or
ask (``<sym>@bookTicker``). ``GET /api/v3/depth`` answers from the same book with the update id
it has reached, so Binance's snapshot + diff procedure works exactly as against the real venue.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import deque
from collections.abc import Callable
from decimal import Decimal

from tradeterm.config import ExchangeConfig, LoopbackSymbol
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.venues.loopback.book import ExchangeBook, OwnEvent
from tradeterm.venues.loopback.intervals import is_kline_stream
from tradeterm.venues.loopback.streams import Connection, StreamHub
from tradeterm.venues.loopback.tape import AggTrade, Tape

NS = 1_000_000_000
SLICE_S = 0.008  # longest stretch of agent work before giving the loop back
PACE_S = 0.004
FAST_SUFFIX = "@depth@100ms"
SLOW_SUFFIX = "@depth"
RECENT_TRADES = 1000
PARTIAL_DEPTHS = tuple(
    f"depth{levels}{speed}" for levels in (5, 10, 20) for speed in ("", "@100ms")
)
SYMBOL_STREAMS = frozenset(
    ("trade", "aggTrade", "bookTicker", "depth", "depth@100ms")
    + ("ticker", "miniTicker")
    + PARTIAL_DEPTHS
)
ALL_SYMBOL_STREAMS = frozenset(("!miniTicker@arr",))


def fixed8(units: int) -> str:
    """An integer count of 1e-8 units as Binance writes decimals: ``"61685.99000000"``."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 100_000_000)
    return f"{sign}{whole}.{frac:08d}"


def units8(value: Decimal) -> int:
    scaled = value.scaleb(8)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 8 decimals")
    return int(scaled)


class _DepthBatch:
    __slots__ = ("first", "last", "bids", "asks")

    def __init__(self) -> None:
        self.first: int | None = None
        self.last = 0
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}


class SymbolMarket:
    """One symbol: its book, update ids, pending depth batches and recent trades."""

    def __init__(self, cfg: LoopbackSymbol, rng: random.Random) -> None:
        self.cfg = cfg
        self.symbol = cfg.symbol.upper()
        self.stream = self.symbol.lower()
        self.instrument = Instrument(
            "loopback",
            f"{cfg.base}/{cfg.quote}",
            cfg.base,
            cfg.quote,
            cfg.tick_size,
            cfg.step_size,
            cfg.min_notional,
        )
        self.book = ExchangeBook(self.instrument, cfg, rng)
        self.update_id = 0
        self.batches = {FAST_SUFFIX: _DepthBatch(), SLOW_SUFFIX: _DepthBatch()}
        self.top: tuple[int | None, int, int | None, int] = (None, 0, None, 0)
        self.tick8 = units8(cfg.tick_size)
        self.step8 = units8(cfg.step_size)
        self.recent_trades: deque[dict[str, object]] = deque(maxlen=RECENT_TRADES)
        self.tape = Tape()  # every trade, as candles and aggregate trades

    def price_str(self, ticks: int) -> str:
        return fixed8(ticks * self.tick8)

    def qty_str(self, lots: int) -> str:
        return fixed8(lots * self.step8)

    def snapshot(self, limit: int) -> dict[str, object]:
        """``GET /api/v3/depth``: the best ``limit`` levels a side at the current update id."""
        bids, asks = self.book.levels()
        bid_prices = sorted(bids, reverse=True)[:limit]
        ask_prices = sorted(asks)[:limit]
        return {
            "lastUpdateId": self.update_id,
            "bids": [[self.price_str(p), self.qty_str(bids[p])] for p in bid_prices],
            "asks": [[self.price_str(p), self.qty_str(asks[p])] for p in ask_prices],
        }


class LoopbackMarket:
    """All symbols' books, the agents' pacing and the public streams."""

    def __init__(self, cfg: ExchangeConfig, hub: StreamHub, rng: random.Random) -> None:
        self.cfg = cfg
        self.hub = hub
        self.rng = rng
        self.symbols = {s.symbol.upper(): SymbolMarket(s, rng) for s in cfg.symbols}
        self._markets = list(self.symbols.values())
        total = sum(s.cfg.weight for s in self._markets)
        acc, self._cum = 0.0, []
        for s in self._markets:
            acc += s.cfg.weight / total
            self._cum.append(acc)
        self.rate = cfg.events_per_second
        self.paused = False
        self.actions = 0
        self.on_own_events: Callable[[SymbolMarket, list[OwnEvent], int], None] = (
            lambda market, events, ts: None
        )
        # the public streams read from the tape and the book (public_streams.py)
        self.on_agg_trades: Callable[[SymbolMarket, list[AggTrade]], None] = lambda m, a: None
        self.on_flush: Callable[[str], None] = lambda suffix: None
        # the range of prices (ticks) a batch of trades printed, for the waiting stop orders
        self.on_trades: Callable[[SymbolMarket, int, int], None] = lambda market, low, high: None
        self._tasks: list[asyncio.Task[None]] = []

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        now = time.time_ns()
        for market in self._markets:
            market.book.seed(self.cfg.seed_orders, now)
            market.top = self._top(market)
        fast = self.cfg.depth_interval_ms / 1000.0
        self._tasks = [
            asyncio.create_task(self._agents(), name="loopback.agents"),
            asyncio.create_task(self._flusher(FAST_SUFFIX, fast), name="loopback.depth"),
            asyncio.create_task(self._flusher(SLOW_SUFFIX, fast * 10), name="loopback.depth.slow"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []

    def pause(self) -> None:
        """Stop the agents (the accounts can still trade); depth already batched still goes out."""
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    # --- the agents ----------------------------------------------------------------------------
    def _gap_ns(self) -> int:
        return 1 + int(self.rng.expovariate(self.rate) * NS)

    async def _agents(self) -> None:
        perf = time.perf_counter
        next_ts = time.time_ns() + self._gap_ns()
        while True:
            now = time.time_ns()
            if self.paused or now - next_ts > NS:
                next_ts = now  # paused, or too far behind: skip ahead rather than burst
            else:
                deadline = perf() + SLICE_S
                while next_ts <= now:
                    self._act(next_ts)
                    next_ts += self._gap_ns()
                    if perf() > deadline:
                        break
            await asyncio.sleep(PACE_S)

    def _act(self, ts: int) -> None:
        u, i, cum = self.rng.random(), 0, self._cum
        while u > cum[i] and i < len(cum) - 1:
            i += 1
        market = self._markets[i]
        market.book.agent_step(ts)
        self.actions += 1
        self.after_change(market, ts)

    # --- publishing ----------------------------------------------------------------------------
    def after_change(self, market: SymbolMarket, ts: int) -> None:
        """Turn what just happened on ``market``'s book into update ids, stream messages and
        account news."""
        bid_changes, ask_changes = market.book.take_changes()
        if bid_changes or ask_changes:
            market.update_id += 1
            for batch in market.batches.values():
                if batch.first is None:
                    batch.first = market.update_id
                batch.last = market.update_id
                batch.bids.update(bid_changes)
                batch.asks.update(ask_changes)
        ms = ts // 1_000_000
        trades = market.book.take_trades()
        if trades:
            stream = market.stream + "@trade"
            live = self.hub.has_subscribers(stream)
            for trade_id, price, qty, aggressor in trades:
                p, q = market.price_str(price), market.qty_str(qty)
                buyer_maker = aggressor is Side.SELL
                market.recent_trades.append(
                    {
                        "id": trade_id,
                        "price": p,
                        "qty": q,
                        "quoteQty": fixed8(
                            price * qty * market.tick8 * market.step8 // 100_000_000
                        ),
                        "time": ms,
                        "isBuyerMaker": buyer_maker,
                        "isBestMatch": True,
                    }
                )
                if live:
                    self.hub.publish(
                        stream,
                        json.dumps(
                            {
                                "e": "trade",
                                "E": ms,
                                "s": market.symbol,
                                "t": trade_id,
                                "p": p,
                                "q": q,
                                "T": ms,
                                "m": buyer_maker,
                                "M": True,
                            },
                            separators=(",", ":"),
                        ),
                    )
            self.on_agg_trades(market, market.tape.record(trades, ms))
        own = market.book.take_own_events()
        if own:
            self.on_own_events(market, own, ts)
        top = self._top(market)
        if top != market.top:
            market.top = top
            stream = market.stream + "@bookTicker"
            if self.hub.has_subscribers(stream) and top[0] is not None and top[2] is not None:
                self.hub.publish(
                    stream,
                    json.dumps(
                        {
                            "u": market.update_id,
                            "s": market.symbol,
                            "b": market.price_str(top[0]),
                            "B": market.qty_str(top[1]),
                            "a": market.price_str(top[2]),
                            "A": market.qty_str(top[3]),
                        },
                        separators=(",", ":"),
                    ),
                )
        if trades:  # last: the stops it fires trade through this method again
            prices = [price for _, price, _, _ in trades]
            self.on_trades(market, min(prices), max(prices))

    @staticmethod
    def _top(market: SymbolMarket) -> tuple[int | None, int, int | None, int]:
        book = market.book
        bids, asks = book.levels()
        bb, ba = book.best_bid, book.best_ask
        return (
            bb,
            bids.get(bb, 0) if bb is not None else 0,
            ba,
            asks.get(ba, 0) if ba is not None else 0,
        )

    async def _flusher(self, suffix: str, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            self.flush(suffix)

    def flush(self, suffix: str = FAST_SUFFIX) -> None:
        """Send the pending depth batch of every symbol on ``<sym><suffix>``."""
        ms = time.time_ns() // 1_000_000
        for market in self._markets:
            batch = market.batches[suffix]
            if batch.first is None:
                continue
            stream = market.stream + suffix
            if self.hub.has_subscribers(stream):
                payload = json.dumps(
                    {
                        "e": "depthUpdate",
                        "E": ms,
                        "s": market.symbol,
                        "U": batch.first,
                        "u": batch.last,
                        "b": [
                            [market.price_str(p), market.qty_str(s)] for p, s in batch.bids.items()
                        ],
                        "a": [
                            [market.price_str(p), market.qty_str(s)] for p, s in batch.asks.items()
                        ],
                    },
                    separators=(",", ":"),
                )
                self.hub.publish(stream, payload, Connection.DEPTH, market.stream)
            market.batches[suffix] = _DepthBatch()
        self.on_flush(suffix)

    def stream_error(self, name: str) -> str | None:
        """None if ``name`` is a stream this exchange serves, else Binance-like error text."""
        if name in ALL_SYMBOL_STREAMS:
            return None
        sym, _, kind = name.partition("@")
        if sym.upper() not in self.symbols:
            return f"Invalid symbol in stream {name}."
        if kind not in SYMBOL_STREAMS and not is_kline_stream(kind):
            return f"Unsupported stream {name}."
        return None
