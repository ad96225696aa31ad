"""The registry's orders at each checkpoint of a plain replay's recorded session's trading, kept
as what changed between two checkpoints (a step), not as a copy of every order held.

``held`` is the registry as it was at checkpoint ``at`` (copies of its orders, shared with the
steps). A new checkpoint compares to it only the orders that could have changed since (those
the registry told its watchers of, the working ones, the ones evicted) and keeps the ones that
did as a step: each such order before and after (copies). Going to a checkpoint, back or
forward, walks the steps between (their befores back, their afters forward) and refills the
registry from ``held``; the steps after it stay, so a later checkpoint can be gone to again.
The eviction queue is a window on ``sequence``, every order ever queued in order (one
reference each), and the working orders' order is kept per checkpoint (a few of them).
"""

from __future__ import annotations

from copy import copy
from itertools import islice

from tradeterm.domain.orders import Order
from tradeterm.oms.registry import Held, OrderRegistry

# client order id, held before, held after (None: nothing)
Change = tuple[str, Held | None, Held | None]


class RegistryHistory:
    def __init__(self, registry: OrderRegistry) -> None:
        self.registry = registry
        self.held: dict[str, Held] = {}  # at checkpoint ``at`` (copies)
        self.steps: list[tuple[Change, ...]] = []  # step k: checkpoint k to k + 1
        self.views: list[tuple[tuple[str, ...], int, int]] = []  # working, queue window
        self.sequence: list[str] = list(registry.recent_ids)
        self.offset = registry.remembered - len(registry.recent_ids)  # of sequence[0]
        self.at = -1
        self._dirty: set[str] = set(registry.held_ids())
        registry.watchers.append(self._changed)

    def close(self) -> None:
        """Stop following the registry (it forgot every order)."""
        self.registry.watchers.remove(self._changed)

    def open(self) -> None:
        """Follow the registry again, after ``close`` (``go_to`` a checkpoint next)."""
        self.registry.watchers.append(self._changed)

    def _changed(self, order: Order) -> None:
        self._dirty.add(order.client_order_id)

    def take(self) -> int:
        """A new checkpoint, the one after the last: the orders that changed since kept as a
        step; -> its number."""
        reg = self.registry
        assert self.at == len(self.views) - 1  # new ones come at the end
        queue = reg.recent_ids
        end = reg.remembered - self.offset
        new = end - len(self.sequence)
        if new > 0:  # those queued since (the ones evicted already are never in a window)
            tail = list(islice(reversed(queue), min(new, len(queue))))[::-1]
            self.sequence.extend([""] * (new - len(tail)) + tail)
        start = end - len(queue)
        if self.views:
            self._dirty.update(self.sequence[self.views[-1][1] : start])  # evicted
        self._dirty.update(reg.working)
        changes: list[Change] = []
        for coid in self._dirty:
            now = reg.held(coid)
            old = self.held.get(coid)
            if now == old:
                continue
            if now is None:
                del self.held[coid]
            else:
                order, where, venue = now
                now = self.held[coid] = (None if order is None else copy(order), where, venue)
            changes.append((coid, old, now))
        self._dirty.clear()
        if self.views:
            self.steps.append(tuple(changes))
        self.views.append((tuple(reg.working), start, end))
        self.at += 1
        return self.at

    def reached(self, number: int) -> None:
        """The records applied since checkpoint ``at`` made checkpoint ``number`` again."""
        self._walk(number)
        self._dirty.clear()

    def go_to(self, number: int) -> None:
        """The registry as at checkpoint ``number`` (fresh copies of its orders)."""
        self._walk(number)
        working, start, end = self.views[number]
        self.registry.refill(self.held, working, self.sequence[start:end], end + self.offset)
        self._dirty.clear()

    def _walk(self, number: int) -> None:
        held = self.held
        while self.at > number:
            self.at -= 1
            for coid, before, _ in self.steps[self.at]:
                _put(held, coid, before)
        while self.at < number:
            for coid, _, after in self.steps[self.at]:
                _put(held, coid, after)
            self.at += 1


def _put(held: dict[str, Held], coid: str, value: Held | None) -> None:
    if value is None:
        held.pop(coid, None)
    else:
        held[coid] = value
