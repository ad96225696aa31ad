"""Held (contingent) orders on the trading harness: commands built in ticks and lots."""

from __future__ import annotations

from tests.trading_harness import BTC, MID, Harness
from tradeterm.domain.commands import HoldBracket, HoldOco, HoldOrder
from tradeterm.domain.held import HeldKind, HeldLeg, HeldOrder, TrailRef, TrailUnit
from tradeterm.domain.market import Side
from tradeterm.trading.results import Denied, HeldPlaced


def stop(h: Harness, side: Side, qty: int, trigger: int, limit: int | None = None) -> HoldOrder:
    kind = HeldKind.STOP if limit is None else HeldKind.STOP_LIMIT
    leg = HeldLeg(side, qty, kind, limit, trigger)
    return HoldOrder(h.clock.timestamp_ns(), h.desk.ids.next(), BTC.id, leg)


def trail(
    h: Harness, side: Side, qty: int, n: int, unit=TrailUnit.TICKS, ref=TrailRef.LAST
) -> HoldOrder:
    leg = HeldLeg(side, qty, HeldKind.TRAIL, trail=n, trail_unit=unit, trail_ref=ref)
    return HoldOrder(h.clock.timestamp_ns(), h.desk.ids.next(), BTC.id, leg)


def oco(h: Harness, first: HeldLeg, second: HeldLeg) -> HoldOco:
    ids = h.desk.ids
    return HoldOco(
        h.clock.timestamp_ns(), ids.next(), BTC.id, ids.next(), first, ids.next(), second
    )


def bracket(h: Harness, side: Side, qty: int, price: int | None, tp: int, sl: int) -> HoldBracket:
    ids = h.desk.ids
    return HoldBracket(
        h.clock.timestamp_ns(), ids.next(), BTC.id, side, qty, price, tp, sl,
        ids.next(), ids.next(), ids.next(),
    )  # fmt: skip


def place(h: Harness, cmd) -> HeldOrder:
    result = h.desk.execute(cmd)
    assert isinstance(result, HeldPlaced), result
    return result.held


def denied(h: Harness, cmd) -> str:
    result = h.desk.execute(cmd)
    assert isinstance(result, Denied), result
    return result.denial.reason


def held(h: Harness, held_id: str) -> HeldOrder:
    record = h.desk.held.emulator.book.get(held_id) or h.store.held.load(held_id)
    assert record is not None, held_id
    return record


def legs(h: Harness, parent: HeldOrder) -> dict[str, HeldOrder]:
    return {c.role: c for c in h.desk.held.emulator.book.children(parent.held_id)}


__all__ = ["MID", "bracket", "denied", "held", "legs", "oco", "place", "stop", "trail"]
