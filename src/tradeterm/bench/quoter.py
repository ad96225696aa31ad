"""Quoter figures: the cost of a requote per book event, and the study's vectorised speed."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from tradeterm.bench.registry import Figure, benchmark

NS = 1_000_000_000


class _AckingGateway:
    """Accepts every order at once, like a venue that answers synchronously."""

    def __init__(self, bus: object, topic: str) -> None:
        self.bus, self.topic = bus, topic

    def submit(self, command: object) -> None:
        from tradeterm.domain.events import OrderAccepted

        c: Any = command
        self.bus.publish(  # type: ignore[attr-defined]
            self.topic,
            OrderAccepted(c.ts, c.ts, c.client_order_id, c.instrument, "v"),
        )

    def cancel(self, command: object) -> None: ...

    def modify(self, command: object) -> None:
        from tradeterm.domain.events import OrderModified

        c: Any = command
        self.bus.publish(  # type: ignore[attr-defined]
            self.topic,
            OrderModified(c.ts, c.ts, c.client_order_id, c.instrument, c.price, c.qty),
        )


@benchmark("quoter.requote")
def requote_rate(quick: bool) -> Figure:
    """Full requotes a second (model, ladder, plan, view) with quotes working, beside the rate
    at which the L2 book applies the one-level delta that triggers a requote."""
    from tradeterm.book.keeper import MarketDataKeeper
    from tradeterm.book.l2 import L2Book
    from tradeterm.config import QuoterConfig
    from tradeterm.core import topics
    from tradeterm.core.bus import MessageBus
    from tradeterm.core.clock import SimClock
    from tradeterm.core.views import EngineViews, StatusView
    from tradeterm.domain.instruments import Instrument
    from tradeterm.domain.market import BookDelta, BookSnapshot
    from tradeterm.quoter.component import Quoter

    inst = Instrument(
        "bench", "BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"), Decimal(5)
    )
    bus, clock = MessageBus(), SimClock(1_767_225_600 * NS)
    views = EngineViews(StatusView(mode="PAPER", venue="bench"))
    MarketDataKeeper(bus, views, [inst])
    snap = BookSnapshot(
        inst.id,
        [(120_000 - i, 500) for i in range(20)],
        [(120_004 + i, 500) for i in range(20)],
        1,
        clock.timestamp_ns(),
        clock.timestamp_ns(),
    )
    gateway = _AckingGateway(bus, topics.orders(inst.venue))
    quoter = Quoter(
        bus,
        clock,
        inst,
        views.books[inst.id],
        views.status,
        gateway,
        QuoterConfig(
            enabled=True,
            sigma=8.0,
            k=2.0,
            A=150.0,
            order_size=Decimal("0.001"),
            levels=2,
            requote_ticks=3,
        ),
    )
    bus.publish(topics.book(inst.id), snap)
    quoter.start()
    clock.advance_to(clock.timestamp_ns())  # the acknowledgements: four quotes now working
    if len(quoter.working) != 4 or quoter.view.state != "QUOTING":
        raise RuntimeError(f"bench set-up is not quoting: {quoter.view.reason}")
    n = 2_000 if quick else 50_000
    started = time.perf_counter()
    for _ in range(n):
        quoter.requote()
    value = n / (time.perf_counter() - started)

    book = L2Book(inst.id)
    book.apply_snapshot(snap)
    deltas = [
        BookDelta(inst.id, [(119_990, 100 + (i & 7))], [], 2 + i, 2 + i, 0, 0) for i in range(n)
    ]
    started = time.perf_counter()
    for delta in deltas:
        book.apply_delta(delta)
    reference = n / (time.perf_counter() - started)
    return Figure(
        "quoter.requote",
        value,
        "requotes/s",
        "L2Book.apply_delta of a one-level delta, same process",
        reference,
        higher_is_better=True,
        note="only top-of-book changes (and fills, timer ticks) trigger a requote",
    )


@benchmark("quoter.study")
def study_rate(quick: bool) -> Figure:
    """Path-steps a second of the Avellaneda-Stoikov study with numpy across paths, beside the
    same ``compute_quotes`` called one path at a time on plain floats."""
    import numpy as np

    from tradeterm.quoter.model import MarketState, QuoteParams, compute_quotes

    params = QuoteParams(
        model="avellaneda_stoikov",
        gamma=1e-5,
        sigma=2e4,
        k=1.5e-4,
        A=140.0,
        min_spread_ticks=0.0,
        post_only=False,
    )
    paths, steps = (200, 50) if quick else (1000, 200)
    rng = np.random.default_rng(0)
    mid = np.full(paths, 1e6)
    q = rng.integers(-5, 6, paths).astype(float)
    started = time.perf_counter()
    for step in range(steps):
        compute_quotes(MarketState(mid, q, time_left_s=1.0 - step * 0.005), params)
    value = paths * steps / (time.perf_counter() - started)
    scalar_paths = 20 if quick else 100
    started = time.perf_counter()
    for step in range(steps):
        for i in range(scalar_paths):
            compute_quotes(MarketState(1e6, float(q[i]), time_left_s=1.0 - step * 0.005), params)
    reference = scalar_paths * steps / (time.perf_counter() - started)
    return Figure(
        "quoter.study",
        value,
        "path-steps/s",
        "the same compute_quotes one path at a time on floats",
        reference,
        higher_is_better=True,
    )
