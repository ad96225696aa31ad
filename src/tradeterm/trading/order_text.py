"""An order command as text: ``describe``, the line a trader reads (a confirmation, the ticket,
the message line), and ``as_text``, the command in the order-entry grammar (``orderentry.py``)
in its one canonical form. Engine-free, like the grammar."""

from __future__ import annotations

from collections.abc import Mapping

from tradeterm.domain.commands import (
    CancelAll,
    CancelOrder,
    HoldBracket,
    HoldOco,
    HoldOrder,
    SubmitOrder,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType
from tradeterm.trading.held_text import describe_held, held_as_text
from tradeterm.trading.orderentry import Command


def describe(cmd: Command, instruments: Mapping[str, Instrument]) -> str:
    """One line a trader reads in a confirmation: 'BUY 0.5 SIM-BTC/USD @ 61800 GTC'."""
    if isinstance(cmd, HoldOrder | HoldOco | HoldBracket):
        return describe_held(cmd, instruments)
    if isinstance(cmd, SubmitOrder):
        inst = instruments[cmd.instrument]
        price = "MKT" if cmd.price is None else f"@ {inst.format_price(cmd.price)}"
        if cmd.order_type is OrderType.MARKET and cmd.price is not None:  # its protection
            worst = "no higher than" if cmd.side is Side.BUY else "no lower than"
            price = f"MKT ({worst} {inst.format_price(cmd.price)})"
        flags = "".join(
            (" post" if cmd.post_only else "", " reduce-only" if cmd.reduce_only else "")
        )
        return (
            f"{cmd.side.name} {inst.format_qty(cmd.qty)} {inst.symbol} {price} "
            f"{cmd.tif.value}{flags}"
        )
    if isinstance(cmd, CancelAll):
        scope = instruments[cmd.instrument].symbol if cmd.instrument else "all instruments"
        side = f" {cmd.side.name} side" if cmd.side is not None else ""
        return f"cancel every working order on {scope}{side}"
    if isinstance(cmd, CancelOrder):
        return f"cancel {cmd.client_order_id}"
    inst = instruments[cmd.instrument]
    parts = [f"modify {cmd.client_order_id}"]
    if cmd.price is not None:
        parts.append(f"price -> {inst.format_price(cmd.price)}")
    if cmd.qty is not None:
        parts.append(f"qty -> {inst.format_qty(cmd.qty)}")
    return " ".join(parts)


def as_text(cmd: Command, instruments: Mapping[str, Instrument]) -> str:
    """The command in the grammar, in its one canonical form: parsing it gives the same
    command (a new order id aside). ``b 0.5000 @ 61800.0 gtc sim:SIM-BTC/USD``."""
    if isinstance(cmd, HoldOrder | HoldOco | HoldBracket):
        return held_as_text(cmd, instruments)
    if isinstance(cmd, SubmitOrder):
        inst = instruments[cmd.instrument]
        price = (
            "mkt"
            if cmd.price is None or cmd.order_type is OrderType.MARKET
            else f"@ {inst.format_price(cmd.price)}"
        )  # a protection price is the desk's, not typed
        flags = "".join((" post" if cmd.post_only else "", " ro" if cmd.reduce_only else ""))
        return (
            f"{'b' if cmd.side is Side.BUY else 's'} {inst.format_qty(cmd.qty)} {price} "
            f"{cmd.tif.value.lower()}{flags} {inst.id}"
        )
    if isinstance(cmd, CancelAll):
        if cmd.instrument is not None:
            return f"cxl {instruments[cmd.instrument].id}"
        return {None: "cxl all", Side.BUY: "cxl buys", Side.SELL: "cxl sells"}[cmd.side]
    if isinstance(cmd, CancelOrder):
        return f"cxl {cmd.client_order_id}"
    inst = instruments[cmd.instrument]
    price = "" if cmd.price is None else f" @ {inst.format_price(cmd.price)}"
    qty = "" if cmd.qty is None else f" {inst.format_qty(cmd.qty)}"
    return f"mod {cmd.client_order_id}{price}{qty}"
