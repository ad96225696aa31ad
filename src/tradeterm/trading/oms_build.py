"""The one way an ``OrderManager`` is built from the settings: the trading desk's, and the copy
of a replay's rebuild a recorder keeps for its own-state frames (``trading/own_frames.py``),
each with its own bus, store, venues and ports."""

from __future__ import annotations

from typing import Protocol

from tradeterm.config.trading import OmsConfig
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import EngineViews
from tradeterm.oms.ids import ClientOrderIds
from tradeterm.oms.manager import Ledger, OrderManager
from tradeterm.oms.ports import PostTrade, ReplacementSender, TradingHalt
from tradeterm.oms.store_port import OrderStore
from tradeterm.venues.base import ExecutionClient

MS = 1_000_000


class OmsPorts(TradingHalt, ReplacementSender, PostTrade, Protocol):
    """What the OMS pushes up: a problem that halts, a cancel-replace's new order, a fill."""


def order_manager(
    cfg: OmsConfig,
    bus: MessageBus,
    clock: Clock,
    store: OrderStore,
    venues: dict[str, ExecutionClient],
    ids: ClientOrderIds,
    ledger: Ledger,
    views: EngineViews,
    ports: OmsPorts,
) -> OrderManager:
    return OrderManager(
        bus,
        clock,
        store,
        venues,
        ids,
        ledger,
        views.orders,
        views.fills,
        cfg.ack_timeout_ms * MS,
        cfg.query_retry_ms * MS,
        cfg.max_query_attempts,
        cfg.flush_interval_ms * MS,
        halt=ports,
        replacement_sender=ports,
        post_trade=ports,
    )
