"""The alert grammar's syntax: one rule as text -> an ``AlertRule`` whose instrument is still
the word typed (``trading/alert_entry.py`` resolves it against the session's instruments).
Pure, so the configuration checks ``[alerts] rules`` with it before anything starts.

Grammar (case-insensitive; ``[]`` optional)::

    rule     := (price | pnl | drawdown | fill | disconnect | stale) [repeat]
    price    := symbol [last | mid] (> | < | crosses) decimal     BTC > 62000, ETH mid crosses 2650
    pnl      := pnl (> | <) [-]decimal                             today's PnL, account currency
    drawdown := drawdown (> | <) decimal[%]                        money, or % of today's peak
    fill     := fill [symbol]                                      one of our fills (any instrument)
    disconnect, stale                                              the venue's connection state

Hostile input is an error, never a guess: ASCII digits only, ASCII keywords, no invisible
characters, numbers of at most 15 digits before the point.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tradeterm.domain.alerts import AlertKind, AlertOp, AlertRule, PriceSource

MAX_LEN = 200
MAX_VALUE = Decimal("1e15")
NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
OPS = {">": AlertOp.ABOVE, "<": AlertOp.BELOW, "crosses": AlertOp.CROSSES, "cross": AlertOp.CROSSES}
SOURCES = {"last": PriceSource.LAST, "mid": PriceSource.MID}
EXAMPLES = "e.g. BTC > 62000, ETH/USDT crosses 2650, pnl < -500, drawdown > 2%, fill, stale"


class AlertSyntaxError(ValueError):
    """The text is not an alert rule; the message says what is wrong."""


def parse_rule(text: str) -> AlertRule:
    """One rule (without the ``alert`` word). Raises AlertSyntaxError with the reason."""
    words = rule_words(text)
    repeat = keyword(words[-1]) in ("repeat", "repeating")
    if repeat:
        words = words[:-1]
    if not words:
        raise AlertSyntaxError(f"repeat what? {EXAMPLES}")
    head = keyword(words[0])
    if head in ("disconnect", "stale"):
        _no_more(words, 1)
        return AlertRule(AlertKind(head), repeat=repeat)
    if head == "fill":
        _no_more(words, 2)
        return AlertRule(AlertKind.FILL, subject=words[1] if len(words) > 1 else "", repeat=repeat)
    if head in ("pnl", "drawdown", "dd"):
        return _account(words, repeat)
    return _price(words, repeat)


def rule_words(text: str) -> list[str]:
    if len(text) > MAX_LEN:
        raise AlertSyntaxError(f"too long ({len(text)} characters, at most {MAX_LEN})")
    hidden = next((c for c in text if not c.isprintable() and c != "\t"), None)
    if hidden is not None:
        raise AlertSyntaxError(
            f"holds an invisible character (U+{ord(hidden):04X}); type it again in plain text"
        )
    words = re.sub(r"([<>]+)", r" \1 ", text).split()
    if not words:
        raise AlertSyntaxError(f"say what to watch: {EXAMPLES}")
    return words


def keyword(word: str) -> str:
    """The word in lower case when plain ASCII; anything else is never a keyword."""
    return word.lower() if word.isascii() else "\0"


def _no_more(words: list[str], most: int) -> None:
    if len(words) > most:
        raise AlertSyntaxError(f"unexpected {' '.join(words[most:])!r}; {EXAMPLES}")


def _op(words: list[str], at: int, allowed: tuple[AlertOp, ...]) -> AlertOp:
    if at >= len(words):
        raise AlertSyntaxError(f"missing the comparison after {words[at - 1]!r}: > or <")
    op = OPS.get(keyword(words[at]))
    if op is None or op not in allowed:
        shown = " or ".join(o.value for o in allowed)
        raise AlertSyntaxError(f"{words[at]!r} is not a comparison here: use {shown}")
    return op


def _number(words: list[str], at: int, what: str) -> Decimal:
    if at >= len(words):
        raise AlertSyntaxError(f"missing the {what}; {EXAMPLES}")
    _no_more(words, at + 1)
    word = words[at]
    if not NUMBER.fullmatch(word):  # ASCII digits only: Decimal() reads any Unicode digit
        raise AlertSyntaxError(f"{what} {word!r} is not a number (digits 0-9 and one point)")
    value = Decimal(word)
    if abs(value) > MAX_VALUE:
        raise AlertSyntaxError(f"{what} {word} is too large")
    return value


def _account(words: list[str], repeat: bool) -> AlertRule:
    kind = AlertKind.PNL if keyword(words[0]) == "pnl" else AlertKind.DRAWDOWN
    op = _op(words, 1, (AlertOp.ABOVE, AlertOp.BELOW))
    percent = kind is AlertKind.DRAWDOWN and len(words) > 2 and words[2].endswith("%")
    if percent:
        words = [*words[:2], words[2][:-1], *words[3:]]
    level = _number(words, 2, "percentage" if percent else "amount")
    if kind is AlertKind.DRAWDOWN and level < 0:
        raise AlertSyntaxError(f"a drawdown is never negative, got {words[2]}")
    if percent and level > 100:
        raise AlertSyntaxError(f"a drawdown of {level}% is more than the peak")
    return AlertRule(kind, op, level=level, percent=percent, repeat=repeat)


def _price(words: list[str], repeat: bool) -> AlertRule:
    subject = words[0]
    if subject in OPS or NUMBER.fullmatch(subject):
        raise AlertSyntaxError(f"name the instrument first; {EXAMPLES}")
    at = 1
    source = SOURCES.get(keyword(words[1])) if len(words) > 1 else None
    if source is not None:
        at = 2
    op = _op(words, at, tuple(AlertOp))
    level = _number(words, at + 1, "price")
    if level <= 0:
        raise AlertSyntaxError(f"a price must be positive, got {words[at + 1]}")
    return AlertRule(
        AlertKind.PRICE,
        op,
        subject=subject,
        source=source or PriceSource.LAST,
        level=level,
        repeat=repeat,
    )
