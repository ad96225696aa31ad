"""A held order command as text (``order_text.py`` hands them here): ``describe``, the line a
trader reads, and ``as_text``, the command in the grammar (``held_entry.py``) in its one
canonical form, which parses back to the same command (new ids aside)."""

from __future__ import annotations

from collections.abc import Mapping

from tradeterm.domain.commands import HeldCommand, HoldBracket, HoldOco, HoldOrder
from tradeterm.domain.held import HeldKind, HeldLeg, TrailRef
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side


def _leg(leg: HeldLeg, inst: Instrument, grammar: bool) -> str:
    side = ("b" if leg.side is Side.BUY else "s") if grammar else leg.side.name
    text = f"{side} {inst.format_qty(leg.qty)}"
    if leg.kind is HeldKind.LIMIT and leg.price is not None:
        text += f" @ {inst.format_price(leg.price)}"
    elif leg.kind is HeldKind.MARKET:
        text += " mkt"
    elif leg.kind is HeldKind.TRAIL:
        text += f" trail {leg.trail}{leg.trail_unit.value}"
        text += " mid" if leg.trail_ref is TrailRef.MID else (" last" if grammar else "")
    elif leg.trigger_price is not None:
        text += f" stop {inst.format_price(leg.trigger_price)}"
        if leg.price is not None:
            text += f" limit {inst.format_price(leg.price)}"
    if leg.reduce_only:
        text += " ro" if grammar else " reduce-only"
    return text


def _text(cmd: HeldCommand, instruments: Mapping[str, Instrument], grammar: bool) -> str:
    inst = instruments[cmd.instrument]
    name = inst.id if grammar else inst.symbol
    if isinstance(cmd, HoldOrder):
        return f"{_leg(cmd.leg, inst, grammar)} {name}"
    if isinstance(cmd, HoldOco):
        first, second = (_leg(x, inst, grammar) for x in (cmd.first, cmd.second))
        return f"oco {first} {name} / {second} {name}"
    assert isinstance(cmd, HoldBracket)
    kind = HeldKind.MARKET if cmd.price is None else HeldKind.LIMIT
    entry = _leg(HeldLeg(cmd.side, cmd.qty, kind, cmd.price), inst, grammar)
    tp, sl = inst.format_price(cmd.take_profit), inst.format_price(cmd.stop_loss)
    return f"{entry} tp {tp} sl {sl} {name}"


def describe_held(cmd: HeldCommand, instruments: Mapping[str, Instrument]) -> str:
    """'SELL 1 SIM-BTC/USD stop 61700 (held)'."""
    return _text(cmd, instruments, grammar=False) + " (held by the engine)"


def held_as_text(cmd: HeldCommand, instruments: Mapping[str, Instrument]) -> str:
    return _text(cmd, instruments, grammar=True)
