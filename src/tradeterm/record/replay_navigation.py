"""Replay navigation beyond times: the recorded session's fills and orders, large trades and
bookmarks. Each key goes to the previous / next one from where the replay stands (the record it
played last), at once, back or forward (``ReplayTransport.go_to_record``); one that is not there
is refused, saying so, and the replay stays where it is.

``g`` takes, besides the times of ``replay_time.py``:

* ``fill 12`` / ``#12``: the recorded session's 12th fill (numbered in the order they happened);
* ``order ID`` (or the bare client order id): that order's first event in the recording.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tradeterm.record.bookmarks import Bookmark, Bookmarks
from tradeterm.record.large_trades import LargeTrades
from tradeterm.record.session_marks import SessionMarks

if TYPE_CHECKING:
    from tradeterm.record.replayer import ReplayVenue

FILL = re.compile(r"^(?:fill\s*#?\s*|#\s*)(\d+)$", re.IGNORECASE)
ORDER = re.compile(r"^order\s+(\S+)$", re.IGNORECASE)
FORMS = "fill 12 (or #12): the recording's 12th fill; order ID: that order's first event"


class ReplayNavigator:
    def __init__(self, replay: ReplayVenue, large_trade_lots: Mapping[str, int]) -> None:
        self.replay = replay
        self.session = SessionMarks(replay.reader)
        self.large = LargeTrades(replay.reader, large_trade_lots)
        self.bookmarks = Bookmarks(replay.reader)

    @property
    def _at(self) -> int:
        return self.replay.position - 1  # the record played last (-1: none yet)

    def _refuse(self, why: str) -> bool:
        return self.replay._refuse(why)

    # --- g: a fill number or an order id -----------------------------------------------------
    def go(self, text: str) -> bool | None:
        """Go to the fill or order ``text`` names: True when the replay goes there, False
        when it cannot (``state.message`` says why), None when ``text`` names neither (a time)."""
        t = text.strip()
        if m := FILL.match(t):
            return self.go_to_fill(int(m.group(1)))
        if m := ORDER.match(t):
            return self.go_to_order(m.group(1))
        if t in self.session.orders:
            return self.go_to_order(t)
        return None

    def go_to_fill(self, number: int) -> bool:
        mark = self.session.fill(number)
        if mark is None:
            count = len(self.session.fills)
            return self._refuse(
                f"fill #{number}: this recording has {count} fill{'s' if count != 1 else ''}"
                + (f" (#1 to #{count})" if count > 1 else "")
                if count
                else "no fills in this recording"
            )
        return self.replay.go_to_record(mark.record, f"fill #{number}")

    def go_to_order(self, client_order_id: str) -> bool:
        mark = self.session.orders.get(client_order_id)
        if mark is None:
            known = list(self.session.orders)
            some = ", ".join(known[:3]) + (", ..." if len(known) > 3 else "")
            return self._refuse(
                f"order {client_order_id} is not in this recording"
                + (f" ({len(known)} orders: {some})" if known else ": it has no orders")
            )
        return self.replay.go_to_record(mark.record, f"order {client_order_id}")

    # --- previous / next ---------------------------------------------------------------------
    def next_fill(self) -> bool:
        found = self.session.next_fill(self._at)
        if found is None:
            return self._refuse(self._none("fill", bool(self.session.fills)))
        return self.replay.go_to_record(found[1].record, f"fill #{found[0]}")

    def prev_fill(self) -> bool:
        found = self.session.prev_fill(self._at)
        if found is None:
            return self._refuse(self._none("fill", bool(self.session.fills), "earlier"))
        return self.replay.go_to_record(found[1].record, f"fill #{found[0]}")

    def prev_order_event(self) -> bool:
        events = self.replay.order_events
        record = events.prev_before(max(self._at, 0))
        if record is None:
            return self._refuse(
                "no earlier order event in this recording"
                if events.next_from(0) is not None
                else "no order events in this recording"
            )
        return self.replay.go_to_record(record, "previous order event")

    def next_large_trade(self) -> bool:
        mark = self.large.next_after(self._at)
        if mark is None:
            return self._refuse("no later large trade in this recording ([replay] large_trade)")
        return self.replay.go_to_record(mark.record, "large trade")

    def prev_large_trade(self) -> bool:
        mark = self.large.prev_before(max(self._at, 0))
        if mark is None:
            return self._refuse("no earlier large trade in this recording ([replay] large_trade)")
        return self.replay.go_to_record(mark.record, "large trade")

    def next_bookmark(self) -> bool:
        mark = self.bookmarks.next_after(self.replay.position)
        if mark is None:
            return self._refuse(self._none("bookmark", bool(self.bookmarks.marks)))
        return self.go_to_bookmark(mark)

    def prev_bookmark(self) -> bool:
        mark = self.bookmarks.prev_before(self.replay.position)
        if mark is None:
            return self._refuse(self._none("bookmark", bool(self.bookmarks.marks), "earlier"))
        return self.go_to_bookmark(mark)

    # --- bookmarks ---------------------------------------------------------------------------
    def go_to_bookmark(self, mark: Bookmark) -> bool:
        return self.replay.go_to_record(
            mark.record, f"bookmark {mark.name}", show=False, clock_ns=mark.ts
        )

    def set_bookmark(self, name: str, record: int | None = None, ts: int | None = None) -> Bookmark:
        """A bookmark where the replay stands, or stood (``record``, ``ts``: when the key was
        pressed, before the name was typed); kept in the side file at once (OSError if not)."""
        replay = self.replay
        mark = self.bookmarks.add(
            name,
            replay.position if record is None else record,
            replay.now_ns if ts is None else ts,
        )
        replay.state.message = f"bookmark set: {mark.name}"
        replay.state.touch()
        return mark

    @staticmethod
    def _none(what: str, any_at_all: bool, where: str = "later") -> str:
        if not any_at_all:
            return f"no {what}s in this recording" if what == "fill" else f"no {what}s yet"
        return f"no {where} {what} in this recording"
