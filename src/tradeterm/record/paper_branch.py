"""Going back in a ``--paper`` replay: this run's own trading after the target is discarded as a
branch, kept in the run's journal.

``PaperHistory`` keeps what the run did (its ``SubmitOrder`` commands and its paper venue's
answers, as they went on the bus, and a copy of its held orders at each change, a trailing
stop's ratchet too: ``note_held``, a watcher of the emulator's ``HeldJournal``), each with the
source record the replay stood before then (``ReplayVenue.standing``), the clock time and its
bus sequence number; and each request as it went to the paper venue (``note_request``, a watcher
of ``PaperExecutionClient``: ``paper_in_flight.in_flight`` reads the ones still unanswered at the
target out of the kept entries). A seek back to before record ``r``, the clock at ``t`` (the
time of the record before it), keeps the entries made before ``r`` was played up to ``t`` (what
the trader saw there: an answer that arrived later, still before ``r``, was in flight at the
target and is dropped; its request is then sent again) and discards the rest: ``discards``
counts them (the orders they touch, the held orders placed after the target, the fills among
them), ``cut`` drops them and hands back the kept ones, which the session's paper trading
(``PaperTrading``, ``trading/paper_rewind.py``) applies again from a clean ledger; ``held_at``
reads the held orders the emulator held at the target out of them (every record of each group
still open there, as it was), which it holds again. The journal gets a ``ReplayBranch`` record
(``records.py``) naming the first discarded record by sequence number; ``branches`` reads them
back: which records of a run's journal belong to a discarded branch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.held import HeldOrder
from tradeterm.record.records import ReplayBranch
from tradeterm.record.replay_time import say_time

BRANCH_TOPIC = "replay.branch"
HELD_RATCHET = topics.HELD + ".ratchet"  # a trailing stop's trigger moved (not on the bus)
REQUEST = "paper.request"  # a request as it went to the paper venue (not on the bus)
NOT_DISCARDED = (HELD_RATCHET, REQUEST)  # what the question does not count (see ``discards``)


class PaperRequest(NamedTuple):
    """A request as it went to the paper venue (``PaperExecutionClient.watchers``)."""

    kind: str  # "submit" | "cancel" | "modify"
    client_order_id: str
    instrument: str
    price: int | None  # a modify's (None: unchanged)
    qty: int | None


class PaperTrading(Protocol):
    """The session's paper trading as a seek back rebuilds it."""

    def hold(self) -> None:
        """Before the market goes back: the paper venue's orders off its books, the requests
        on their way dropped, the quoters stopped."""

    def rebuild(self, records: list[tuple[str, Any]], ts: int, gone: Discards | None) -> None:
        """The run's own records up to the target (topic, event), in order, applied again to
        an empty ledger; the working orders back at the paper venue; the quoters started
        again. The replay then stands at clock ``ts``; ``gone``: what the seek discarded
        (said in the log)."""


class SourceMarker:
    """The recorder's stand-in in a replay that records nothing (``--no-record``): the
    replayer tells it each source record it publishes, so ``ReplayVenue.standing`` is exact."""

    source_pending: Any = None
    source_index = -1
    source_room = 1 << 30

    def note_sources(self, first: int, last: int, published: int, seq: int, ts: int) -> None:
        self.source_index = last

    def source_break(self) -> None:
        pass


class Entry(NamedTuple):
    standing: int  # the source record the replay stood before
    ts: int  # the clock
    seq: int  # bus sequence number (= the run's journal's)
    topic: str
    event: Any


@dataclass(frozen=True)
class Discards:
    """What a seek back to before ``record`` would discard."""

    record: int
    orders: int
    fills: int
    first_seq: int
    held: int = 0  # held (contingent) orders placed after the target

    def question(self, target_ns: int, start_ns: int) -> str:
        return (
            f"seek back to {say_time(target_ns, start_ns)} discards {self.orders} order(s), "
            f"{self.held} held order(s) and {self.fills} fill(s) made after it; they are kept "
            "in the run's journal as a branch — go back? y/n"
        )

    def summary(self, target_ns: int, start_ns: int) -> str:
        """What the seek back did, once it has: the trader's last word on the command line."""
        return (
            f"went back to {say_time(target_ns, start_ns)}: {self.orders} order(s), "
            f"{self.held} held order(s) and {self.fills} fill(s) discarded (kept in the run's "
            "journal as a branch)"
        )


class PaperHistory:
    def __init__(
        self, bus: MessageBus, clock: Clock, venues: Iterable[str], standing: Callable[[], int]
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.standing = standing
        self.entries: list[Entry] = []
        bus.subscribe(topics.COMMAND, self._on_command, essential=False)
        for venue in venues:
            bus.subscribe(topics.orders(venue), self._on_event, essential=False)

    def _on_command(self, cmd: Any) -> None:
        if type(cmd) is SubmitOrder:
            self._on_event(cmd)

    def _on_event(self, event: Any) -> None:
        bus = self.bus
        self.entries.append(
            Entry(self.standing(), self.clock.timestamp_ns(), bus.seq, bus.topic, event)
        )

    def note_held(self, held: HeldOrder, ratchet: bool) -> None:
        """A held order changed (``HeldJournal`` watcher): a copy as it is now."""
        topic = HELD_RATCHET if ratchet else topics.HELD
        entry = Entry(self.standing(), self.clock.timestamp_ns(), self.bus.seq, topic, copy(held))
        self.entries.append(entry)

    def note_request(self, kind: str, order: Any, price: int | None, qty: int | None) -> None:
        """A request went to the paper venue (a ``PaperExecutionClient`` watcher)."""
        request = PaperRequest(kind, order.client_order_id, order.instrument, price, qty)
        entry = Entry(self.standing(), self.clock.timestamp_ns(), self.bus.seq, REQUEST, request)
        self.entries.append(entry)

    def _first_after(self, record: int, ts: int) -> int:
        entries = self.entries
        i = len(entries)
        while i and (entries[i - 1].standing, entries[i - 1].ts) > (record, ts):  # latest first
            i -= 1
        return i

    def discards(self, record: int, ts: int) -> Discards | None:
        """What going back to before source record ``record``, the clock at ``ts``, discards
        (None: nothing)."""
        cut = self._first_after(record, ts)
        # a request's answer (or its command) is what the trader saw: the requests themselves
        # do not count (their sequence number is the bus's last, not their own)
        gone = [e for e in self.entries[cut:] if e.topic not in NOT_DISCARDED]
        if not gone:
            return None
        orders = {getattr(e.event, "client_order_id", None) for e in gone} - {None}
        fills = sum(type(e.event) is OrderFilled for e in gone)
        kept = {e.event.held_id for e in self.entries[:cut] if e.topic == topics.HELD}
        held = {
            e.event.held_id
            for e in gone
            if e.topic == topics.HELD and not e.event.parent_id and e.event.held_id not in kept
        }
        return Discards(record, len(orders), fills, gone[0].seq, len(held))

    def cut(self, record: int, ts: int) -> list[tuple[str, Any]]:
        """Drop the entries after (``record``, ``ts``); the kept ones (topic, event), in order."""
        del self.entries[self._first_after(record, ts) :]
        return [(e.topic, e.event) for e in self.entries]


def held_at(records: list[tuple[str, Any]]) -> list[HeldOrder]:
    """The held orders as they were after ``records`` (``cut``'s): every record of each group
    with one still open, in the order they were created (as the store reads them back)."""
    last: dict[str, HeldOrder] = {}
    for topic, event in records:
        if topic == topics.HELD or topic == HELD_RATCHET:
            last[event.held_id] = event
    groups = {h.group_id for h in last.values() if not h.is_terminal}
    held = [copy(h) for h in last.values() if h.group_id in groups]
    held.sort(key=lambda h: (h.ts_created, h.held_id))
    return held


def branch_record(now: int, target_ns: int, gone: Discards) -> ReplayBranch:
    """The journal's mark of a seek back that discarded ``gone``."""
    return ReplayBranch(now, target_ns, gone.record, gone.first_seq, gone.orders, gone.fills)


def branches(records: Iterable[tuple[int, int, str, Any]]) -> Iterator[tuple[ReplayBranch, int]]:
    """(branch record, its sequence number) of every ``ReplayBranch`` in a run's journal
    ((seq, time, topic, event) records): its discarded records are those with a sequence
    number from ``first_seq`` up to (not including) its own."""
    for seq, _ts, _topic, event in records:
        if type(event) is ReplayBranch:
            yield event, seq


def discarded(records: Iterable[tuple[int, int, str, Any]]) -> set[int]:
    """The sequence numbers of the records in discarded branches."""
    rows = list(records)
    gone: set[int] = set()
    for branch, seq in branches(rows):
        gone.update(s for s, _t, _p, _e in rows if branch.first_seq <= s < seq)
    return gone
