import asyncio
from decimal import Decimal

import pytest

from tests.helpers import run_fast
from tradeterm.config import load_settings
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app

# every pane and screen is drawn at these sizes: a laptop terminal, the design size, a big screen
SIZES = [(80, 24), (120, 40), (200, 60)]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.fixture
def seeded_app():
    """The workstation over a seeded simulated market, advanced 30 simulated seconds and then
    frozen: the engine does not run during the snapshot, so every frame is the same."""

    def make(seed: int = 7, seconds: float = 30.0):
        kernel = run_fast(seed=seed, seconds=seconds)
        return create_app(kernel, run_engine=False)

    return make


def trading_kernel(seed: int = 7, seconds: float = 30.0, mode: str = "paper") -> Kernel:
    """A seeded --fast session that traded: two fills (a position in each instrument) and three
    orders still working when it was frozen (``cancel_on_exit`` off, so they stay on screen)."""
    settings = load_settings(sim={"seed": seed}, session={"cancel_on_exit": False})
    kernel = Kernel(settings, RunOptions(mode="paper", fast=True, seconds=seconds, record=False))
    btc, eth = list(kernel.instruments.values())[:2]

    def trade(_ts: int) -> None:
        for inst, side, qty, away in (
            (btc, Side.BUY, "0.05", None),
            (eth, Side.SELL, "1.5", None),
            (btc, Side.BUY, "0.25", -40),
            (btc, Side.SELL, "0.1", 200),
            (eth, Side.BUY, "2", -80),
        ):
            book = kernel.views.books[inst.id]
            price = (
                (book.best_ask + 20 if side is Side.BUY else book.best_bid - 20)
                if away is None
                else (book.best_bid + away if side is Side.BUY else book.best_ask + away)
            )
            kernel.submit(
                SubmitOrder(
                    kernel.clock.timestamp_ns(),
                    kernel.next_order_id(),
                    inst.id,
                    side,
                    inst.qty_to_lots(qty),
                    price=price,
                )
            )

    kernel.clock.set_alert("snapshot.trade", kernel.clock.timestamp_ns() + 20 * 10**9, trade)
    asyncio.run(kernel.run())
    kernel.views.status.mode = mode.upper()  # the LIVE header is the same session, badged
    kernel.desk.killswitch.persist = None  # frozen: the store is closed; trips are shown only
    return kernel


def ledger_kernel(seed: int = 7, seconds: float = 30.0) -> Kernel:
    """``trading_kernel`` plus two fills injected into the frozen portfolio (the ledger's own
    ``with_fill`` / ``commit``; the simulated venue charges fees in the quote currency only): a
    BTC buy whose commission was paid in BTC (Binance spot's way: the base balance ends under
    the lots position) and an ETH sell whose fee was paid in BNB, which no instrument of the
    session prices (left out of PnL)."""
    kernel = trading_kernel(seed, seconds)
    btc, eth = list(kernel.instruments.values())[:2]
    pf, ts = kernel.desk.portfolio, kernel.clock.timestamp_ns()
    for n, (inst, side, qty, fee, currency) in enumerate(
        ((btc, Side.BUY, "0.02", "0.00002", "BTC"), (eth, Side.SELL, "0.5", "0.0031", "BNB"))
    ):
        book = kernel.views.books[inst.id]
        price = book.best_ask if side is Side.BUY else book.best_bid
        fill = OrderFilled(
            ts,
            ts,
            f"EXT-{n}",
            inst.id,
            f"V-EXT-{n}",
            f"LEDGER-{n}",
            side,
            price,
            inst.qty_to_lots(qty),
            Liquidity.TAKER,
            Decimal(fee),
            currency,
            0,
        )
        pf.commit(pf.with_fill(fill), ts)
        kernel.views.fills.append(fill)
    return kernel


@pytest.fixture
def ledger_app():
    def make():
        return create_app(ledger_kernel(), run_engine=False)

    return make


@pytest.fixture
def trading_app():
    def make(mode: str = "paper"):
        return create_app(trading_kernel(mode=mode), run_engine=False)

    return make
