"""The alert commands of the command line: ``alert <rule>`` sets one, ``alerts`` lists them,
``alert del N`` / ``unalert N`` (or ``all``) cancels. A rule's syntax is
``domain/alert_grammar.py``; here its instrument is found among the session's (as an order line
names one: symbol, id, base/quote or base asset). Engine- and Textual-free; every problem is a
``GrammarError`` with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from tradeterm.domain.alert_grammar import AlertSyntaxError, keyword, parse_rule, rule_words
from tradeterm.domain.alerts import AlertKind, AlertRule
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.order_names import GrammarError, find_instrument

HELP = "alert BTC > 62000 · alert pnl < -500 · alert fill · alerts · alert del N"


@dataclass(frozen=True, slots=True)
class SetAlert:
    rule: AlertRule


@dataclass(frozen=True, slots=True)
class ListAlerts:
    pass


@dataclass(frozen=True, slots=True)
class CancelAlert:
    alert_id: int | None  # None: every alert


AlertCommand = SetAlert | ListAlerts | CancelAlert


def is_alert_line(line: str) -> bool:
    """The line is an alert command (``alert``, ``alerts``, ``unalert``), not an order."""
    words = line.strip().lstrip(":").split(maxsplit=1)
    return bool(words) and keyword(words[0]) in ("alert", "alerts", "unalert")


def parse_alert_command(line: str, instruments: Sequence[Instrument]) -> AlertCommand:
    """Raises GrammarError with the reason."""
    try:
        words = rule_words(line.strip().lstrip(":"))
    except AlertSyntaxError as exc:
        raise GrammarError(f"alert: {exc}") from None
    head = keyword(words[0])
    if head == "alerts" or (head == "alert" and len(words) == 1):
        if len(words) > 1:
            raise GrammarError(f"'alerts' takes nothing more; try: {HELP}")
        return ListAlerts()
    if head == "unalert":
        return _cancel(words[1:])
    if head != "alert":
        raise GrammarError(f"not an alert command; try: {HELP}")
    if keyword(words[1]) in ("del", "delete", "rm", "cancel", "cxl"):
        return _cancel(words[2:])
    try:
        rule = parse_rule(" ".join(words[1:]))
    except AlertSyntaxError as exc:
        raise GrammarError(f"alert: {exc}") from None
    return SetAlert(resolve(rule, instruments))


def _cancel(words: list[str]) -> CancelAlert:
    if len(words) != 1:
        raise GrammarError("which alert? e.g. alert del 3, unalert all (alerts lists them)")
    word = words[0].lstrip("#")
    if keyword(word) == "all":
        return CancelAlert(None)
    if not (word.isascii() and word.isdigit()) or len(word) > 9:
        raise GrammarError(f"{words[0]!r} is not an alert number (alerts lists them)")
    return CancelAlert(int(word))


def resolve(rule: AlertRule, instruments: Sequence[Instrument]) -> AlertRule:
    """The rule with its instrument found: ``subject`` becomes the symbol, ``instrument`` the
    id. A price level is exact whatever the tick (compared in ``alert_rules``)."""
    if rule.kind not in (AlertKind.PRICE, AlertKind.FILL) or not rule.subject:
        return rule
    inst = find_instrument(rule.subject, instruments)
    return replace(rule, subject=inst.symbol, instrument=inst.id)
