"""The keys of the instrument on the ladder, composed into the app (``app.ladder_keys``):
flatten and reverse its position, cancel its buys / its sells / all of its orders, join the
best bid or ask (and N ticks in front of or behind it), and cycle its size presets. The app's
key action ``desk`` only hands over to it.

Every key acts on the instrument the ladder shows (the trader sees it: it is in the ladder's
title), never on another; every order goes through the engine's risk checks like any other
(``ui.trading.Trading.execute``) and, in LIVE or with ``ui.confirm_orders``, asks first. An
order is built from the book and the position at the moment it is sent (again after a yes).
What cannot be sent is said on the message line with the reason, and nothing goes out.

Join keys, as on a DOM: ``j`` buys at the best bid, ``k`` sells at the best ask (whatever the
cursor); ``J`` / ``K`` go N ticks in front of the touch (bid + N, ask - N: first in the queue,
refused if it would cross), ``u`` / ``i`` N ticks behind it (bid - N, ask + N); N is
``ui.join_ticks`` (1 by default). Any other price: put the cursor on it and press b / s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from tradeterm.domain.commands import CancelAll, SubmitOrder
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.ui.widgets.ladder import Ladder

if TYPE_CHECKING:
    from tradeterm.ui.app import TradetermApp

BINDINGS = [
    Binding("F", "desk('flatten')", "Flatten position", show=False, id="position.flatten"),
    Binding("R", "desk('reverse')", "Reverse position", show=False, id="position.reverse"),
    Binding(
        "X", "desk('cancel', 0)", "Cancel instr's orders", show=False, id="order.cancel_instrument"
    ),
    Binding("B", "desk('cancel', 1)", "Cancel instr's buys", show=False, id="order.cancel_buys"),
    Binding("S", "desk('cancel', -1)", "Cancel instr's sells", show=False, id="order.cancel_sells"),
    Binding("j", "desk('join', 1, 0)", "Buy at best bid", show=False, id="order.join_bid"),
    Binding("k", "desk('join', -1, 0)", "Sell at best ask", show=False, id="order.join_ask"),
    Binding("J", "desk('join', 1, 1)", "Buy at bid+N ticks", show=False, id="order.join_bid_ahead"),
    Binding(
        "K", "desk('join', -1, 1)", "Sell at ask-N ticks", show=False, id="order.join_ask_ahead"
    ),
    Binding(
        "u", "desk('join', 1, -1)", "Buy at bid-N ticks", show=False, id="order.join_bid_behind"
    ),
    Binding(
        "i", "desk('join', -1, -1)", "Sell at ask+N ticks", show=False, id="order.join_ask_behind"
    ),
    Binding("z", "desk('size', 1)", "Next size preset", show=False, id="size.next"),
    Binding("Z", "desk('size', -1)", "Previous size preset", show=False, id="size.prev"),
]


class LadderKeys:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app

    def act(self, what: str, a: int = 0, b: int = 0) -> None:
        """The key action ``desk(what, a, b)``: on the ladder's instrument, or refused."""
        inst = self.app.screen_stack[0].query_one(Ladder).instrument
        if inst is None:
            self.app.cmdline.say("✗ not sent: no instrument on the ladder yet", False)
            return
        match what:
            case "flatten" | "reverse":
                self.close(inst, reverse=what == "reverse")
            case "cancel":
                self.cancel(inst, a)
            case "join":
                self.join(inst, a, b)
            case "size":
                self.cycle_size(inst, a)

    def close(self, inst: Instrument, reverse: bool) -> None:
        """Flatten (``F``) or reverse (``R``) the position, at the market, protected."""
        trading = self.app.trading

        def build(preview: bool) -> SubmitOrder | str:
            return trading.closing_order(inst, reverse, preview)

        self.app.order_keys.send_built(build)

    def cancel(self, inst: Instrument, side: int) -> None:
        """``X`` every working order of the instrument, ``B`` its buys, ``S`` its sells."""
        chosen = Side(side) if side else None
        which = {None: "orders", Side.BUY: "buys", Side.SELL: "sells"}[chosen]
        mine = [
            o
            for o in self.app.kernel.views.orders.orders.values()
            if o.instrument == inst.id and not o.is_terminal and chosen in (None, o.side)
        ]
        if not mine:
            self.app.cmdline.say(f"no working {inst.symbol} {which} to cancel", None)
            return
        self.app.order_keys.send(CancelAll(self.app.kernel.clock.timestamp_ns(), inst.id, chosen))

    def join(self, inst: Instrument, side: int, direction: int) -> None:
        """A limit order of the size preset at the touch of this moment, ``direction`` x N
        ticks in front of it (1) or behind it (-1)."""
        ticks = direction * self.app.kernel.settings.ui.join_ticks
        name = "buy" if side > 0 else "sell"
        ladder = self.app.screen_stack[0].query_one(Ladder)
        trading = self.app.trading

        def build(preview: bool) -> SubmitOrder | str:
            ladder.redraw()  # the touch of this moment, on screen before the order goes out
            price, why = ladder.touch_price(name, ticks)
            if price is None:
                return why
            return trading.limit_at(inst, Side(side), price, preview)

        self.app.order_keys.send_built(build)

    def cycle_size(self, inst: Instrument, step: int) -> None:
        """``z`` / ``Z``: the next / previous size preset, shown in the ladder's title."""
        lots = self.app.trading.sizes.cycle(inst.id, step)
        self.app.instrument_keys.show_title()
        self.app.cmdline.say(f"size {inst.format_qty(lots)} {inst.base} for {inst.symbol}", None)
