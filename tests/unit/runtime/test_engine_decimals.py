"""The kernel computes in its own Decimal context (``core/decimals.py``), not in whatever the
process's context had become before the session started."""

import asyncio
import decimal
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from tradeterm.config import load_settings
from tradeterm.core import topics
from tradeterm.core.decimals import ENGINE, fenced
from tradeterm.runtime.kernel import Kernel, RunOptions


def _decimals_here() -> tuple[str, bool, int, str]:
    ctx = decimal.getcontext()
    return ctx.rounding, ctx.traps[decimal.Underflow], ctx.prec, f"{Decimal('0.125'):.2f}"


async def test_the_engine_rounds_half_even_whatever_context_it_was_started_from():
    with decimal.localcontext() as ctx:  # as a library might have left the process's context
        ctx.rounding, ctx.prec = ROUND_HALF_UP, 12
        ctx.traps[decimal.Underflow] = True
        kernel = Kernel(
            load_settings(sim={"seed": 3}),
            RunOptions(mode="paper", fast=True, seconds=2, record=False),
        )
        seen: list[tuple[str, bool, int, str]] = []
        inst = next(iter(kernel.instruments))
        kernel.bus.subscribe(topics.book(inst), lambda _b: seen.append(_decimals_here()))
        await asyncio.create_task(kernel.run())
        assert seen and set(seen) == {(ROUND_HALF_EVEN, False, 28, "0.12")}
        assert _decimals_here() == (ROUND_HALF_UP, True, 12, "0.13")  # the starter's: its own


def test_a_fenced_body_leaves_the_current_context_as_it_was():
    with decimal.localcontext(ENGINE.copy()):
        with fenced() as inner:
            inner.rounding = ROUND_HALF_UP
            inner.traps[decimal.Underflow] = True
            assert f"{Decimal('0.125'):.2f}" == "0.13"
        assert _decimals_here() == (ROUND_HALF_EVEN, False, 28, "0.12")
