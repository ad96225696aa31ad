"""A synchronous in-process message bus with topics.

Topics are dotted strings, ``<kind>.<venue>.<symbol>`` for market data (``book.sim.SIM-BTC/USD``,
``trade.sim.SIM-BTC/USD``) and ``<kind>.<venue>`` or ``<kind>`` for the rest (``order.sim``,
``risk``, ``log``). A subscription pattern is an exact topic, a prefix ending in ``*``
(``book.*``), or ``*`` for everything (the recorder).

Delivery is synchronous and FIFO: a message published from inside a handler is queued and
delivered after the current message has reached all of its handlers, so every handler, the
recorder included, sees messages in sequence-number order. There is no asyncio task per message.

``with bus.batch():`` holds delivery until the block ends. A venue wraps each operation on its
exchange state (a match, a cancel) in a batch, so no subscriber can re-enter the venue while
that state is half-updated; the messages are then delivered in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Handler = Callable[[Any], None]


class MessageBus:
    __slots__ = ("seq", "topic", "_subs", "_cache", "_queue", "_dispatching", "on_handler_error")

    def __init__(self) -> None:
        self.seq = 0  # sequence number of the message being (or last) delivered
        self.topic = ""  # topic of the message being (or last) delivered (the recorder reads it)
        self._subs: list[tuple[str, Handler]] = []
        self._cache: dict[str, tuple[Handler, ...]] = {}
        self._queue: deque[tuple[str, Any]] = deque()
        self._dispatching = False
        self.on_handler_error: Callable[[str, Any, BaseException], None] | None = None

    def subscribe(self, pattern: str, handler: Handler) -> None:
        self._subs.append((pattern, handler))
        self._cache.clear()

    def unsubscribe(self, pattern: str, handler: Handler) -> None:
        self._subs.remove((pattern, handler))
        self._cache.clear()

    def handlers_for(self, topic: str) -> tuple[Handler, ...]:
        handlers = self._cache.get(topic)
        if handlers is None:
            handlers = tuple(h for p, h in self._subs if _matches(p, topic))
            self._cache[topic] = handlers
        return handlers

    def publish(self, topic: str, msg: Any) -> None:
        if self._dispatching:
            self._queue.append((topic, msg))
            return
        self._dispatching = True
        try:
            self._deliver(topic, msg)
            self._drain()
        finally:
            self._dispatching = False
            self._queue.clear()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Queue everything published inside the block; deliver it, in order, at the end."""
        if self._dispatching:  # already inside a delivery: the queue drains after it
            yield
            return
        self._dispatching = True
        try:
            yield
            self._drain()
        finally:
            self._dispatching = False
            self._queue.clear()

    def _drain(self) -> None:
        queue = self._queue
        while queue:
            self._deliver(*queue.popleft())

    def _deliver(self, topic: str, msg: Any) -> None:
        self.seq += 1
        self.topic = topic
        handlers = self._cache.get(topic)
        if handlers is None:
            handlers = self.handlers_for(topic)
        for handler in handlers:
            try:
                handler(msg)
            except Exception as exc:  # one faulty subscriber must not starve the others
                if self.on_handler_error is None:
                    raise
                self.on_handler_error(topic, msg, exc)


def _matches(pattern: str, topic: str) -> bool:
    if pattern == "*" or pattern == topic:
        return True
    return pattern.endswith("*") and topic.startswith(pattern[:-1])
