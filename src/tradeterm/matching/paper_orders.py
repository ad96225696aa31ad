"""Paper orders, the fill model's settings and what a paper book reports (see paper_fills.py)."""

from __future__ import annotations

from dataclasses import dataclass

from tradeterm.matching.orders import (
    FOK,
    GTC,
    GTD,
    INVALID_DISPLAY_QTY,
    INVALID_EXPIRE_TIME,
    INVALID_PRICE,
    INVALID_QUANTITY,
    INVALID_TRIGGER_PRICE,
    IOC,
    LIMIT,
    MARKET,
    STOP_LIMIT,
    STOP_MARKET,
    UNSUPPORTED_COMBINATION,
)

MODELS = ("queue", "trade-through", "touch")


@dataclass(frozen=True, slots=True)
class FillModel:
    """How paper orders fill. ``latency_ns``/``jitter_ns`` are applied by the paper venue.

    ``model``:

    ``queue`` (default, honest): trades at its price shrink the queue ahead; once the queue
    ahead is exhausted the rest of a trade's size fills it ("queue ahead exhausted by trade
    3735683259"). A trade through its price fills it up to the trade's size ("traded through
    61837.63"); so does the opposite side's quote reaching its price. Size removed from its
    level without a trade is assumed to have been behind it (``cancels_ahead = 0``,
    conservative) or, with ``cancels_ahead`` = f, to have been ahead of it in share f; the
    queue ahead can never exceed what the level shows.
    ``trade-through``: fills only when the market trades (or quotes) strictly through its
    price, up to the traded size; trades at its price never fill it.
    ``touch`` (optimistic, what many tools do): fills completely the moment a trade prints at
    its price or the opposite quote reaches it.
    """

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

    __slots__ = (
        "order_id",
        "side",
        "qty",
        "leaves",
        "price",
        "kind",
        "tif",
        "post_only",
        "reduce_only",
        "display",
        "trigger",
        "expire_ns",
        "queue_ahead",
        "slice_left",
        "seq",
        "working",
        "basis_ts",
    )

    def __init__(
        self,
        order_id: int,
        side: int,
        qty: int,
        price: int | None,
        kind: int = LIMIT,
        tif: int = GTC,
        post_only: bool = False,
        reduce_only: bool = False,
        display: int = 0,
        trigger: int | None = None,
        expire_ns: int | None = None,
    ) -> None:
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
        self.basis_ts = -1  # trades at its price up to this ts are already out of queue_ahead


def validate(order: PaperOrder) -> tuple[str, str]:
    """The reject reason and message for a paper order, or ("", "")."""
    if order.qty <= 0:
        return INVALID_QUANTITY, "quantity must be positive"
    if order.kind in (LIMIT, STOP_LIMIT) and (order.price is None or order.price <= 0):
        return INVALID_PRICE, "a limit order needs a positive price"
    if order.kind in (STOP_MARKET, STOP_LIMIT) and not order.trigger:
        return INVALID_TRIGGER_PRICE, "a stop order needs a trigger price"
    if (
        (order.display and order.kind in (MARKET, STOP_MARKET))
        or (order.post_only and order.kind != LIMIT)
        or ((order.post_only or order.display) and order.tif in (IOC, FOK))
    ):
        return UNSUPPORTED_COMBINATION, "post-only and iceberg orders must be able to rest"
    if order.display and not 0 < order.display <= order.qty:
        return INVALID_DISPLAY_QTY, "display size must be between 1 lot and the quantity"
    if order.tif == GTD and order.expire_ns is None:
        return INVALID_EXPIRE_TIME, "a GTD order needs an expiry time"
    return "", ""


class PaperListener:
    """What the paper book reports; ``venues.paper`` turns it into order events."""

    def accepted(self, order: PaperOrder) -> None: ...
    def rejected(self, order: PaperOrder, reason: str, message: str) -> None: ...
    def filled(self, order: PaperOrder, price: int, qty: int, maker: bool, note: str) -> None: ...
    def canceled(self, order: PaperOrder, reason: str) -> None: ...
    def expired(self, order: PaperOrder) -> None: ...
    def triggered(self, order: PaperOrder) -> None: ...
    def modified(self, order: PaperOrder) -> None: ...
