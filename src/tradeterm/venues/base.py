"""The venue contracts: ``DataClient`` (market data in) and ``ExecutionClient`` (orders out,
account queries). A new venue implements one or both; nothing else needs to change. The engine's
parts each see only the half they use: the market-data keeper and the recorder read what a
``DataClient`` publishes on the bus; the OMS, reconciliation, risk and the desk hold
``ExecutionClient``s. ``Venue`` is a client that does both jobs in one object (the simulated
market, Binance, ccxt, a replay); paper execution (``venues/paper.py``) is an
``ExecutionClient`` alone, on top of any data client. ``runtime/venue_registry.py`` builds the
pair a session runs on.

* **Market data** (``DataClient``). ``run()`` connects and publishes market data on the bus until
  ``stop()``: first a ``BookSnapshot`` for each instrument on ``topics.book(id)``, then
  ``BookDelta``s that carry the venue's update ids, and ``Trade``s on ``topics.trade(id)``.
  Timestamps: ``ts_event`` is the venue's time, ``ts_recv`` the clock's time on receipt. When the
  feed breaks or goes quiet the client publishes a ``VenueStatus`` on
  ``topics.venue_status(name)`` and, once back, a fresh snapshot; the book drops deltas until
  then.
* **Execution** (``ExecutionClient``). ``submit_order``/``cancel_order``/``modify_order`` send
  requests and return at once; outcomes arrive later as order events (``OrderAccepted``,
  ``OrderFilled``...) on ``topics.orders(name)``. A venue never raises for a refused order; it
  publishes ``OrderRejected`` (or ``OrderUpdateRejected`` for a refused cancel/modify) with a
  reason code.
* **Queries** (``ExecutionClient``). ``query_order``, ``open_orders``, ``fills_since`` and
  ``positions`` answer what the venue knows about the account *now*. The OMS uses them when an
  outcome is uncertain (no answer in time, a disconnect) and at every start, to reconcile its
  records with the venue's. They are the venue's truth: never derive them from the engine's own
  state.

All methods are called on the engine's asyncio loop; a client must never block it (use async
I/O, and give control back at least every few milliseconds when it produces data in a loop).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order
from tradeterm.domain.reports import OrderStatusReport, PositionReport


class DataClient(ABC):
    """Market data from one venue, published on the bus (see the module's docstring)."""

    name: str

    def __init__(self, bus: MessageBus, clock: Clock) -> None:
        self.bus = bus
        self.clock = clock
        self._stopping = False

    @abstractmethod
    def instruments(self) -> list[Instrument]:
        """The instruments this venue trades in this session (known before ``run``)."""

    @abstractmethod
    async def run(self) -> None:
        """Connect, publish snapshots then updates, and return only after ``stop()``."""

    def stop(self) -> None:
        """Ask ``run`` to return soon. Safe to call more than once."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping


class ExecutionClient(ABC):
    """Orders to one venue and queries about its account (see the module's docstring). Order
    events are published on ``topics.orders(name)``."""

    name: str
    #: True when the venue's orders, fills and account outlive this process (a real exchange).
    #: An in-process simulation sets False: after a restart it knows nothing of the previous
    #: session, and the OMS closes the orders it lost instead of treating them as a mismatch.
    keeps_state: bool = True
    #: The venue's own order-entry limit as (orders per second, burst), or None if it has none.
    #: Risk's per-venue throttle uses it unless the config overrides it.
    order_rate_limit: tuple[float, int] | None = None
    #: How long after it was sent (ns) a request may still reach the venue and be carried out
    #: (Binance: the request's ``recvWindow``; after it the venue refuses the request). Until
    #: then, "no record of that order" does not prove it was never placed: the OMS asks again
    #: instead of closing it. 0: the venue has every request it will ever have by the time it
    #: answers a query about it.
    request_window_ns: int = 0
    #: True when the venue keeps OCO order lists itself (Binance's orderList): the engine
    #: sends an OCO it can take as one list (``submit_order_list``) and follows its orders;
    #: everything else, and every OCO on another venue, the engine's emulator
    #: (``oms/emulator.py``) holds and triggers itself.
    native_order_lists: bool = False
    #: True when ``modify_order`` amends an order at the venue, which keeps its id (sim, paper);
    #: False: the OMS cancel-replaces, so the modified order is a new one (Binance, ccxt), and
    #: a working leg of a group the engine holds (a bracket, an OCO) is not modified at all
    #: (``HeldDesk.keeps_fixed``): the cancel would end its group.
    amends_in_place: bool = False

    @abstractmethod
    def instruments(self) -> list[Instrument]:
        """The instruments this client takes orders for (reconciliation says amounts in their
        units)."""

    # --- execution -----------------------------------------------------------------------------
    @abstractmethod
    def submit_order(self, order: Order) -> None:
        """Send a new order. The outcome arrives as order events.

        ``order.client_order_id`` must reach the venue (Binance ``newClientOrderId``): it is how
        the OMS recognises the order in every later answer, and how a resent order is refused
        as a duplicate instead of trading twice.
        """

    @abstractmethod
    def cancel_order(self, order: Order) -> None:
        """Ask the venue to cancel a working order. The outcome arrives as order events:
        ``OrderCanceled``, or ``OrderUpdateRejected(request="cancel")`` if the venue no longer
        has it working (the fill that beat the cancel arrives as ``OrderFilled``)."""

    def submit_order_list(self, orders: list[Order], list_id: str) -> None:
        """Only where ``native_order_lists``: send an OCO, ``orders`` (two, of one side and
        quantity: a limit order and a stop or stop-limit order), as one order list with the
        client id ``list_id``. Each order's outcome arrives as its own order events (when one
        trades or triggers, the venue expires the other)."""
        raise NotImplementedError(f"venue {self.name} keeps no order lists")

    def modify_order(self, order: Order, price: int | None, qty: int | None) -> bool:
        """Modify in place if the venue can (then publish ``OrderModified`` or
        ``OrderUpdateRejected(request="modify")``); return False to have the OMS
        cancel-replace. ``qty`` is the new total quantity, fills included."""
        return False

    # --- queries -------------------------------------------------------------------------------
    async def query_order(self, client_order_id: str, instrument: str) -> OrderStatusReport | None:
        """The venue's current record of one order, looked up by client order id.

        Return None only when the venue has no record of that id at all (the order never
        arrived, or an in-process venue restarted). Raise (any exception) when the venue could
        not be asked: the OMS then retries, it never guesses. Binance: ``GET /api/v3/order``
        with ``origClientOrderId``.
        """
        raise NotImplementedError(f"venue {self.name} cannot answer order queries")

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        """Every order working at the venue for this account (optionally one instrument),
        including orders placed elsewhere: the OMS adopts those as EXTERNAL.
        Binance: ``GET /api/v3/openOrders``."""
        raise NotImplementedError(f"venue {self.name} cannot list open orders")

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        """The account's own fills with ``ts_event >= since_ns``, oldest first, as the same
        ``OrderFilled`` events the venue publishes live (same ``trade_id``: that is how the
        OMS applies each fill exactly once). ``leaves_qty`` may be 0 when unknown.
        Binance: ``GET /api/v3/myTrades`` per symbol with ``startTime``."""
        raise NotImplementedError(f"venue {self.name} cannot list fills")

    async def positions(self) -> list[PositionReport] | None:
        """The account's net position per instrument as the venue reports it, or None if the
        venue has no position view (spot venues report balances, not positions): the OMS then
        checks its positions against its own fills only."""
        return None

    def resume(self, session: int, positions: dict[str, int]) -> None:
        """In-process venues only (``keeps_state = False``), called once before trading starts:
        ``session`` is a number the engine never handed out before (its store's session
        counter): put it in every venue order id and trade id so that ids stay unique across
        restarts, as a real exchange's are. ``positions`` (lots by instrument id) are the net
        positions the engine's store kept: open the account with them, so the paper account
        survives restarts. A real venue ignores this."""
        return None


class Venue(DataClient, ExecutionClient):
    """A venue whose one object does both jobs, market data and execution (the simulated market,
    Binance, ccxt, a replay): the registry hands it out as both halves of the pair."""


def confirm_names(venue: str) -> set[str]:
    """What a trader may type to confirm live trading on ``venue``: its exact name, and for a
    ccxt venue both spellings, the one given to ``--venue`` (``ccxt:kraken``) and the venue's
    name as the header shows it (``ccxt-kraken``)."""
    for prefix in ("ccxt:", "ccxt-"):
        if venue.startswith(prefix) and len(venue) > len(prefix):
            rest = venue[len(prefix) :]
            return {"ccxt:" + rest, "ccxt-" + rest}
    return {venue}
