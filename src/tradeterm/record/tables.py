"""Recordings -> rows for the export: trades, book top, orders, fills.

Each table is a tuple of ``(name, kind)`` fields and a generator of row tuples in that order.
Prices and sizes stay integers (ticks and lots, kinds ``price`` and ``qty``) so the export can
write them exactly beside their float64 value (``record/export_columns.py``); money (a fee) is a
Decimal (kind ``money``). Reads the whole session, replay spans expanded, one row at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tradeterm.book.l2 import L2Book
from tradeterm.domain import commands, events
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Trade
from tradeterm.record.header import instrument_from_dict
from tradeterm.record.journal import JournalReader
from tradeterm.record.merged import session_records

Row = tuple[Any, ...]
Fields = tuple[tuple[str, str], ...]  # (column, kind): int str bool price qty money

ORDER_EVENTS = (
    events.OrderSubmitted,
    events.OrderAccepted,
    events.OrderRejected,
    events.OrderDenied,
    events.OrderFilled,
    events.OrderCanceled,
    events.OrderExpired,
    events.OrderTriggered,
    events.OrderModified,
)


def instruments_of(reader: JournalReader) -> dict[str, Instrument]:
    found = {}
    for d in reader.instruments:
        inst = instrument_from_dict(d)
        found[inst.id] = inst
    return found


TRADES: Fields = (
    ("ts_event", "int"),
    ("ts_recv", "int"),
    ("instrument", "str"),
    ("price", "price"),
    ("size", "qty"),
    ("aggressor", "str"),
    ("trade_id", "int"),
)


def trades(reader: JournalReader) -> Iterator[Row]:
    for _, _, _, ev in session_records(reader):
        if type(ev) is Trade:
            yield (
                ev.ts_event,
                ev.ts_recv,
                ev.instrument,
                ev.price,
                ev.size,
                ev.aggressor.name,
                ev.trade_id,
            )


BOOK_TOPS: Fields = (
    ("ts_event", "int"),
    ("ts_recv", "int"),
    ("instrument", "str"),
    ("bid_price", "price"),
    ("bid_size", "qty"),
    ("ask_price", "price"),
    ("ask_size", "qty"),
    ("synced", "bool"),
    ("update_id", "int"),
)


def book_tops(reader: JournalReader) -> Iterator[Row]:
    """The rebuilt book's best bid/ask each time it changed (or the book's sync changed)."""
    books: dict[str, L2Book] = {}
    last: dict[str, tuple[Any, ...]] = {}
    for _, ts, _, ev in session_records(reader):
        kind = type(ev)
        if kind is not BookDelta and kind is not BookSnapshot:
            continue
        book = books.get(ev.instrument)
        if book is None:
            book = books[ev.instrument] = L2Book(ev.instrument)
        if kind is BookDelta:
            book.apply_delta(ev)
        else:
            book.apply_snapshot(ev)
        bb, ba = book.best_bid, book.best_ask
        top = (
            bb,
            book.bids.get(bb, 0) if bb is not None else 0,
            ba,
            book.asks.get(ba, 0) if ba is not None else 0,
            book.synced,
        )
        if last.get(ev.instrument) == top:
            continue
        last[ev.instrument] = top
        yield (ev.ts_event, ts, ev.instrument, *top, book.last_update_id)


ORDERS: Fields = (
    ("seq", "int"),
    ("ts", "int"),
    ("kind", "str"),
    ("client_order_id", "str"),
    ("instrument", "str"),
    ("side", "str"),
    ("price", "price"),
    ("qty", "qty"),
    ("order_type", "str"),
    ("tif", "str"),
    ("reason", "str"),
    ("source", "str"),
)


def _name(value: Any, attr: str) -> Any:
    return getattr(value, attr) if value is not None else None


def orders(reader: JournalReader) -> Iterator[Row]:
    """Every order command and order event, one row each."""
    for seq, ts, _, ev in session_records(reader):
        if isinstance(ev, commands.Command) and hasattr(ev, "client_order_id"):
            yield (
                seq,
                ts,
                type(ev).__name__,
                ev.client_order_id,
                getattr(ev, "instrument", ""),
                _name(getattr(ev, "side", None), "name"),
                getattr(ev, "price", None),
                getattr(ev, "qty", None),
                _name(getattr(ev, "order_type", None), "value"),
                _name(getattr(ev, "tif", None), "value"),
                "",
                getattr(ev, "source", ""),
            )
        elif isinstance(ev, ORDER_EVENTS):
            yield (
                seq,
                ts,
                type(ev).__name__,
                ev.client_order_id,
                ev.instrument,
                _name(getattr(ev, "side", None), "name"),
                getattr(ev, "price", None),
                getattr(ev, "qty", None),
                None,
                None,
                getattr(ev, "reason", "") or getattr(ev, "message", ""),
                "",
            )


FILLS: Fields = (
    ("ts_event", "int"),
    ("ts_recv", "int"),
    ("instrument", "str"),
    ("client_order_id", "str"),
    ("venue_order_id", "str"),
    ("trade_id", "str"),
    ("side", "str"),
    ("price", "price"),
    ("qty", "qty"),
    ("liquidity", "str"),
    ("fee", "money"),
    ("fee_currency", "str"),
    ("leaves_qty", "qty"),
    ("note", "str"),
)


def fills(reader: JournalReader) -> Iterator[Row]:
    for _, ts, _, ev in session_records(reader):
        if type(ev) is events.OrderFilled:
            yield (
                ev.ts_event,
                ts,
                ev.instrument,
                ev.client_order_id,
                ev.venue_order_id,
                ev.trade_id,
                ev.side.name,
                ev.price,
                ev.qty,
                ev.liquidity.value,
                ev.fee,
                ev.fee_currency,
                ev.leaves_qty,
                ev.note,
            )


TABLES: dict[str, tuple[Fields, Callable[[JournalReader], Iterator[Row]]]] = {
    "trades": (TRADES, trades),
    "book-top": (BOOK_TOPS, book_tops),
    "orders": (ORDERS, orders),
    "fills": (FILLS, fills),
}
