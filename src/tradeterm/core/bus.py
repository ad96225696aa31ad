"""A synchronous in-process message bus with topics.

Topics are dotted strings, ``<kind>.<venue>.<symbol>`` for market data (``book.sim.SIM-BTC/USD``,
``trade.sim.SIM-BTC/USD``) and ``<kind>.<venue>`` or ``<kind>`` for the rest (``order.sim``,
``risk``, ``log``). A subscription pattern is an exact topic, a prefix ending in ``*``
(``book.*``), or ``*`` for everything (the recorder).

Delivery is synchronous and FIFO: a message published from inside a handler is queued and
delivered after the current message has reached all of its handlers, so every handler, the
recorder included, sees messages in sequence-number order. There is no asyncio task per message.

A handler that raises does not stop the others. Without ``on_handler_error`` the exception
propagates (tests, tools); the kernel sets it and fails safe: an *essential* handler (the
default: anything that keeps order, position or risk state, or acts on it) halts trading, a
handler subscribed with ``essential=False`` (the screen's views, the journal: nothing trades on
what they keep) is only logged.

``with bus.batch():`` holds delivery until the block ends. A venue wraps each operation on its
exchange state (a match, a cancel) in a batch, so no subscriber can re-enter the venue while
that state is half-updated; the messages are then delivered in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], None]
#: on_handler_error(topic, message, exception, handler, essential)
ErrorHook = Callable[[str, Any, Exception, Handler, bool], None]


def handler_name(handler: Any) -> str:
    """``Class.method`` of a bound method, else the function's qualified name: the component
    named in an error."""
    owner = getattr(handler, "__self__", None)
    name = getattr(handler, "__name__", None) or type(handler).__name__
    if owner is not None and not isinstance(owner, type):
        return f"{type(owner).__name__}.{name}"
    return getattr(handler, "__qualname__", None) or name


class MessageBus:
    __slots__ = (
        "seq",
        "topic",
        "generation",
        "_subs",
        "_cache",
        "_queue",
        "_dispatching",
        "_not_essential",
        "_batch",
        "on_handler_error",
    )

    def __init__(self) -> None:
        self.seq = 0  # sequence number of the message being (or last) delivered
        self.topic = ""  # topic of the message being (or last) delivered (the recorder reads it)
        self.generation = 0  # counts changes of the subscriptions (who reads a topic)
        self._subs: list[tuple[str, Handler]] = []
        self._cache: dict[str, tuple[Handler, ...]] = {}
        self._queue: deque[tuple[str, Any]] = deque()
        self._dispatching = False
        self._not_essential: set[Handler] = set()
        self.on_handler_error: ErrorHook | None = None
        self._batch = Batch(self)

    def subscribe(self, pattern: str, handler: Handler, essential: bool = True) -> None:
        """``essential=False``: the handler only keeps something to look at (a view, the
        journal); its failure is logged and never halts trading."""
        self._subs.append((pattern, handler))
        if not essential:
            self._not_essential.add(handler)
        self._cache.clear()
        self.generation += 1

    def unsubscribe(self, pattern: str, handler: Handler) -> None:
        self._subs.remove((pattern, handler))
        if not any(h == handler for _, h in self._subs):
            self._not_essential.discard(handler)
        self._cache.clear()
        self.generation += 1

    def handlers_for(self, topic: str) -> tuple[Handler, ...]:
        handlers = self._cache.get(topic)
        if handlers is None:
            handlers = tuple(h for p, h in self._subs if _matches(p, topic))
            self._cache[topic] = handlers
        return handlers

    def pass_over(self, topic: str, count: int) -> None:
        """Count ``count`` messages on ``topic`` as delivered without handing them to anyone:
        the replayer's records that only the recorder reads, which it notes in bulk
        (``handlers_for`` said who reads them; only outside a delivery)."""
        self.seq += count
        self.topic = topic

    def publish(self, topic: str, msg: Any) -> None:
        if self._dispatching:
            self._queue.append((topic, msg))
            return
        self._dispatching = True
        try:
            self._deliver(topic, msg)
            if self._queue:
                self._drain()
        finally:
            self._dispatching = False
            self._queue.clear()

    def batch(self) -> Batch:
        """Queue everything published inside the block; deliver it, in order, at the end."""
        return self._batch

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
                self.on_handler_error(topic, msg, exc, handler, handler not in self._not_essential)


class Batch:
    """``with bus.batch():``, one reusable slotted object per bus (a simulated market enters
    ~1M batches a run; a generator context manager cost a generator and a frame each). A batch
    entered while the bus is already dispatching (inside a delivery, or inside another batch)
    holds nothing of its own: the outer delivery drains the queue. Exits pair with entries in
    reverse order, so a count of those nested entries is all the state there is."""

    __slots__ = ("_bus", "_nested")

    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus
        self._nested = 0

    def __enter__(self) -> None:
        bus = self._bus
        if bus._dispatching:
            self._nested += 1
        else:
            bus._dispatching = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._nested:
            self._nested -= 1
            return
        bus = self._bus
        try:
            if exc_type is None:
                bus._drain()
        finally:
            bus._dispatching = False
            bus._queue.clear()


def _matches(pattern: str, topic: str) -> bool:
    if pattern == "*" or pattern == topic:
        return True
    return pattern.endswith("*") and topic.startswith(pattern[:-1])
