"""Paper orders, the fill model's settings and what a paper book reports (see paper_fills.py)."""

from __future__ import annotations

from dataclasses import dataclass

from tradeterm.matching.orders import GTC, LIMIT

MODELS = ("queue", "trade-through", "touch")


@dataclass(frozen=True, slots=True)
class FillModel:
    """How paper orders fill. ``latency_ns``/``jitter_ns`` are applied by the paper venue."""

    model: str = "queue"
    latency_ns: int = 0
    jitter_ns: int = 0
    cancels_ahead: float = 0.0  # share of non-trade level decreases assumed ahead of us
    post_only_slide: bool = False

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"fill model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if not 0.0 <= self.cancels_ahead <= 1.0:
            raise ValueError("cancels_ahead must be between 0 and 1")
        if self.latency_ns < 0 or self.jitter_ns < 0:
            raise ValueError("latency must not be negative")


class PaperOrder:
    """One paper order. ``price`` None = market; stops wait with ``trigger`` until triggered."""

    __slots__ = ("order_id", "side", "qty", "leaves", "price", "kind", "tif", "post_only",
                 "reduce_only", "display", "trigger", "expire_ns", "queue_ahead", "slice_left",
                 "seq", "working")

    def __init__(self, order_id: int, side: int, qty: int, price: int | None, kind: int = LIMIT,
                 tif: int = GTC, post_only: bool = False, reduce_only: bool = False,
                 display: int = 0, trigger: int | None = None,
                 expire_ns: int | None = None) -> None:
        self.order_id = order_id
        self.side = side
        self.qty = qty
        self.leaves = qty
        self.price = price
        self.kind = kind
        self.tif = tif
        self.post_only = post_only
        self.reduce_only = reduce_only
        self.display = display  # iceberg: each slice queues anew
        self.trigger = trigger
        self.expire_ns = expire_ns
        self.queue_ahead = 0
        self.slice_left = 0  # iceberg: lots left in the current visible slice
        self.seq = 0
        self.working = False  # resting in the (virtual) book


class PaperListener:
    """What the paper book reports; ``venues.paper`` turns it into order events."""

    def accepted(self, order: PaperOrder) -> None: ...
    def rejected(self, order: PaperOrder, reason: str, message: str) -> None: ...
    def filled(self, order: PaperOrder, price: int, qty: int, maker: bool, note: str) -> None: ...
    def canceled(self, order: PaperOrder, reason: str) -> None: ...
    def expired(self, order: PaperOrder) -> None: ...
    def triggered(self, order: PaperOrder) -> None: ...
    def modified(self, order: PaperOrder) -> None: ...
