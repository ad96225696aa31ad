"""Contingent orders the engine keeps (stops, stop-limits, trailing stops, OCO, brackets): what
they are and where each stands. Pure values; the emulator that triggers them is
``oms/emulator.py``.

A held order's id is also the client order id of the order it sends when it is released, so a
held order sends at most one order, ever: the OMS sends nothing for an id it already knows (a
restart that releases it again is harmless). OCO and bracket parents send nothing themselves;
their legs (``parent_id``) do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import msgspec

from tradeterm.domain.events import Event
from tradeterm.domain.market import Side


class HeldKind(str, Enum):
    LIMIT = "LIMIT"  # a limit leg (an OCO's take-profit, a bracket's entry or take-profit)
    MARKET = "MARKET"  # a bracket's market entry
    STOP = "STOP"  # stop-market: a market order when the trigger is reached
    STOP_LIMIT = "STOP_LIMIT"  # a limit order at ``price`` when the trigger is reached
    TRAIL = "TRAIL"  # trailing stop-market: the trigger follows the market by an offset
    OCO = "OCO"  # parent of two legs: the first to fill or trigger cancels the other
    BRACKET = "BRACKET"  # parent of an entry and its exits (a take-profit and a stop-loss OCO)


#: kinds with a trigger the emulator watches
TRIGGERED_KINDS = frozenset({HeldKind.STOP, HeldKind.STOP_LIMIT, HeldKind.TRAIL})
GROUP_KINDS = frozenset({HeldKind.OCO, HeldKind.BRACKET})


class HeldState(str, Enum):
    HELD = "HELD"  # kept by the engine (armed, or waiting for its entry)
    TRIGGERED = "TRIGGERED"  # its trigger was reached; it goes out once its siblings are done
    WORKING = "WORKING"  # its order is at the venue (same id); followed to its end
    DONE = "DONE"  # its order ended (``filled`` says how much traded)
    CANCELED = "CANCELED"  # ended without sending (``reason``)
    DENIED = "DENIED"  # released, and pre-trade risk denied its order (``reason``)


HELD_TERMINAL = frozenset({HeldState.DONE, HeldState.CANCELED, HeldState.DENIED})


class TrailUnit(str, Enum):
    TICKS = "t"
    BPS = "bps"


class TrailRef(str, Enum):
    LAST = "last"
    MID = "mid"


class HeldLeg(msgspec.Struct, frozen=True):
    """One order of a contingent command: a limit, a stop, a stop-limit or a trailing stop."""

    side: Side
    qty: int
    kind: HeldKind
    price: int | None = None  # LIMIT and STOP_LIMIT: the limit
    trigger_price: int | None = None  # STOP and STOP_LIMIT
    trail: int = 0  # TRAIL: the offset, in ``trail_unit``
    trail_unit: TrailUnit = TrailUnit.TICKS
    trail_ref: TrailRef = TrailRef.LAST
    reduce_only: bool = False


@dataclass(slots=True)
class HeldOrder:
    """One held order (or OCO / bracket parent) as the emulator keeps it. Prices in ticks,
    quantities in lots."""

    held_id: str
    instrument: str
    kind: HeldKind
    side: Side
    qty: int
    price: int | None = None
    trigger_price: int | None = None  # a trailing stop's current trigger (it ratchets)
    trail: int = 0
    trail_unit: TrailUnit = TrailUnit.TICKS
    trail_ref: TrailRef = TrailRef.LAST
    extreme: int | None = None  # a trailing stop's best reference price since it was armed
    parent_id: str = ""  # the OCO or bracket it belongs to
    role: str = ""  # in a bracket: entry | tp | sl; in an OCO: first | second
    state: HeldState = HeldState.HELD
    filled: int = 0  # lots its order traded (WORKING, DONE)
    reason: str = ""
    reduce_only: bool = False
    source: str = "manual"
    ts_created: int = 0
    ts_last: int = 0

    @property
    def is_terminal(self) -> bool:
        return self.state in HELD_TERMINAL

    @property
    def group_id(self) -> str:
        return self.parent_id or self.held_id

    @property
    def armed(self) -> bool:
        """Watching the market: held, with a trigger, and something to send."""
        return self.state is HeldState.HELD and self.kind in TRIGGERED_KINDS and self.qty > 0

    def offset_text(self) -> str:
        """``15t mid`` / ``10bps``: a trailing stop's offset as the grammar writes it."""
        if self.kind is not HeldKind.TRAIL:
            return ""
        ref = " mid" if self.trail_ref is TrailRef.MID else ""
        return f"{self.trail}{self.trail_unit.value}{ref}"


class HeldOrderChanged(Event, frozen=True):
    """A held order (or OCO / bracket parent) changed: placed, re-sized, triggered, sent,
    ended. On the ``held`` topic, for the journal."""

    held_id: str
    instrument: str
    kind: HeldKind
    state: HeldState
    side: Side
    qty: int
    trigger_price: int | None = None
    price: int | None = None
    parent_id: str = ""
    filled: int = 0
    reason: str = ""
