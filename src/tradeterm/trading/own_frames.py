"""The own-state frames of a session that trades (paper, live): the recorder hands each own
record it records (commands, order answers) to ``OwnTradingFrames``, which rebuilds the
session's own trading from them exactly as a plain replay of the recording does
(``RecordedTrading`` over an OMS, a store in memory, a portfolio and a fills pane of its own,
on a bus of its own), and gives its state at each keyframe (``record/own_frame_file.py``).

Not the session's desk: its OMS tracks an order when it is sent and acts on its own timers,
where the replay tracks it at its first recorded answer; what a replay resumes must be what it
would have rebuilt. The copy's venue takes no order and answers no query (as a plain replay's);
its problems (a fill that does not fit its order) are the replay's to report, not the
session's, and its fills check no limit. It keeps what a replay of the session keeps: every
order and fill until its frame is written; then the rows of finished orders and of fills are
dropped (``MemoryStore.drop_finished``; their trade-id keys stay, so a repeated fill is still
one), which a frame does not hold: a fill of an order that finished before that (and left the
registry's recent orders) then moves the position only, as after a replay's frame restore.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradeterm.core.bus import MessageBus
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order
from tradeterm.oms.ids import ClientOrderIds
from tradeterm.oms.own_state import encode_keys
from tradeterm.oms.store_memory import MemoryStore
from tradeterm.portfolio.portfolio import Portfolio
from tradeterm.trading.oms_build import order_manager
from tradeterm.trading.recorded_trading import RecordedTrading
from tradeterm.venues.base import ExecutionClient

if TYPE_CHECKING:
    from tradeterm.record.recorder import Recorder
    from tradeterm.trading.desk import TradingDesk

MS = 1_000_000


class RecordedVenue(ExecutionClient):
    """A recorded session's venue as a plain replay has it: it takes no order and answers
    no query."""

    def __init__(self, name: str, instruments: list[Instrument]) -> None:
        self.name = name
        self._instruments = instruments

    def instruments(self) -> list[Instrument]:
        return list(self._instruments)

    def submit_order(self, order: Order) -> None:
        pass  # never asked: the copy only tracks recorded orders

    def cancel_order(self, order: Order) -> None:
        pass

    async def query_order(self, client_order_id: str, instrument: str) -> None:
        return None


class OwnTradingFrames:
    def __init__(self, desk: TradingDesk) -> None:
        cfg, pf = desk.settings.oms, desk.settings.portfolio
        bus = MessageBus()
        views = EngineViews(StatusView("FRAMES", ""))
        self.store = store = MemoryStore()
        instruments = desk.instruments
        self.portfolio = Portfolio(
            bus, instruments, views.portfolio, views.books, views.stats, pf.mark,
            pf.starting_cash, pf.currency,
        )  # fmt: skip
        venues: dict[str, ExecutionClient] = {
            name: RecordedVenue(name, list(instruments.values())) for name in desk.venues
        }
        ids = ClientOrderIds(cfg.order_id_prefix, store.next_session())
        self.oms = order_manager(
            cfg, bus, desk.clock, store, venues, ids, self.portfolio, views, self
        )
        self.trading = RecordedTrading(
            bus, self.oms, self.portfolio, views.fills, list(venues), listen=False
        )
        self.oms.fills.mark()  # the trade-id keys applied from now on, in order
        self.taken = 0  # own records taken

    # --- record.own_frame_file.OwnFrameSource --------------------------------------------
    def take(self, topic: str, event: Any) -> None:
        self.taken += 1
        self.trading.take(topic, event)

    def frame(self) -> tuple[int, bytes, bytes]:
        keys = self.oms.fills.noted(0)
        frame = self.taken, encode_keys(keys), self.trading.state()
        # what the frame holds is written: only the open orders' rows, the positions and the
        # fills' keys are kept from here (a day of quoting is not held in memory)
        self.oms.fills.drop_noted()
        self.store.drop_finished()
        return frame

    # --- the OMS's ports: a replay's, not the session's --------------------------------------
    def halt(self, problem: str) -> None:
        pass  # the session's own desk halts on it; a replay reports it as it rebuilds

    def send_replacement(self, cmd: SubmitOrder) -> None:
        pass  # recorded orders are never modified here (``OrderEntry.recorded``)

    def after_fill(self, fill: OrderFilled) -> None:
        pass  # the session's post-trade checks are its desk's


def record_own_frames(recorder: Recorder | None, desk: TradingDesk) -> None:
    """Have ``recorder`` write own-state frames after its keyframes (it writes keyframes: a
    session of its own, not a replay's; its store in memory or not)."""
    if recorder is not None and recorder.market is not None:
        recorder.own = OwnTradingFrames(desk)
