"""One symbol's book on the loopback exchange: the simulated market's agents plus the accounts'
orders, matched by ``matching/``.

This is the only loopback module that knows the matching engine's API (``submit_limit``,
``submit_market``, ``cancel``, ``level_size``) and the simulated market's agents (``SimBook``);
switching to another engine changes this file alone. Prices are ticks and sizes lots of the
symbol's instrument; the accounts' orders all trade as the simulated market's ``TRADER`` owner
and are told apart by order id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tradeterm.config import LoopbackSymbol
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.venues.simmarket import TRADER, AgentParams, SimBook


@dataclass(frozen=True, slots=True)
class OwnFill:
    order_id: int
    price: int
    qty: int
    maker: bool
    trade_id: int


@dataclass(frozen=True, slots=True)
class OwnDone:
    """An account order left the book. ``reason``: FILLED, CANCELED, or why it expired (IOC,
    FOK, NO_LIQUIDITY)."""

    order_id: int
    leaves: int
    reason: str


OwnEvent = OwnFill | OwnDone


class ExchangeBook:
    """Agents and account orders on one exchange book; public and private news collected until
    the exchange takes it (``take_changes``, ``take_trades``, ``take_own_events``)."""

    def __init__(self, instrument: Instrument, cfg: LoopbackSymbol, rng: random.Random) -> None:
        step = cfg.step_size
        params = AgentParams(
            start_price=float(cfg.start_price), vol_bps_per_sqrt_s=cfg.vol_bps_per_sqrt_s,
            depth_ticks=cfg.depth_ticks, maker_median_lots=max(1, int(cfg.maker_median_qty / step)),
            taker_median_lots=max(1, int(cfg.taker_median_qty / step)), weight=cfg.weight)
        self.instrument = instrument
        self._own: list[OwnEvent] = []
        self._sim = SimBook(instrument, params, rng, self)
        self._engine = self._sim.engine
        self._trades_taken = 0  # public trade ids are 1-based and count every trade

    # --- agents ------------------------------------------------------------------------------
    def seed(self, orders_per_side: int, ts: int) -> None:
        self._sim.seed_book(orders_per_side, ts)

    def agent_step(self, ts: int) -> None:
        self._sim.act(ts)

    # --- account orders ----------------------------------------------------------------------
    def submit_limit(self, order_id: int, side: Side, price: int, qty: int, tif: str) -> None:
        """``tif``: GTC rests the remainder, IOC cancels it, FOK fills all now or nothing."""
        if tif == "FOK" and self.available(side, price) < qty:
            self._own.append(OwnDone(order_id, qty, "FOK"))
            return
        self._engine.submit_limit(order_id, TRADER, side, price, qty, ioc=tif != "GTC")

    def submit_market(self, order_id: int, side: Side, qty: int) -> None:
        self._engine.submit_market(order_id, TRADER, side, qty)

    def cancel(self, order_id: int) -> bool:
        return self._engine.cancel(order_id)

    def would_take(self, side: Side, price: int) -> bool:
        """Would a limit order at ``price`` trade on arrival (a post-only order must not)?"""
        best = self._engine.best_ask if side is Side.BUY else self._engine.best_bid
        return best is not None and (price >= best if side is Side.BUY else price <= best)

    def available(self, side: Side, limit: int | None) -> int:
        """Lots an order on ``side`` could take now, up to ``limit`` (None: any price)."""
        levels = self._engine.level_size[1 if side is Side.BUY else 0]
        if limit is None:
            return sum(levels.values())
        if side is Side.BUY:
            return sum(s for p, s in levels.items() if p <= limit)
        return sum(s for p, s in levels.items() if p >= limit)

    def cost_to_take(self, side: Side, qty: int) -> tuple[int, int]:
        """(lots, sum of price ticks * lots) a market order of ``qty`` would take now."""
        levels = self._engine.level_size[1 if side is Side.BUY else 0]
        prices = sorted(levels) if side is Side.BUY else sorted(levels, reverse=True)
        left, value = qty, 0
        for price in prices:
            take = min(left, levels[price])
            value += take * price
            left -= take
            if not left:
                break
        return qty - left, value

    # --- reads -------------------------------------------------------------------------------
    @property
    def best_bid(self) -> int | None:
        return self._engine.best_bid

    @property
    def best_ask(self) -> int | None:
        return self._engine.best_ask

    def levels(self) -> tuple[dict[int, int], dict[int, int]]:
        """The whole book by level: (bids, asks), price ticks -> lots (live dicts: copy to keep)."""
        bids, asks = self._engine.level_size
        return bids, asks

    def take_changes(self) -> tuple[dict[int, int], dict[int, int]]:
        """Levels changed since the last call (absolute sizes, 0 = gone)."""
        sim = self._sim
        changes = (sim.bid_changes, sim.ask_changes)
        if sim.bid_changes or sim.ask_changes:
            sim.bid_changes, sim.ask_changes = {}, {}
        return changes

    def take_trades(self) -> list[tuple[int, int, int, Side]]:
        """Public trades since the last call: (trade id, price, qty, aggressor)."""
        trades = self._sim.trades
        if not trades:
            return []
        base = self._trades_taken
        out = [(base + i + 1, p, q, a) for i, (p, q, a) in enumerate(trades)]
        self._trades_taken += len(trades)
        trades.clear()
        return out

    def take_own_events(self) -> list[OwnEvent]:
        events, self._own = self._own, []
        return events

    # --- the simulated market's TradeListener ---------------------------------------------
    def own_fill(self, order_id: int, price: int, qty: int, maker: bool) -> None:
        # on_trade appended the trade before telling us: its id is the count so far
        trade_id = self._trades_taken + len(self._sim.trades)
        self._own.append(OwnFill(order_id, price, qty, maker, trade_id))

    def own_rested(self, order_id: int) -> None:
        pass

    def own_done(self, order_id: int, leaves: int, reason: str) -> None:
        self._own.append(OwnDone(order_id, leaves, reason))
