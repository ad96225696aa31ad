"""The mouse on the ladder: a press and a release read against the frame the ladder drew
(``ladder_click``), and what they mean handed to the trader (the app's order keys: the same
orders, confirmation and engine path as the keys). The wheel is the ladder's own (it scrolls).

Nothing acts on what the trader cannot see: a cell that is not on a price row of the frame on
screen, for the instrument on screen, is no hit; an order picked up or pressed on is looked up
again when the button comes up, and only if it is still working on the ladder's instrument.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual import events

from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.ui.widgets.ladder_click import (
    Cancel,
    Centre,
    Column,
    Gesture,
    Hit,
    Intent,
    Limit,
    Move,
    Pick,
    hit,
)

if TYPE_CHECKING:
    from tradeterm.ui.widgets.ladder import Ladder

LEFT, RIGHT = 1, 3


class LadderTrader(Protocol):
    """What the ladder's mouse asks of the workstation (``ui.order_keys.OrderKeys``)."""

    def order_at(self, inst: Instrument, side: Side, price: int) -> None: ...
    def cancel(self, order: Order) -> None: ...
    def move_to(self, order: Order, price: int) -> None: ...
    def say(self, text: str, ok: bool | None) -> None: ...


class LadderMouse:
    def __init__(self, ladder: Ladder, trader: LadderTrader | None) -> None:
        self.ladder, self.trader = ladder, trader
        self.gesture = Gesture()

    def reset(self) -> None:
        """Another instrument on the ladder: nothing pressed, nothing picked up."""
        self.gesture = Gesture()

    def where(self, event: events.MouseEvent) -> Hit | None:
        """The column and price under the pointer on the frame on screen, or None."""
        ladder = self.ladder
        offset = event.get_content_offset(ladder)
        drawn, inst = ladder.drawn, ladder.instrument
        if offset is None or drawn is None or inst is None or drawn.instrument != inst.id:
            return None
        return hit(drawn, offset.x, offset.y)

    def down(self, event: events.MouseDown) -> None:
        if self.trader is None or event.button not in (LEFT, RIGHT):
            return
        where = self.where(event)
        order = None
        if where is not None and where.column is Column.OWN:
            order = self.ladder.order_in_row(where.price, where.side)
        pick = event.button == RIGHT or event.ctrl
        self.gesture.press(where, order.client_order_id if order else None, pick)
        if order is not None:
            self.ladder.capture_mouse()  # a drag released off the ladder still ends here

    def up(self, event: events.MouseUp) -> None:
        self.ladder.release_mouse()
        if self.trader is not None:
            self.act(self.trader, self.gesture.release(self.where(event)))

    def cancel_at_cursor(self) -> None:
        """``x``: cancel the order in the cursor's row, as a click on it does."""
        ladder, trader = self.ladder, self.trader
        order, inst = ladder.order_at_cursor(), ladder.instrument
        if trader is None or inst is None:
            return
        if order is None:
            trader.say(f"✗ no working {inst.symbol} order in the cursor's row", False)
        else:
            trader.cancel(order)

    def act(self, trader: LadderTrader, intent: Intent | None) -> None:
        ladder, inst = self.ladder, self.ladder.instrument
        if intent is None or inst is None:
            return
        if isinstance(intent, Limit):
            trader.order_at(inst, Side(intent.side), intent.price)
            return
        if isinstance(intent, Centre):
            ladder.action_recentre()
            return
        order = ladder.own.orders.get(intent.order_id)
        if order is None or order.is_terminal or order.instrument != inst.id:
            trader.say(f"✗ {intent.order_id} is no longer working on {inst.symbol}", False)
            return
        match intent:
            case Cancel():
                trader.cancel(order)
            case Move(price=price) if ladder.row_of(order) != price:
                trader.move_to(order, price)
            case Pick():
                trader.say(
                    f"{order.client_order_id} picked up: click a price to move it there "
                    "(a click anywhere else drops it)",
                    None,
                )
