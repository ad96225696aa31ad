"""Every change of a held order, in the order it must happen: written to the store (durable
before anyone acts on it or hears of it), filed in the emulator's book and view, published on
the ``held`` topic (the journal records it) and logged. ``watchers`` hear of every change, a
trailing stop's ratchet too (a ``--paper`` replay keeps each, to hold them again going back:
``record/paper_branch.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.held import HeldOrder, HeldOrderChanged, HeldState
from tradeterm.oms.held_book import HeldBook
from tradeterm.oms.store_port import OrderStore

log = logging.getLogger("tradeterm.held")


class HeldJournal:
    def __init__(self, store: OrderStore, bus: MessageBus, clock: Clock, book: HeldBook) -> None:
        self.store = store
        self.bus = bus
        self.clock = clock
        self.book = book
        self.watchers: list[Callable[[HeldOrder, bool], None]] = []  # (record, is a ratchet)

    def record(self, *records: HeldOrder) -> None:
        """``records`` changed (or are new): durable, filed, published, logged."""
        now = self.clock.timestamp_ns()
        for held in records:
            held.ts_last = now
        self.store.held.save(records)
        for held in records:
            if held.held_id not in self.book:
                self.book.add(held)
            else:
                self.book.refile(held)
            self.bus.publish(
                topics.HELD,
                HeldOrderChanged(
                    now,
                    now,
                    held.held_id,
                    held.instrument,
                    held.kind,
                    held.state,
                    held.side,
                    held.qty,
                    held.trigger_price,
                    held.price,
                    held.parent_id,
                    held.filled,
                    held.reason,
                ),
            )
            for watcher in self.watchers:
                watcher(held, False)
            level = logging.WARNING if held.state is HeldState.DENIED else logging.INFO
            log.log(level, "held %s", describe(held))

    def move(self, held: HeldOrder, state: HeldState, reason: str = "") -> None:
        """``held`` to ``state`` (with ``reason``), recorded."""
        held.state = state
        if reason:
            held.reason = reason
        self.record(held)

    def ratchet(self, held: HeldOrder) -> None:
        """A trailing stop's trigger moved: kept in memory and buffered for the store's next
        flush (not a disk write per market event)."""
        self.store.held.note(held)
        self.book.view.version += 1
        for watcher in self.watchers:
            watcher(held, True)


def describe(held: HeldOrder) -> str:
    """``TT..-5 STOP SELL 100 trigger 61700 HELD (parent TT..-4)``, in ticks and lots."""
    parts = [held.held_id, held.kind.value, held.side.name, str(held.qty)]
    if held.trigger_price is not None:
        parts.append(f"trigger {held.trigger_price}")
    if held.price is not None:
        parts.append(f"limit {held.price}")
    if held.offset_text():
        parts.append(f"trail {held.offset_text()}")
    parts.append(held.state.value)
    if held.filled:
        parts.append(f"filled {held.filled}")
    if held.reason:
        parts.append(f"({held.reason})")
    if held.parent_id:
        parts.append(f"parent {held.parent_id}")
    return " ".join(parts)
