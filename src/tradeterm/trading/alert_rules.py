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


@dataclass(slots=True)
class PriceLevel:
    """A price level in half-ticks: a value is above it when > ``floor``, below when
    < ``ceil`` (the two differ only for a level off the half-tick grid), else at it."""

    op: AlertOp
    floor: int
    ceil: int
    edge: Edge
    side: int = 0  # crosses: the side the price was last seen on (+1 above, -1 below)

    @classmethod
    def at(cls, op: AlertOp, level: Decimal, tick: Decimal, repeat: bool) -> PriceLevel:
        exact = Fraction(level) * 2 / Fraction(tick)
        return cls(op, math.floor(exact), math.ceil(exact), Edge(repeat))

    def side_of(self, half_ticks: int) -> int:
        return 1 if half_ticks > self.floor else -1 if half_ticks < self.ceil else 0

    def update(self, half_ticks: int) -> bool:
        """A new price (half-ticks): True when the alert fires now."""
        side = self.side_of(half_ticks)
        if self.op is AlertOp.ABOVE:
            return self.edge.turn(side > 0)
        if self.op is AlertOp.BELOW:
            return self.edge.turn(side < 0)
        if self.edge.spent:
            return False
        if self.side == 0:  # the first price on a side says where the price starts
            self.side = side
            return False
        if side == self.side:
            return False
        self.side = -self.side  # reached (or passed) the level: now on the other side
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
