"""The engine's Decimal context, set explicitly, and a fence around code that changes its own.

Decimal arithmetic that is not given a context (``a / b``, ``quantize`` without ``rounding``,
``format(d, ".2f")``) uses the current one: a context variable, so each asyncio task has its
own *variable*, but a task starts with the value its creator had, the same ``Context`` object.
A library that mutates ``decimal.getcontext()`` in place therefore changes it for every task
that shares it: ccxt does (``decimal_to_precision`` sets ``ROUND_HALF_UP`` and traps
``Underflow``; called to format an order's price and amount, and by ccxt.pro's binance parsing
a streamed trade), which made the engine round half up after a ccxt session's first order.

* ``use_engine_context()``: the kernel sets a context of its own at start (precision 28,
  ``ROUND_HALF_EVEN``, traps ``InvalidOperation``, ``DivisionByZero``, ``Overflow``: Python's
  defaults, so figures are as before), not the one the process happened to share.
* ``fenced()``: a call into such a library runs in a fresh copy of that context, so what it sets
  stays in the copy (``venues/ccxt_fence.py`` wraps every call into ccxt).

Money itself does not rely on the context: sums are exact (``portfolio/fees.MONEY``) and every
rounding to a money grid names its rounding (``docs/DESIGN.md``, "Money").
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, Context, DivisionByZero, InvalidOperation, Overflow

ENGINE = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


def engine_context() -> Context:
    """A fresh copy of the engine's context (copies: a context is mutable)."""
    return ENGINE.copy()


def use_engine_context() -> None:
    """Make the engine's context the current one, for this task and the tasks it starts."""
    decimal.setcontext(engine_context())


@contextmanager
def fenced() -> Iterator[Context]:
    """Run the body in a copy of the engine's context; whatever the body sets in it is gone on
    exit (the current context is restored). Around an ``await``, the copy is the awaiting
    task's alone, and the tasks the body starts inherit it, not the engine's."""
    with decimal.localcontext(engine_context()) as ctx:
        yield ctx
