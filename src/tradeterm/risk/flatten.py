"""Flattening after a kill-switch trip: reduce-only IOC orders until flat or out of attempts.

Each attempt sends, for every instrument with a position, one reduce-only IOC limit order for
the whole position at the reference price pushed ``slippage_bps`` through (a protected
"market" order). What does not fill is canceled by the venue (IOC); the next attempt, after
``retry_ns``, sends for what is left. Orders go through the same risk checks as any other (the
kill switch lets these ones through a HALT, and only if they reduce). Orders are whole
multiples of the venue's order step (``qty_step_lots``): what is left below one step (a
commission paid in the coin leaves such dust) cannot be traded and counts as flat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from tradeterm.core.clock import Clock
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.domain.orders import TimeInForce
from tradeterm.risk.context import InstrumentLimits

log = logging.getLogger(__name__)

TIMER = "risk.flatten"


class Flattener:
    def __init__(
        self,
        clock: Clock,
        limits: dict[str, InstrumentLimits],
        position: Callable[[str], int],
        working: Callable[[str], bool],
        next_id: Callable[[], str],
        authorize: Callable[[str], None],
        send: Callable[[SubmitOrder], object],
        max_attempts: int,
        retry_ns: int,
        slippage_bps: int,
    ) -> None:
        self.clock = clock
        self.limits = limits
        self.position = position
        self.working = working  # does the instrument still have a working order?
        self.next_id = next_id
        self.authorize = authorize
        self.send = send
        self.max_attempts = max_attempts
        self.retry_ns = retry_ns
        self.slippage_bps = slippage_bps
        self.attempts = 0
        self.active = False
        self.result = ""  # "flat", or why it gave up

    def start(self) -> None:
        self.attempts = 0
        self.active = True
        self.result = ""
        self._attempt(self.clock.timestamp_ns())

    def stop(self) -> None:
        self.active = False
        self.clock.cancel_timer(TIMER)

    def _open(self) -> list[str]:
        return [iid for iid in self.limits if self._tradable(iid)]

    def _tradable(self, iid: str) -> int:
        """The position's size in whole order steps (lots)."""
        size = abs(self.position(iid))
        return size - size % self.limits[iid].step

    def _attempt(self, ts: int) -> None:
        if not self.active:
            return
        todo = self._open()
        if not todo:
            self.active = False
            self.result = "flat"
            log.warning("flatten: every position is flat after %d attempt(s)", self.attempts)
            return
        if self.attempts >= self.max_attempts:
            self.active = False
            left = ", ".join(
                f"{self.limits[i].inst.symbol} {self.limits[i].inst.format_qty(self.position(i))}"
                for i in todo
            )
            self.result = f"gave up after {self.attempts} attempts; still open: {left}"
            log.error("flatten: %s", self.result)
            return
        self.attempts += 1
        for iid in todo:
            if self.working(iid):
                continue  # a previous IOC has not finished yet
            lim = self.limits[iid]
            pos = self.position(iid)
            ref = lim.reference_x2()
            if ref is None:
                log.error(
                    "flatten: no market price for %s; cannot price the order", lim.inst.symbol
                )
                continue
            side = Side.SELL if pos > 0 else Side.BUY
            push = ref * self.slippage_bps // 20_000  # ticks
            price = (ref // 2) - push if side is Side.SELL else (ref + 1) // 2 + push
            coid = self.next_id()
            self.authorize(coid)
            self.send(
                SubmitOrder(
                    ts,
                    coid,
                    iid,
                    side,
                    self._tradable(iid),
                    price=max(1, price),
                    tif=TimeInForce.IOC,
                    reduce_only=True,
                    source="flatten",
                )
            )
        self.clock.set_alert(TIMER, ts + self.retry_ns, self._attempt)
