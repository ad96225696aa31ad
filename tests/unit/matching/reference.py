"""A reference exchange for the matching engine's stateful test: obviously correct, slow.

Resting orders are one plain list; every read sorts it by price and time. A level is "the orders
at that price, oldest first". Fill-or-kill is decided by running the whole match on a copy
and looking at the result. Nothing is incremental: no heaps, no level sizes kept, no lazy
deletion, no indexes. It speaks the same listener events as ``tests.unit.matching.recorder``.

The rules it encodes (the engine's spec, docs/DESIGN.md "Matching engine"):
* price-time priority; a taker trades at the maker's price; an iceberg shows ``display`` lots
  and each new slice goes to the back of its level;
* pro-rata (when the rules say so): a level is shared in proportion to the visible sizes (whole
  lots), the remainder one lot at a time in time order; partly filled orders keep their place,
  refilled iceberg slices go to the back;
* self-trade prevention per the aggressor's mode: cancel the resting order(s), the aggressor,
  or both (pro-rata: all the owner's orders at the level, before the level trades);
* post-only rejects (or slides one tick inside) when it would take; IOC/FOK/market never rest;
* stops trigger on a trade at or through the trigger, after the request that traded, in filing
  order (a moved trigger files again); reduce-only follows the owner's position;
* modify: a new price or a larger size goes to the back (a new price may trade at once), a
  smaller size keeps its place.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from tradeterm.matching.orders import (
    CANCELED, FOK, FOK_UNFILLED, GTC, GTD, IOC, IOC_REMAINDER, LIMIT, MARKET, NO_LIQUIDITY,
    REDUCE_ONLY, SELF_TRADE, STOP_LIMIT, STOP_MARKET, STP_CANCEL_AGGRESSING, STP_CANCEL_RESTING,
    STP_NONE,
)
from tradeterm.matching.rules import MatchingRules


@dataclass
class Ref:
    order_id: int
    owner: int
    side: int
    price: int | None  # limit (None: market); a waiting stop keeps its limit here too
    qty: int
    leaves: int
    visible: int = 0
    time: int = 0  # priority: smaller is older
    kind: int = LIMIT
    tif: int = GTC
    display: int = 0
    trigger: int | None = None
    expire_ns: int | None = None
    post_only: bool = False
    reduce_only: bool = False
    stp: int = -1
    filing: int = 0  # stops: number of the current filing
    registered: int = 0  # reduce-only: when it was (re)registered with its owner


@dataclass
class ReferenceExchange:
    rules: MatchingRules
    tracked: tuple[int, ...] = ()
    resting: list[Ref] = field(default_factory=list)
    stops: list[Ref] = field(default_factory=list)
    positions: dict[int, int] = field(default_factory=dict)
    events: list[tuple] = field(default_factory=list)
    last_price: int | None = None
    trade_id: int = 0
    clock: int = 0
    traded: list[int] = field(default_factory=list)  # prices traded in this request
    touched: set[int] = field(default_factory=set)  # owners whose position moved
    stp_hit: bool = False

    def __post_init__(self) -> None:
        for owner in self.tracked:
            self.positions[owner] = 0

    # --- helpers -------------------------------------------------------------------------
    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def level(self, side: int, price: int) -> list[Ref]:
        return sorted((o for o in self.resting if o.side == side and o.price == price),
                      key=lambda o: o.time)

    def prices(self, side: int) -> list[int]:
        """Prices of one side, best first."""
        return sorted({o.price for o in self.resting if o.side == side}, reverse=side > 0)

    def best(self, side: int) -> int | None:
        prices = self.prices(side)
        return prices[0] if prices else None

    def working(self, order_id: int) -> Ref | None:
        for o in self.resting + self.stops:
            if o.order_id == order_id:
                return o
        return None

    def stp_of(self, order: Ref) -> int:
        return order.stp if order.stp >= 0 else self.rules.stp

    # --- matching ----------------------------------------------------------------------
    def fill(self, maker: Ref, taker: Ref, price: int, qty: int) -> None:
        maker.leaves -= qty
        maker.visible -= qty
        taker.leaves -= qty
        self.trade_id += 1
        self.last_price = price
        self.traded.append(price)
        before = dict(self.positions)
        for owner, delta in ((maker.owner, -taker.side * qty), (taker.owner, taker.side * qty)):
            if owner in self.positions:
                self.positions[owner] += delta
                self.touched.add(owner)
        for order in (maker, taker):  # the promise of reduce-only, checked at every fill
            if order.reduce_only and order.owner in self.positions:
                was, now = before[order.owner], self.positions[order.owner]
                assert abs(now) <= abs(was) and now * was >= 0, \
                    f"reduce-only order {order.order_id} took position {was} to {now}"
        self.events.append(("fill", maker.order_id, taker.order_id, price, qty, maker.leaves,
                            taker.leaves, self.trade_id))

    def cancel_resting(self, order: Ref, reason: str) -> None:
        self.resting.remove(order)
        self.events.append(("canceled", order.order_id, order.leaves, reason))

    def refill(self, maker: Ref) -> None:
        """A maker whose shown part traded: gone, or a new slice at the back."""
        if maker.leaves == 0:
            self.resting.remove(maker)
        elif maker.visible == 0:
            maker.visible = min(maker.display, maker.leaves)
            maker.time = self.tick()

    def crosses(self, taker: Ref, price: int) -> bool:
        return taker.price is None or (price - taker.price) * taker.side <= 0

    def match(self, taker: Ref) -> None:
        stp = self.stp_of(taker)
        while taker.leaves and not self.stp_hit:
            price = self.best(-taker.side)
            if price is None or not self.crosses(taker, price):
                return
            if self.rules.pro_rata:
                self.match_level_pro_rata(taker, price, stp)
            else:
                self.match_level_fifo(taker, price, stp)

    def match_level_fifo(self, taker: Ref, price: int, stp: int) -> None:
        while taker.leaves:
            level = self.level(-taker.side, price)
            if not level:
                return
            maker = level[0]
            if maker.owner == taker.owner and stp != STP_NONE:
                if stp != STP_CANCEL_AGGRESSING:
                    self.cancel_resting(maker, SELF_TRADE)
                if stp != STP_CANCEL_RESTING:
                    self.stp_hit = True
                    return
                continue
            if not self.within_room(maker, min(maker.visible, taker.leaves)):
                continue
            self.fill(maker, taker, price, min(maker.visible, taker.leaves))
            self.refill(maker)

    def match_level_pro_rata(self, taker: Ref, price: int, stp: int) -> None:
        level = self.level(-taker.side, price)
        if stp != STP_NONE and any(o.owner == taker.owner for o in level):
            if stp != STP_CANCEL_AGGRESSING:
                for own in [o for o in level if o.owner == taker.owner]:
                    self.cancel_resting(own, SELF_TRADE)
            if stp != STP_CANCEL_RESTING:
                self.stp_hit = True
                return
            level = self.level(-taker.side, price)
            if not level:
                return
        total = sum(o.visible for o in level)
        want = taker.leaves
        if want >= total:
            shares = [o.visible for o in level]
        else:
            shares = [want * o.visible // total for o in level]
            left = want - sum(shares)
            i = 0
            while left:
                if shares[i] < level[i].visible:
                    shares[i] += 1
                    left -= 1
                i = (i + 1) % len(level)
        refilled = []
        for maker, share in zip(level, shares, strict=True):
            if share and not self.within_room(maker, share):
                continue
            share = min(share, maker.visible)
            if share:
                self.fill(maker, taker, price, share)
                if maker.leaves == 0:
                    self.resting.remove(maker)
                elif maker.visible == 0:
                    maker.visible = min(maker.display, maker.leaves)
                    refilled.append(maker)
        for maker in refilled:  # in time order, behind everyone else
            maker.time = self.tick()

    def within_room(self, maker: Ref, lots: int) -> bool:
        """A reduce-only maker about to trade ``lots``: more than still reduces its owner's
        position? Cut it to that (a modify), or cancel it if nothing is left: False."""
        if not maker.reduce_only:
            return True
        room = max(0, -maker.side * self.positions.get(maker.owner, 0))
        if room >= lots:
            return True
        cut = maker.leaves - room
        maker.qty -= cut
        maker.leaves = maker.visible = room
        if room == 0:
            self.resting.remove(maker)
            self.events.append(("canceled", maker.order_id, cut, REDUCE_ONLY))
            return False
        self.modified(maker)
        return True

    def would_fill_completely(self, taker: Ref) -> bool:
        trial = copy.deepcopy(self)
        trial.events = []
        trial.match(copy.deepcopy(taker))
        probe = [o for o in trial.events if o[0] == "fill"]
        return not trial.stp_hit and sum(e[4] for e in probe) == taker.leaves

    # --- an order entering the book ------------------------------------------------------
    def execute(self, order: Ref) -> None:
        if order.tif == FOK and not self.would_fill_completely(order):
            self.events.append(("canceled", order.order_id, order.leaves, FOK_UNFILLED))
            return
        self.stp_hit = False
        self.match(order)
        if not order.leaves:
            return
        if self.stp_hit:
            self.stp_hit = False
            self.events.append(("canceled", order.order_id, order.leaves, SELF_TRADE))
        elif order.price is None:
            self.events.append(("canceled", order.order_id, order.leaves, NO_LIQUIDITY))
        elif order.tif in (IOC, FOK):
            self.events.append(("canceled", order.order_id, order.leaves, IOC_REMAINDER))
        else:
            order.visible = min(order.display, order.leaves) if order.display else order.leaves
            order.time = self.tick()
            self.resting.append(order)

    # --- work after a request: reduce-only clamps, then triggered stops --------------------
    def after_request(self) -> None:
        while self.traded or self.touched:
            lo = min(self.traded) if self.traded else None
            hi = max(self.traded) if self.traded else None
            self.traded = []
            for owner in sorted(self.touched):
                self.enforce_reduce_only(owner)
            self.touched = set()
            fired = [s for s in self.stops
                     if (s.side > 0 and hi is not None and s.trigger <= hi)
                     or (s.side < 0 and lo is not None and s.trigger >= lo)]
            for stop in sorted(fired, key=lambda s: s.filing):
                self.stops.remove(stop)
            for stop in sorted(fired, key=lambda s: s.filing):
                self.fire(stop)

    def fire(self, stop: Ref) -> None:
        self.events.append(("triggered", stop.order_id, self.last_price))
        if stop.reduce_only:
            pos = self.positions.get(stop.owner, 0)
            if stop.side * pos >= 0:
                self.events.append(("canceled", stop.order_id, stop.leaves, REDUCE_ONLY))
                return
            stop.qty = stop.leaves = min(stop.leaves, abs(pos))
            stop.registered = self.tick()
        if stop.kind == STOP_MARKET:
            stop.price = None
        stop.kind = MARKET if stop.kind == STOP_MARKET else LIMIT
        self.execute(stop)

    def enforce_reduce_only(self, owner: int) -> None:
        pos = self.positions.get(owner, 0)
        room = abs(pos)
        mine = sorted((o for o in self.resting + self.stops
                       if o.owner == owner and o.reduce_only), key=lambda o: o.registered)
        for order in mine:
            if order.side * pos >= 0 or room == 0:
                self.cancel(order.order_id, REDUCE_ONLY)
                continue
            if order.leaves > room:
                cut = order.leaves - room
                order.qty -= cut
                order.leaves -= cut
                order.visible = min(order.visible, order.leaves)
                self.modified(order)
            room -= order.leaves

    def modified(self, order: Ref) -> None:
        shown = order.trigger if order in self.stops else order.price
        self.events.append(("modified", order.order_id, shown, order.qty, order.leaves))

    # --- requests ------------------------------------------------------------------------
    def reject_reason(self, kind, price, qty, trigger, display, tif, expire_ns, post_only,
                      side, order_id) -> str:
        r = self.rules
        limit_price = kind in (LIMIT, STOP_LIMIT)
        if qty <= 0 or qty % r.qty_step or qty < r.min_qty or (r.max_qty and qty > r.max_qty):
            return "INVALID_QUANTITY"
        if limit_price and (price is None or price <= 0 or price % r.price_step):
            return "INVALID_PRICE"
        if kind in (STOP_MARKET, STOP_LIMIT) and (
                trigger is None or trigger <= 0 or trigger % r.price_step):
            return "INVALID_TRIGGER_PRICE"
        if display and (display < 0 or display > qty or display % r.qty_step
                        or display < r.min_qty):
            return "INVALID_DISPLAY_QTY"
        if ((display and kind in (MARKET, STOP_MARKET)) or (post_only and kind != LIMIT)
                or ((display or post_only) and tif in (IOC, FOK))):
            return "UNSUPPORTED_COMBINATION"
        if tif == GTD and expire_ns is None:
            return "INVALID_EXPIRE_TIME"
        if self.working(order_id) is not None:
            return "DUPLICATE_ORDER_ID"
        ref = price if limit_price else trigger if kind == STOP_MARKET else self.best(-side)
        if ref is not None and ref * qty < r.min_notional:
            return "MIN_NOTIONAL"
        return ""

    def submit(self, order_id, owner, side, qty, kind=LIMIT, price=None, tif=GTC, *,
               trigger=None, post_only=False, reduce_only=False, display=0, expire_ns=None,
               stp=-1) -> None:
        reason = self.reject_reason(kind, price, qty, trigger, display, tif, expire_ns,
                                    post_only, side, order_id)
        if reason:
            self.events.append(("rejected", order_id, reason))
            return
        if reduce_only:
            pos = self.positions.get(owner, 0)
            if pos * side >= 0:
                self.events.append(("rejected", order_id, "REDUCE_ONLY_WOULD_INCREASE"))
                return
            qty = min(qty, abs(pos))
        order = Ref(order_id, owner, side, price, qty, qty, kind=kind, tif=tif, display=display,
                    trigger=trigger, expire_ns=expire_ns, post_only=post_only,
                    reduce_only=reduce_only, stp=stp, registered=self.tick())
        if kind in (STOP_MARKET, STOP_LIMIT):
            if self.last_price is not None and (self.last_price - trigger) * side >= 0:
                self.events.append(("rejected", order_id, "WOULD_TRIGGER_IMMEDIATELY"))
                return
            self.events.append(("accepted", order_id, price, qty))
            order.filing = self.tick()
            self.stops.append(order)
            return
        if post_only:
            best = self.best(-side)
            if best is not None and (price - best) * side >= 0:
                if not self.rules.post_only_slide or best - side <= 0:
                    self.events.append(("rejected", order_id, "POST_ONLY_WOULD_TAKE"))
                    return
                order.price = best - side
        self.events.append(("accepted", order_id, order.price, qty))
        self.execute(order)
        self.after_request()

    def cancel(self, order_id: int, reason: str = CANCELED) -> bool:
        order = self.working(order_id)
        if order is None:
            return False
        (self.stops if order in self.stops else self.resting).remove(order)
        self.events.append(("canceled", order_id, order.leaves, reason))
        return True

    def cancel_all(self, owner=None, side=None) -> int:
        # resting orders in the order they (last) came to rest, then stops as placed
        victims = [o.order_id for o in self.resting] + [o.order_id for o in self.stops]
        victims = [i for i in victims if (owner is None or self.working(i).owner == owner)
                   and (side is None or self.working(i).side == side)]
        for order_id in victims:
            self.cancel(order_id)
        return len(victims)

    def modify(self, order_id, price=None, qty=None, trigger=None) -> bool:
        order = self.working(order_id)
        if order is None:
            self.events.append(("modify_rejected", order_id, "UNKNOWN_ORDER"))
            return False
        r = self.rules
        stop = order in self.stops
        filled = order.qty - order.leaves
        new_qty = order.qty if qty is None else qty
        new_price = order.price if price is None else price
        reason = ""
        if new_qty <= filled or new_qty % r.qty_step or (r.max_qty and new_qty > r.max_qty):
            reason = "INVALID_QUANTITY"
        elif new_price is not None and (new_price <= 0 or new_price % r.price_step):
            reason = "INVALID_PRICE"
        elif trigger is not None and (not stop or trigger <= 0 or trigger % r.price_step):
            reason = "INVALID_TRIGGER_PRICE"
        elif new_price is not None and new_price * new_qty < r.min_notional:
            reason = "MIN_NOTIONAL"
        elif order.display and order.display > new_qty - filled:
            reason = "INVALID_DISPLAY_QTY"
        elif not stop and order.post_only and new_price != order.price:
            best = self.best(-order.side)
            if best is not None and (new_price - best) * order.side >= 0:
                reason = "POST_ONLY_WOULD_TAKE"
        if not reason and stop and trigger is not None and self.last_price is not None and \
                (self.last_price - trigger) * order.side >= 0:
            reason = "WOULD_TRIGGER_IMMEDIATELY"
        if reason:
            self.events.append(("modify_rejected", order_id, reason))
            return False
        if order.reduce_only:  # clamped as on entry: what it leaves must still reduce
            room = max(0, -order.side * self.positions.get(order.owner, 0))
            if new_qty - filled > room:
                if not room:
                    self.events.append(("modify_rejected", order_id,
                                        "REDUCE_ONLY_WOULD_INCREASE"))
                    return False
                new_qty = filled + room
        if stop:
            order.leaves += new_qty - order.qty
            order.qty = new_qty
            if order.kind == STOP_LIMIT:
                order.price = new_price
            if trigger is not None and trigger != order.trigger:
                order.trigger = trigger
                order.filing = self.tick()
            self.modified(order)
        elif new_price != order.price:
            self.resting.remove(order)
            order.price, order.qty, order.leaves = new_price, new_qty, new_qty - filled
            self.modified(order)
            self.stp_hit = False
            self.match(order)
            if order.leaves:
                if self.stp_hit:
                    self.stp_hit = False
                    self.events.append(("canceled", order_id, order.leaves, SELF_TRADE))
                else:
                    order.visible = min(order.display, order.leaves) if order.display \
                        else order.leaves
                    order.time = self.tick()
                    self.resting.append(order)
        elif new_qty > order.qty:
            self.resting.remove(order)  # to the back: of its level, and of the resting list
            self.resting.append(order)
            order.leaves += new_qty - order.qty
            order.qty = new_qty
            if not order.display:
                order.visible = order.leaves
            order.time = self.tick()
            self.modified(order)
        else:
            cut = order.qty - new_qty
            order.qty -= cut
            order.leaves -= cut
            order.visible = min(order.visible, order.leaves)
            self.modified(order)
        self.after_request()
        return True

    def expire_due(self, now: int) -> int:
        due = sorted((o for o in self.resting + self.stops
                      if o.tif == GTD and o.expire_ns is not None and o.expire_ns <= now),
                     key=lambda o: (o.expire_ns, o.order_id))
        for order in due:
            (self.stops if order in self.stops else self.resting).remove(order)
            self.events.append(("expired", order.order_id, order.leaves))
        return len(due)

    # --- what the comparison reads ---------------------------------------------------------
    def book(self) -> tuple:
        """Per side, best first: (price, [(id, owner, visible, leaves) in time order])."""
        return tuple(tuple((p, [(o.order_id, o.owner, o.visible, o.leaves)
                                for o in self.level(side, p)]) for p in self.prices(side))
                     for side in (1, -1))

    def waiting_stops(self) -> dict[int, tuple]:
        return {s.order_id: (s.side, s.trigger, s.price, s.qty, s.leaves) for s in self.stops}
