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
tick / lot            price and quantity are positive whole numbers of ticks and lots, the
                      quantity a multiple of the venue's order step (QTY_STEP)
order type            only order types the venues route (LIMIT, MARKET)
reduce-only           a reduce-only order must not grow the position, nor close more than the
                      base balance can (``closable``: fees paid in the coin leave dust)
max order qty         per instrument, base units
reference price       mid of the book, else the last trade; none -> NO_REFERENCE_PRICE
price band            limit price within ``price_band_bps`` of the reference (fat finger); a
                      market order's protection price too, and the opposite best within its
                      reach (MARKET_PROTECTION; ``protection.py``)
max order notional    price x qty (a market order at the reference or its protection price,
                      whichever is further)
min notional          the instrument's minimum order value (a market order at the nearer)
max position          position + same-side working orders + this order, in base units and in
                      notional; an order that reduces the absolute position always passes
max open orders       working orders across the session
self-cross            a buy at or above our own resting sell (or the reverse); a market order
                      by its protection price
duplicate window      same instrument, side, type, price and qty within the window
throttle              a token from the global bucket and from the venue's bucket
====================  ==========================================================================

The checks themselves are in ``order_checks.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from tradeterm.core.views import BookReader, InstrumentStats
from tradeterm.domain.commands import ModifyOrder, SubmitOrder
from tradeterm.domain.events import TradingState
from tradeterm.domain.instruments import Instrument, PrecisionError
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.risk import codes
from tradeterm.risk.context import (
    CheckResult,
    InstrumentLimits,
    StateReader,
    Verdict,
    WorkingOrders,
)
from tradeterm.risk.order_checks import OrderChecks
from tradeterm.risk.protection import protection_price
from tradeterm.risk.throttle import TokenBucket

if TYPE_CHECKING:
    from tradeterm.config import RiskConfig

ACTIVE = TradingState.ACTIVE
LIMIT = OrderType.LIMIT
MARKET = OrderType.MARKET
BUY = Side.BUY


class PreTradeRisk(OrderChecks):
    def __init__(
        self,
        config: RiskConfig,
        instruments: dict[str, Instrument],
        books: dict[str, BookReader],
        stats: dict[str, InstrumentStats],
        position: Callable[[str], int],
        orders: WorkingOrders,
        trading: StateReader,
        now: Callable[[], int],
        venue_limits: dict[str, tuple[float, int] | None] | None = None,
        closable: Callable[[str], int] | None = None,
    ) -> None:
        self.config = config
        self.position = position
        # signed lots a closing order can trade (portfolio.closable_lots): reduce-only's measure
        self.closable = closable or position
        self.orders = orders
        self.trading = trading
        self.now = now
        self.ready = False  # set once the OMS has reconciled with the venues
        self.limits = {
            iid: InstrumentLimits(inst, config, books.get(iid), stats.get(iid))
            for iid, inst in instruments.items()
        }
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
        self.protection_bps = config.market_protection_bps
        self.max_open_orders = config.max_open_orders
        self.dup_window_ns = config.duplicate_window_ms * 1_000_000
        self._recent: dict[tuple[Any, ...], int] = {}  # duplicate-window key -> ts
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

    def protect(self, cmd: SubmitOrder) -> SubmitOrder:
        """A market order as it goes out: its protection price as its ``price`` (from the
        reference now; unchanged when it has a price already, or no reference, which the
        price band check then denies) and IOC unless FOK: a market order never rests."""
        if cmd.order_type is not MARKET:
            return cmd
        changes: dict[str, Any] = {}
        if cmd.price is None:
            lim = self.limits.get(cmd.instrument)
            ref = None if lim is None else lim.reference_x2()
            if ref is not None:
                changes["price"] = protection_price(cmd.side, ref, self.protection_bps)
        if cmd.tif is not TimeInForce.IOC and cmd.tif is not TimeInForce.FOK:
            changes["tif"] = TimeInForce.IOC
        return msgspec.structs.replace(cmd, **changes) if changes else cmd

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
        if (
            lim is None
            or self.trading.state is not ACTIVE
            or not self.ready
            or cmd.order_type is not LIMIT
            or cmd.reduce_only
            or cmd.display_qty is not None
            or type(qty) is not int
            or type(price) is not int
            or qty <= 0
            or price <= 0
            or qty > lim.max_qty
            or qty % lim.step
        ):
            return self._chain(cmd, lim, now, commit)
        book = lim.book
        bid = book.best_bid if book is not None else None
        ask = book.best_ask if book is not None else None
        if bid is None or ask is None:
            return self._chain(cmd, lim, now, commit)
        ref = bid + ask
        off = 2 * price - ref
        notional = price * qty
        if (
            (off if off > 0 else -off) * 10_000 > self.band_bps * ref
            or notional > lim.max_notional
            or notional < lim.min_notional
        ):
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
        if size > (pos if pos >= 0 else -pos) and (
            size > lim.max_pos or size * ref > lim.max_pos_notional_x2
        ):
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

    def _chain(
        self, cmd: SubmitOrder, lim: InstrumentLimits | None, now: int, commit: bool
    ) -> Verdict:
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
                out.append(
                    CheckResult(
                        name,
                        False,
                        codes.UNKNOWN_INSTRUMENT,
                        "cannot check an order for an unknown instrument",
                    )
                )
                continue
            verdict = fn(cmd, lim, now)
            out.append(
                CheckResult(name, True)
                if verdict is None
                else CheckResult(name, False, verdict[0], verdict[1])
            )
        return out

    def preview_decimal(
        self,
        instrument: str,
        side: Side,
        qty: Decimal | str,
        price: Decimal | str | None,
        **options: Any,
    ) -> list[CheckResult]:
        """``preview`` for an order typed as decimals (the order ticket): off-grid prices and
        quantities fail the tick / lot check with the increment to use."""
        lim = self.limits.get(instrument)
        if lim is None:
            return [
                CheckResult(
                    "instrument",
                    False,
                    codes.UNKNOWN_INSTRUMENT,
                    f"{instrument} is not traded in this session",
                )
            ]
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
        cmd = SubmitOrder(
            self.now(),
            "preview",
            instrument,
            side,
            max(lots, 1),
            price=ticks if ticks is not None else None,
            **options,
        )
        results = self.preview(cmd)
        if problems:
            results = [
                CheckResult(
                    "tick / lot",
                    False,
                    codes.LOT_SIZE if "quantity" in problems[0] else codes.TICK_SIZE,
                    "; ".join(problems),
                )
                if r.check == "tick / lot"
                else r
                for r in results
            ]
        return results

    @staticmethod
    def modify_probe(order: Order, cmd: ModifyOrder) -> SubmitOrder:
        """The order as it would be after ``cmd`` (its unfilled part), to check a modify like a
        new order (``check(probe, commit=False)``); a cancel-replace's replacement is checked,
        and spends its token, again when it goes out."""
        qty = cmd.qty if cmd.qty is not None else order.qty
        return SubmitOrder(
            cmd.ts,
            cmd.client_order_id + "~",
            order.instrument,
            order.side,
            max(1, qty - order.filled_qty),
            order.order_type,
            cmd.price if cmd.price is not None else order.price,
            tif=order.tif,
            reduce_only=order.reduce_only,
            source=order.source,
        )

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

    def rewind(self, now: int) -> None:
        """The clock went back to ``now`` (a ``--paper`` replay's seek back): the throttle's
        buckets fill again from there, and orders sent after it are no duplicates of a new
        one. The tokens left stay as they were."""
        for bucket in (self.global_bucket, *self.venue_buckets.values()):
            bucket.ts = min(bucket.ts, now)
        self._recent = {k: t for k, t in self._recent.items() if t <= now}

    def _prune_recent(self, now: int) -> None:
        """Forget duplicate-window keys older than the window."""
        horizon = now - self.dup_window_ns
        self._recent = {k: t for k, t in self._recent.items() if t >= horizon}
        self._recent_cap = max(512, 2 * len(self._recent))
