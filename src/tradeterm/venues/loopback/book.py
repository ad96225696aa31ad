"""One symbol's book on the loopback exchange: the simulated market's agents plus the accounts'
orders, matched by ``matching/``.

This is the only loopback module that knows the matching engine's API (``submit``, ``cancel``,
``level_size``, ``drain_level_changes``) and the simulated market's agents (``SimBook``);
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
from tradeterm.matching.orders import FOK, GTC, IOC, LIMIT, MARKET
from tradeterm.matching.rules import MatchingRules
from tradeterm.venues.simmarket import TRADER, AgentParams, SimBook

TIF_CODES = {"GTC": GTC, "IOC": IOC, "FOK": FOK}


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
            start_price=float(cfg.start_price),
            vol_bps_per_sqrt_s=cfg.vol_bps_per_sqrt_s,
            depth_ticks=cfg.depth_ticks,
            maker_median_lots=max(1, int(cfg.maker_median_qty / step)),
            taker_median_lots=max(1, int(cfg.taker_median_qty / step)),
            weight=cfg.weight,
        )
        self.instrument = instrument
        self._own: list[OwnEvent] = []
        self._qty: dict[int, int] = {}  # account order id -> lots not yet filled
        # every account trades as the one TRADER owner, told apart by order id, so the engine's
        # self-trade prevention is off: accounts trade with each other (Binance's STP "NONE")
        rules = MatchingRules.for_instrument(instrument, stp="none")
        self._sim = SimBook(instrument, params, rng, self, rules)  # type: ignore[arg-type]
        self._engine = self._sim.engine

    # --- agents ------------------------------------------------------------------------------
    def seed(self, orders_per_side: int, ts: int) -> None:
        self._sim.seed_book(orders_per_side, ts)

    def agent_step(self, ts: int) -> None:
        self._sim.act(ts)

    # --- account orders ----------------------------------------------------------------------
    def submit_limit(self, order_id: int, side: Side, price: int, qty: int, tif: str) -> None:
        """``tif``: GTC rests the remainder, IOC cancels it, FOK fills all now or nothing."""
        self._qty[order_id] = qty
        self._engine.submit(order_id, TRADER, int(side), qty, LIMIT, price, TIF_CODES[tif])

    def submit_market(self, order_id: int, side: Side, qty: int) -> None:
        self._qty[order_id] = qty
        self._engine.submit(order_id, TRADER, int(side), qty, MARKET, None, IOC)

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
        return self._engine.drain_level_changes()

    def take_trades(self) -> list[tuple[int, int, int, Side]]:
        """Public trades since the last call: (trade id, price, qty, aggressor)."""
        trades = self._sim.trades
        if not trades:
            return []
        out = [(trade_id, p, q, a) for p, q, a, trade_id in trades]
        trades.clear()
        return out

    def take_own_events(self) -> list[OwnEvent]:
        events, self._own = self._own, []
        return events

    # --- the simulated market's reports about account orders (owner TRADER) -----------------
    def _done(self, order_id: int, reason: str) -> None:
        self._own.append(OwnDone(order_id, self._qty.pop(order_id, 0), reason))

    def fill(self, order_id: int, price: int, qty: int, maker: bool, trade_id: int) -> None:
        self._own.append(OwnFill(order_id, price, qty, maker, trade_id))
        left = self._qty.get(order_id, 0) - qty
        if left > 0:
            self._qty[order_id] = left
        else:
            self._qty.pop(order_id, None)
            self._own.append(OwnDone(order_id, 0, "FILLED"))

    def canceled(self, order_id: int, leaves: int, reason: str) -> None:
        self._done(order_id, reason or "CANCELED")

    def expired(self, order_id: int) -> None:
        self._done(order_id, "EXPIRED")

    def rejected(self, order_id: int, reason: str, message: str) -> None:
        self._done(order_id, reason)

    def accepted(self, order_id: int, price: int | None, qty: int) -> None:
        pass  # the exchange answers the REST request itself

    def triggered(self, order_id: int) -> None:
        pass

    def modified(self, order: object) -> None:
        pass

    def modify_rejected(self, order_id: int, reason: str, message: str) -> None:
        pass
