"""The reference exchange's resting book and its matching (``reference.py`` holds the requests,
the waiting stops and what follows a request): obviously correct, slow. Resting orders are one
plain list; every read sorts it by price and time. A level is "the orders at that price, oldest
first". Fill-or-kill is decided by running the whole match on a copy and looking at the result."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from tests.unit.matching.reference_rules import Ref, pro_rata_shares
from tradeterm.matching.orders import (
    FOK,
    FOK_UNFILLED,
    IOC,
    IOC_REMAINDER,
    NO_LIQUIDITY,
    REDUCE_ONLY,
    SELF_TRADE,
    STP_CANCEL_AGGRESSING,
    STP_CANCEL_RESTING,
    STP_NONE,
)
from tradeterm.matching.rules import MatchingRules


@dataclass
class RefMarket:
    """The resting orders, the owners' positions and the listener events, and how an order
    entering the book trades against it."""

    rules: MatchingRules
    tracked: tuple[int, ...] = ()
    resting: list[Ref] = field(default_factory=list)
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

    # --- helpers ----------------------------------------------------------------------------
    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def level(self, side: int, price: int) -> list[Ref]:
        return sorted(
            (o for o in self.resting if o.side == side and o.price == price), key=lambda o: o.time
        )

    def prices(self, side: int) -> list[int]:
        """Prices of one side, best first."""
        return sorted({o.price for o in self.resting if o.side == side}, reverse=side > 0)

    def best(self, side: int) -> int | None:
        prices = self.prices(side)
        return prices[0] if prices else None

    def stp_of(self, order: Ref) -> int:
        return order.stp if order.stp >= 0 else self.rules.stp

    # --- matching ---------------------------------------------------------------------------
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
                assert abs(now) <= abs(was) and now * was >= 0, (
                    f"reduce-only order {order.order_id} took position {was} to {now}"
                )
        self.events.append(
            (
                "fill",
                maker.order_id,
                taker.order_id,
                price,
                qty,
                maker.leaves,
                taker.leaves,
                self.trade_id,
            )
        )

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
        shares = pro_rata_shares(taker.leaves, [o.visible for o in level])
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

    # --- an order entering the book ---------------------------------------------------------
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

    def reprice(self, order: Ref) -> None:
        """A resting order taken off the book at a new price: it trades at once if it crosses
        (self-trade prevention as on entry), what is left rests at the back of its new level."""
        self.stp_hit = False
        self.match(order)
        if order.leaves:
            if self.stp_hit:
                self.stp_hit = False
                self.events.append(("canceled", order.order_id, order.leaves, SELF_TRADE))
            else:
                order.visible = min(order.display, order.leaves) if order.display else order.leaves
                order.time = self.tick()
                self.resting.append(order)

    def take_news(self) -> tuple[list[int], set[int]]:
        """The prices traded and the owners whose position moved since last asked."""
        news = self.traded, self.touched
        self.traded, self.touched = [], set()
        return news

    def modified(self, order: Ref) -> None:
        """A resting order cut to what still reduces its owner's position."""
        self.events.append(("modified", order.order_id, order.price, order.qty, order.leaves))

    # --- what the comparison reads ---------------------------------------------------------
    def book(self) -> tuple:
        """Per side, best first: (price, [(id, owner, visible, leaves) in time order])."""
        return tuple(
            tuple(
                (p, [(o.order_id, o.owner, o.visible, o.leaves) for o in self.level(side, p)])
                for p in self.prices(side)
            )
            for side in (1, -1)
        )
