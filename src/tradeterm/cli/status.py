"""``tradeterm status``: trading state, positions, working orders, today's PnL and fills, read
from the store, so it works whether or not a session is running (SQLite WAL lets it read while
the session writes)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tradeterm.cli.session import ask_session, data_dir_for, halt_marker_for, open_store

if TYPE_CHECKING:
    from tradeterm.domain.instruments import Instrument
    from tradeterm.portfolio.position import Position

DAY_NS = 86_400 * 1_000_000_000
RECENT_FILLS = 20


def iso(ts_ns: int) -> str:
    dt = datetime.fromtimestamp(ts_ns // 1_000_000_000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ts_ns % 1_000_000_000:09d}Z"


def position_entry(pos: Position, inst: Instrument | None, symbol: str) -> dict[str, Any]:
    """A stored position as the portfolio values it (``valuation.figures``, no mark: the store
    keeps no market data, so fees in a third currency are listed unpriced)."""
    from tradeterm.portfolio.valuation import figures

    entry: dict[str, Any] = {
        "instrument": symbol,
        "instrument_id": pos.instrument,
        "fills": pos.fills,
        "fees_paid": pos.paid.as_strings(),
    }
    if inst is None:  # an instrument the store does not describe: raw units
        return entry | {
            "qty": str(pos.qty),
            "balance": None,
            "avg_price": None,
            "realized_pnl": str(pos.realized),
            "fees": str(pos.fees),
            "fees_unpriced": {},
        }
    f = figures(pos, inst)
    return entry | {
        "qty": f"{f.qty:f}",
        "balance": f"{f.balance:f}",
        "currency": inst.quote,
        "base": inst.base,
        "avg_price": None if f.avg_price is None else f"{f.avg_price:f}",
        "realized_pnl": f"{f.realized:f}",
        "fees": f"{f.fees:f}",
        "fees_unpriced": f.unpriced.as_strings(),
    }


def collect(args: argparse.Namespace) -> dict[str, Any]:
    from tradeterm.domain.events import TradingState

    try:
        session = ask_session(data_dir_for(args.config), {"op": "status"}, timeout=1.0)
    except TimeoutError:
        session = {"pid": None, "stuck": True}  # holds the socket but does not answer
    marker = halt_marker_for(args.config)
    halt = marker.read() if marker is not None else None  # it holds the next start HALTED
    store = open_store(args.config)  # checked whole: a damaged store is one clear line
    try:
        instruments = store.load_instruments()
        state = store.controls.load_trading_state()
        positions = store.load_positions()
        orders = store.load_open_orders()
        groups = store.held.load_open_groups()  # held orders with their groups' ended legs
        held = [h for h in groups if not h.is_terminal]
        fill_rows = store.fill_rows()
        day = store.controls.load_day(time.time_ns() // DAY_NS)  # today, UTC
    finally:
        store.close()

    def inst_of(iid: str) -> Instrument | None:
        found: Instrument | None = instruments.get(iid)
        return found

    def qty(iid: str, lots: int) -> str:
        inst = inst_of(iid)
        return str(inst.lots_to_qty(lots)) if inst else str(lots)

    def price(iid: str, ticks: int | Decimal | None) -> str | None:
        inst = inst_of(iid)
        if ticks is None:
            return None
        return str(ticks * inst.tick_size) if inst else str(ticks)

    def symbol(iid: str) -> str:
        inst = inst_of(iid)
        return inst.symbol if inst else iid

    fills = [
        {
            "id": r.trade_id,
            "instrument": symbol(r.instrument),
            "instrument_id": r.instrument,
            "side": "BUY" if r.side > 0 else "SELL",
            "qty": qty(r.instrument, r.qty),
            "price": price(r.instrument, r.price),
            "ts": iso(r.ts_event),
            "ts_ns": r.ts_event,
            "fee": r.fee,
            "fee_currency": r.fee_currency,
            "liquidity": r.liquidity,
            "client_order_id": r.client_order_id,
        }
        for r in fill_rows
    ]
    if halt is not None:
        state = (TradingState.HALTED, halt.reason, halt.source, halt.ts)
    from tradeterm.config import load_settings
    from tradeterm.portfolio.valuation import account_currency

    configured = load_settings(args.config).portfolio.currency if args.config else ""
    return {
        "currency": account_currency(instruments.values(), configured),
        "trading_state": state[0].value if state else "ACTIVE",
        "trading_state_reason": state[1] if state else "",
        "trading_state_source": state[2] if state else "",
        "trading_state_since": iso(state[3]) if state and state[3] else None,
        "halt_marker": str(marker.path) if halt is not None else None,
        "session_running": session is not None,
        "session_pid": session.get("pid") if session else None,
        "positions": [
            position_entry(p, inst_of(p.instrument), symbol(p.instrument))
            for p in positions
            if p.qty or p.fills
        ],
        "working_orders": [
            {
                "client_order_id": o.client_order_id,
                "instrument": symbol(o.instrument),
                "side": o.side.name,
                "qty": qty(o.instrument, o.qty),
                "filled": qty(o.instrument, o.filled_qty),
                "price": price(o.instrument, o.price),
                "type": o.order_type.value,
                "status": o.status.value,
                "source": o.source,
                "external": o.external,
                "venue": venue,
            }
            for o, venue in orders
        ],
        "held_orders": [
            {
                "id": h.held_id,
                "instrument": symbol(h.instrument),
                "kind": h.kind.value,
                "state": h.state.value,
                "side": h.side.name,
                "qty": qty(h.instrument, h.qty),
                "filled": qty(h.instrument, h.filled),
                "trigger": price(h.instrument, h.trigger_price),
                "limit": price(h.instrument, h.price),
                "offset": h.offset_text() or None,
                "parent": h.parent_id or None,
                "role": h.role or None,
                "children": [c.held_id for c in groups if c.parent_id == h.held_id],
            }
            for h in held
        ],
        "today": None
        if day is None
        else {
            "start_equity": str(day[0]),
            "equity": str(day[2]) if day[2] is not None else None,
            "pnl": str(day[2] - day[0]) if day[2] is not None else None,
            "as_of": iso(day[3]) if day[3] else None,
        },
        "fill_count": len(fills),
        "fills": fills if args.fills else fills[-RECENT_FILLS:],
    }


def run_status(args: argparse.Namespace) -> int:
    report = collect(args)
    if args.json:
        print(json.dumps(report, sort_keys=True))
        return 0
    print(status_text(report, args.fills))
    return 0


def status_text(report: dict[str, Any], fills: bool) -> str:
    """The report for a person: money grouped to the currency's precision, sizes in the
    instrument's lot precision (``core/display.py``); ``--json`` keeps every digit."""
    from tradeterm.core.display import money

    ccy = report.get("currency", "")
    running = (
        f"session running (pid {report['session_pid']})"
        if report["session_running"]
        else "no session running"
    )
    reason = f" ({report['trading_state_reason']})" if report["trading_state_reason"] else ""
    lines = [f"trading {report['trading_state']}{reason}; {running}"]
    if report["halt_marker"]:
        lines.append(f"halt marker: {report['halt_marker']} (`tradeterm rearm` clears it)")
    lines.append("positions:" if report["positions"] else "positions: none")
    for p in report["positions"]:
        quote = p.get("currency")
        if quote is None:  # an instrument the store does not describe: its raw units
            lines.append(
                f"  {p['instrument']:<14} {p['qty']:>14} lots  realized "
                f"{p['realized_pnl']} tick-lots  fees {p['fees']}"
            )
            continue
        balance = f"  balance {p['balance']} {p['base']}" if p["balance"] != p["qty"] else ""
        unpriced = "".join(f" + {money(Decimal(a), c)}" for c, a in p["fees_unpriced"].items())
        lines.append(
            f"  {p['instrument']:<14} {p['qty']:>14} {p['base']}  avg "
            f"{p['avg_price'] or '-':>12}  realized "
            f"{money(Decimal(p['realized_pnl']), quote)}  fees "
            f"{money(Decimal(p['fees']), quote)}{unpriced}{balance}"
        )
    lines.append(f"working orders: {len(report['working_orders'])}")
    for o in report["working_orders"]:
        tag = " EXTERNAL" if o["external"] else ""
        lines.append(
            f"  {o['client_order_id']}  {o['instrument']:<14} {o['side']:<4} "
            f"{o['qty']} @ {o['price'] or 'MKT'}  filled {o['filled']}  {o['status']}"
            f"  {o['source']}{tag}"
        )
    held = report.get("held_orders", [])
    if held:
        lines.append(f"held orders: {len(held)}")
    for h in held:
        trigger = f" trigger {h['trigger']}" if h["trigger"] else ""
        offset = f" trail {h['offset']}" if h["offset"] else ""
        limit = f" limit {h['limit']}" if h["limit"] else ""
        parent = f"  parent {h['parent']}" if h["parent"] else ""
        lines.append(
            f"  {h['id']}  {h['instrument']:<14} {h['kind']} {h['side']} {h['qty']}"
            f"{trigger}{offset}{limit}  {h['state']}{parent}"
        )
    today = report["today"]
    if today and today["pnl"] is not None:
        lines.append(
            f"today's PnL: {money(Decimal(today['pnl']), ccy)} (equity "
            f"{money(Decimal(today['equity']), ccy)}, as of {today['as_of']})"
        )
    else:
        lines.append("today's PnL: no session has traded today")
    if fills:
        lines.append(f"fills: {report['fill_count']}")
        for f in report["fills"]:
            lines.append(
                f"  {f['id']:<24} {f['ts']}  {f['instrument']:<14} {f['side']:<4} "
                f"{f['qty']} @ {f['price']}  fee "
                f"{money(Decimal(f['fee']), f['fee_currency'])}"
            )
    else:
        lines.append(f"fills: {report['fill_count']} (list them with --fills)")
    return "\n".join(lines)
