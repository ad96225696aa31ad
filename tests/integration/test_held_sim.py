"""Held orders on the simulated market (paper --fast): a stop triggers on the sim's trades and
fills, a bracket's entry and exits trade there, and the kill switch cancels what is held."""

import asyncio

from tradeterm.config import load_settings
from tradeterm.core.clock import FAST_START_NS, NS
from tradeterm.domain.held import HeldState
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.trading.results import HeldPlaced

BTC = "sim:SIM-BTC/USD"


def run_with(at_s: float, seconds: int, act) -> Kernel:
    kernel = Kernel(load_settings(sim={"seed": 7}), RunOptions(fast=True, seconds=seconds))
    kernel.clock.set_alert("test.act", FAST_START_NS + int(at_s * NS), lambda _ts: act(kernel))
    asyncio.run(kernel.run())
    return kernel


def line(kernel: Kernel, text: str):
    from tradeterm.trading.orderentry import parse

    ctx = _context(kernel)
    result = kernel.desk.execute(parse(text, ctx))
    assert isinstance(result, HeldPlaced), result
    return result.held


def _context(kernel: Kernel):
    from tradeterm.trading.orderentry import EntryContext, Market

    views = kernel.views
    markets = {
        iid: Market(book.best_bid, book.best_ask, views.stats[iid].last_price)
        for iid, book in views.books.items()
    }
    insts = list(kernel.instruments.values())
    btc = kernel.instruments[BTC]
    return EntryContext(insts, btc, markets, {}, kernel.clock.timestamp_ns, kernel.next_order_id)


def test_a_stop_and_a_trailing_stop_trigger_and_fill_on_the_simulated_market():
    placed = {}

    def act(kernel: Kernel) -> None:
        placed["buy"] = line(kernel, "b 0.01 stop last+2t")
        placed["sell"] = line(kernel, "s 0.01 stop last-2t")
        placed["trail"] = line(kernel, "s 0.01 trail 4t")

    kernel = run_with(1, 30, act)
    records = {k: kernel.desk.held.emulator.book.get(h.held_id) or h for k, h in placed.items()}
    done = [h for h in records.values() if h.state is HeldState.DONE and h.filled == h.qty]
    assert len(done) == 3, records
    fills = {f.client_order_id for f in kernel.views.fills}
    assert {h.held_id for h in records.values()} <= fills
    assert not kernel.views.held.orders


def test_the_kill_switch_cancels_held_orders_in_a_session():
    placed = {}

    def act(kernel: Kernel) -> None:
        placed["stop"] = line(kernel, "s 0.01 stop last-400t")
        placed["bracket"] = line(kernel, "b 0.01 @ bid-300t tp +40t sl -20t")
        kernel.trip_kill_switch("test", source="key")

    kernel = run_with(1, 5, act)
    assert placed["stop"].state is HeldState.CANCELED
    assert placed["stop"].reason.startswith("KILL_SWITCH")
    assert placed["bracket"].state is HeldState.CANCELED
    assert not kernel.views.held.orders and not kernel.desk.oms.working


def test_a_brackets_entry_is_modified_in_place_on_a_venue_that_amends():
    """The sim amends an order in place (its id kept): the entry of a bracket moves and its
    bracket stands, its exits still held (on Binance or ccxt the modify is refused instead:
    tests/integration/venues/test_group_leg_modify.py)."""
    from tradeterm.domain.commands import ModifyOrder
    from tradeterm.trading.results import RequestSent

    placed, moved = {}, {}

    def act(kernel: Kernel) -> None:
        placed["bracket"] = line(kernel, "b 0.01 @ bid-300t tp +40t sl -20t")

    def move(kernel: Kernel) -> None:
        entry = kernel.desk.held.emulator.book.children(placed["bracket"].held_id)[0]
        price = kernel.desk.oms.working[entry.held_id].price - 1
        cmd = ModifyOrder(kernel.clock.timestamp_ns(), entry.held_id, BTC, price=price)
        moved["result"], moved["entry"], moved["price"] = kernel.desk.execute(cmd), entry, price

    kernel = Kernel(load_settings(sim={"seed": 7}), RunOptions(fast=True, seconds=5))
    kernel.clock.set_alert("test.act", FAST_START_NS + NS, lambda _ts: act(kernel))
    kernel.clock.set_alert("test.move", FAST_START_NS + 2 * NS, lambda _ts: move(kernel))
    kernel.clock.set_alert(
        "test.look",
        FAST_START_NS + 4 * NS,
        lambda _ts: moved.update(
            order=kernel.desk.oms.working.get(moved["entry"].held_id),
            group=kernel.desk.held.emulator.book.get(placed["bracket"].held_id),
        ),
    )
    asyncio.run(kernel.run())
    assert isinstance(moved["result"], RequestSent), moved["result"]
    assert moved["order"] is not None and moved["order"].price == moved["price"]
    assert moved["group"] is not None and not moved["group"].is_terminal
