"""What each alert watches, fed from the bus: prices (trades and books of the instruments that
have a price alert), our fills, the venue's connection state, and today's PnL and drawdown
(``PortfolioView``, read on a clock timer when it changed). Each watch says what happened in
one line when its trigger fires (``alert_rules.py``); ``alerts.py`` announces it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tradeterm.core import display
from tradeterm.core.views import PortfolioView
from tradeterm.domain.alerts import AlertKind, AlertOp, AlertRule, plain
from tradeterm.domain.events import ConnectionState, OrderFilled, VenueStatus
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.alert_rules import Edge, Happening, NO_REARM, PriceLevel, Rearm, Threshold

VENUE_STATES = {
    AlertKind.DISCONNECT: ConnectionState.DISCONNECTED,
    AlertKind.STALE: ConnectionState.STALE,
}


@dataclass(slots=True)
class PriceWatch:
    rule: AlertRule
    inst: Instrument
    level: PriceLevel

    def on_price(self, half_ticks: int, now_ns: int = 0) -> str | None:
        if not self.level.update(half_ticks, now_ns):
            return None
        source = self.rule.source.value
        now = display.half_ticks(self.inst, half_ticks)
        return f"{self.inst.symbol} {source} {now} {self.rule.op.value} {plain(self.rule.level)}"


@dataclass(slots=True)
class AccountWatch:
    rule: AlertRule
    threshold: Threshold

    def on_portfolio(self, view: PortfolioView) -> str | None:
        rule = self.rule
        money = display.money_places(view.currency)
        if rule.kind is AlertKind.PNL:
            fired = self.threshold.update(view.day_pnl)
            places = self._places(view.day_pnl, money)
            what = f"today's PnL {display.signed_money(view.day_pnl, view.currency, places)}"
        elif rule.percent:
            if view.peak_equity <= 0:
                return None
            fired = self.threshold.update(view.drawdown * 100, view.peak_equity)
            share = view.drawdown * 100 / view.peak_equity
            amount = display.money(view.drawdown, view.currency)
            shown = display.money(share, places=self._places(share, 2), unit=False)
            what = f"drawdown {shown}% ({amount})"
        else:
            fired = self.threshold.update(view.drawdown)
            places = self._places(view.drawdown, money)
            what = f"drawdown {display.money(view.drawdown, view.currency, places)}"
        unit = "%" if rule.percent else ""
        return f"{what} {rule.op.value} {plain(rule.level)}{unit}" if fired else None

    def _places(self, value: Decimal, places: int) -> int:
        """Decimals enough for the figure shown to be past the level too (a PnL of -500.004
        is not "-500.00" < -500), at most 12."""
        level, above = self.rule.level, self.rule.op is AlertOp.ABOVE
        while places < 12:
            shown = round(value, places)
            if (shown > level) if above else (shown < level):
                break
            places += 1
        return places


@dataclass(slots=True)
class FillWatch:
    rule: AlertRule
    happening: Happening

    def on_fill(self, fill: OrderFilled, inst: Instrument | None) -> str | None:
        if self.rule.instrument and fill.instrument != self.rule.instrument:
            return None
        return display.fill_text(fill, inst) if self.happening.update() else None


@dataclass(slots=True)
class VenueWatch:
    rule: AlertRule
    happening: Happening

    def on_status(self, status: VenueStatus) -> str | None:
        if status.state is not VENUE_STATES[self.rule.kind] or not self.happening.update():
            return None
        detail = f": {status.detail}" if status.detail else ""
        return f"{status.venue} {status.state.value}{detail}"


Watch = PriceWatch | AccountWatch | FillWatch | VenueWatch


def watch_for(
    rule: AlertRule, instruments: Mapping[str, Instrument], rearm: Rearm = NO_REARM
) -> Watch:
    """The watch of a resolved rule (a price rule's instrument must be in ``instruments``);
    ``rearm``: when a repeating price alert fires again."""
    edge = Edge(rule.repeat)
    if rule.kind is AlertKind.PRICE:
        inst = instruments[rule.instrument]
        level = PriceLevel.at(rule.op, rule.level, inst.tick_size, rule.repeat, rearm)
        return PriceWatch(rule, inst, level)
    if rule.kind in (AlertKind.PNL, AlertKind.DRAWDOWN):
        return AccountWatch(rule, Threshold(rule.op, rule.level, edge))
    if rule.kind is AlertKind.FILL:
        return FillWatch(rule, Happening(edge))
    return VenueWatch(rule, Happening(edge))
