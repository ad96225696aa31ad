"""A ccxt exchange whose every call runs in a Decimal context of its own.

ccxt's ``decimal_to_precision`` mutates the current Decimal context (``ROUND_HALF_UP``, traps
``Underflow``): on an order's price and amount, and in ccxt.pro's handling of streamed trades,
which runs in tasks started by the watch call. ``FencedExchange`` calls every method of the
exchange inside ``core.decimals.fenced()``, the ``await`` of an async one included, so ccxt and
the tasks it starts work in a copy, and the engine's context (and its money arithmetic) is never
touched. Attributes (``has``, ``markets``, ``urls``, ccxt.pro's caches) are the exchange's own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from tradeterm.core.decimals import fenced


class FencedExchange:
    """Wraps a ccxt exchange object; reads and writes of attributes go through to it."""

    __slots__ = ("_exchange",)

    def __init__(self, exchange: Any) -> None:
        object.__setattr__(self, "_exchange", exchange)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._exchange, name)
        if inspect.ismethod(value) or inspect.isfunction(value):
            return fenced_call(value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._exchange, name, value)

    def __repr__(self) -> str:
        return f"FencedExchange({self._exchange!r})"


def fenced_call(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` run in a fenced Decimal context; an awaitable result is awaited in one too
    (that is where an async method does its work)."""

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with fenced():
            result = method(*args, **kwargs)
        return _awaited(result) if inspect.isawaitable(result) else result

    return call


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    with fenced():
        return await awaitable
