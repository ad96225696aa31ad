"""The store of a simulation (a ``--fast`` run, a replay, a backtest with no
``oms.database_url``): the methods of ``store.Store`` on rows kept in dicts (``memory_tables``),
for a store that lives and dies with its process. It has no disk, so nothing waits for one
(``durability.Immediate``) and nothing is buffered: a status-only change the SQLite store
writes at its next commit or flush is kept at once, and no flush timer is needed
(``buffers_writes`` is False).

Same answers as the SQLite store in memory: the same rows, read through the same checked
decoders (fresh orders, fills and positions at every read), the same orderings, a fill's trade
id recorded once per venue and instrument, an order's id once (``sqlite3.IntegrityError``, as
SQLite raises it, and nothing written).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from tradeterm.domain.events import OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order
from tradeterm.oms.durability import Durability, Immediate
from tradeterm.oms.memory_tables import MemoryControls, MemoryHeld, as_stored, row_type
from tradeterm.oms.store import Store, fill_key
from tradeterm.oms.store_columns import StoreError
from tradeterm.oms.store_port import OrderStore
from tradeterm.oms.store_rows import (
    FILL_KEYS,
    ORDER_KEYS,
    POSITION_KEYS,
    fill_from_row,
    instrument_from_row,
    order_from_row,
    order_row,
    order_venue,
    position_from_row,
    position_row,
)
from tradeterm.portfolio.position import Position

_ORDER = row_type(ORDER_KEYS)
_FILL = row_type(("id", *FILL_KEYS))
_POSITION = row_type(POSITION_KEYS)
_INSTRUMENT = row_type(("id", "venue", "symbol", "base", "quote", "tick_size", "lot_size"))


class MemoryStore:
    """A private store in memory: ``Store("sqlite://")``'s answers without SQLite."""

    buffers_writes = False

    def __init__(self) -> None:
        self.url, self.where = "memory://", "in memory"
        self.durability: Durability = Immediate()
        self.writes = 0  # commits, as the SQLite store counts them
        self.controls = MemoryControls(self)
        self.held = MemoryHeld(self)
        self._session = 0
        self._orders: dict[str, Any] = {}
        self._fills: list[Any] = []
        self._fill_keys: set[tuple[str, str, str]] = set()
        self._positions: dict[str, Any] = {}
        self._instruments: dict[str, Any] = {}
        # what each change to the trading tables overwrote since the checkpoint it stands at
        # (``mark``, once asked), and between two checkpoints each row before and after
        self._undo: list[tuple[dict[str, Any], str, Any]] | None = None
        self._steps: list[tuple[tuple[dict[str, Any], str, Any, Any], ...]] = []
        self._marks: list[tuple[int, int]] = []  # per checkpoint: (fills, writes)
        self._at = -1
        self._later: list[Any] = []  # the fills undone by going back, the next one last

    def committed(self) -> None:
        self.writes += 1

    def sync_on_own_thread(self) -> None:
        """No disk: nothing to sync."""

    def close(self) -> None:
        self.durability.stop()

    def flush(self) -> None:
        """Nothing is buffered."""

    # --- session ---------------------------------------------------------------------------
    def next_session(self) -> int:
        self._session += 1
        self.committed()
        return self._session

    def save_instruments(self, instruments: Iterable[Instrument]) -> None:
        for inst in instruments:
            self._instruments[inst.id] = _INSTRUMENT(
                inst.id,
                inst.venue,
                inst.symbol,
                inst.base,
                inst.quote,
                str(inst.tick_size),
                str(inst.lot_size),
            )
        self.committed()

    def load_instruments(self) -> dict[str, Instrument]:
        found = [instrument_from_row(r) for r in self._instruments.values()]
        return {inst.id: inst for inst in found}

    # --- orders ----------------------------------------------------------------------------
    def insert_order(self, order: Order, venue: str, session: int) -> None:
        if order.client_order_id in self._orders:
            raise sqlite3.IntegrityError("UNIQUE constraint failed: orders.client_order_id")
        row = _ORDER(**as_stored(order_row(order, venue, session)))
        self._keep(self._orders, order.client_order_id, row)
        self.committed()

    def note_order(self, order: Order) -> None:
        row = self._orders.get(order.client_order_id)
        if row is None:  # the SQLite store's UPDATE finds no row
            return
        new = _ORDER._make(  # what order_update_row sets, in ORDER_KEYS' order (positional:
            (  # a keyword _replace costs twice as much, on every change of every order)
                *row[:4],  # client_order_id, venue, instrument, side
                order.qty,
                row[5],  # order_type
                order.price,
                order.trigger_price,
                *row[8:13],  # tif, post_only, reduce_only, display_qty, expire_ns
                order.status.value,
                int(not order.is_terminal),
                order.venue_order_id,
                order.filled_qty,
                order.filled_value,
                row[18],  # ts_created
                order.ts_last,
                *row[20:22],  # source, external
                order.reason,
                row[23],  # session
            )
        )
        self._keep(self._orders, order.client_order_id, new)

    def has_order(self, client_order_id: str) -> bool:
        return client_order_id in self._orders

    def load_order(self, client_order_id: str) -> Order | None:
        row = self._orders.get(client_order_id)
        return None if row is None else order_from_row(row)

    def load_open_orders(self) -> list[tuple[Order, str]]:
        rows = [r for r in self._orders.values() if r.is_open]
        rows.sort(key=lambda r: (r.ts_created, r.client_order_id))
        return [(order_from_row(r), order_venue(r)) for r in rows]

    def load_orders(self, limit: int | None = None) -> list[tuple[Order, str]]:
        rows = sorted(
            self._orders.values(), key=lambda r: (r.ts_created, r.client_order_id), reverse=True
        )
        rows = rows[: int(limit)] if limit else rows
        return [(order_from_row(r), order_venue(r)) for r in rows]

    # --- fills and positions ---------------------------------------------------------------
    def record_fill(
        self, venue: str, fill: OrderFilled, order: Order | None, position: Position
    ) -> bool:
        """Fill + its order + the position. False (and nothing written) if this venue's trade
        id is already recorded."""
        key = (venue, fill.instrument, fill.trade_id)
        if key in self._fill_keys:
            return False
        row = _FILL(
            len(self._fills) + 1,
            venue,
            fill.trade_id,
            fill.client_order_id,
            fill.venue_order_id,
            fill.instrument,
            int(fill.side),
            fill.price,
            fill.qty,
            str(fill.fee),
            fill.fee_currency,
            fill.liquidity.value,
            fill.ts_event,
            fill.ts_recv,
            fill.note,
        )
        self._fill_keys.add(key)
        self._fills.append(row)
        if self._later:  # recorded again after going back: the same one
            self._later.pop()
        if order is not None:
            self.note_order(order)
        self._keep(self._positions, position.instrument, _POSITION(**position_row(position)))
        self.committed()
        return True

    def forget_trading(self) -> None:
        """Delete every order, fill and position (a plain replay rewinding its recorded
        session's trading)."""
        self._orders.clear()
        self._fills.clear()
        self._fill_keys.clear()
        self._positions.clear()
        self._undo, self._steps, self._marks, self._at = None, [], [], -1
        self._later.clear()
        self.committed()

    def resume_trading(
        self, orders: Iterable[tuple[Order, str]], positions: Iterable[Position]
    ) -> None:
        """After ``forget_trading``: the orders and positions of an own-state frame (a plain
        replay resuming its recorded session's trading there); no fill (those after it come)."""
        for order, venue in orders:
            row = _ORDER(**as_stored(order_row(order, venue, self._session)))
            self._orders[order.client_order_id] = row
        for position in positions:
            self._positions[position.instrument] = _POSITION(**position_row(position))

    def detach_trading(self) -> tuple[Any, ...]:
        """Hand over the trading tables with their checkpoints (a chain of them a replay may
        come back to: ``attach_trading``), holding empty ones from now on."""
        held = (
            self._orders, self._fills, self._fill_keys, self._positions, self._undo,
            self._steps, self._marks, self._at, self._later, self.writes,
        )  # fmt: skip
        self._orders, self._fills, self._fill_keys, self._positions = {}, [], set(), {}
        self._undo, self._steps, self._marks, self._at, self._later = None, [], [], -1, []
        return held

    def attach_trading(self, held: tuple[Any, ...]) -> None:
        """Hold again the tables and checkpoints ``detach_trading`` handed over (those held
        now are dropped); ``go_to`` one of those checkpoints next."""
        (
            self._orders, self._fills, self._fill_keys, self._positions, self._undo,
            self._steps, self._marks, self._at, self._later, self.writes,
        ) = held  # fmt: skip

    # --- going back (a plain replay's checkpoints of its recorded session's trading) -------
    def mark(self) -> int:
        """A new checkpoint of the trading tables, after the last: what changed since the last
        one kept as a step (each row before and after); -> its number."""
        assert self._at == len(self._marks) - 1  # new ones come at the end
        undo, changes = self._undo, {}
        if undo is not None:
            for table, key, before in undo:
                if (id(table), key) not in changes:
                    changes[id(table), key] = (table, key, before, table.get(key))
            self._steps.append(tuple(c for c in changes.values() if c[2] is not c[3]))
        self._undo = []
        self._marks.append((len(self._fills), self.writes))
        self._at += 1
        return self._at

    def reached(self, number: int) -> None:
        """The changes since the checkpoint it stands at made checkpoint ``number`` again."""
        assert self._undo is not None
        self._undo.clear()
        self._at = number

    def go_to(self, number: int) -> None:
        """The orders, fills and positions as at checkpoint ``number`` (back or forward)."""
        undo = self._undo
        assert undo is not None
        while undo:  # latest first (the fills by count, below)
            table, key, before = undo.pop()
            _put(table, key, before)
        while self._at > number:
            self._at -= 1
            for table, key, before, _after in self._steps[self._at]:
                _put(table, key, before)
        while self._at < number:
            for table, key, _before, after in self._steps[self._at]:
                _put(table, key, after)
            self._at += 1
        count, self.writes = self._marks[number]
        fills, later = self._fills, self._later
        while len(fills) > count:
            later.append(row := fills.pop())
            self._fill_keys.discard((row.venue, row.instrument, row.trade_id))
        while len(fills) < count:
            fills.append(row := later.pop())
            self._fill_keys.add((row.venue, row.instrument, row.trade_id))

    def _keep(self, table: dict[str, Any], key: str, row: Any) -> None:
        if self._undo is not None:
            self._undo.append((table, key, table.get(key)))
        table[key] = row

    def drop_finished(self) -> int:
        """Forget the rows of finished orders and of fills (their keys stay known, so a repeated
        fill is still one): a recorder's own-state frames keep a replay's rebuild of the session
        (``trading/own_frames.py``), whose frames hold what the registry, the positions and the
        fills pane hold, not these rows; without this it would keep every order and fill of a
        day of quoting in memory. Never with a checkpoint's undo log. Returns the rows dropped."""
        assert self._undo is None
        finished = [coid for coid, row in self._orders.items() if not row.is_open]
        for coid in finished:
            del self._orders[coid]
        dropped = len(finished) + len(self._fills)
        self._fills.clear()
        return dropped

    def has_fill(self, venue: str, instrument: str, trade_id: str) -> bool:
        return (venue, instrument, trade_id) in self._fill_keys

    def known_trade_ids(self, venue: str, since_ns: int) -> set[str]:
        return {
            fill_key(r.instrument, r.trade_id)
            for r in self._fills
            if r.venue == venue and r.ts_event >= since_ns
        }

    def last_fill_ts(self, venue: str) -> int | None:
        return max((r.ts_event for r in self._fills if r.venue == venue), default=None)

    def load_fills(self, since_ns: int = 0, instrument: str | None = None) -> list[OrderFilled]:
        return [
            fill_from_row(r)
            for r in self._fills
            if r.ts_event >= since_ns and (not instrument or r.instrument == instrument)
        ]

    def order_fills(self, client_order_id: str) -> list[OrderFilled]:
        return [fill_from_row(r) for r in self._fills if r.client_order_id == client_order_id]

    def fill_rows(self) -> list[Any]:
        return list(self._fills)

    def fill_sums(self) -> dict[str, int]:
        sums: dict[str, int] = {}
        for r in self._fills:
            sums[r.instrument] = sums.get(r.instrument, 0) + r.side * r.qty
        return dict(sorted(sums.items()))

    def load_positions(self) -> list[Position]:
        return [position_from_row(self._positions[k]) for k in sorted(self._positions)]


def _put(table: dict[str, Any], key: str, row: Any) -> None:
    if row is None:
        table.pop(key, None)
    else:
        table[key] = row


def open_store(url: str | None, synchronous: str, sync_thread: bool) -> OrderStore:
    """The session's store: the SQLite store at ``url`` (verified), or, with no URL (a
    simulation that names none), a ``MemoryStore``."""
    if url is None:
        return MemoryStore()
    return Store(url, synchronous, verify=True, sync_thread=sync_thread)


__all__ = ["MemoryStore", "StoreError", "open_store"]
