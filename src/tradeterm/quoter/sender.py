"""Sends the quoter's plan through the order gateway, inside the rate and the position limit.

Reductions (cancels and smaller sizes) go first and are never held back: they only lower risk.
What adds exposure (new quotes, larger sizes, moved prices) goes next, each spending a token of a
bucket refilled at ``max_orders_per_s``, and only while the position plus every lot the side's
working quotes could still fill (a pending modify counted at the larger of its two sizes) stays
within ``max_position``. A fill racing a shrink in flight therefore cannot pass the limit; what
is held back is retried on the next requote.

What risk would deny for a reason the quoter can know beforehand is not sent: the gateway's
``screen`` (when it has one) asks risk with its own clock and state. A quote identical to one
sent within ``risk.duplicate_window_ms`` (re-joining a level right after a fill or a venue
cancel is normal for a quoter) waits until the window has passed; one below the minimum
notional, off the order step, outside the price band or crossing our own order is left out of
this round. A reduction risk would refuse is sent as a cancel instead. Either way no denial, so
no back-off (before: the quoter judged the duplicate window by its timers' scheduled times,
which a live event loop runs late, and was denied DUPLICATE_ORDER).
"""

from __future__ import annotations

from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.core.views import QuoterView
from tradeterm.quoter.gateway import OrderGateway
from tradeterm.quoter.working import (
    LIVE,
    PENDING_CANCEL,
    PENDING_MODIFY,
    Action,
    Cancel,
    Modify,
    Submit,
    WorkingQuote,
    WorkingQuotes,
)

NS = 1_000_000_000


class OrderSender:
    def __init__(
        self,
        instrument: Instrument,
        gateway: OrderGateway,
        working: WorkingQuotes,
        view: QuoterView,
    ) -> None:
        self.instrument, self.gateway, self.working, self.view = instrument, gateway, working, view
        self.tokens = 0.0
        self._tokens_ns = 0
        self._ids = 0
        self._prefix = ""
        self.held: dict[str, int] = {}  # reason code -> quotes not sent because risk would deny

    def begin(self, now: int) -> None:
        """Start of the session: client ids unique to it, a full bucket."""
        self._prefix = client_id_prefix(self.instrument.symbol, now)
        self._tokens_ns = now
        self.tokens = float("inf")  # capped at the rate on the first send

    def send(
        self,
        actions: list[Action],
        now: int,
        inventory: int,
        max_position: float,
        rate: float,
        post_only: bool,
    ) -> None:
        self.refill(now, rate)
        if not actions:  # an empty plan: only the bucket moves
            return
        working = self.working
        reductions: list[Action] = []
        additions: list[Action] = []
        for action in actions:
            quote = None if isinstance(action, Submit) else working.get(action.client_order_id)
            if isinstance(action, Submit):
                additions.append(action)
            elif quote is None:
                continue  # gone meanwhile (filled or cancelled while this plan ran)
            elif isinstance(action, Cancel) or action.lots < quote.lots:
                reductions.append(action)
            else:
                additions.append(action)
        for action in reductions:
            if isinstance(action, Modify) and self._refused(action, now, post_only):
                action = Cancel(action.client_order_id)  # a cancel is never refused
            self._request(action, now, post_only)
        room = {Side.BUY: max_position - inventory, Side.SELL: max_position + inventory}
        for action in additions:
            if self.tokens < 1.0:
                return  # over the order rate: the next requote tries again
            if isinstance(action, Submit):
                side, extra = action.side, action.lots
            else:
                quote = working.get(action.client_order_id)
                assert quote is not None and isinstance(action, Modify)
                side, extra = quote.side, action.lots - exposure(quote)
            if side_exposure(working, side) + extra > room[side]:
                continue  # wait until the reductions in flight have landed
            if self._refused(action, now, post_only):
                continue  # risk would deny it: wait (a duplicate) or leave it out this round
            self.tokens -= 1.0
            self._request(action, now, post_only)

    def refill(self, now: int, rate: float) -> None:
        """The order-rate bucket at ``now`` (all that sending an empty plan does)."""
        self.tokens = min(rate, self.tokens + (now - self._tokens_ns) / NS * rate)
        self._tokens_ns = now

    def _refused(self, action: Submit | Modify, now: int, post_only: bool) -> bool:
        """Would risk deny this for a reason known beforehand (the gateway's ``screen``)?"""
        screen = getattr(self.gateway, "screen", None)
        if screen is None:
            return False
        if isinstance(action, Submit):
            command: SubmitOrder | ModifyOrder = self._submit_order(action, now, post_only)
        else:
            command = ModifyOrder(
                now, action.client_order_id, self.instrument.id, action.price, action.lots
            )
        verdict = screen(command)
        if verdict is None:
            return False
        self.held[verdict[0]] = self.held.get(verdict[0], 0) + 1
        return True

    def _submit_order(self, action: Submit, now: int, post_only: bool) -> SubmitOrder:
        """The order a submit sends (with the client id it will get)."""
        return SubmitOrder(
            now,
            f"{self._prefix}{self._ids + 1}",
            self.instrument.id,
            action.side,
            action.lots,
            price=action.price,
            post_only=post_only,
            source="quoter",
        )

    def _request(self, action: Action, now: int, post_only: bool) -> None:
        iid, gateway, view = self.instrument.id, self.gateway, self.view
        if isinstance(action, Submit):
            command = self._submit_order(action, now, post_only)
            self._ids += 1
            self.working.add(
                WorkingQuote(
                    command.client_order_id,
                    action.side,
                    action.level,
                    action.price,
                    action.lots,
                    placed_ns=now,
                )
            )
            gateway.submit(command)
            view.submits += 1
            return
        quote = self.working.get(action.client_order_id)
        if quote is None:
            return
        if isinstance(action, Cancel):
            quote.status = PENDING_CANCEL
            sent = gateway.cancel(CancelOrder(now, action.client_order_id, iid))
            view.cancels += 1
        elif quote.status == LIVE:
            quote.status = PENDING_MODIFY
            quote.target_price, quote.target_lots = action.price, action.lots
            sent = gateway.modify(
                ModifyOrder(now, action.client_order_id, iid, action.price, action.lots)
            )
            view.modifies += 1
        else:
            return
        if sent is False:  # the engine has no such working order (it ended unseen): forget it
            self.working.remove(action.client_order_id)


def exposure(quote: WorkingQuote) -> int:
    """Lots this quote may still fill: a pending modify could fill at either size."""
    return max(quote.lots, quote.target_lots or 0) if quote.status == PENDING_MODIFY else quote.lots


def side_exposure(working: WorkingQuotes, side: Side) -> int:
    return sum([exposure(q) for q in working.by_id.values() if q.side is side])


def client_id_prefix(symbol: str, now_ns: int) -> str:
    """Short, unique per session: q<symbol letters><session start ms, base 36>- (<= 36 chars)."""
    letters = "".join(ch for ch in symbol if ch.isalnum())[:8]
    stamp, digits = now_ns // 1_000_000, ""
    while stamp:
        stamp, r = divmod(stamp, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
    return f"q{letters}{digits}-"
