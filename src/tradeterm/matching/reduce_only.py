"""Owners' positions as the engine's fills make them, and the reduce-only orders kept within
them.

``track(owner, position)`` starts keeping an owner's net position (lots, + long) from the fills
from then on. A reduce-only order is clamped to the position on entry; it is registered here,
and when the position moves, ``clamps(owner)`` says what the owner's reduce-only orders must
lose: cut down (their priority kept) or cancelled. ``room(order)`` is what a reduce-only order
can still trade: the position, towards zero, in its direction.

The index is kept lazily: an order that stopped working (filled, cancelled, expired, fired) is
dropped the next time its owner's orders are looked at (``working`` says which are alive).
"""

from __future__ import annotations

from collections.abc import Callable

from tradeterm.matching.orders import EngineOrder


class PositionBook:
    __slots__ = ("positions", "_reduce_only", "_touched")

    def __init__(self) -> None:
        self.positions: dict[int, int] = {}  # owner -> lots, for the tracked owners
        self._reduce_only: dict[int, list[EngineOrder]] = {}  # owner -> in registration order
        self._touched: set[int] = set()  # owners with reduce-only orders whose position moved

    def copy(self) -> PositionBook:
        """An independent copy, for a trial match."""
        other = PositionBook()
        other.positions = dict(self.positions)
        other._reduce_only = {owner: list(orders) for owner, orders in self._reduce_only.items()}
        return other

    def track(self, owner: int, position: int = 0) -> None:
        self.positions[owner] = position

    def position(self, owner: int) -> int:
        return self.positions.get(owner, 0)

    def fill(self, maker_owner: int, taker_owner: int, taker_side: int, qty: int) -> bool:
        """One trade between two owners. True when a position with reduce-only orders moved
        (``clamps`` is then due after the request)."""
        positions = self.positions
        due = False
        pos = positions.get(maker_owner)
        if pos is not None:
            positions[maker_owner] = pos - taker_side * qty
            if maker_owner in self._reduce_only:
                self._touched.add(maker_owner)
                due = True
        pos = positions.get(taker_owner)
        if pos is not None:
            positions[taker_owner] = pos + taker_side * qty
            if taker_owner in self._reduce_only:
                self._touched.add(taker_owner)
                due = True
        return due

    def room(self, order: EngineOrder) -> int:
        """Lots a reduce-only order can still trade without increasing its owner's position."""
        room = -order.side * self.positions.get(order.owner, 0)
        return max(0, room)

    def cut_to_room(self, maker: EngineOrder, wanted: int) -> int:
        """A reduce-only maker about to trade with an aggressor that wants ``wanted`` lots: if
        the position leaves it less room than it would trade now, cut it down to the room (no
        room: its leaves become 0). Returns the lots cut from its leaves (0: none). The caller
        adjusts the level's size and reports the cut (a modify, or a cancel at 0)."""
        room = self.room(maker)
        most = min(wanted, maker.visible)
        if room >= most:
            return 0
        cut = maker.leaves - room
        maker.qty -= cut
        maker.leaves = maker.visible = room
        return cut

    # --- the reduce-only index ---------------------------------------------------------------
    @property
    def has_orders(self) -> bool:
        return bool(self._reduce_only)

    def add(self, order: EngineOrder) -> None:
        self._reduce_only.setdefault(order.owner, []).append(order)

    def touched(self) -> list[int]:
        """The owners whose reduce-only orders are due, in a fixed order; forgets them."""
        if not self._touched:
            return []
        out = sorted(self._touched)
        self._touched = set()
        return out

    def clamps(
        self, owner: int, working: Callable[[EngineOrder], bool]
    ) -> list[tuple[EngineOrder, int]]:
        """What the owner's working reduce-only orders must lose, in registration order:
        (order, lots). Losing all its leaves means: cancel it."""
        pos = self.positions.get(owner, 0)
        room = abs(pos)
        out: list[tuple[EngineOrder, int]] = []
        keep = []
        for order in self._reduce_only.get(owner, ()):
            if not working(order):
                continue
            if order.side * pos >= 0 or room == 0:
                out.append((order, order.leaves))
                continue
            if order.leaves > room:
                out.append((order, order.leaves - room))
            room -= min(order.leaves, room)
            keep.append(order)
        if keep:
            self._reduce_only[owner] = keep
        else:
            self._reduce_only.pop(owner, None)
        return out
