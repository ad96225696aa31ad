"""Recordings -> rows (plain dicts with exact Decimals): trades, book top, orders, fills.

Used by export (to pandas) and by the report. Reads the whole session, replay spans expanded.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from tradeterm.book.l2 import L2Book
from tradeterm.domain import commands, events
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Trade
from tradeterm.record.header import instrument_from_dict
from tradeterm.record.journal import JournalReader
from tradeterm.record.merged import session_records

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


def _price(inst: Instrument | None, ticks: int | None) -> Decimal | None:
    if ticks is None:
        return None
    return inst.ticks_to_price(ticks) if inst is not None else Decimal(ticks)


def _qty(inst: Instrument | None, lots: int | None) -> Decimal | None:
    if lots is None:
        return None
    return inst.lots_to_qty(lots) if inst is not None else Decimal(lots)


def trades(reader: JournalReader) -> Iterator[dict[str, Any]]:
    insts = instruments_of(reader)
    for _, _, _, ev in session_records(reader):
        if type(ev) is Trade:
            inst = insts.get(ev.instrument)
            yield {
                "ts_event": ev.ts_event,
                "ts_recv": ev.ts_recv,
                "instrument": ev.instrument,
                "price": _price(inst, ev.price),
                "size": _qty(inst, ev.size),
                "aggressor": ev.aggressor.name,
                "trade_id": ev.trade_id,
            }


def book_tops(reader: JournalReader) -> Iterator[dict[str, Any]]:
    """The rebuilt book's best bid/ask each time it changed (or the book's sync changed)."""
    insts = instruments_of(reader)
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
        inst = insts.get(ev.instrument)
        yield {
            "ts_event": ev.ts_event,
            "ts_recv": ts,
            "instrument": ev.instrument,
            "bid_price": _price(inst, bb),
            "bid_size": _qty(inst, top[1]),
            "ask_price": _price(inst, ba),
            "ask_size": _qty(inst, top[3]),
            "synced": book.synced,
            "update_id": book.last_update_id,
        }


def orders(reader: JournalReader) -> Iterator[dict[str, Any]]:
    """Every order command and order event, one row each."""
    insts = instruments_of(reader)
    for seq, ts, _, ev in session_records(reader):
        if isinstance(ev, commands.Command) and hasattr(ev, "client_order_id"):
            inst = insts.get(getattr(ev, "instrument", ""))
            row = {
                "seq": seq,
                "ts": ts,
                "kind": type(ev).__name__,
                "client_order_id": ev.client_order_id,
                "instrument": getattr(ev, "instrument", ""),
                "side": getattr(getattr(ev, "side", None), "name", None),
                "price": _price(inst, getattr(ev, "price", None)),
                "qty": _qty(inst, getattr(ev, "qty", None)),
                "order_type": getattr(getattr(ev, "order_type", None), "value", None),
                "tif": getattr(getattr(ev, "tif", None), "value", None),
                "reason": "",
                "source": getattr(ev, "source", ""),
            }
            yield row
        elif isinstance(ev, ORDER_EVENTS):
            inst = insts.get(ev.instrument)
            yield {
                "seq": seq,
                "ts": ts,
                "kind": type(ev).__name__,
                "client_order_id": ev.client_order_id,
                "instrument": ev.instrument,
                "side": getattr(getattr(ev, "side", None), "name", None),
                "price": _price(inst, getattr(ev, "price", None)),
                "qty": _qty(inst, getattr(ev, "qty", None)),
                "order_type": None,
                "tif": None,
                "reason": getattr(ev, "reason", "") or getattr(ev, "message", ""),
                "source": "",
            }


def fills(reader: JournalReader) -> Iterator[dict[str, Any]]:
    insts = instruments_of(reader)
    for _, ts, _, ev in session_records(reader):
        if type(ev) is events.OrderFilled:
            inst = insts.get(ev.instrument)
            yield {
                "ts_event": ev.ts_event,
                "ts_recv": ts,
                "instrument": ev.instrument,
                "client_order_id": ev.client_order_id,
                "venue_order_id": ev.venue_order_id,
                "trade_id": ev.trade_id,
                "side": ev.side.name,
                "price": _price(inst, ev.price),
                "qty": _qty(inst, ev.qty),
                "liquidity": ev.liquidity.value,
                "fee": ev.fee,
                "fee_currency": ev.fee_currency,
                "leaves_qty": _qty(inst, ev.leaves_qty),
                "note": ev.note,
            }
