"""Pre-trade risk: every order command passes every check or is denied with a reason code.

``PreTradeRisk.check`` is the hot path (one call per order, a few microseconds): it stops at the
first failing check. ``preview`` runs every check without side effects and returns each one's
verdict, for the order ticket. Prices and quantities are integer ticks and lots; every limit is
converted to those units once, at start.

Checks, in order (the code each one denies with is in ``codes.py``):

====================  ==========================================================================
trading state         HALTED denies every new order (KILL_SWITCH) except the kill switch's own
                      flattening orders; REDUCING lets only exposure-reducing orders through
instrument            the instrument is traded in this session
tick / lot            price and quantity are positive whole numbers of ticks and lots
order type            only order types the venues route (LIMIT, MARKET)
reduce-only           a reduce-only order must not grow the position
max order qty         per instrument, base units
reference price       mid of the book, else the last trade; none -> NO_REFERENCE_PRICE
price band            limit price within ``price_band_bps`` of the reference (fat finger)
max order notional    price x qty (market orders at the reference price)
min notional          the instrument's minimum order value
max position          position + same-side working orders + this order, in base units and in
                      notional; an order that reduces the absolute position always passes
max open orders       working orders across the session
self-cross            a buy at or above our own resting sell (or the reverse)
duplicate window      same instrument, side, type, price and qty within the window
throttle              a token from the global bucket and from the venue's bucket
====================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from tradeterm.core.views import BookReader, InstrumentStats
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import TradingState
from tradeterm.domain.instruments import Instrument, PrecisionError
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType
from tradeterm.risk import codes
from tradeterm.risk.context import (
    CheckResult, InstrumentLimits, StateReader, Verdict, WorkingOrders,
)
from tradeterm.risk.throttle import TokenBucket

if TYPE_CHECKING:
    from tradeterm.config import RiskConfig

ACTIVE = TradingState.ACTIVE
LIMIT = OrderType.LIMIT
BUY = Side.BUY
ROUTED_TYPES = frozenset({OrderType.LIMIT, OrderType.MARKET})


class PreTradeRisk:
    def __init__(self, config: RiskConfig, instruments: dict[str, Instrument],
                 books: dict[str, BookReader], stats: dict[str, InstrumentStats],
                 position: Callable[[str], int], orders: WorkingOrders, trading: StateReader,
                 now: Callable[[], int],
                 venue_limits: dict[str, tuple[float, int] | None] | None = None) -> None:
        self.config = config
        self.position = position
        self.orders = orders
        self.trading = trading
        self.now = now
        self.ready = False  # set once the OMS has reconciled with the venues
        self.limits = {iid: InstrumentLimits(inst, config, books.get(iid), stats.get(iid))
                       for iid, inst in instruments.items()}
        start = now()
        self.global_bucket = TokenBucket(config.orders_per_second, config.order_burst, start)
        self.venue_buckets: dict[str, TokenBucket] = {}
        for venue in {inst.venue for inst in instruments.values()}:
            declared = (venue_limits or {}).get(venue)
            rate = config.venue_orders_per_second or (declared[0] if declared else None)
            burst = config.venue_order_burst or (declared[1] if declared else None)
            if rate is not None:
                self.venue_buckets[venue] = TokenBucket(rate, burst or max(1, int(rate)), start)
        self.band_bps = config.price_band_bps
        self.max_open_orders = config.max_open_orders
        self.dup_window_ns = config.duplicate_window_ms * 1_000_000
        self._recent: dict[tuple, int] = {}  # duplicate-window key -> ts
        self._recent_cap = 512
        self._flatten_ids: set[str] = set()
        self._checks: tuple[tuple[str, Callable[..., Verdict]], ...] = (
            ("trading state", self._state),
            ("instrument", self._instrument),
            ("tick / lot", self._increments),
            ("order type", self._order_type),
            ("reduce-only", self._reduce_only),
            ("max order qty", self._max_qty),
            ("price band", self._price_band),
            ("max order notional", self._max_notional),
            ("min notional", self._min_notional),
            ("max position", self._max_position),
            ("max open orders", self._max_open_orders),
            ("self-cross", self._self_cross),
            ("duplicate window", self._duplicate),
            ("throttle", self._throttle),
        )

    # --- the hot path ----------------------------------------------------------------------
    def check(self, cmd: SubmitOrder, commit: bool = True) -> Verdict:
        """None if ``cmd`` may go out (its throttle token is then taken and it enters the
        duplicate window, unless ``commit`` is False), else (code, message).

        The common case (ACTIVE, a plain limit order inside every limit) is decided inline
        below; anything else, and every denial, goes through the check chain, which names the
        first failing check. The inline path only ever *passes* an order that every check in
        the chain passes (a test compares the two on random orders).
        """
        lim = self.limits.get(cmd.instrument)
        now = self.now()
        qty, price = cmd.qty, cmd.price
        if (lim is None or self.trading.state is not ACTIVE or not self.ready
                or cmd.order_type is not LIMIT or cmd.reduce_only or cmd.display_qty is not None
                or type(qty) is not int or type(price) is not int or qty <= 0 or price <= 0
                or qty > lim.max_qty):
            return self._chain(cmd, lim, now, commit)
        book = lim.book
        bid = book.best_bid if book is not None else None
        ask = book.best_ask if book is not None else None
        if bid is None or ask is None:
            return self._chain(cmd, lim, now, commit)
        ref = bid + ask
        off = 2 * price - ref
        notional = price * qty
        if ((off if off > 0 else -off) * 10_000 > self.band_bps * ref
                or notional > lim.max_notional or notional < lim.min_notional):
            return self._chain(cmd, lim, now, commit)
        iid = cmd.instrument
        buys, sells, own_bid, own_ask = self.orders.exposure(iid)
        pos = self.position(iid)
        if cmd.side is BUY:
            projected = pos + buys + qty
            if own_ask is not None and price >= own_ask:
                return self._chain(cmd, lim, now, commit)
        else:
            projected = pos - sells - qty
            if own_bid is not None and price <= own_bid:
                return self._chain(cmd, lim, now, commit)
        size = projected if projected >= 0 else -projected
        if (size > (pos if pos >= 0 else -pos)
                and (size > lim.max_pos or size * ref > lim.max_pos_notional_x2)):
            return self._chain(cmd, lim, now, commit)
        if self.orders.working_count() >= self.max_open_orders:
            return self._chain(cmd, lim, now, commit)
        window = self.dup_window_ns
        if window:
            key = (iid, cmd.side, LIMIT, price, qty)
            seen = self._recent.get(key)
            if seen is not None and now - seen < window:
                return self._chain(cmd, lim, now, commit)
        glob = self.global_bucket
        g_tokens = glob.available(now)
        if g_tokens < 1.0:
            return self._chain(cmd, lim, now, commit)
        bucket = self.venue_buckets.get(lim.venue)
        if bucket is not None:
            v_tokens = bucket.available(now)
            if v_tokens < 1.0:
                return self._chain(cmd, lim, now, commit)
        if commit:  # what _commit does, with the figures already at hand
            glob.tokens = g_tokens - 1.0
            if now > glob.ts:
                glob.ts = now
            if bucket is not None:
                bucket.tokens = v_tokens - 1.0
                if now > bucket.ts:
                    bucket.ts = now
            if window:
                self._recent[key] = now
                if len(self._recent) > self._recent_cap:
                    self._prune_recent(now)
            if self._flatten_ids:
                self._flatten_ids.discard(cmd.client_order_id)
        return None

    def _chain(self, cmd: SubmitOrder, lim: InstrumentLimits | None, now: int,
               commit: bool) -> Verdict:
        """Every check in order; the first failure is the verdict."""
        for _, fn in self._checks:
            verdict = fn(cmd, lim, now)
            if verdict is not None:
                return verdict
        if commit:
            self._commit(cmd, lim, now)  # type: ignore[arg-type]
        return None

    def take_token(self, venue: str) -> None:
        """A message that is not a new order (a native modify) still spends order rate."""
        now = self.now()
        self.global_bucket.take(now)
        bucket = self.venue_buckets.get(venue)
        if bucket is not None:
            bucket.take(now)

    def preview(self, cmd: SubmitOrder) -> list[CheckResult]:
        """Every check's verdict for a prospective order; changes nothing."""
        lim = self.limits.get(cmd.instrument)
        now = self.now()
        out = []
        for name, fn in self._checks:
            if lim is None and name != "trading state" and name != "instrument":
                out.append(CheckResult(name, False, codes.UNKNOWN_INSTRUMENT,
                                       "cannot check an order for an unknown instrument"))
                continue
            verdict = fn(cmd, lim, now)
            out.append(CheckResult(name, True) if verdict is None
                       else CheckResult(name, False, verdict[0], verdict[1]))
        return out

    def preview_decimal(self, instrument: str, side: Side, qty: Decimal | str,
                        price: Decimal | str | None, **options) -> list[CheckResult]:
        """``preview`` for an order typed as decimals (the order ticket): off-grid prices and
        quantities fail the tick / lot check with the increment to use."""
        lim = self.limits.get(instrument)
        if lim is None:
            return [CheckResult("instrument", False, codes.UNKNOWN_INSTRUMENT,
                                f"{instrument} is not traded in this session")]
        inst = lim.inst
        problems = []
        try:
            lots = inst.qty_to_lots(qty)
        except (PrecisionError, ArithmeticError, ValueError):
            problems.append(f"quantity {qty} is not a multiple of {inst.lot_size}")
            lots = 0
        ticks = None
        if price is not None:
            try:
                ticks = inst.price_to_ticks(price)
            except (PrecisionError, ArithmeticError, ValueError):
                problems.append(f"price {price} is not a multiple of {inst.tick_size}")
        cmd = SubmitOrder(self.now(), "preview", instrument, side, max(lots, 1),
                          price=ticks if ticks is not None else None, **options)
        results = self.preview(cmd)
        if problems:
            results = [CheckResult("tick / lot", False,
                                   codes.LOT_SIZE if "quantity" in problems[0] else codes.TICK_SIZE,
                                   "; ".join(problems)) if r.check == "tick / lot" else r
                       for r in results]
        return results

    def authorize_flatten(self, client_order_id: str) -> None:
        """Let one kill-switch flattening order through a HALT (still reduce-only checked)."""
        self._flatten_ids.add(client_order_id)

    def _commit(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> None:
        self.global_bucket.take(now)
        bucket = self.venue_buckets.get(lim.venue)
        if bucket is not None:
            bucket.take(now)
        if self.dup_window_ns:
            self._recent[(cmd.instrument, cmd.side, cmd.order_type, cmd.price, cmd.qty)] = now
            if len(self._recent) > self._recent_cap:
                self._prune_recent(now)
        self._flatten_ids.discard(cmd.client_order_id)

    def _prune_recent(self, now: int) -> None:
        """Forget duplicate-window keys older than the window."""
        horizon = now - self.dup_window_ns
        self._recent = {k: t for k, t in self._recent.items() if t >= horizon}
        self._recent_cap = max(512, 2 * len(self._recent))

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
            return codes.REDUCING_ONLY, "trading is REDUCING: only orders that reduce the " \
                                        "position are allowed"
        return None

    def _instrument(self, cmd: SubmitOrder, lim: InstrumentLimits | None, now: int) -> Verdict:
        if lim is None:
            return codes.UNKNOWN_INSTRUMENT, f"{cmd.instrument} is not traded in this session"
        return None

    def _increments(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        qty = cmd.qty
        if type(qty) is not int or qty <= 0:
            return codes.LOT_SIZE, f"quantity must be a positive number of lots of " \
                                   f"{lim.inst.lot_size}, got {qty!r}"
        price = cmd.price
        if cmd.order_type is OrderType.MARKET:
            if price is not None and (type(price) is not int or price <= 0):
                return codes.TICK_SIZE, f"price must be a positive number of ticks, got {price!r}"
        elif price is None or type(price) is not int or price <= 0:
            return codes.TICK_SIZE, f"a limit price must be a positive number of ticks of " \
                                    f"{lim.inst.tick_size}, got {price!r}"
        return None

    def _order_type(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if cmd.order_type not in ROUTED_TYPES:
            return codes.UNSUPPORTED, f"{cmd.order_type.value} orders are not supported yet"
        if cmd.display_qty is not None:
            return codes.UNSUPPORTED, "iceberg (display quantity) orders are not supported yet"
        return None

    def _reduces(self, cmd: SubmitOrder, lim: InstrumentLimits) -> bool:
        """Would this order, with the same-side working orders, only shrink the position?"""
        pos = self.position(cmd.instrument)
        buys, sells, _, _ = self.orders.exposure(cmd.instrument)
        if cmd.side is Side.BUY:
            return pos < 0 and cmd.qty + buys <= -pos
        return pos > 0 and cmd.qty + sells <= pos

    def _reduce_only(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if cmd.reduce_only and not self._reduces(cmd, lim):
            return codes.REDUCE_ONLY, "reduce-only order would not reduce the position " \
                                      f"({lim.inst.format_qty(self.position(cmd.instrument))})"
        return None

    def _max_qty(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if cmd.qty > lim.max_qty:
            return codes.MAX_ORDER_QTY, f"quantity {lim.inst.format_qty(cmd.qty)} is over the " \
                                        f"limit {lim.inst.format_qty(lim.max_qty)}"
        return None

    def _price_band(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        ref = lim.reference_x2()
        if ref is None:
            return codes.NO_REFERENCE_PRICE, f"no market price for {lim.inst.symbol} yet to " \
                                             "check the order against"
        price = cmd.price
        if price is not None and cmd.order_type is OrderType.LIMIT:
            off = 2 * price - ref
            if (off if off > 0 else -off) * 10_000 > self.band_bps * ref:
                return codes.PRICE_BAND, (
                    f"price {lim.inst.format_price(price)} is {abs(off) * 10_000 / ref:.0f} bps "
                    f"from the reference {lim.inst.ticks_to_price(ref) / 2}; the band is "
                    f"{self.band_bps} bps")
        return None

    def _effective_price(self, cmd: SubmitOrder, lim: InstrumentLimits) -> int:
        if cmd.price is not None and cmd.order_type is OrderType.LIMIT:
            return cmd.price
        ref = lim.reference_x2()
        return 0 if ref is None else (ref + 1) // 2

    def _max_notional(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        notional = self._effective_price(cmd, lim) * cmd.qty
        if notional > lim.max_notional:
            return codes.MAX_ORDER_NOTIONAL, (
                f"order value {notional * lim.unit:f} {lim.inst.quote} is over the limit "
                f"{self.config.max_order_notional}")
        return None

    def _min_notional(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        notional = self._effective_price(cmd, lim) * cmd.qty
        if notional < lim.min_notional and not cmd.reduce_only:
            return codes.MIN_NOTIONAL, (
                f"order value {notional * lim.unit:f} {lim.inst.quote} is below the minimum "
                f"{lim.inst.min_notional}")
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
                f"over the limit {lim.inst.format_qty(lim.max_pos)}")
        ref = lim.reference_x2()
        if ref is not None and size * ref > lim.max_pos_notional_x2:
            return codes.MAX_POSITION, (
                f"projected position {lim.inst.format_qty(projected)} is worth "
                f"{size * ref * lim.unit / 2:f} {lim.inst.quote}, over the limit "
                f"{self.config.max_position_notional}")
        return None

    def _max_open_orders(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if self.orders.working_count() >= self.config.max_open_orders:
            return codes.MAX_OPEN_ORDERS, f"{self.config.max_open_orders} orders are already " \
                                          "working"
        return None

    def _self_cross(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        _, _, own_bid, own_ask = self.orders.exposure(cmd.instrument)
        price = cmd.price if cmd.order_type is OrderType.LIMIT else None
        if cmd.side is Side.BUY:
            if own_ask is not None and (price is None or price >= own_ask):
                return codes.SELF_CROSS, f"would trade against our own sell at " \
                                         f"{lim.inst.format_price(own_ask)}"
        elif own_bid is not None and (price is None or price <= own_bid):
            return codes.SELF_CROSS, f"would trade against our own buy at " \
                                     f"{lim.inst.format_price(own_bid)}"
        return None

    def _duplicate(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if not self.dup_window_ns:
            return None
        seen = self._recent.get((cmd.instrument, cmd.side, cmd.order_type, cmd.price, cmd.qty))
        if seen is not None and now - seen < self.dup_window_ns:
            return codes.DUPLICATE_ORDER, (
                f"an identical order went out {(now - seen) / 1e6:.0f} ms ago (window "
                f"{self.config.duplicate_window_ms} ms)")
        return None

    def _throttle(self, cmd: SubmitOrder, lim: InstrumentLimits, now: int) -> Verdict:
        if self.global_bucket.available(now) < 1.0:
            return codes.RATE_LIMIT, f"order rate over {self.config.orders_per_second:g}/s " \
                                     f"(burst {self.config.order_burst})"
        bucket = self.venue_buckets.get(lim.venue)
        if bucket is not None and bucket.available(now) < 1.0:
            return codes.RATE_LIMIT, f"order rate over the {lim.venue} limit of " \
                                     f"{bucket.rate:g}/s (burst {bucket.burst:g})"
        return None
