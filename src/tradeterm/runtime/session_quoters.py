"""A session's quoters: one per instrument (``quoter/``, wired by ``trading/quoter_wiring.py``)
or the placeholder that joins the touch (``--quoter placeholder``). Started with trading, stopped
before it; switched and re-parametrised while running. ``quoter/`` is imported only when the
session quotes (or the trader turns a quoter on)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tradeterm.config import Settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import EngineViews
from tradeterm.domain.events import TradingState
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.desk import TradingDesk

if TYPE_CHECKING:
    from tradeterm.quoter.component import Quoter
    from tradeterm.quoter.placeholder import PlaceholderQuoter

log = logging.getLogger("tradeterm.kernel")  # its lines were the kernel's, and keep the name


class SessionQuoters:
    def __init__(
        self,
        placeholder: PlaceholderQuoter | None = None,
        by_instrument: dict[str, Quoter] | None = None,
    ) -> None:
        self.placeholder = placeholder
        self.by_instrument: dict[str, Quoter] = by_instrument or {}

    @classmethod
    def for_session(
        cls,
        settings: Settings,
        choice: str | None,
        trades: bool,
        bus: MessageBus,
        clock: Clock,
        instruments: dict[str, Instrument],
        views: EngineViews,
        desk: TradingDesk,
    ) -> SessionQuoters:
        """``choice``: ``--quoter`` (None: the config's ``[quoter] enabled``). ``trades``
        False: a plain replay, which quotes nothing (it says so when a quoter was asked for).
        Raises ConfigError."""
        wanted = choice is not None or settings.quoter.enabled
        if choice == "placeholder":
            from tradeterm.quoter.placeholder import PlaceholderQuoter

            return cls(
                placeholder=PlaceholderQuoter(
                    bus,
                    clock,
                    list(instruments.values()),
                    views.books,
                    views.orders,
                    desk.portfolio.qty,
                    desk.execute,
                    desk.ids.next,
                )
            )
        if not trades:
            if wanted:
                log.warning("quoter not started: a plain replay does not trade (use --paper)")
            return cls()
        if not wanted:
            return cls()
        from tradeterm.trading import quoter_wiring

        return cls(
            by_instrument=quoter_wiring.build_quoters(
                settings, choice, bus, clock, instruments, views, desk
            )
        )

    def start(self, trading: TradingState) -> None:
        if self.placeholder is not None:
            self.placeholder.paused = trading is not TradingState.ACTIVE
            self.placeholder.start()
        for quoter in self.by_instrument.values():
            quoter.start()

    def stop(self) -> None:
        for quoter in self.by_instrument.values():
            quoter.stop()
        if self.placeholder is not None:
            self.placeholder.stop()

    def switch(self, on: bool, instrument: str | None, desk: TradingDesk) -> int:
        """Switch the quoter of one instrument (id or symbol), or of all, on or off. Returns how
        many quoters it switched. On also re-arms a quoter the kill switch stopped. Raises
        ValueError (nothing switched) when there is no such quoter, or to switch on while
        trading is HALTED: re-arm first."""
        from tradeterm.trading import quoter_wiring

        quoter_wiring.pick(self.by_instrument, instrument)
        ks = desk.killswitch
        if on and ks.state is TradingState.HALTED:
            raise ValueError(
                f"trading is HALTED ({ks.reason}): re-arm trading first, then switch the quoter on"
            )
        return quoter_wiring.switch(self.by_instrument, on, instrument)

    def update(self, instrument: str | None, **changes: Any) -> None:
        """Change quoter parameters while running (keys of ``[quoter]``), for one instrument
        (id or symbol) or all. Raises ValueError with the reason if a value is invalid; then
        nothing changed."""
        from tradeterm.trading import quoter_wiring

        quoter_wiring.update(self.by_instrument, instrument, **changes)

    def summary(self) -> dict[str, Any] | None:
        """Each quoter's counters for the session summary; None when nothing quoted."""
        if not self.by_instrument:
            return None
        from tradeterm.trading import quoter_wiring

        return quoter_wiring.summary(self.by_instrument)
