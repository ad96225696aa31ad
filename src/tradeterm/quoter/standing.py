"""The last plan that had nothing to send, and how long it stands.

A requote runs on every top-of-book change, fill and timer tick; most timer ticks and many order
events find the quoter's inputs as the last requote left them, and ``compute_quotes``, ``ladder``
and ``plan`` then answer again that there is nothing to do. ``StandingPlan`` remembers the inputs
of the last plan that came out empty, and the time until which the same inputs still give an
empty plan, so the quoter can skip the model and the plan and send nothing, with the same result.

The inputs are everything the model, the ladder and the plan read: the model parameters in force,
the market state the model sees (fair price, inventory, time left, the touch counting own quotes),
the plan's settings and the working quotes field by field. The plan reads the clock only through
the age rule (a live quote off its price by less than ``requote_ticks`` is moved once it is
``max_age_ns`` old), so an empty plan stands until the oldest live quote reaches that age.
"""

from __future__ import annotations

from collections.abc import Hashable

from tradeterm.domain.market import Side
from tradeterm.quoter.model import MarketState, QuoteParams
from tradeterm.quoter.working import LIVE, WorkingQuote, WorkingQuotes

NEVER = 1 << 62


def plan_inputs(
    params: QuoteParams,
    state: MarketState,
    requote_ticks: int,
    max_age_ns: int,
    working: WorkingQuotes,
) -> Hashable:
    """Everything ``compute_quotes``, ``ladder`` and ``plan`` read but the clock."""
    return (
        params,
        state.fair,
        state.inventory,
        state.time_left_s,
        state.best_bid,
        state.best_ask,
        requote_ticks,
        max_age_ns,
        working_key(working),
    )


def working_key(working: WorkingQuotes) -> tuple[tuple[object, ...], ...]:
    """The working quotes as the plan and the touch read them, field by field."""
    return tuple(
        (
            q.client_order_id,
            q.side,
            q.level,
            q.price,
            q.lots,
            q.status,
            q.placed_ns,
            q.accepted,
            q.target_price,
            q.target_lots,
        )
        for q in working.by_id.values()
    )


class StandingPlan:
    """The inputs of the last empty plan and the clock time before which it stands."""

    __slots__ = ("_inputs", "_until")

    def __init__(self) -> None:
        self._inputs: Hashable | None = None
        self._until = 0

    def stands(self, inputs: Hashable, now: int) -> bool:
        """Would a plan on ``inputs`` at ``now`` be empty again (the inputs of the last empty
        plan, before a live quote off its desired price ages out)?"""
        return now < self._until and inputs == self._inputs

    def planned(
        self,
        inputs: Hashable,
        empty: bool,
        desired: tuple[list[tuple[int, int]], list[tuple[int, int]]],
        working: WorkingQuotes,
        max_age_ns: int,
    ) -> None:
        """A plan ran on ``inputs``: remember it if it was empty, else forget. ``desired`` is
        the ladder it planned towards (bids, asks)."""
        if not empty:
            self.forget()
            return
        self._inputs = inputs
        self._until = min(
            (
                q.placed_ns + max_age_ns
                for q in working.by_id.values()
                if _ages(q, desired, working)
            ),
            default=NEVER,
        )

    def forget(self) -> None:
        self._inputs, self._until = None, 0


def _ages(
    quote: WorkingQuote,
    desired: tuple[list[tuple[int, int]], list[tuple[int, int]]],
    working: WorkingQuotes,
) -> bool:
    """Can the age rule move this quote (a live quote the plan looks at, off its desired price;
    any other live quote counts too, to be safe)?"""
    if quote.status != LIVE:
        return False
    levels = desired[0 if quote.side is Side.BUY else 1]
    if working.at(quote.side, quote.level) is not quote or quote.level >= len(levels):
        return True
    return levels[quote.level][0] != quote.price
