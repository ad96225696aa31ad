"""Trader units: the one way the engine's numbers are written where a person reads them (log
lines, risk messages, ``tradeterm status``, the report, the panes). No Textual here: the
engine, the CLI and the UI (``ui/format.py`` re-exports it) share it.

* Prices in the instrument's tick precision (``61799.5``), never ticks; a mid between two ticks
  gets the half tick's extra digit. Not grouped: a price is what the trader types back.
* Quantities in the instrument's lot precision (``0.0099``), never lots.
* Money grouped, with the currency's precision: 2 decimals for fiat and dollar-like coins
  (USD, USDT, EUR ...), 8 for other currencies (a fee paid in BTC); an amount that is not zero
  but would round to zero keeps its significant digits (``0.0004 USD``, never ``0.00``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal

from tradeterm.domain.events import OrderFilled
from tradeterm.domain.instruments import Instrument

# currencies whose money is written to the cent
CENT_CURRENCIES = frozenset(
    {
        "USD",
        "EUR",
        "GBP",
        "CHF",
        "JPY",
        "AUD",
        "CAD",
        "USDT",
        "USDC",
        "BUSD",
        "FDUSD",
        "TUSD",
        "USDP",
        "DAI",
        "PYUSD",
        "EURC",
        "EURT",
    }
)
COIN_PLACES = 8


def money_places(currency: str) -> int:
    return 2 if currency.upper() in CENT_CURRENCIES or not currency else COIN_PLACES


def money(
    value: Decimal | int | None, currency: str = "", places: int | None = None, unit: bool = True
) -> str:
    """``7,000,000.00 USD``; ``unit`` False leaves the currency out (a column headed by it)."""
    if value is None:
        return "-"
    value = Decimal(value)
    places = money_places(currency) if places is None else places
    exp = Decimal(1).scaleb(-places)
    rounded = value.quantize(exp, ROUND_HALF_EVEN)
    if value and not rounded:  # would read as zero: keep its significant digits
        text = _plain(value.normalize())
    else:
        text = f"{rounded:,.{places}f}"
    return f"{text} {currency}" if unit and currency else text


def signed_money(
    value: Decimal | int, currency: str = "", places: int | None = None, unit: bool = True
) -> str:
    text = money(value, currency, places, unit)
    return text if Decimal(value) < 0 or text.startswith("-") else "+" + text


def price(inst: Instrument, ticks: int | None) -> str:
    """``61799.5``: the instrument's tick precision."""
    return inst.format_price(ticks)


def half_ticks(inst: Instrument, ticks_x2: int | None) -> str:
    """A price given in half ticks (a mid): the tick precision, one more digit when between."""
    if ticks_x2 is None:
        return "-"
    if ticks_x2 % 2 == 0:
        return inst.format_price(ticks_x2 // 2)
    return _plain((inst.tick_size * ticks_x2 / 2).normalize())


def qty(inst: Instrument, lots: int | None) -> str:
    """``0.0099``: the instrument's lot precision."""
    return inst.format_qty(lots)


def base_amount(inst: Instrument, value: Decimal | None) -> str:
    """An amount of the base asset that may be finer than a lot (a balance after a fee paid in
    the coin): the lot precision when it is on it, else every digit it has."""
    if value is None:
        return "-"
    on_lot = value.quantize(inst.lot_size) if value.is_finite() else value
    return f"{on_lot:f}" if on_lot == value else _plain(value.normalize())


def order_text(inst: Instrument, side: str, lots: int, ticks: int | None) -> str:
    """``BUY 0.0099 SIM-BTC/USD @ 61799.5`` (``MKT`` without a price)."""
    at = "MKT" if ticks is None else f"@ {inst.format_price(ticks)}"
    return f"{side} {inst.format_qty(lots)} {inst.symbol} {at}"


def fill_text(fill: OrderFilled, inst: Instrument | None) -> str:
    """``SELL 0.0099 SIM-BTC/USD @ 61799.5, fee 0.03 USD``; an instrument the session does not
    describe keeps the engine's units, named as such."""
    fee = f", fee {money(fill.fee, fill.fee_currency)}" if fill.fee else ""
    if inst is None:
        return f"{fill.side.name} {fill.qty} lots {fill.instrument} @ {fill.price} ticks{fee}"
    return order_text(inst, fill.side.name, fill.qty, fill.price) + fee


def amount(instruments: Mapping[str, Instrument], instrument: str, lots: int) -> str:
    """``0.0099 BTC`` for a quantity of ``instrument`` in lots (``99 lots`` if unknown)."""
    inst = instruments.get(instrument)
    return f"{lots} lots" if inst is None else f"{inst.format_qty(lots)} {inst.base}"


def hms(ts_ns: int, millis: bool = False) -> str:
    dt = datetime.fromtimestamp(ts_ns / 1e9, tz=timezone.utc)
    return dt.strftime("%H:%M:%S.%f")[:12] if millis else dt.strftime("%H:%M:%S")


def compact(value: float, digits: int = 4) -> str:
    """Short numbers for narrow columns: 950, 12.3k, 4.56M (``digits`` significant below 1000),
    never in scientific notation (0.00009, not 9e-05)."""
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return _plain_float(value / limit, 3) + suffix
    return _plain_float(value, digits)


def _plain(value: Decimal) -> str:
    """Every digit, never in exponent form."""
    return f"{value:f}"


def _plain_float(value: float, digits: int) -> str:
    text = f"{value:.{digits}g}"
    if "e" not in text:
        return text
    if abs(value) >= 1:  # a number of thousands of T: all its digits
        return f"{value:.0f}"
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
