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

This module holds the requests, the waiting stops and what follows a request (reduce-only
clamps, triggered stops); the resting book and its matching are ``reference_market.py``, the
order record, the refusals and the pro-rata share ``reference_rules.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.unit.matching.reference_market import RefMarket
from tests.unit.matching.reference_rules import Ref, entry_refusal, modify_refusal
from tradeterm.matching.orders import (
    CANCELED,
    GTC,
    GTD,
    LIMIT,
    MARKET,
    REDUCE_ONLY,
    STOP_LIMIT,
    STOP_MARKET,
)
from tradeterm.matching.rules import MatchingRules


@dataclass
class ReferenceExchange:
    rules: MatchingRules
    tracked: tuple[int, ...] = ()
    stops: list[Ref] = field(default_factory=list)
    market: RefMarket = field(init=False)

    def __post_init__(self) -> None:
        self.market = RefMarket(self.rules, self.tracked)

    @property
    def positions(self) -> dict[int, int]:
        return self.market.positions

    @property
    def events(self) -> list[tuple]:
        return self.market.events

    @property
    def last_price(self) -> int | None:
        return self.market.last_price

    def best(self, side: int) -> int | None:
        return self.market.best(side)

    def working(self, order_id: int) -> Ref | None:
        for o in self.market.resting + self.stops:
            if o.order_id == order_id:
                return o
        return None

    # --- work after a request: reduce-only clamps, then triggered stops ---------------------
    def after_request(self) -> None:
        while self.market.traded or self.market.touched:
            traded, touched = self.market.take_news()
            lo = min(traded) if traded else None
            hi = max(traded) if traded else None
            for owner in sorted(touched):
                self.enforce_reduce_only(owner)
            fired = [
                s
                for s in self.stops
                if (s.side > 0 and hi is not None and s.trigger <= hi)
                or (s.side < 0 and lo is not None and s.trigger >= lo)
            ]
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
            stop.registered = self.market.tick()
        if stop.kind == STOP_MARKET:
            stop.price = None
        stop.kind = MARKET if stop.kind == STOP_MARKET else LIMIT
        self.market.execute(stop)

    def enforce_reduce_only(self, owner: int) -> None:
        pos = self.positions.get(owner, 0)
        room = abs(pos)
        mine = sorted(
            (o for o in self.market.resting + self.stops if o.owner == owner and o.reduce_only),
            key=lambda o: o.registered,
        )
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

    # --- requests ---------------------------------------------------------------------------
    def submit(
        self,
        order_id,
        owner,
        side,
        qty,
        kind=LIMIT,
        price=None,
        tif=GTC,
        *,
        trigger=None,
        post_only=False,
        reduce_only=False,
        display=0,
        expire_ns=None,
        stp=-1,
    ) -> None:
        reason = entry_refusal(
            self.rules,
            kind,
            price,
            qty,
            trigger,
            display,
            tif,
            expire_ns,
            post_only,
            duplicate=self.working(order_id) is not None,
            touch=self.best(-side),
        )
        if reason:
            self.events.append(("rejected", order_id, reason))
            return
        if reduce_only:
            pos = self.positions.get(owner, 0)
            if pos * side >= 0:
                self.events.append(("rejected", order_id, "REDUCE_ONLY_WOULD_INCREASE"))
                return
            qty = min(qty, abs(pos))
        order = Ref(
            order_id,
            owner,
            side,
            price,
            qty,
            qty,
            kind=kind,
            tif=tif,
            display=display,
            trigger=trigger,
            expire_ns=expire_ns,
            post_only=post_only,
            reduce_only=reduce_only,
            stp=stp,
            registered=self.market.tick(),
        )
        if kind in (STOP_MARKET, STOP_LIMIT):
            if self.last_price is not None and (self.last_price - trigger) * side >= 0:
                self.events.append(("rejected", order_id, "WOULD_TRIGGER_IMMEDIATELY"))
                return
            self.events.append(("accepted", order_id, price, qty))
            order.filing = self.market.tick()
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
        self.market.execute(order)
        self.after_request()

    def cancel(self, order_id: int, reason: str = CANCELED) -> bool:
        order = self.working(order_id)
        if order is None:
            return False
        (self.stops if order in self.stops else self.market.resting).remove(order)
        self.events.append(("canceled", order_id, order.leaves, reason))
        return True

    def cancel_all(self, owner=None, side=None) -> int:
        # resting orders in the order they (last) came to rest, then stops as placed
        victims = [o.order_id for o in self.market.resting] + [o.order_id for o in self.stops]
        victims = [
            i
            for i in victims
            if (owner is None or self.working(i).owner == owner)
            and (side is None or self.working(i).side == side)
        ]
        for order_id in victims:
            self.cancel(order_id)
        return len(victims)

    def modify(self, order_id, price=None, qty=None, trigger=None) -> bool:
        order = self.working(order_id)
        if order is None:
            self.events.append(("modify_rejected", order_id, "UNKNOWN_ORDER"))
            return False
        stop = order in self.stops
        filled = order.qty - order.leaves
        new_qty = order.qty if qty is None else qty
        new_price = order.price if price is None else price
        reason = modify_refusal(
            self.rules,
            order,
            stop,
            new_price,
            new_qty,
            trigger,
            touch=self.best(-order.side),
            last_price=self.last_price,
        )
        if reason:
            self.events.append(("modify_rejected", order_id, reason))
            return False
        if order.reduce_only:  # clamped as on entry: what it leaves must still reduce
            room = max(0, -order.side * self.positions.get(order.owner, 0))
            if new_qty - filled > room:
                if not room:
                    self.events.append(("modify_rejected", order_id, "REDUCE_ONLY_WOULD_INCREASE"))
                    return False
                new_qty = filled + room
        if stop:
            order.leaves += new_qty - order.qty
            order.qty = new_qty
            if order.kind == STOP_LIMIT:
                order.price = new_price
            if trigger is not None and trigger != order.trigger:
                order.trigger = trigger
                order.filing = self.market.tick()
            self.modified(order)
        elif new_price != order.price:
            self.market.resting.remove(order)
            order.price, order.qty, order.leaves = new_price, new_qty, new_qty - filled
            self.modified(order)
            self.market.reprice(order)
        elif new_qty > order.qty:
            self.market.resting.remove(order)  # to the back: of its level, and of the resting list
            self.market.resting.append(order)
            order.leaves += new_qty - order.qty
            order.qty = new_qty
            if not order.display:
                order.visible = order.leaves
            order.time = self.market.tick()
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
        due = sorted(
            (
                o
                for o in self.market.resting + self.stops
                if o.tif == GTD and o.expire_ns is not None and o.expire_ns <= now
            ),
            key=lambda o: (o.expire_ns, o.order_id),
        )
        for order in due:
            (self.stops if order in self.stops else self.market.resting).remove(order)
            self.events.append(("expired", order.order_id, order.leaves))
        return len(due)

    # --- what the comparison reads ---------------------------------------------------------
    def book(self) -> tuple:
        """Per side, best first: (price, [(id, owner, visible, leaves) in time order])."""
        return self.market.book()

    def waiting_stops(self) -> dict[int, tuple]:
        return {s.order_id: (s.side, s.trigger, s.price, s.qty, s.leaves) for s in self.stops}
