"""The simulated market model: one instrument's exchange book driven by seeded agents.

A latent fair price follows a geometric random walk with occasional jumps. Liquidity providers
place passive limit orders at a distance from the fair price that is mostly close and sometimes
deep, with log-normal sizes and an occasional large order; they cancel at a rate that grows with
the number of orders resting, which keeps the depth stable. Takers arrive as a Poisson process
and lean towards the side the fair price favours, so a stale book gets picked off and follows
the fair price. Every order goes through ``matching.MatchingEngine``, so book and trades are
always consistent.

The model publishes nothing itself: it collects trades, the engine collects level changes
(``engine.level_changes``), and the venue (``SimMarketVenue``) publishes both after each action.
The book is the listener of its engine: agents' order outcomes update the list of live agent
orders, and everything about the session's own orders (owner ``TRADER``) goes to the venue's
``OrderReports``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from tradeterm.core.clock import Clock
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.matching.engine import MatchingEngine
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import IOC, LIMIT, EngineOrder
from tradeterm.matching.reports import OrderReports
from tradeterm.matching.rules import MatchingRules

TRADER = 0  # owner id of the session's own orders; agents are > 0
MAKERS = 64  # maker agents own ids 1..MAKERS; takers above
BUY, SELL = Side.BUY, Side.SELL


@dataclass(frozen=True, slots=True)
class AgentParams:
    start_price: float
    vol_bps_per_sqrt_s: float = 2.0  # fair-price volatility
    jumps_per_hour: float = 6.0
    jump_bps: float = 25.0
    half_spread_ticks: float = 1.0
    depth_ticks: float = 12.0  # mean extra distance of a passive order from the fair price
    maker_median_lots: int = 100
    taker_median_lots: int = 60
    target_orders: int = 600  # resting orders the makers aim to keep in the book
    take_share: float = 0.08  # share of actions that are taker orders
    weight: float = 1.0  # share of the market's activity


class SimBook(MatchListener):
    """One instrument of the simulated market: fair price, agents and the exchange book."""

    def __init__(
        self,
        instrument: Instrument,
        params: AgentParams,
        rng: random.Random,
        own: OrderReports,
        rules: MatchingRules | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.instrument = instrument
        self.params = params
        self.rng = rng
        self.own = own
        self.rules = rules or MatchingRules.for_instrument(instrument)
        self.engine = MatchingEngine(self, self.rules, clock, name=instrument.id)
        self.engine.track_position(TRADER)  # the exchange knows the session's position
        self.fair = params.start_price / float(instrument.tick_size)  # in ticks, float
        self._fair_ts = 0
        self._sigma = params.vol_bps_per_sqrt_s / 1e4
        self._jump_rate = params.jumps_per_hour / 3600.0
        self._ids = 1 << 32  # agent order ids; the venue's own ids stay below
        self._live: list[int] = []  # resting agent order ids, for O(1) random cancel
        self._live_ix: dict[int, int] = {}
        self.trades: list[tuple[int, int, Side, int]] = []  # (price, qty, aggressor, trade id)

    # --- agents ------------------------------------------------------------------------------
    def seed_book(self, orders_per_side: int, ts: int) -> None:
        self._fair_ts = ts
        for _ in range(orders_per_side):
            self._add(Side.BUY)
            self._add(Side.SELL)
        self.engine.drain_level_changes()

    def act(self, ts: int) -> None:
        """One agent action at time ``ts``."""
        self._move_fair(ts)
        p = self.params
        u = self.rng.random()
        n = len(self._live)
        if u < p.take_share:
            self._take()
        elif u < p.take_share + 0.5 * n / p.target_orders and n:
            self.engine.cancel(self._live[int(self.rng.random() * n)])
        else:
            self._add(Side.BUY if self.rng.random() < 0.5 else Side.SELL)

    def _move_fair(self, ts: int) -> None:
        dt = (ts - self._fair_ts) * 1e-9
        if dt <= 0:
            return
        self._fair_ts = ts
        rng = self.rng
        x = self._sigma * math.sqrt(dt) * rng.gauss(0.0, 1.0)
        if rng.random() < self._jump_rate * dt:
            x += rng.gauss(0.0, self.params.jump_bps / 1e4)
        self.fair *= math.exp(x)

    def _size(self, median: int) -> int:
        rng = self.rng
        lots = median * math.exp(0.9 * rng.gauss(0.0, 1.0))
        if rng.random() < 0.03:
            lots *= 8
        return max(1, int(lots))  # the exchange rejects one below its minimum notional

    def _add(self, side: Side) -> None:
        rng, p, engine = self.rng, self.params, self.engine
        offset = p.half_spread_ticks + rng.expovariate(1.0 / p.depth_ticks)
        if side is Side.BUY:
            price = math.floor(self.fair - offset)
            best_ask = engine.best_ask
            if best_ask is not None and price >= best_ask:
                price = best_ask - 1
        else:
            price = math.ceil(self.fair + offset)
            best_bid = engine.best_bid
            if best_bid is not None and price <= best_bid:
                price = best_bid + 1
        if price <= 0:
            return
        self._ids += 1
        oid = self._ids
        engine.submit_limit(
            oid, 1 + int(rng.random() * MAKERS), side, price, self._size(p.maker_median_lots)
        )
        if oid in engine.orders:
            self._live_ix[oid] = len(self._live)
            self._live.append(oid)

    def _take(self) -> None:
        rng, engine = self.rng, self.engine
        bid, ask = engine.best_bid, engine.best_ask
        if bid is None or ask is None:
            return
        lean = max(-0.4, min(0.4, (self.fair - (bid + ask) / 2) * 0.15))
        side = Side.BUY if rng.random() < 0.5 + lean else Side.SELL
        limit = ask + 20 if side is Side.BUY else bid - 20  # takers protect themselves
        self._ids += 1
        engine.submit(
            self._ids,
            MAKERS + 1 + int(rng.random() * 64),
            side,
            self._size(self.params.taker_median_lots),
            LIMIT,
            limit,
            IOC,
        )

    # --- MatchListener -----------------------------------------------------------------------
    def on_fill(
        self,
        maker: EngineOrder,
        taker_id: int,
        taker_owner: int,
        price: int,
        qty: int,
        taker_leaves: int,
        trade_id: int,
    ) -> None:
        self.trades.append((price, qty, SELL if maker.side > 0 else BUY, trade_id))
        if maker.owner == TRADER:
            self.own.fill(maker.order_id, price, qty, True, trade_id)
        elif not maker.leaves:
            self._forget(maker.order_id)
        if taker_owner == TRADER:
            self.own.fill(taker_id, price, qty, False, trade_id)

    def on_canceled(self, order_id: int, owner: int, leaves: int, reason: str) -> None:
        if owner == TRADER:
            self.own.canceled(order_id, leaves, reason)
        else:
            self._forget(order_id)

    def on_accepted(self, order_id: int, owner: int, price: int | None, qty: int) -> None:
        if owner == TRADER:
            self.own.accepted(order_id, price, qty)

    def on_rejected(self, order_id: int, owner: int, reason: str, message: str) -> None:
        if owner == TRADER:
            self.own.rejected(order_id, reason, message)

    def on_expired(self, order_id: int, owner: int, leaves: int) -> None:
        if owner == TRADER:
            self.own.expired(order_id)

    def on_triggered(self, order_id: int, owner: int, last_price: int) -> None:
        if owner == TRADER:
            self.own.triggered(order_id)

    def on_modified(self, order: EngineOrder) -> None:
        if order.owner == TRADER:
            self.own.modified(order)

    def on_modify_rejected(self, order_id: int, owner: int, reason: str, message: str) -> None:
        self.own.modify_rejected(order_id, reason, message)  # unknown ids: owner -1

    def _forget(self, order_id: int) -> None:
        ix = self._live_ix.pop(order_id, None)
        if ix is not None:  # swap-remove
            last = self._live.pop()
            if last != order_id:
                self._live[ix] = last
                self._live_ix[last] = ix
