"""Engine views: the current state the UI (and the CLI summary) reads.

Each view carries a ``version`` that its owner bumps on every change. A reader remembers the
version it last drew and redraws only when it differs, on its own timer, so a flood of market
data costs the reader nothing extra: state is kept current, snapshots are taken only on read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from tradeterm.domain.alerts import AlertFired
from tradeterm.core.history import PriceHistory
from tradeterm.domain.events import ConnectionState, LogLine, OrderFilled, TradingState
from tradeterm.domain.market import Trade
from tradeterm.domain.held import HeldOrder
from tradeterm.domain.orders import Order

T = TypeVar("T")


class Versioned(Protocol):
    version: int


class BookReader(Protocol):
    """What a view of one order book offers (implemented by ``book.L2Book``)."""

    version: int
    best_bid: int | None
    best_ask: int | None
    synced: bool

    @property
    def bids(self) -> Mapping[int, int]: ...  # price ticks -> lots (the ladder groups them)
    @property
    def asks(self) -> Mapping[int, int]: ...

    def size_at(self, side: int, price: int) -> int: ...
    def top(self, n: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]: ...


class RingView(Generic[T]):
    """The last ``maxlen`` items of a stream (trades tape, fills, log lines)."""

    __slots__ = ("items", "version")

    def __init__(self, maxlen: int) -> None:
        self.items: deque[T] = deque(maxlen=maxlen)
        self.version = 0

    def append(self, item: T) -> None:
        self.items.append(item)
        self.version += 1

    def clear(self) -> None:
        self.items.clear()
        self.version += 1

    def refill(self, items: Iterable[T]) -> None:
        """Hold ``items`` (oldest first) instead of what it holds."""
        self.items.clear()
        self.items.extend(items)
        self.version += 1

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(slots=True)
class StatusView:
    """Header state: mode, venue, connection, trading state, clock and throughput."""

    mode: str
    venue: str
    connection: ConnectionState = ConnectionState.CONNECTING
    connection_detail: str = ""
    trading_state: TradingState = TradingState.ACTIVE
    trading_state_reason: str = ""
    ended: str = ""  # why the market is over (a replay at its end): no order can trade now
    events: int = 0  # market data events processed
    events_per_s: float = 0.0
    clock_ns: int = 0
    version: int = 0

    def touch(self) -> None:
        self.version += 1


@dataclass(slots=True)
class InstrumentStats:
    """Per-instrument session statistics for the quotes pane: last, volume, open."""

    last_price: int | None = None
    last_side: int = 0  # aggressor of the last trade: 1 buy, -1 sell
    tick: int = 0  # last price change: 1 uptick, -1 downtick, 0 none yet
    open_price: int | None = None
    volume: int = 0  # lots
    trades: int = 0
    volume_at_price: dict[int, int] = field(default_factory=dict)  # price ticks -> lots traded
    version: int = 0


class QuoteFigures(NamedTuple):
    """What a quoter's view shows of its working quotes and of the book's touch, as of now."""

    bids: list[tuple[int, int]]
    asks: list[tuple[int, int]]
    micro_price: float | None
    imbalance: float | None


NO_FIGURES = QuoteFigures([], [], None, None)


def no_figures() -> QuoteFigures:
    return NO_FIGURES


@dataclass(slots=True)
class QuoterView:
    """The quoter of one instrument, for the UI. Prices in ticks (floats where they come from the
    model), sizes and inventory in lots, sigma in ticks/sqrt(s), k per tick, A per second."""

    instrument: str
    enabled: bool = False
    state: str = "OFF"  # OFF | WARMING_UP | QUOTING | PULLED
    reason: str = ""  # why it is not quoting (kill switch, stale data, HALTED...)
    model: str = ""
    gamma: float = 0.0
    fair_price: float | None = None
    reservation_price: float | None = None
    spread: float | None = None  # the model's total spread, ticks
    inventory: int = 0
    order_lots: int = 0
    max_position_lots: int = 0
    sigma: float | None = None
    k: float | None = None
    A: float | None = None
    estimated: str = ""  # which of sigma, k, A are estimates ("sigma,k,A"); the rest configured
    submits: int = 0
    modifies: int = 0
    cancels: int = 0
    fills: int = 0
    rejects: int = 0  # rejected by the venue or denied by risk
    params: dict[str, Any] = field(default_factory=dict)  # editable [quoter] keys in force
    version: int = 0
    # the figures derived from the quoter's working quotes and the book, computed when read
    # (not on every requote): see ``QuoteFigures``
    figures: Callable[[], QuoteFigures] = field(default=no_figures, repr=False)

    def touch(self) -> None:
        self.version += 1

    @property
    def bids(self) -> list[tuple[int, int]]:
        """The working bids (price, lots), best first."""
        return self.figures().bids

    @property
    def asks(self) -> list[tuple[int, int]]:
        return self.figures().asks

    @property
    def micro_price(self) -> float | None:
        return self.figures().micro_price

    @property
    def imbalance(self) -> float | None:
        return self.figures().imbalance


@dataclass(slots=True)
class WorkingOrdersView:
    """The orders that are live or in flight (not terminal), keyed by client order id.

    The OMS owns the ``Order`` objects; a reader must treat them as read-only.
    """

    orders: dict[str, Order] = field(default_factory=dict)
    version: int = 0


@dataclass(slots=True)
class HeldOrdersView:
    """The contingent orders the engine holds (``oms/emulator.py``) that have not ended, keyed
    by held id: stops and trailing stops waiting for their trigger, OCO and bracket parents and
    their legs (a leg whose order is at the venue is WORKING, under the same id). Read-only."""

    orders: dict[str, HeldOrder] = field(default_factory=dict)
    version: int = 0


@dataclass(slots=True)
class AlertEntry:
    """One alert the session watches (``trading/alerts.py``). ``rule`` as the grammar writes
    it; ``origin`` "config" (from ``[alerts]``, set again at every start) or "typed" (the
    command line, kept in the data dir); ``armed`` False once a one-shot alert fired."""

    alert_id: int
    rule: str
    origin: str
    armed: bool = True
    fired: int = 0  # times it fired
    last_ns: int = 0  # when it last fired (engine clock), 0 = never
    last_message: str = ""


@dataclass(slots=True)
class AlertsView:
    """The alerts, by id, and the last firings (the UI toasts the ones it has not shown)."""

    alerts: dict[int, AlertEntry] = field(default_factory=dict)
    fired: RingView[AlertFired] = field(default_factory=lambda: RingView(100))
    version: int = 0


@dataclass(slots=True)
class PositionRow:
    """One instrument's position, valued at the mark. Money in the instrument's quote currency."""

    instrument: str
    qty: int  # lots, signed
    avg_price: Decimal | None  # average entry (display precision); None when flat
    realized: Decimal
    unrealized: Decimal
    fees: Decimal  # paid (negative = rebates received), valued (portfolio/valuation.py)
    mark: Decimal | None  # the price the position is valued at; None = no market yet
    currency: str = ""
    balance: Decimal | None = None  # base units held at the venue: qty less base-asset fees
    paid: Mapping[str, Decimal] = field(default_factory=dict)  # every fee as charged, per currency
    unpriced: Mapping[str, Decimal] = field(default_factory=dict)  # no rate: not in fees


@dataclass(slots=True)
class PortfolioView:
    """Positions and the account: equity, today's PnL, drawdown; the equity curve."""

    currency: str = ""
    positions: dict[str, PositionRow] = field(default_factory=dict)
    equity: Decimal = Decimal(0)
    realized: Decimal = Decimal(0)
    unrealized: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    unpriced_fees: Mapping[str, Decimal] = field(default_factory=dict)  # no rate: not in equity
    day_pnl: Decimal = Decimal(0)  # equity now - equity at the start of the UTC day
    peak_equity: Decimal = Decimal(0)  # today's peak
    drawdown: Decimal = Decimal(0)  # today's peak - equity now
    equity_curve: RingView[tuple[int, Decimal]] = field(  # (ts, equity)
        default_factory=lambda: RingView(3600)
    )
    version: int = 0


@dataclass(slots=True)
class LimitUsage:
    """One risk limit and how much of it is in use (``used``/``limit`` in ``unit``)."""

    name: str
    used: Decimal
    limit: Decimal
    unit: str = ""

    @property
    def share(self) -> float:
        return float(self.used / self.limit) if self.limit else 0.0


@dataclass(slots=True)
class TripReport:
    """What the last kill-switch trip did, for the HALTED banner: counted by the desk as it
    acted (quoters that were running, orders it cancelled), and how flattening is going."""

    ts: int
    reason: str
    source: str
    cancel: bool  # False: orders were left working (the hangup policy "halt")
    orders_cancelled: int = 0
    quoters_stopped: int = 0
    flatten: bool = False
    flatten_state: str = ""  # "flattening", "flat", or why it gave up ("" without flatten)
    held_cancelled: int = 0  # held orders (stops, OCO and bracket legs) it cancelled


@dataclass(slots=True)
class RiskView:
    """Trading state and limit usage for the risk pane and the order ticket."""

    state: TradingState = TradingState.HALTED
    reason: str = "starting: reconciling with the venue"
    limits: list[LimitUsage] = field(default_factory=list)
    denied: int = 0  # orders risk refused this session
    last_denied: str = ""  # "<reason code>: <message>" of the last refusal
    trip: TripReport | None = None  # the last kill-switch trip
    version: int = 0


@dataclass(slots=True)
class OrderAnswer:
    """The venue's answer to one of the trader's requests (``order_answers.OrderAnswers``).

    ``state``: SENT (no answer yet), ACCEPTED (working at the venue), DONE (the request did what
    was asked: filled, cancelled, modified), REFUSED (by the venue or by risk: ``reason`` is the
    code, ``message`` the words). ``filled`` lots at ``fill_price`` (the last fill) since the
    request; ``replaced_by`` is the new order of a modify done by cancel-replace."""

    number: int
    request: str  # submit | cancel | modify
    client_order_id: str
    instrument: str
    state: str = "SENT"
    reason: str = ""
    message: str = ""
    filled: int = 0
    fill_price: int | None = None
    replaced_by: str = ""
    price: int | None = None  # a modify's new price (None: unchanged)


@dataclass(slots=True)
class OrderAnswersView:
    """Answers to the trader's own requests, newest last, by request number (the last ``KEEP``).
    ``issued`` counts requests ever made: a reader that notes it before acting knows which
    numbers its action created (one submit, or one cancel per order of a cancel-all)."""

    KEEP = 200
    answers: dict[int, OrderAnswer] = field(default_factory=dict)
    issued: int = 0
    version: int = 0


@dataclass
class EngineViews:
    """Everything the UI may read, keyed by instrument id where it is per instrument."""

    status: StatusView
    books: dict[str, BookReader] = field(default_factory=dict)
    trades: dict[str, RingView[Trade]] = field(default_factory=dict)
    stats: dict[str, InstrumentStats] = field(default_factory=dict)
    log: RingView[LogLine] = field(default_factory=lambda: RingView(500))
    quoters: dict[str, QuoterView] = field(default_factory=dict)
    orders: WorkingOrdersView = field(default_factory=WorkingOrdersView)
    held: HeldOrdersView = field(default_factory=HeldOrdersView)
    portfolio: PortfolioView = field(default_factory=PortfolioView)
    risk: RiskView = field(default_factory=RiskView)
    fills: RingView[OrderFilled] = field(default_factory=lambda: RingView(500))
    answers: OrderAnswersView = field(default_factory=OrderAnswersView)
    alerts: AlertsView = field(default_factory=AlertsView)
    history: dict[str, PriceHistory] = field(default_factory=dict)  # the chart's, by instrument
