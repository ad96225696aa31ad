"""The session report: PnL curve and drawdown, Sharpe and Sortino, fill statistics with
markouts, and order latency, computed from a recording's order and market events.

* PnL is the live portfolio's, exactly: the recorded fills go through ``position.apply_fill``
  and are valued by ``valuation.figures`` (average cost in integer tick-lots; fees per currency,
  a base-asset fee valued at its fill's price, a third currency such as BNB at the mid of a
  ``BNB/<quote>`` instrument of the recording, else listed unpriced), marked at the mid of the
  rebuilt book (the venue's best bid/ask, then the last trade, when a recording has no book).
  Totals are in the account currency (the first quote currency, as the portfolio's default);
  instruments quoted in another currency are listed but left out of them.
* Sharpe and Sortino use the PnL changes over fixed intervals of the session clock (1 s, or 60 s
  for sessions over two hours), annualised for a market that trades 24/7:
  ``mean / std * sqrt(365 * 24 * 3600 / interval)`` (Sortino: downside deviation). PnL changes
  are in money, not returns: the ratios are scale-free, no capital figure is assumed. They are
  n/a (None, with ``ratio_note`` saying why) for a session shorter than a day or with fewer
  than 30 intervals: annualising multiplies the noise of a short sample by the square root of
  how many such samples a year holds. The standard error of an annualised Sharpe ratio
  estimated from ``d`` days is about ``sqrt(365 / d)``: ~418 for 3 minutes (a session gave
  -2,656), ~19 for one day; below a day the sample also misses the daily cycle of a 24/7
  market (quiet nights, busy opens), so the figure says nothing about the strategy.
* Markouts: for each fill, the mid ``h`` seconds later minus the fill price, signed by side (a
  buy that the market then lifts scores positive), quantity-weighted, in price units and bps.
* Latency per order: submit -> ack (accepted), submit -> first fill, ack -> first fill.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from tradeterm.book.l2 import L2Book
from tradeterm.domain import commands, events
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, TopOfBook, Trade
from tradeterm.portfolio.fees import MONEY
from tradeterm.portfolio.position import Position, apply_fill
from tradeterm.portfolio.valuation import (
    Figures,
    account_currency,
    figures,
    rates_from_marks,
    totals,
)

NS = 1_000_000_000
MARKOUTS_S = (1, 10, 60)
YEAR_S = 365 * 24 * 3600
RATIO_MIN_SPAN_NS = 24 * 3600 * NS  # Sharpe / Sortino: n/a below a day of session clock
RATIO_MIN_INTERVALS = 30  # ... or below this many PnL changes


@dataclass
class _Order:
    submit: int | None = None
    ack: int | None = None
    first_fill: int | None = None
    qty: int = 0
    filled: int = 0


@dataclass
class _Mids:
    times: list[int] = field(default_factory=list)
    mids_x2: list[int] = field(default_factory=list)
    source: str = ""

    def add(self, ts: int, mid_x2: int) -> None:
        if self.mids_x2 and self.mids_x2[-1] == mid_x2:
            return
        self.times.append(ts)
        self.mids_x2.append(mid_x2)

    def at(self, ts: int) -> int | None:
        i = bisect.bisect_right(self.times, ts) - 1
        return self.mids_x2[i] if i >= 0 else None


def analyse(
    records: Iterable[tuple[int, int, str, Any]],
    instruments: dict[str, Instrument],
    sample_ns: int = NS,
) -> dict[str, Any]:
    positions = {iid: Position(iid) for iid in instruments}
    volume = {iid: Decimal(0) for iid in instruments}  # notional traded
    books: dict[str, L2Book] = {}
    mids: dict[str, _Mids] = {iid: _Mids() for iid in instruments}
    orders: dict[str, _Order] = {}
    fills: list[events.OrderFilled] = []
    curve: list[tuple[int, Decimal]] = []
    start = end = None
    next_sample = None
    currency = account_currency(instruments.values())
    valuation = _Valuation(instruments, mids)

    def equity() -> Decimal:
        return totals(
            ((instruments[i], valuation.figures(p)) for i, p in positions.items()), currency
        ).pnl

    for _, ts, _, ev in records:
        if start is None:
            start, next_sample = ts, ts + sample_ns
        end = max(end or ts, ts)
        while next_sample is not None and ts >= next_sample:
            curve.append((next_sample, equity()))
            next_sample += sample_ns
        kind = type(ev)
        if kind is BookDelta or kind is BookSnapshot:
            book = books.get(ev.instrument)
            if book is None:
                book = books[ev.instrument] = L2Book(ev.instrument)
            book.apply_delta(ev) if kind is BookDelta else book.apply_snapshot(ev)
            m = mids.get(ev.instrument)
            if m is not None and book.synced and book.mid_x2 is not None:
                m.source = "book"
                m.add(ts, book.mid_x2)
        elif kind is TopOfBook:
            m = mids.get(ev.instrument)
            if m is not None and m.source != "book":
                m.source = "ticker"
                m.add(ts, ev.bid_price + ev.ask_price)
        elif kind is Trade:
            m = mids.get(ev.instrument)
            if m is not None and m.source in ("", "trade"):
                m.source = "trade"
                m.add(ts, 2 * ev.price)
        elif kind is commands.SubmitOrder:
            order = orders.setdefault(ev.client_order_id, _Order())
            order.submit, order.qty = ev.ts, ev.qty
        elif kind is events.OrderSubmitted:
            order = orders.setdefault(ev.client_order_id, _Order())
            if order.submit is None:
                order.submit = ev.ts_event
        elif kind is events.OrderAccepted:
            order = orders.setdefault(ev.client_order_id, _Order())
            if order.ack is None:
                order.ack = ts
        elif kind is events.OrderFilled:
            order = orders.setdefault(ev.client_order_id, _Order())
            if order.first_fill is None:
                order.first_fill = ts
            order.filled += ev.qty
            inst = instruments.get(ev.instrument)
            if inst is not None:
                positions[ev.instrument] = apply_fill(positions[ev.instrument], inst, ev)
                volume[ev.instrument] = MONEY.add(
                    volume[ev.instrument], inst.notional(ev.price, ev.qty)
                )
                fills.append(ev)
                curve.append((ts, equity()))
    if end is not None:
        curve.append((end, equity()))
    rows = {iid: valuation.figures(pos) for iid, pos in positions.items()}
    return _summarise(
        rows, volume, mids, orders, fills, curve, start, end, sample_ns, instruments, currency
    )


class _Valuation:
    """The portfolio's valuation (``valuation.figures``) at each instrument's latest mid."""

    def __init__(self, instruments: dict[str, Instrument], mids: dict[str, _Mids]) -> None:
        self.instruments = instruments
        self.mids = mids
        self.rate = rates_from_marks(instruments, self.mark_x2)

    def mark_x2(self, iid: str) -> int | None:
        m = self.mids.get(iid)
        return m.mids_x2[-1] if m is not None and m.mids_x2 else None

    def figures(self, pos: Position) -> Figures:
        return figures(
            pos, self.instruments[pos.instrument], self.mark_x2(pos.instrument), self.rate
        )


def _summarise(
    rows: dict[str, Figures],
    volume: dict[str, Decimal],
    mids: dict[str, _Mids],
    orders: dict[str, _Order],
    fills: list[events.OrderFilled],
    curve: list[tuple[int, Decimal]],
    start: int | None,
    end: int | None,
    sample_ns: int,
    instruments: dict[str, Instrument],
    currency: str,
) -> dict[str, Any]:
    per_inst = {}
    for iid, f in rows.items():
        inst = instruments[iid]
        per_inst[inst.symbol] = {
            "position": f"{f.qty:f}",
            "balance": f"{f.balance:f}",
            "realized": f"{f.realized:f}",
            "unrealized": f"{f.unrealized:f}",
            "fees": f"{f.fees:f}",
            "fees_paid": f.paid.as_strings(),
            "fees_unpriced": f.unpriced.as_strings(),
            "pnl": f"{f.pnl:f}",
            "volume": str(volume[iid]),
            "currency": inst.quote,
            "mark": "mid of the " + (mids[iid].source or "(no market data)"),
        }
    total_figures = totals(((instruments[iid], f) for iid, f in rows.items()), currency)
    grid = [v for ts, v in _grid(curve, start, sample_ns)]
    interval_s = sample_ns / NS
    if start is not None and end is not None and (end - start) > 2 * 3600 * NS:
        grid, interval_s = grid[:: int(60 * NS / sample_ns)], 60.0
    diffs = [float(b - a) for a, b in zip(grid, grid[1:])]
    values = [v for _, v in curve]
    peak, max_dd = Decimal("-Infinity"), Decimal(0)
    for v in values:
        peak = max(peak, v)
        max_dd = max(max_dd, peak - v)
    total = values[-1] if values else Decimal(0)
    span = (end - start) if start is not None and end is not None else 0
    note = ratio_note(span, len(diffs))
    return {
        "start_ns": start,
        "end_ns": end,
        "currency": currency,
        "not_in_total": sorted(
            instruments[iid].symbol for iid in rows if instruments[iid].quote != currency
        ),
        "instruments": per_inst,
        "pnl": {
            "total": str(total),
            "max_drawdown": str(max_dd),
            "realized": str(total_figures.realized),
            "fees": str(total_figures.fees),
            "fees_unpriced": total_figures.unpriced.as_strings(),
            "sharpe": None if note else _ratio(diffs, interval_s, downside=False),
            "sortino": None if note else _ratio(diffs, interval_s, downside=True),
            "ratio_note": note,
            "interval_s": interval_s,
            "annualisation": f"24/7 market: sqrt(365*24*3600/{interval_s:g}) periods",
        },
        "fills": _fill_stats(fills, orders, mids, instruments, end),
        "latency_ms": _latency(orders),
        "curve": [[ts, str(v)] for ts, v in curve],
    }


def _grid(
    curve: list[tuple[int, Decimal]], start: int | None, sample_ns: int
) -> list[tuple[int, Decimal]]:
    """The curve's points on the sampling grid (fill points left out)."""
    if start is None:
        return []
    return [(ts, v) for ts, v in curve if (ts - start) % sample_ns == 0]


def ratio_note(span_ns: int, intervals: int) -> str:
    """Why Sharpe and Sortino are n/a for this sample, or "" when they mean something."""
    if span_ns >= RATIO_MIN_SPAN_NS and intervals >= RATIO_MIN_INTERVALS:
        return ""
    days = span_ns / RATIO_MIN_SPAN_NS
    error = (
        f"; annualised from this sample their standard error would be about "
        f"{math.sqrt(365 / days):,.0f}"
        if days > 0
        else ""
    )
    return (
        f"n/a: the session covers {_duration(span_ns)} ({intervals} PnL changes); they "
        f"need at least a day and {RATIO_MIN_INTERVALS} changes{error}"
    )


def _duration(ns: int) -> str:
    seconds = ns / NS
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _ratio(diffs: list[float], interval_s: float, downside: bool) -> float | None:
    if len(diffs) < 3:
        return None
    mean = sum(diffs) / len(diffs)
    if downside:
        dev = math.sqrt(sum(min(0.0, d) ** 2 for d in diffs) / len(diffs))
    else:
        dev = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1))
    if dev == 0:
        return None
    return mean / dev * math.sqrt(YEAR_S / interval_s)


def _fill_stats(
    fills: list[events.OrderFilled],
    orders: dict[str, _Order],
    mids: dict[str, _Mids],
    instruments: dict[str, Instrument],
    end: int | None,
) -> dict[str, Any]:
    maker = [f for f in fills if f.liquidity is events.Liquidity.MAKER]
    submitted = [o for o in orders.values() if o.qty]
    sub_qty = sum(o.qty for o in submitted)
    markouts = {}
    for h in MARKOUTS_S:
        weight = 0
        total_px = Fraction(0)
        total_bps = Fraction(0)
        for f in fills:
            target = f.ts_recv + h * NS
            if end is None or target > end:
                continue
            mid_x2 = mids[f.instrument].at(target) if f.instrument in mids else None
            if mid_x2 is None:
                continue
            edge = (Fraction(mid_x2, 2) - f.price) * int(f.side)  # ticks
            total_px += edge * f.qty
            total_bps += edge / f.price * 10_000 * f.qty
            weight += f.qty
        if weight:
            tick = instruments[fills[0].instrument].tick_size if fills else Decimal(1)
            avg_ticks = total_px / weight
            markouts[f"{h}s"] = {
                "fills": sum(1 for f in fills if end is not None and f.ts_recv + h * NS <= end),
                "avg_price": str(
                    (Decimal(avg_ticks.numerator) / avg_ticks.denominator * tick).quantize(
                        tick / 100, ROUND_HALF_EVEN
                    )
                ),
                "avg_bps": round(float(total_bps / weight), 3),
            }
        else:
            markouts[f"{h}s"] = {"fills": 0, "avg_price": None, "avg_bps": None}
    return {
        "count": len(fills),
        "maker": len(maker),
        "taker": len(fills) - len(maker),
        "maker_share": round(len(maker) / len(fills), 4) if fills else None,
        "orders_submitted": len(submitted),
        "orders_filled": sum(1 for o in submitted if o.filled),
        "fill_ratio_qty": round(sum(min(o.filled, o.qty) for o in submitted) / sub_qty, 4)
        if sub_qty
        else None,
        "fill_ratio_orders": round(sum(1 for o in submitted if o.filled) / len(submitted), 4)
        if submitted
        else None,
        "markouts": markouts,
    }


def _latency(orders: dict[str, _Order]) -> dict[str, Any]:
    def stats(values: list[int]) -> dict[str, Any]:
        if not values:
            return {"count": 0, "p50": None, "p90": None, "max": None}
        values = sorted(values)

        def pick(q: float) -> float:
            return round(values[min(len(values) - 1, int(q * len(values)))] / 1e6, 3)

        return {
            "count": len(values),
            "p50": pick(0.5),
            "p90": pick(0.9),
            "max": round(values[-1] / 1e6, 3),
        }

    os_ = orders.values()
    return {
        "submit_to_ack": stats([o.ack - o.submit for o in os_ if o.ack and o.submit]),
        "submit_to_fill": stats(
            [o.first_fill - o.submit for o in os_ if o.first_fill and o.submit]
        ),
        "ack_to_fill": stats([o.first_fill - o.ack for o in os_ if o.first_fill and o.ack]),
    }
