"""Alerts: what a trader asked to be told about (a price crossing a level, today's PnL or
drawdown past a threshold, a fill, the feed disconnecting or going stale), and the event of one
firing. Pure values; the grammar is ``alert_grammar.py``, the watcher ``trading/alerts.py``.

An alert fires once and is then spent (set it again to re-arm it), unless it repeats: a
repeating alert fires again each time its condition becomes true anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from tradeterm.domain.events import Event


class AlertKind(str, Enum):
    PRICE = "price"  # last trade or mid against a level
    PNL = "pnl"  # today's PnL (equity now - equity at the start of the UTC day)
    DRAWDOWN = "drawdown"  # today's peak equity - equity now, in money or % of the peak
    FILL = "fill"  # one of our orders filled
    DISCONNECT = "disconnect"  # the venue's connection went DISCONNECTED
    STALE = "stale"  # the feed went STALE (no market data: the header's STALE)


class AlertOp(str, Enum):
    ABOVE = ">"  # fires when the value is above the level (at once if it already is)
    BELOW = "<"  # fires when the value is below the level
    CROSSES = "crosses"  # fires when the price reaches the level from the other side


class PriceSource(str, Enum):
    LAST = "last"  # the last public trade
    MID = "mid"  # half way between the best bid and ask


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One alert. ``subject`` is the instrument as written (its symbol once resolved; empty
    for account and venue alerts), ``instrument`` its id once resolved. ``level`` is a price,
    money in the account currency, or a percentage when ``percent``."""

    kind: AlertKind
    op: AlertOp = AlertOp.ABOVE
    subject: str = ""
    instrument: str = ""
    source: PriceSource = PriceSource.LAST
    level: Decimal = Decimal(0)
    percent: bool = False
    repeat: bool = False

    @property
    def text(self) -> str:
        """The rule as the grammar writes it (``BTC/USDT > 62000``, ``drawdown > 2% repeat``):
        parsed again it gives the same rule."""
        if self.kind is AlertKind.PRICE:
            source = " mid" if self.source is PriceSource.MID else ""
            words = f"{self.subject}{source} {self.op.value} {plain(self.level)}"
        elif self.kind in (AlertKind.PNL, AlertKind.DRAWDOWN):
            unit = "%" if self.percent else ""
            words = f"{self.kind.value} {self.op.value} {plain(self.level)}{unit}"
        elif self.kind is AlertKind.FILL and self.subject:
            words = f"fill {self.subject}"
        else:
            words = self.kind.value
        return words + (" repeat" if self.repeat else "")


def plain(value: Decimal) -> str:
    """A Decimal in plain digits, no exponent, no trailing zeros (``62000``, ``0.5``)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


class AlertFired(Event, frozen=True):
    """An alert fired: on the ``alert`` topic, for the journal. ``rule`` is the alert as the
    grammar writes it, ``message`` what happened (``BTC/USDT last 62000.5 > 62000``)."""

    alert_id: int
    kind: AlertKind
    rule: str
    message: str
    repeat: bool = False
