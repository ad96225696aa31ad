"""The ccxt fence: whatever a ccxt call does to the Decimal context (``decimal_to_precision``
sets ROUND_HALF_UP and traps Underflow), in the call, after its await, or in a task it started,
stays out of the caller's context."""

import asyncio
import decimal
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP

from tradeterm.venues.ccxt_fence import FencedExchange


def _as_ccxt_does() -> None:
    ctx = decimal.getcontext()
    ctx.traps[decimal.Underflow] = True
    ctx.rounding = ROUND_HALF_UP


class _Exchange:
    """Shaped like a ccxt.pro exchange: a sync method, an async one, and an async one whose
    work goes on in a task it starts (ccxt.pro's stream handling)."""

    def __init__(self) -> None:
        self.has = {"watchOrders": True}
        self.background: asyncio.Task[None] | None = None

    def price_to_precision(self, _symbol: str, price: float) -> str:
        _as_ccxt_does()
        return f"{price:.2f}"

    async def create_order(self) -> dict[str, str]:
        await asyncio.sleep(0)
        _as_ccxt_does()
        return {"status": "open"}

    async def watch_orders(self) -> str:
        async def handle() -> None:
            await asyncio.sleep(0.01)
            _as_ccxt_does()

        self.background = asyncio.create_task(handle())
        await asyncio.sleep(0)
        return "watching"


def _untouched() -> bool:
    ctx = decimal.getcontext()
    return ctx.rounding == ROUND_HALF_EVEN and not ctx.traps[decimal.Underflow]


async def test_no_call_through_the_fence_changes_the_callers_decimal_context():
    with decimal.localcontext():  # the test's own, whatever happens
        raw = _Exchange()
        exchange = FencedExchange(raw)
        assert exchange.price_to_precision("BTC/USDT", 1.005) == "1.00"
        assert await exchange.create_order() == {"status": "open"}
        assert await exchange.watch_orders() == "watching"
        assert raw.background is not None
        await raw.background  # the started task did its mutation: in the fence's copy
        assert _untouched()
        assert exchange.has is raw.has  # attributes are the exchange's own
        exchange.rateLimit = 50
        assert raw.rateLimit == 50


async def test_the_same_calls_unfenced_change_it():
    """The fixture's methods do change the context they are called in (the test above means
    something)."""
    with decimal.localcontext():
        raw = _Exchange()
        await raw.create_order()
        assert not _untouched()
