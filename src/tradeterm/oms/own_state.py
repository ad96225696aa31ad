"""The OMS's part of an own-state frame (``record/own_frame_file.py``): what a plain replay's
rebuild of its recorded session's trading holds at a point, enough to resume there exactly.

``OwnState`` holds every order the registry holds (the working ones in their order, the recent
terminal ones, the eviction queue and its count), each order whole (the domain's ``Order``,
every field, checked as msgspec decodes it); the orders under watch; the fills applied; the
positions as the store's rows (Decimal fees exact, each fee in its currency); the fills pane's
fills and the recorded commands not answered yet, as the journal's own structs. The trade-id
keys of the fills applied travel beside it (``encode_keys``), the new ones of each frame only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.orders import Order
from tradeterm.oms.memory_tables import row_type
from tradeterm.oms.outcomes import InFlight
from tradeterm.oms.registry import Held
from tradeterm.oms.store_rows import POSITION_KEYS, position_from_row, position_row
from tradeterm.portfolio.position import Position

if TYPE_CHECKING:
    from tradeterm.oms.manager import OrderManager

_POSITION = row_type(POSITION_KEYS)


class HeldOrder(msgspec.Struct, array_like=True, frozen=True):
    client_order_id: str
    where: int | None  # registry.WORKING, RECENT, or None: only its venue is known
    venue: str | None
    order: Order | None


class OwnState(msgspec.Struct, array_like=True, frozen=True):
    held: list[HeldOrder]
    working: list[str]  # in the order they came (the blotter's)
    recent: list[str]  # the eviction queue, oldest first
    remembered: int  # orders ever put on it
    applied: int  # fills applied
    watched: list[tuple[str, int, int]]  # (order, deadline, attempts) awaiting an answer
    latest: dict[str, int]  # the resolver's news of each
    positions: list[list[Any]]  # the store's rows (POSITION_KEYS)
    fills: list[OrderFilled]  # the fills pane, oldest first
    sent: list[SubmitOrder]  # recorded commands not answered yet


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(OwnState)
_keys_decoder = msgspec.msgpack.Decoder(list[tuple[str, str]])


def encode_state(
    oms: OrderManager,
    positions: dict[str, Position],
    fills: list[OrderFilled],
    sent: list[SubmitOrder],
) -> bytes:
    reg = oms.registry
    held = [_held(coid, h) for coid in sorted(reg.held_ids()) if (h := reg.held(coid))]
    flights, latest = oms.resolver.snapshot()
    state = OwnState(
        held,
        list(reg.working),
        list(reg.recent_ids),
        reg.remembered,
        oms.fills.applied,
        [(coid, f.deadline, f.attempts) for coid, f in flights.items()],
        latest,
        [list(_POSITION(**position_row(p))) for _, p in sorted(positions.items())],
        fills,
        sent,
    )
    return _encoder.encode(state)


def encode_keys(keys: list[tuple[str, str]]) -> bytes:
    return _encoder.encode(keys)


def decode_keys(body: bytes) -> list[tuple[str, str]]:
    """Raises ValueError when ``body`` is not a list of (venue, key)."""
    try:
        return _keys_decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise ValueError(f"not trade-id keys: {exc}") from None


def decode_state(body: bytes) -> OwnState:
    """Raises ValueError when ``body`` is not a state this version reads."""
    try:
        return _decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise ValueError(f"not an own-trading state: {exc}") from None


def held_orders(state: OwnState) -> dict[str, Held]:
    """client order id -> what the registry held of it (fresh orders)."""
    return {h.client_order_id: (h.order, h.where, h.venue) for h in state.held}


def watched(state: OwnState) -> tuple[dict[str, InFlight], dict[str, int]]:
    return {c: InFlight(d, a) for c, d, a in state.watched}, dict(state.latest)


def positions(state: OwnState) -> dict[str, Position]:
    found = (position_from_row(_POSITION(*row)) for row in state.positions)
    return {p.instrument: p for p in found}


def _held(coid: str, held: Held) -> HeldOrder:
    order, where, venue = held
    return HeldOrder(coid, where, venue, order)
