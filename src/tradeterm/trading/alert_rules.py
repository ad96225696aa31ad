"""When an alert's condition is met: pure triggers, fed one value at a time.

Prices arrive as half-ticks (twice the last trade's ticks, or best bid + best ask for the mid),
so a mid between two ticks is exact; a level is turned once into the integers it is compared
with (``PriceLevel.at``, exact with ``Fraction``), so nothing is rounded per event and a level
off the tick grid is compared exactly too. Money is Decimal, compared exactly.

``>`` and ``<`` fire when the condition becomes true, at the first value if it already is;
``crosses`` fires when the price reaches the level from the other side (a first value only
says which side it starts on). A once-only trigger is then spent; a repeating one fires again
each time the condition becomes true anew (``>`` after the value went back to or under the
level; ``crosses`` at each crossing).

A repeating price alert re-arms with hysteresis (``Rearm``, ``[alerts] rearm_ticks`` and
``min_interval_s``), so a level the market wanders around does not fire at every touch: after
``>`` fires it fires again only once the price has been ``rearm_ticks`` ticks under the level
(``<``: over it); after ``crosses`` fires it waits until the price is ``rearm_ticks`` ticks away
from the level on either side, and fires when the price next reaches the level from there. With
0 ticks a price just off the level re-arms (as before). A firing within ``min_interval_s`` of the
previous one is swallowed (the alert re-arms as if it had fired).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from tradeterm.domain.alerts import AlertOp


@dataclass(slots=True)
class Edge:
    """A condition that fires when it turns true: once, or each time when ``repeat``."""

    repeat: bool
    holding: bool = False  # the condition held at the last value
    spent: bool = False

    def turn(self, now: bool) -> bool:
        if self.spent:
            return False
        fires = now and not self.holding
        self.holding = now
        if fires and not self.repeat:
            self.spent = True
        return fires


@dataclass(frozen=True, slots=True)
class Rearm:
    """When a repeating price alert may fire again (see the module docstring)."""

    ticks: int = 0  # how far past the level the price must go back
    interval_ns: int = 0  # the least time between two firings


NO_REARM = Rearm()  # re-armed just off the level, at any time


@dataclass(slots=True)
class PriceLevel:
    """A price level in half-ticks: a value is above it when > ``floor``, below when
    < ``ceil`` (the two differ only for a level off the half-tick grid), else at it."""

    op: AlertOp
    floor: int
    ceil: int
    edge: Edge
    side: int = 0  # crosses: the side the price was last seen on (+1 above, -1 below)
    band: int = 0  # half-ticks past the level that re-arm a repeating alert
    interval_ns: int = 0
    fired_ns: int | None = None
    at_level: bool = False  # crosses: the last crossing ended exactly at the level

    @classmethod
    def at(
        cls, op: AlertOp, level: Decimal, tick: Decimal, repeat: bool, rearm: Rearm = NO_REARM
    ) -> PriceLevel:
        exact = Fraction(level) * 2 / Fraction(tick)
        return cls(
            op,
            math.floor(exact),
            math.ceil(exact),
            Edge(repeat),
            band=2 * rearm.ticks,
            interval_ns=rearm.interval_ns,
        )

    def side_of(self, half_ticks: int) -> int:
        return 1 if half_ticks > self.floor else -1 if half_ticks < self.ceil else 0

    def firm_side(self, half_ticks: int) -> int:
        """+1 / -1 when the price is ``band`` (> 0) half-ticks or more past the level, else 0."""
        return (
            1
            if half_ticks >= self.ceil + self.band
            else -1
            if half_ticks <= self.floor - self.band
            else 0
        )

    def update(self, half_ticks: int, now_ns: int = 0) -> bool:
        """A new price (half-ticks) at ``now_ns``: True when the alert fires now."""
        fires = self._turn(half_ticks)
        if not fires:
            return False
        if self.fired_ns is not None and now_ns - self.fired_ns < self.interval_ns:
            return False  # swallowed: too soon after the last firing
        self.fired_ns = now_ns
        return True

    def _turn(self, half_ticks: int) -> bool:
        if self.op is AlertOp.ABOVE:  # holding: true until back under the level by the band
            return self.edge.turn(half_ticks > self.floor - (self.band if self.edge.holding else 0))
        if self.op is AlertOp.BELOW:
            return self.edge.turn(half_ticks < self.ceil + (self.band if self.edge.holding else 0))
        if self.edge.spent:
            return False
        side = self.side_of(half_ticks)
        if self.side == 0:  # where the price starts: its first side; after a firing with a
            # band, the first side it is the band away from the level on
            fired = self.fired_ns is not None and self.band
            self.side = self.firm_side(half_ticks) if fired else side
            return False
        if side:
            self.at_level = False
        if side == self.side or (side == 0 and self.at_level):
            return False  # still on its side, or still at the level it was reached at
        self.at_level = side == 0
        # reached (or passed) the level: without a band the price is now on the other side;
        # with one, it must first get the band away from the level
        self.side = self.firm_side(half_ticks) if self.band else -self.side
        self.edge.holding = False
        return self.edge.turn(True)


@dataclass(slots=True)
class Threshold:
    """Money against a level (``pnl < -500``, ``drawdown > 300``); for a percentage the
    caller gives the amount x 100 and the level's base (today's peak equity)."""

    op: AlertOp
    level: Decimal
    edge: Edge

    def update(self, value: Decimal, base: Decimal = Decimal(1)) -> bool:
        bound = self.level * base
        return self.edge.turn(value > bound if self.op is AlertOp.ABOVE else value < bound)


@dataclass(slots=True)
class Happening:
    """An event (a fill, a disconnect): fires at the first, or at each when repeating."""

    edge: Edge

    def update(self) -> bool:
        self.edge.holding = False
        return self.edge.turn(True)
