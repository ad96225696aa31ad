"""Post-trade limits: each one, breached on its own, trips the kill switch.

* daily loss: today's PnL (equity now - equity at the start of the UTC day) <= -limit
* max drawdown: today's peak equity - equity now >= limit
* position breach: an instrument's position over its max position (base units or notional),
  which working orders placed before a limit change, or an adopted external order, can cause

``breach()`` is evaluated after every fill and every revaluation; ``usage()`` feeds the risk
pane with how much of each limit is in use.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from tradeterm.core.display import money
from tradeterm.core.views import LimitUsage, PortfolioView
from tradeterm.risk import codes
from tradeterm.risk.context import InstrumentLimits

if TYPE_CHECKING:
    from tradeterm.config import RiskConfig


class PostTradeLimits:
    def __init__(
        self,
        config: RiskConfig,
        portfolio: PortfolioView,
        limits: dict[str, InstrumentLimits],
        position: Callable[[str], int],
    ) -> None:
        self.config = config
        self.portfolio = portfolio
        self.limits = limits
        self.position = position

    def breach(self) -> tuple[str, str] | None:
        """The first breached limit as (code, message), or None."""
        view, cfg = self.portfolio, self.config
        if view.day_pnl <= -cfg.daily_loss_limit:
            return codes.DAILY_LOSS, (
                f"today's PnL {money(view.day_pnl, view.currency)} "
                "breached the daily loss limit "
                f"{money(cfg.daily_loss_limit, view.currency)}"
            )
        if view.drawdown >= cfg.max_drawdown:
            return codes.MAX_DRAWDOWN, (
                f"drawdown {money(view.drawdown, view.currency)} from "
                "today's peak breached the limit "
                f"{money(cfg.max_drawdown, view.currency)}"
            )
        for iid, lim in self.limits.items():
            pos = self.position(iid)
            size = pos if pos >= 0 else -pos
            if size > lim.max_pos:
                return codes.POSITION_BREACH, (
                    f"{lim.inst.symbol} position {lim.inst.format_qty(pos)} is over the limit "
                    f"{lim.inst.format_qty(lim.max_pos)}"
                )
            ref = lim.reference_x2()
            if ref is not None and size * ref > lim.max_pos_notional_x2:
                return codes.POSITION_BREACH, (
                    f"{lim.inst.symbol} position {lim.inst.format_qty(pos)} is worth "
                    f"{money(size * ref * lim.unit / 2, lim.inst.quote)}, over the limit "
                    f"{money(cfg.max_position_notional, lim.inst.quote)}"
                )
        return None

    def usage(self) -> list[LimitUsage]:
        view, cfg = self.portfolio, self.config
        ccy = view.currency
        out = [
            LimitUsage("daily loss", max(Decimal(0), -view.day_pnl), cfg.daily_loss_limit, ccy),
            LimitUsage("drawdown", max(Decimal(0), view.drawdown), cfg.max_drawdown, ccy),
        ]
        for iid, lim in self.limits.items():
            pos = abs(self.position(iid))
            if lim.max_pos < (1 << 62):
                out.append(
                    LimitUsage(
                        f"position {lim.inst.symbol}",
                        lim.inst.lots_to_qty(pos),
                        lim.inst.lots_to_qty(lim.max_pos),
                        lim.inst.base,
                    )
                )
            ref = lim.reference_x2()
            if ref is not None:
                out.append(
                    LimitUsage(
                        f"position value {lim.inst.symbol}",
                        pos * ref * lim.unit / 2,
                        cfg.max_position_notional,
                        lim.inst.quote,
                    )
                )
        return out
