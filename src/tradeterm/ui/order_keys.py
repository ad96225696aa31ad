"""Order entry from the workstation, composed into the app (``app.order_keys``): the command
line, the ladder's b / s and shift+up / shift+down, the ladder's mouse (its ``LadderTrader``),
the ticket, cancel all and the blotter's cancel. Every order goes through
``ui.trading.Trading`` (the engine's risk and OMS); LIVE (or the config) asks first. The app's
key actions only hand over to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tradeterm.domain.commands import (
    CancelAll,
    CancelOrder,
    HoldBracket,
    HoldOco,
    HoldOrder,
    SubmitOrder,
)
from tradeterm.domain.held import HeldOrder
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.trading.orderentry import Command, GrammarError
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.trading import Outcome
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.orders_blotter import OrdersBlotter

if TYPE_CHECKING:
    from tradeterm.ui.app import TradetermApp


class OrderKeys:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app

    def send_line(self, line: str, inst: Instrument | None = None) -> None:
        """A typed line (command line or ticket), parsed against the book at the moment it is
        sent: ``bid-10t`` is ten ticks under the bid when the order goes out, not when it was
        typed. With a confirmation, the dialog shows the price as the book moves and the line
        is parsed again when the trader says yes."""
        inst = inst or self.app.instruments[self.app.selected]
        try:
            cmd = self.app.trading.parse(line, inst, preview=True)
        except GrammarError as exc:
            self.app.cmdline.say(f"✗ {exc}", False, hint=": ↑ recalls the line")
            return
        if self.app.trading.needs_confirmation() and isinstance(
            cmd, SubmitOrder | HoldOrder | HoldOco | HoldBracket
        ):  # a held order is an order too

            def now() -> str:
                try:
                    trading = self.app.trading
                    order = trading.describe(trading.parse(line, inst, preview=True))
                except GrammarError as exc:
                    return f"✗ {exc}"
                return f"{order}\n(typed: {line}; priced again from the book when sent)"

            def answered(yes: bool | None) -> None:
                if yes:
                    self._send_parsed(line, inst)
                else:
                    self.app.cmdline.say("not sent", None)

            mode = self.app.kernel.views.status.mode
            self.app.push_screen(ConfirmScreen(f"Send this {mode} order?", now), answered)
            return
        self._send_parsed(line, inst)

    def _send_parsed(self, line: str, inst: Instrument) -> None:
        try:
            cmd = self.app.trading.parse(line, inst)  # the book now, and a real order id
        except GrammarError as exc:
            self.app.cmdline.say(f"✗ not sent: {exc}", False)
            return
        self._execute(cmd)

    def send(self, cmd: Command, confirm: bool | None = None) -> None:
        """Send a command, after a confirmation when the config (or LIVE) wants one."""
        ask = self.app.trading.needs_confirmation() if confirm is None else confirm
        if ask and isinstance(cmd, SubmitOrder):

            def answered(yes: bool | None) -> None:
                if yes:
                    self._execute(cmd)
                else:
                    self.app.cmdline.say("not sent", None)

            mode = self.app.kernel.views.status.mode
            self.app.push_screen(
                ConfirmScreen(f"Send this {mode} order?", self.app.trading.describe(cmd)), answered
            )
            return
        self._execute(cmd)

    def send_built(self, build: Callable[[bool], SubmitOrder | str]) -> None:
        """An order a key builds from the book and the position (flatten, reverse, join): built
        at the moment it is sent, so after a confirmation it is built again when the trader
        says yes (the dialog shows it as it would go out now). ``build(preview)`` gives the
        reason instead when there is nothing to send, shown as a refusal; a preview takes no
        order id."""
        if not self.app.trading.needs_confirmation():
            self._send_built(build)
            return
        order = build(True)
        if isinstance(order, str):
            self.app.cmdline.say(f"✗ not sent: {order}", False)
            return

        def now() -> str:
            order = build(True)
            return order if isinstance(order, str) else self.app.trading.describe(order)

        def answered(yes: bool | None) -> None:
            if yes:
                self._send_built(build)
            else:
                self.app.cmdline.say("not sent", None)

        mode = self.app.kernel.views.status.mode
        self.app.push_screen(ConfirmScreen(f"Send this {mode} order?", now), answered)

    def _send_built(self, build: Callable[[bool], SubmitOrder | str]) -> None:
        order = build(False)
        if isinstance(order, str):
            self.app.cmdline.say(f"✗ not sent: {order}", False)
            return
        self._execute(order)

    def _execute(self, cmd: Command) -> None:
        self.show_outcome(self.app.trading.execute(cmd))

    def show_outcome(self, outcome: Outcome) -> None:
        """The outcome on the message line: the venue's answers as they arrive, if it was sent."""
        if outcome.follow:
            self.app.cmdline.follow(outcome.follow, outcome.text)
        else:
            mark = "" if outcome.ok is None else "✓ " if outcome.ok else "✗ "
            self.app.cmdline.say(mark + outcome.text, outcome.ok, outcome.logged)
        self.app.refresh_views()

    def ladder_order(self, side: str) -> None:
        """b / s: a limit order at the price the ladder shows for it now (the cursor's row, else
        the touch); refused with the reason when there is none on screen."""
        ladder = self.app.query_one(Ladder)
        price, why = ladder.order_price(side)
        if price is None:
            self.app.cmdline.say(f"✗ not sent: {why}", False)
            return
        assert ladder.instrument is not None
        self.send(
            self.app.trading.limit_at(
                ladder.instrument, Side.BUY if side == "buy" else Side.SELL, price
            )
        )

    def order_at(self, inst: Instrument, side: Side, price: int) -> None:
        """A click in the ladder's bid / ask column: a limit of the size preset at the row's
        price, for the instrument on screen, exactly as b / s at a cursor on that row (a
        price through the other side goes as a marketable limit, as the keys send it)."""
        self.send(self.app.trading.limit_at(inst, side, price))

    def move_to(self, order: Order, price: int) -> None:
        """An order dragged (or picked up and dropped) to a ladder row: the modify that
        shift+up / shift+down send, to the row's price."""
        assert order.price is not None
        self.show_outcome(self.app.trading.move(order, price - order.price))
        self.app.query_one(Ladder).redraw()

    def say(self, text: str, ok: bool | None) -> None:
        self.app.cmdline.say(text, ok)

    async def ticket(self) -> None:
        """``t``: the ticket, opened before the app reads the next key (so what is typed
        straight after ``t`` is the ticket's line: ``ui/typed_keys.py``)."""
        from tradeterm.ui.screens.ticket import TicketScreen

        inst = self.app.instruments[self.app.selected]
        ladder = self.app.query_one(Ladder)
        price = ladder.cursor if ladder.cursor is not None else ladder.cursor_or_touch("buy")
        size = inst.format_qty(self.app.trading.default_lots(inst))
        line = f"b {size} @ {inst.format_price(price)}" if price is not None else f"b {size} "

        def chosen(line: str | None) -> None:
            if line:
                self.send_line(line, inst)  # parsed again now: the book when it is sent

        await self.app.push_screen(TicketScreen(self.app.trading, inst, line), chosen)

    def move_order(self, rows: int) -> None:
        """shift+up / shift+down: move one of our orders on the ladder's instrument one row (a
        tick when prices are not grouped): the one in the cursor's row (the cursor follows it),
        else the blotter's selected order if it is on this instrument and on screen; never an
        order of another instrument."""
        ladder = self.app.query_one(Ladder)
        inst = ladder.instrument
        if inst is None:
            return
        order = ladder.order_at_cursor()
        at_cursor = order is not None
        if order is None:
            blotter = self.app.query_one(OrdersBlotter)
            chosen = blotter.selected()
            mine = ladder.working_orders()
            if (
                chosen is not None
                and chosen.instrument == inst.id
                and (ladder.shows(chosen) or blotter.region.area)
            ):
                order = chosen
            elif not mine:
                other = (
                    f" (the selected {chosen.client_order_id} is not {inst.symbol})"
                    if chosen is not None
                    else ""
                )
                self.app.cmdline.say(f"✗ no working {inst.symbol} order to move{other}", False)
                return
            else:
                self.app.cmdline.say(
                    f"✗ which {inst.symbol} order? put the ladder cursor on its "
                    f"row (up / down) or select it in the orders blotter (Tab, then up / down)",
                    False,
                )
                return
        ticks = rows * ladder.view.group
        outcome = self.app.trading.move(order, ticks)
        if outcome.ok is not False and at_cursor:  # sent (the answer follows) or done
            ladder.view.follow_order(ticks)
        self.show_outcome(outcome)  # the venue's answer follows on the message line
        ladder.redraw()

    def cancel_all(self) -> None:
        self._execute(CancelAll(self.app.kernel.clock.timestamp_ns()))

    def cancel(self, order: Order | HeldOrder) -> None:
        """The blotter's cancel of the order (or held order) it has selected."""
        coid = order.client_order_id if isinstance(order, Order) else order.held_id
        self._execute(CancelOrder(self.app.kernel.clock.timestamp_ns(), coid, order.instrument))
