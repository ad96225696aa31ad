"""The quoter trading the embedded simulated market (fast, seeded) through a stand-in gateway.

Until the OMS binds the real gateway, ``DirectGateway`` plays its part: it turns the quoter's
commands into orders at the simulated venue. The venue reports fills from inside its matching
loop, so this also proves the quoter never re-enters the venue from an order event.
"""

import asyncio

from tradeterm.config import QuoterConfig, load_settings
from tradeterm.core import topics
from tradeterm.domain.events import OrderAccepted, OrderFilled
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.quoter.component import Quoter


class DirectGateway:
    """Commands straight to the venue; a modify is a cancel (the quoter then re-quotes)."""

    def __init__(self, kernel: Kernel) -> None:
        self.venue = kernel.execution
        self.orders: dict[str, Order] = {}
        self.crossing_submits = 0
        self.books = kernel.views.books
        kernel.bus.subscribe(topics.orders(self.venue.name), self._on_event)

    def _on_event(self, msg) -> None:
        order = self.orders.get(getattr(msg, "client_order_id", ""))
        if order is not None and isinstance(msg, OrderAccepted):
            order.venue_order_id = msg.venue_order_id

    def submit(self, cmd) -> None:
        book = self.books[cmd.instrument]
        if (cmd.side is Side.BUY and cmd.price >= book.best_ask) or (
            cmd.side is Side.SELL and cmd.price <= book.best_bid
        ):
            self.crossing_submits += 1
        order = Order(
            cmd.client_order_id,
            cmd.instrument,
            cmd.side,
            cmd.qty,
            price=cmd.price,
            post_only=cmd.post_only,
        )
        self.orders[cmd.client_order_id] = order
        self.venue.submit_order(order)

    def cancel(self, cmd) -> None:
        order = self.orders.get(cmd.client_order_id)
        if order is not None and order.venue_order_id is not None:
            self.venue.cancel_order(order)

    def modify(self, cmd) -> None:
        self.cancel(cmd)


def test_quoter_trades_the_simulated_market_inside_its_limits():
    settings = load_settings(sim={"seed": 11})
    kernel = Kernel(settings, RunOptions(mode="paper", fast=True, seconds=90.0))
    inst = next(i for i in kernel.instruments.values() if i.symbol == "SIM-BTC/USD")
    gateway = DirectGateway(kernel)
    config = QuoterConfig(
        enabled=True,
        gamma=0.5,
        order_size="0.0004",
        max_position="0.0012",
        levels=2,
        warmup_bars=20,
        warmup_sweeps=20,
    )
    quoter = Quoter(
        kernel.bus,
        kernel.clock,
        inst,
        kernel.views.books[inst.id],
        kernel.views.status,
        gateway,
        config,
    )
    position = [0, 0]  # current, worst |position|

    def on_fill(msg) -> None:
        if isinstance(msg, OrderFilled) and msg.instrument == inst.id:
            position[0] += int(msg.side) * msg.qty
            position[1] = max(position[1], abs(position[0]))

    kernel.bus.subscribe(topics.orders("sim"), on_fill)

    async def run() -> None:
        quoter.start()
        await kernel.run()

    asyncio.run(run())
    view = quoter.view
    assert view.state == "QUOTING", view.reason
    assert view.fills > 20 and view.submits > 20
    assert position[1] <= 12  # max_position 0.0012 = 12 lots: never passed
    assert view.inventory == position[0]
    assert gateway.crossing_submits == 0  # post-only: never priced through the opposite best
    assert view.sigma > 0 and view.k > 0 and view.A > 0 and view.estimated == "sigma,k,A"
    assert view.bids and view.asks
    assert view.bids[0][0] < view.asks[0][0]
