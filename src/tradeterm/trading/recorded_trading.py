"""A plain replay's own trading: the recorded session's orders, fills and positions, kept by the
desk's OMS and portfolio (the one ledger) as the replay plays them, and rebuilt at a seek.

A recorded order command reaches a plain replay on ``replay.command`` (nothing executes it) and
its venue's answers on the venue's order topic. ``RecordedTrading`` stands between that topic
and the OMS: at an order's first answer it has the OMS track the order the recorded session sent
(``OrderManager.track_recorded``, with the recorded command's terms; a command that risk denied
gets no answer and never shows), then hands the answer to the OMS's own handler, so the blotter,
fills, positions and PnL show what the session had at the replay's clock. An answer about an
order sent before the recording began goes to the OMS as before (a fill of an order it does not
know still moves the position).

A seek (``record/own_trades.py``) hands it the records it skips through ``apply``, the same path,
after going to the nearest checkpoint of it (``checkpoint``/``restore``, taken every so many own
records, played or applied) or, with none, ``rewind``: the OMS and the portfolio emptied (their
store is in memory: ``Store.forget_trading``); meanwhile their log lines and
``PositionChanged`` are held back, as a seek puts nothing on the bus, and the OMS asks no
venue (``OrderManager.answering_from_records``: after a refused modify the records hold what
followed). Or the seek resumes it from an own-state frame of the recording (``resume``): the
OMS, its store, the portfolio and the fills pane hold the frame's state, and checkpoints start
again from there. The frames are written by a copy of this rebuild that the recorder of the
session feeds as it records (``take``, ``state``: ``own_frames.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.views import RingView
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.oms.manager import OmsState, OrderManager
from tradeterm.oms.own_state import (
    decode_keys,
    decode_state,
    encode_state,
    held_orders,
    positions,
    watched,
)
from tradeterm.oms.store_memory import MemoryStore
from tradeterm.portfolio.portfolio import Portfolio
from tradeterm.portfolio.position import Position

if TYPE_CHECKING:
    from tradeterm.record.replayer import ReplayVenue
    from tradeterm.trading.desk import TradingDesk

log = logging.getLogger(__name__)

RECORDED_COMMANDS = "replay." + topics.COMMAND  # where a plain replay publishes them
QUIET = ("tradeterm.oms.manager", "tradeterm.desk")  # the fill and order lines of a rebuild
_QUIET_LOGGERS = tuple(logging.getLogger(name) for name in QUIET)  # looked up once: ``take``
# runs for every own record a recording session writes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The own trading as it was between two records (``RecordedTrading.checkpoint``)."""

    oms: OmsState
    store: int  # MemoryStore.mark
    positions: dict[str, Position]
    fills: tuple[OrderFilled, ...]  # the fills pane
    sent: dict[str, SubmitOrder]  # commands not answered yet


class RecordedTrading:
    def __init__(
        self,
        bus: MessageBus,
        oms: OrderManager,
        portfolio: Portfolio,
        fills: RingView[OrderFilled],
        venues: list[str],
        listen: bool = True,
    ) -> None:
        """``listen`` False: only ``apply`` and ``rewind`` (a ``--paper`` replay rebuilding
        its own trading, ``paper_rewind.py``; the OMS keeps its place on the bus)."""
        self.oms = oms
        self.portfolio = portfolio
        portfolio.keep_day_history()  # a rebuild goes back to the day's peak at its target
        self.fills = fills
        self._order_topics = {topics.orders(v) for v in venues}
        self._sent: dict[str, SubmitOrder] = {}  # recorded commands not answered yet
        # told before each own record played on the bus (``OwnTradingSeek.played``: it counts
        # them and takes a checkpoint every so many)
        self.playing: Callable[[], None] = _nothing
        if not listen:
            return
        bus.subscribe(RECORDED_COMMANDS, self._played_command)
        for topic in self._order_topics:
            bus.unsubscribe(topic, oms.on_order_event)
            bus.subscribe(topic, self._played_order_event)

    # --- as played ---------------------------------------------------------------------------
    def _played_command(self, cmd: Any) -> None:
        self.playing()
        self.on_command(cmd)

    def _played_order_event(self, event: Any) -> None:
        self.playing()
        self.on_order_event(event)

    def on_command(self, cmd: Any) -> None:
        if type(cmd) is SubmitOrder:
            self._sent[cmd.client_order_id] = cmd

    def on_order_event(self, event: Any) -> None:
        coid = getattr(event, "client_order_id", None)
        sent = self._sent.pop(coid, None) if isinstance(coid, str) else None
        if sent is not None and self.oms.get(sent.client_order_id) is None:
            self.oms.track_recorded(sent)
        self.oms.on_order_event(event)

    # --- a seek (record.own_trades.OwnTrading) -----------------------------------------------
    def apply(self, records: list[tuple[str, Any]], ts: int) -> None:
        """The recorded records a seek skipped (their recorded topics), in order; then the
        positions valued at the market of ``ts``, where the seek stands."""
        with self._rebuilding():
            for topic, event in records:
                if topic == topics.COMMAND:
                    self.on_command(event)
                elif topic in self._order_topics:
                    self.on_order_event(event)
        self.portfolio.revalue(ts)

    def take(self, topic: str, event: Any) -> None:
        """One record as it is recorded, not on the bus (the recorder's copy of the rebuild,
        ``own_frames.py``); the positions are not valued."""
        with self._rebuilding():
            if topic == topics.COMMAND:
                self.on_command(event)
            elif topic in self._order_topics:
                self.on_order_event(event)

    def state(self) -> bytes:
        """The own trading as it stands, for an own-state frame (``oms/own_state.py``)."""
        return encode_state(
            self.oms, self.portfolio.snapshot(), list(self.fills.items), list(self._sent.values())
        )

    def resume(self, state: bytes, keys: list[bytes], ts: int) -> None:
        """The own trading of an own-state frame (``state``; ``keys``: the trade-id keys of
        its frames up to it), valued at ``ts``; checkpoints start again from it. Its store
        then holds the frame's orders (those the registry holds) and positions, and the fills
        applied after it: no pane reads more. Raises ValueError, changing nothing, when the
        frame does not decode or its store is not a ``MemoryStore`` (see checkpoint)."""
        store = self.oms.store
        if not isinstance(store, MemoryStore):
            raise ValueError(f"the store is {store.where}: it does not take a frame's state")
        frame = decode_state(state)
        known = [key for body in keys for key in decode_keys(body)]
        held = held_orders(frame)
        with self._rebuilding():
            self.oms.resume(
                held,
                frame.working,
                frame.recent,
                frame.remembered,
                known,
                frame.applied,
                watched(frame),
            )
            kept = [(o, v or "") for o, where, v in held.values() if o is not None and where]
            found = positions(frame)
            store.resume_trading(kept, found.values())
            self.fills.refill(frame.fills)
            self._sent.clear()
            self._sent.update((cmd.client_order_id, cmd) for cmd in frame.sent)
            self.portfolio.restore(found, ts)

    def rewind(self, ts: int) -> None:
        """No order, no fill: as at the start of the recording, at ``ts``."""
        with self._rebuilding():
            self._sent.clear()
            self.oms.forget()
            self.fills.clear()
            self.portfolio.reset(ts)

    def checkpoint(self, before: Checkpoint | None) -> Checkpoint | None:
        """A new checkpoint of the own trading as it stands, after ``before`` (the last), to
        ``restore`` later (None: its store is not a ``MemoryStore``, which can go back and
        forth); the orders and the store's rows as what changed since ``before``."""
        store = self.oms.store
        if not isinstance(store, MemoryStore):
            return None
        fills, sent = tuple(self.fills.items), dict(self._sent)
        if before is not None:  # share the unchanged
            fills = before.fills if fills == before.fills else fills
            sent = before.sent if sent == before.sent else sent
        oms = self.oms.snapshot()
        return Checkpoint(oms, store.mark(), self.portfolio.snapshot(), fills, sent)

    def detach(self) -> tuple[Any, Any]:
        """Hand over the checkpoints taken so far: a chain of them a seek may come back to
        (``attach``, then ``restore`` one of them); the next is a ``rewind``, a ``resume`` or
        an ``attach``."""
        store = self.oms.store
        assert isinstance(store, MemoryStore)  # see checkpoint
        return self.oms.detach(), store.detach_trading()

    def attach(self, held: tuple[Any, Any]) -> None:
        """The checkpoints ``detach`` handed over, instead of those taken since."""
        store = self.oms.store
        assert isinstance(store, MemoryStore)  # see checkpoint
        oms, tables = held
        self.oms.attach(oms)
        store.attach_trading(tables)

    def reached(self, checkpoint: Checkpoint) -> None:
        """The records applied since the checkpoint before ``checkpoint`` made it again: it is
        where a restore starts from (nothing to change: the state is the same)."""
        store = self.oms.store
        assert isinstance(store, MemoryStore)  # see checkpoint
        store.reached(checkpoint.store)
        self.oms.reached(checkpoint.oms)

    def restore(self, checkpoint: Checkpoint, ts: int) -> None:
        """Back or forward to ``checkpoint``: the same OMS, store, portfolio and fills pane as
        they were then, valued at ``ts``."""
        store = self.oms.store
        assert isinstance(store, MemoryStore)  # see checkpoint
        with self._rebuilding():
            store.go_to(checkpoint.store)
            self.oms.restore(checkpoint.oms)
            self.fills.refill(checkpoint.fills)
            self._sent.clear()
            self._sent.update(checkpoint.sent)
            self.portfolio.restore(checkpoint.positions, ts)

    @contextmanager
    def _rebuilding(self) -> Iterator[None]:
        """Recorded records applied, or a state gone back to: the fill and order log lines and
        ``PositionChanged`` held back, and the OMS asks no venue (a refused modify among the
        records is followed by what the recording holds, never by a query: in a ``--paper``
        replay it would go to the paper venue as restored at the target)."""
        loggers = _QUIET_LOGGERS
        was = [lg.disabled for lg in loggers]
        self.portfolio.publishing = False
        for lg in loggers:
            lg.disabled = True
        try:
            with self.oms.answering_from_records():
                yield
        finally:
            self.portfolio.publishing = True
            for lg, disabled in zip(loggers, was):
                lg.disabled = disabled


def review_recorded_trading(replay: ReplayVenue, desk: TradingDesk) -> RecordedTrading | None:
    """A plain replay shows the recorded session's own trading through ``desk`` and rebuilds it
    at every seek; not with a store on a file (``oms.database_url``), which a rewind would
    have to empty: the recorded answers then reach the OMS as before, and a seek leaves them.
    Either way the OMS asks no venue about an order: the recording holds what it answered."""
    desk.oms.answers_recorded()
    if desk.store.where != "in memory":
        log.warning(
            "replay: the store is %s, not in memory: the recorded session's orders are not "
            "shown, and a seek does not rewind its fills",
            desk.store.where,
        )
        return None
    trading = RecordedTrading(
        desk.bus, desk.oms, desk.portfolio, desk.views.fills, list(desk.venues)
    )
    replay.attach_own_trading(trading)
    assert replay.own is not None
    trading.playing = replay.own.played
    return trading


def _nothing() -> None:
    pass
