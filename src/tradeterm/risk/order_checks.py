"""The pre-trade checks themselves, one method each (part of ``PreTradeRisk``).

Each check takes the order command, its instrument's limits (None for an unknown instrument)
and the time, and returns None to pass or (code, message) to deny. ``PreTradeRisk`` runs them
in the order listed in ``checks.py`` and stops at the first denial; ``preview`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tradeterm.core.display import half_ticks, money
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import TradingState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType
from tradeterm.risk import codes
from tradeterm.risk.context import InstrumentLimits, StateReader, Verdict, WorkingOrders
from tradeterm.risk.protection import protection_price
from tradeterm.risk.throttle import TokenBucket

if TYPE_CHECKING:
    from tradeterm.config import RiskConfig

ROUTED_TYPES = frozenset({OrderType.LIMIT, OrderType.MARKET})


def step_message(inst: Instrument, qty: int) -> str:
    step = inst.lots_to_qty(inst.qty_step_lots).normalize()
    down = qty - qty % inst.qty_step_lots
    near = inst.lots_to_qty(down or inst.qty_step_lots).normalize()
    return (
        f"quantity {inst.lots_to_qty(qty).normalize():f} is not a multiple of "
        f"{inst.venue}'s order step {step:f} {inst.base} (e.g. {near:f})"
    )


class OrderChecks:
    """The check family of ``PreTradeRisk``; it uses the risk engine's limits and state."""

    # provided by PreTradeRisk
    config: RiskConfig
    position: Callable[[str], int]
    closable: Callable[[str], int]
    orders: WorkingOrders
    trading: StateReader
    ready: bool
    band_bps: int
    protection_bps: int
    dup_window_ns: int
    global_bucket: TokenBucket
    venue_buckets: dict[str, TokenBucket]
    _recent: dict[tuple[Any, ...], int]
    _flatten_ids: set[str]

    # --- the checks ------------------------------------------------------------------------
    def _state(self, cmd: SubmitOrder, lim: InstrumentLimits | None, now: int) -> Verdict:
        state = self.trading.state
        if state is TradingState.ACTIVE:
            if not self.ready:
                return codes.NOT_RECONCILED, "trading starts once the venue is reconciled"
            return None
        if state is TradingState.HALTED:
            if cmd.client_order_id in self._flatten_ids and cmd.reduce_only:
                return None  # the kill switch's own flattening order; reduce-only checked next
            return codes.KILL_SWITCH, "trading is HALTED: re-arm with a reason first"
        if lim is None or not self._reduces(cmd, lim):
            return (
                codes.REDUCING_ONLY,
                "trading is REDUCING: only orders that reduce the position are allowed",
            )
        return None

    def _instrument(self, cmd: SubmitOrder, lim: InstrumentLimits | None, now: int) -> Verdict:
        if lim is None:
            return codes.UNKNOWN_INSTRUMENT, f"{cmd.instrument} is not traded in this session"
        return None

    def _increments(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        qty = cmd.qty
        if type(qty) is not int or qty <= 0:
            return (
                codes.LOT_SIZE,
                f"quantity must be a positive number of lots of {lim.inst.lot_size}, got {qty!r}",
            )
        if qty % lim.step:
            return codes.QTY_STEP, step_message(lim.inst, qty)
        price = cmd.price
        if cmd.order_type is OrderType.MARKET:
            if price is not None and (type(price) is not int or price <= 0):
                return codes.TICK_SIZE, f"price must be a positive number of ticks, got {price!r}"
        elif price is None or type(price) is not int or price <= 0:
            return (
                codes.TICK_SIZE,
                f"a limit price must be a positive number of ticks of "
                f"{lim.inst.tick_size}, got {price!r}",
            )
        return None

    def _order_type(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if cmd.order_type not in ROUTED_TYPES:
            return codes.UNSUPPORTED, f"{cmd.order_type.value} orders are not supported yet"
        if cmd.display_qty is not None:
            return codes.UNSUPPORTED, "iceberg (display quantity) orders are not supported yet"
        return None

    def _reduces(self, cmd: SubmitOrder, lim: InstrumentLimits) -> bool:
        """Would this order, with the same-side working orders, only shrink the position, and
        no further than it can be closed? A long closes what its base balance holds (a fee
        paid in the coin leaves the balance under the lots position: a spot venue refuses to
        sell more), on the venue's order step (``Position.closable_lots``)."""
        closable = self.closable(cmd.instrument)
        buys, sells, _, _ = self.orders.exposure(cmd.instrument)
        if cmd.side is Side.BUY:
            return closable < 0 and cmd.qty + buys <= -closable
        return closable > 0 and cmd.qty + sells <= closable

    def _reduce_only(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if cmd.reduce_only and not self._reduces(cmd, lim):
            inst, iid = lim.inst, cmd.instrument
            pos, closable = self.position(iid), self.closable(iid)
            can = (
                f"; {inst.format_qty(abs(closable))} {inst.base} can be closed"
                if closable != pos
                else ""
            )
            return codes.REDUCE_ONLY, (
                "reduce-only order would not reduce the position "
                f"({inst.format_qty(pos)} {inst.base}{can}, with the "
                "working orders on its side)"
            )
        return None

    def _max_qty(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if cmd.qty > lim.max_qty:
            return (
                codes.MAX_ORDER_QTY,
                f"quantity {lim.inst.format_qty(cmd.qty)} is over the "
                f"limit {lim.inst.format_qty(lim.max_qty)}",
            )
        return None

    def _reach(self, cmd: SubmitOrder, ref_x2: int | None) -> int | None:
        """The furthest price the order can trade at: a limit's price, a market order's
        protection price (``protection.py``); None = any price (a market order with no
        reference to protect it by)."""
        if cmd.order_type is OrderType.MARKET and cmd.price is None:
            return (
                None if ref_x2 is None else protection_price(cmd.side, ref_x2, self.protection_bps)
            )
        return cmd.price

    def _price_band(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        ref = lim.reference_x2()
        if ref is None:
            return (
                codes.NO_REFERENCE_PRICE,
                f"no market price for {lim.inst.symbol} yet to check the order against",
            )
        if cmd.order_type not in ROUTED_TYPES:
            return None
        price = self._reach(cmd, ref)
        if price is None:
            return None
        inst = lim.inst
        off = 2 * price - ref
        if (off if off > 0 else -off) * 10_000 > self.band_bps * ref:
            what = "price" if cmd.order_type is OrderType.LIMIT else "protection price"
            return codes.PRICE_BAND, (
                f"{what} {inst.format_price(price)} is {abs(off) * 10_000 / ref:.0f} bps "
                f"from the reference {half_ticks(inst, ref)}; the band is "
                f"{self.band_bps} bps"
            )
        book = lim.book
        if cmd.order_type is OrderType.MARKET and book is not None:
            buy = cmd.side is Side.BUY
            best = book.best_ask if buy else book.best_bid
            if best is not None and (best > price if buy else best < price):
                return codes.MARKET_PROTECTION, (
                    f"the best {'ask' if buy else 'bid'} {inst.format_price(best)} is beyond "
                    f"the market order's protection price {inst.format_price(price)} "
                    f"({self.protection_bps} bps from the reference "
                    f"{half_ticks(inst, ref)}): nothing would trade; use a limit order"
                )
        return None

    def _market_price(self, cmd: SubmitOrder, lim: InstrumentLimits, worst: bool) -> int:
        """A market order's price for a notional check: the reference price, or its
        protection price where that is further (``worst``, the most it can cost) or nearer
        (the least it can be worth, as a venue that takes it as a limit order checks it)."""
        ref = lim.reference_x2()
        mid = 0 if ref is None else (ref + 1) // 2
        reach = self._reach(cmd, ref)
        if reach is None:
            return mid
        return max(mid, reach) if worst else min(mid, reach)

    def _max_notional(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        price = (
            cmd.price
            if cmd.order_type is OrderType.LIMIT
            else self._market_price(cmd, lim, worst=True)
        )
        notional = (price or 0) * cmd.qty
        if notional > lim.max_notional:
            return codes.MAX_ORDER_NOTIONAL, (
                f"order value {money(notional * lim.unit, lim.inst.quote)} is over the "
                f"limit {money(self.config.max_order_notional, lim.inst.quote)}"
            )
        return None

    def _min_notional(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        price = (
            cmd.price
            if cmd.order_type is OrderType.LIMIT
            else self._market_price(cmd, lim, worst=False)
        )
        notional = (price or 0) * cmd.qty
        if notional < lim.min_notional and not cmd.reduce_only:
            return codes.MIN_NOTIONAL, (
                f"order value {money(notional * lim.unit, lim.inst.quote)} is below the "
                f"minimum {money(lim.inst.min_notional, lim.inst.quote)}"
            )
        return None

    def _max_position(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        pos = self.position(cmd.instrument)
        buys, sells, _, _ = self.orders.exposure(cmd.instrument)
        projected = pos + buys + cmd.qty if cmd.side is Side.BUY else pos - sells - cmd.qty
        size = projected if projected >= 0 else -projected
        if size <= (pos if pos >= 0 else -pos):
            return None  # does not grow the absolute position
        if size > lim.max_pos:
            return codes.MAX_POSITION, (
                f"projected position {lim.inst.format_qty(projected)} (with working orders) is "
                f"over the limit {lim.inst.format_qty(lim.max_pos)}"
            )
        ref = lim.reference_x2()
        if ref is not None and size * ref > lim.max_pos_notional_x2:
            return codes.MAX_POSITION, (
                f"projected position {lim.inst.format_qty(projected)} is worth "
                f"{money(size * ref * lim.unit / 2, lim.inst.quote)}, over the limit "
                f"{money(self.config.max_position_notional, lim.inst.quote)}"
            )
        return None

    def _max_open_orders(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if self.orders.working_count() >= self.config.max_open_orders:
            return (
                codes.MAX_OPEN_ORDERS,
                f"{self.config.max_open_orders} orders are already working",
            )
        return None

    def _self_cross(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        """Would the order trade against our own resting order? Judged by what it can reach:
        a limit its price, a market order its protection price (before: any price, so one
        far-off resting buy denied every market sell)."""
        _, _, own_bid, own_ask = self.orders.exposure(cmd.instrument)
        price = self._reach(cmd, lim.reference_x2())
        if cmd.side is Side.BUY:
            if own_ask is not None and (price is None or price >= own_ask):
                return (
                    codes.SELF_CROSS,
                    f"would trade against our own sell at {lim.inst.format_price(own_ask)}",
                )
        elif own_bid is not None and (price is None or price <= own_bid):
            return (
                codes.SELF_CROSS,
                f"would trade against our own buy at {lim.inst.format_price(own_bid)}",
            )
        return None

    def _duplicate(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if not self.dup_window_ns:
            return None
        seen = self._recent.get((cmd.instrument, cmd.side, cmd.order_type, cmd.price, cmd.qty))
        if seen is not None and now - seen < self.dup_window_ns:
            return codes.DUPLICATE_ORDER, (
                f"an identical order went out {(now - seen) / 1e6:.0f} ms ago (window "
                f"{self.config.duplicate_window_ms} ms)"
            )
        return None

    def _throttle(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if self.global_bucket.available(now) < 1.0:
            return (
                codes.RATE_LIMIT,
                f"order rate over {self.config.orders_per_second:g}/s "
                f"(burst {self.config.order_burst})",
            )
        bucket = self.venue_buckets.get(lim.venue)
        if bucket is not None and bucket.available(now) < 1.0:
            return (
                codes.RATE_LIMIT,
                f"order rate over the {lim.venue} limit of "
                f"{bucket.rate:g}/s (burst {bucket.burst:g})",
            )
        return None
