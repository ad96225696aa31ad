"""A ``--paper`` replay going back: the session's paper trading rebuilt as it was at the target
(``record/paper_branch.PaperTrading``, called by ``ReplayTransport`` around the market's jump).

``hold``: the paper venue takes every order off its books and drops the requests on their way
(``PaperExecution.hold``), so nothing fills while the market goes back under them; the keeper
stops telling the paper books about its updates until the rebuild (they start afresh there).

``rebuild``: the run's own records up to the target (its ``SubmitOrder`` commands and its paper
venue's answers, as ``PaperHistory`` kept them) go through the path a plain replay rebuilds its
recorded trading with (``RecordedTrading``: the OMS forgets every order and fill, the portfolio
and the fills pane start again, then each command is tracked at its first answer and each answer
handed to the OMS's own handler): one ledger, each fill applied once. Then the paper venue gets
back the orders working at the target, under their own paper ids, at the back of their price's
queue in the restored book (the place they had is not known to the fill model: the back is the
cautious guess), with the paper position (reduce-only) and last prices (stops); its answers to
the OMS's queries are rebuilt from the same records. Each quoter goes on from the restored
state: its quotes among the working orders, its inventory the position there. The emulator holds
again the held orders of the target (``paper_branch.held_at``: each group still open there,
every record as it was, a trailing stop's ratchet too) through its restart path
(``OrderEmulator.rewind``): a held order placed after the target is gone, one that triggered or
was cancelled after it is held again.

Requests on their way at the target (sent before it, their answer after it: ``PaperHistory``
notes each request as it goes to the paper venue, ``record/paper_in_flight.in_flight`` finds the
unanswered ones) are sent again, in the order they went: the OMS tracks an order whose submit was
on its way as SUBMITTED (a held order's child too, so the emulator follows an order behind its
WORKING record), then once the rest is rebuilt the submit goes to the paper venue again and a
cancel or modify through the OMS (PENDING_CANCEL, PENDING_UPDATE); each arrives after the paper
latency, as it would have. Re-sending is sound: the paper venue is in this process and keeps no
memory of the discarded branch (its books were emptied at ``hold``), so nothing can arrive twice,
and each request had passed risk when the run made it. The order's paper id is a new one.

Besides: the equity curve keeps its points before the target, the chart's series drop theirs
after it, the throttle's buckets and the duplicate window go back to the target
(``PreTradeRisk.rewind``), today's PnL and drawdown are the restored portfolio's and the risk
pane shows their usage then. One log line says what the seek discarded and what it restored.

Not rewound: the kill switch, and it wins. A rewind while trading is HALTED ends as a trip does
(``_stand_down``), except that nothing of the target reaches the paper venue again, so nothing
can fill on the way out: the orders working at the target are not put back on its books and end
CANCELED at once with the kill switch's reason (their end on the venue's order topic, so the
OMS, the quoter, the emulator and the run's journal hear of it); the held orders of the target
are cancelled with the same reason (``OrderEmulator.cancel_all``, as ``on_trip``); a submit on
its way at the target is not sent again: its order ends CANCELED, ``NOT_SENT``, as a trip ends
an order not sent yet (the blotter drops it, and a later rewind finds it answered); a modify or
cancel on its way is dropped (its order has ended). A quoter stays stopped (the trip stopped
it). A trip that left orders working (``cancel=False``) is treated alike: a rewind is a new
moment, and the kill switch's state is what decides. REDUCING is treated as HALTED: whether an
order of the target reduces depends on the others and on a position the trader has moved
since; the trader enters again what reduces. One log line says what the halt cancelled. Not
rewound either: the log pane.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tradeterm.core import topics
from tradeterm.domain.commands import ModifyOrder, SubmitOrder
from tradeterm.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderTriggered,
    TradingState,
)
from tradeterm.domain.market import Side
from tradeterm.oms.reasons import HELD_KILL_SWITCH, NOT_SENT
from tradeterm.record.paper_branch import Discards, PaperRequest, held_at
from tradeterm.record.paper_in_flight import in_flight
from tradeterm.quoter.working import LIVE, PENDING_NEW, WorkingQuote
from tradeterm.trading.recorded_trading import RecordedTrading
from tradeterm.venues.paper_client import PaperExecutionClient

if TYPE_CHECKING:
    from tradeterm.book.keeper import BookWatcher, MarketDataKeeper
    from tradeterm.domain.orders import Order
    from tradeterm.quoter.component import Quoter
    from tradeterm.record.replayer import ReplayVenue
    from tradeterm.trading.desk import TradingDesk

log = logging.getLogger(__name__)


class PaperRewind:
    def __init__(
        self,
        desk: TradingDesk,
        client: PaperExecutionClient,
        quoters: list[Quoter],
        market: MarketDataKeeper,
    ) -> None:
        self.desk = desk
        self.client = client
        self.quoters = quoters
        self.market = market
        self._unwatched: dict[str, BookWatcher] = {}
        self.ledger = RecordedTrading(
            desk.bus, desk.oms, desk.portfolio, desk.views.fills, list(desk.venues), listen=False
        )
        self.restored = 0  # orders working again after the last rebuild

    def hold(self) -> None:
        self.client.execution.hold()
        for iid in self.client.execution.books:
            watcher = self.market.unwatch(iid)
            if watcher is not None:
                self._unwatched[iid] = watcher

    def rebuild(self, records: list[tuple[str, Any]], ts: int, gone: Discards | None) -> None:
        desk = self.desk
        # back from the replay's end: the market is open again at the target before the
        # quoters requote (``ReplayReview.end`` then clears the header's REPLAY END)
        desk.closed_reason = ""
        curve = [point for point in desk.views.portfolio.equity_curve if point[0] < ts]
        for iid, watcher in self._unwatched.items():
            self.market.watch(iid, watcher)
        self._unwatched.clear()
        self.ledger.rewind(ts)
        self.ledger.apply(records, ts)
        self._rewind_figures(curve, ts)
        venues = {topics.orders(v) for v in desk.venues}
        answers = [event for topic, event in records if topic in venues]
        triggered = {e.client_order_id for e in answers if type(e) is OrderTriggered}
        accepted = {e.client_order_id for e in answers if type(e) is OrderAccepted}
        # under a halt the orders of the target never reach the paper venue again
        active = desk.killswitch.state is TradingState.ACTIVE
        working = list(desk.oms.working.values()) if active else []
        stats = desk.views.stats
        self.restored = self.client.execution.restore(
            working,
            triggered,
            {iid: desk.portfolio.qty(iid) for iid in desk.instruments},
            {iid: stats[iid].last_price if iid in stats else None for iid in desk.instruments},
        )
        known = {coid: o for coid in accepted if (o := desk.oms.get(coid)) is not None}
        self.client.rewind(answers, known)
        requests = in_flight(records, venues)
        if active:  # else tracked once the held orders are cancelled (``_stand_down``)
            self._track_in_flight(records, requests)
        held = desk.held.emulator.rewind(held_at(records))
        if not active:
            self._stand_down(records, requests, ts)
        working = list(desk.oms.working.values())
        for quoter in self.quoters:
            iid = quoter.instrument.id
            quotes = own_quotes([o for o in working if o.instrument == iid], accepted)
            quoter.rewound(quotes, desk.portfolio.qty(iid))
        again = self._send_again(requests, ts) if active else 0
        log.info(
            "replay went back: %s; %d paper order(s) working again, %d held, %d fill(s) kept, "
            "%d request(s) in flight at the target sent again",
            "nothing discarded"
            if gone is None
            else f"{gone.orders} order(s), {gone.held} held order(s) and {gone.fills} fill(s) "
            "made after the target discarded (kept in the run's journal as a branch)",
            self.restored,
            held,
            sum(type(e) is OrderFilled for e in answers),
            again,
        )

    def _rewind_figures(self, curve: list[tuple[int, Decimal]], ts: int) -> None:
        """What the trader reads of the run besides its orders, as at ``ts``: the equity curve
        (its points before the target, then the restored portfolio's), the chart's series (the
        points after the target dropped), the throttle and duplicate window (``PreTradeRisk.
        rewind``) and the risk pane's limits (today's PnL and drawdown: the restored
        portfolio's, recomputed by its ``revalue``). The kill switch is not touched."""
        desk = self.desk
        equity = desk.views.portfolio.equity_curve
        since = list(equity)
        equity.clear()
        for point in (*curve, *since):
            equity.append(point)
        for history in desk.views.history.values():
            history.rewind(ts)
        desk.risk.rewind(ts)
        desk.kill.check_limits(ts, False)  # the pane's usage; a breach trips at the next check

    def _track_in_flight(
        self, records: list[tuple[str, Any]], requests: list[PaperRequest]
    ) -> list[Order]:
        """The orders whose submit was on its way at the target: the OMS has them as sent
        (SUBMITTED, awaiting their answer), before the emulator and the quoters look."""
        submits = {r.client_order_id for r in requests if r.kind == "submit"}
        oms = self.desk.oms
        return [
            oms.track_recorded(cmd)
            for _topic, cmd in records
            if type(cmd) is SubmitOrder
            and cmd.client_order_id in submits
            and oms.get(cmd.client_order_id) is None
        ]

    def _stand_down(
        self, records: list[tuple[str, Any]], requests: list[PaperRequest], ts: int
    ) -> None:
        """Trading is HALTED (or REDUCING) at the rewind: the kill switch wins (module
        docstring). The orders working at the target, which the paper venue was not given back,
        end CANCELED with the kill switch's reason; the held ones are cancelled with it; a
        submit on its way there ends CANCELED, ``NOT_SENT``; a modify on its way is dropped."""
        desk = self.desk
        kill = desk.killswitch
        state = kill.state.value
        reason = f"{HELD_KILL_SWITCH}: {state} at the rewind ({kill.reason})"
        working = list(desk.oms.working.values())  # they end here: never back at the venue
        for order in working:
            self._end(order, reason, ts)
        ended = len(working)
        held = desk.held.emulator.cancel_all(reason)
        not_sent = self._track_in_flight(records, requests)
        for order in not_sent:
            self._end(order, NOT_SENT, ts)
        modifies = sum(r.kind == "modify" for r in requests)
        log.warning(
            "replay went back while trading is %s: %d order(s) working at the target canceled "
            "(not put back at the paper venue), %d held order(s) canceled, %d submit(s) on their "
            "way there not sent again (CANCELED, NOT_SENT) and %d modify(ies) dropped",
            state,
            ended,
            held,
            len(not_sent),
            modifies,
        )

    def _end(self, order: Order, reason: str, ts: int) -> None:
        """``order`` ends CANCELED here with ``reason``, as its venue's answer (the OMS, the
        quoter, the emulator and the run's journal hear of it)."""
        coid = order.client_order_id
        ended = OrderCanceled(ts, ts, coid, order.instrument, reason)
        self.desk.bus.publish(topics.orders(self.desk.oms.venue_of.get(coid, "")), ended)

    def _send_again(self, requests: list[PaperRequest], ts: int) -> int:
        """The requests on their way at the target go to the paper venue again, in the order
        they were sent: they arrive after its latency, as they would have."""
        oms, sent = self.desk.oms, 0
        for request in requests:
            coid = request.client_order_id
            order = oms.working.get(coid)
            if order is None:
                continue
            if request.kind == "submit":
                order.ts_sent = ts
                self.client.submit_order(order)
                sent += 1
            elif request.kind == "cancel":
                sent += oms.cancel(coid)
            else:
                cmd = ModifyOrder(ts, coid, request.instrument, request.price, request.qty)
                sent += oms.modify(cmd)
        return sent


def own_quotes(working: list[Order], accepted: set[str]) -> list[WorkingQuote]:
    """The quoter's orders among ``working`` as its working quotes, levels counted from the
    touch on each side (the quoter numbers them so)."""
    quotes = []
    for side in (Side.BUY, Side.SELL):
        mine = [o for o in working if o.source == "quoter" and o.side is side]
        mine.sort(key=lambda o: -(o.price or 0) if side is Side.BUY else (o.price or 0))
        for level, order in enumerate(mine):
            live = order.client_order_id in accepted
            quotes.append(
                WorkingQuote(
                    order.client_order_id,
                    side,
                    level,
                    order.price or 0,
                    order.qty - order.filled_qty,
                    LIVE if live else PENDING_NEW,
                    order.ts_last,
                    live,
                )
            )
    return quotes


def rewind_paper_trading(
    replay: ReplayVenue, desk: TradingDesk, quoters: list[Quoter], market: MarketDataKeeper
) -> PaperRewind | None:
    """A ``--paper`` replay goes back by rebuilding its paper trading (``PaperRewind``); not
    with a store on a file (``oms.database_url``), which a rewind would have to empty, nor
    without paper execution: a seek back is then refused as before."""
    clients = [v for v in desk.venues.values() if isinstance(v, PaperExecutionClient)]
    if desk.store.where != "in memory" or len(clients) != 1:
        log.warning(
            "replay --paper: the store is %s: a seek back is refused (restart with --start)",
            desk.store.where,
        )
        return None
    rewind = PaperRewind(desk, clients[0], quoters, market)
    replay.attach_paper_trading(rewind, list(desk.venues))
    history = replay.paper_history
    assert history is not None
    desk.held.emulator.journal.watchers.append(history.note_held)
    clients[0].watchers.append(history.note_request)
    return rewind
