"""``tradeterm export`` (recordings -> Parquet/CSV, one file or a hive-partitioned tree) and
``tradeterm report`` (PnL, drawdown, Sharpe/Sortino, fills, markouts, latency; tables + charts).
pandas, pyarrow, rich and plotext are imported only here."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradeterm.cli.errors import UsageError
from tradeterm.core.display import money
from tradeterm.record.journal import DamagedBlock, JournalError, JournalReader


def _blocks(n: int) -> str:
    return f"{n:,} damaged block{'' if n == 1 else 's'}"


def damage_refusal(damage: list[DamagedBlock], verb: str) -> UsageError:
    """One line for a recording with damaged blocks: the first, how much, and the way on."""
    more = ""
    if len(damage) > 1:
        known = sum(d.records or 0 for d in damage)
        more = f" ({_blocks(len(damage))} in all, holding {known:,} records)"
    return UsageError(
        f"{damage[0]}{more}; {verb} with --skip-damaged to skip the damage and {verb} the rest"
    )


def lost_warning(readers: list[JournalReader]) -> str | None:
    """What --skip-damaged left out, or None."""
    lost = [d for r in readers for d in r.lost + r.gaps]
    if not lost:
        return None
    records = sum(d.records or 0 for d in lost)
    total = sum(r.records for r in readers)
    unknown = sum(d.size for d in lost if d.records is None)
    extra = f", plus the records in {unknown:,} damaged bytes" if unknown else ""
    return (
        f"tradeterm: warning: skipped {_blocks(len(lost))}: {records:,} of {total:,} "
        f"records lost{extra}"
    )


def open_checked(path: Path, skip_damaged: bool, verb: str) -> JournalReader:
    """A reader for ``path``; damaged blocks are refused naming --skip-damaged, or skipped."""
    try:
        reader = JournalReader(path, skip_damaged=skip_damaged)
    except JournalError as exc:
        raise UsageError(str(exc)) from None
    if reader.damaged_at is not None:
        print(
            f"tradeterm: warning: {path.name}: {reader.damage}; using the {reader.records:,} "
            "records before it",
            file=sys.stderr,
        )
    damage = reader.check_blocks()
    if damage and not skip_damaged:
        reader.close()
        raise damage_refusal(damage, verb)
    return reader


def journal_refusal(exc: JournalError, verb: str) -> UsageError:
    if isinstance(exc, DamagedBlock):  # found while reading (e.g. in a replay's source)
        return damage_refusal([exc], verb)
    return UsageError(str(exc))


def run_export(args: argparse.Namespace) -> int:
    from tradeterm.record.export import export_recordings

    readers: list[JournalReader] = []
    try:
        for p in args.recordings:
            readers.append(open_checked(p, args.skip_damaged, "export"))
        written = export_recordings(readers, args.what, args.format, args.output, args.row_group)
    except JournalError as exc:
        raise journal_refusal(exc, "export") from None
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    finally:
        for r in readers:
            r.close()
    warning = lost_warning(readers)
    if warning:
        print(warning, file=sys.stderr)
    rows = sum(n for _, n in written)
    print(
        f"exported {rows:,} {args.what} rows to {len(written)} file(s) under {args.output}",
        file=sys.stderr,
    )
    for path, n in written:
        print(f"  {path}  ({n:,} rows)", file=sys.stderr)
    return 0


def run_report(args: argparse.Namespace) -> int:
    from tradeterm.record.merged import session_records
    from tradeterm.record.report import analyse
    from tradeterm.record.tables import instruments_of

    reader = open_checked(args.recording, args.skip_damaged, "report")
    try:
        result = analyse(session_records(reader), instruments_of(reader))
    except JournalError as exc:
        raise journal_refusal(exc, "report") from None
    finally:
        reader.close()
    warning = lost_warning([reader])
    if warning:
        print(warning, file=sys.stderr)
    result["recording"] = args.recording.name
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    render_report(result, charts=not args.no_charts)
    return 0


def render_report(r: dict[str, Any], charts: bool = True) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    pnl = r["pnl"]
    head = Table(title=f"Session report  {r['recording']}  ({r['currency']})", show_header=False)
    head.add_column(style="bold")
    head.add_column(justify="right")
    ccy = r["currency"]
    for label, value in (
        ("PnL", money(Decimal(pnl["total"]), ccy)),
        ("realized", money(Decimal(pnl["realized"]), ccy)),
        ("fees", money(Decimal(pnl["fees"]), ccy)),
        ("max drawdown", money(Decimal(pnl["max_drawdown"]), ccy)),
        ("Sharpe", _ratio_text(pnl, "sharpe")),
        ("Sortino", _ratio_text(pnl, "sortino")),
        ("annualised", pnl["annualisation"]),
    ):
        head.add_row(label, str(value))
    console.print(head)
    if pnl.get("ratio_note"):
        console.print(f"Sharpe and Sortino {pnl['ratio_note']}")
    inst = Table(title="Instruments (money in each one's quote currency)")
    for col in (
        "symbol",
        "position",
        "balance",
        "realized",
        "unrealized",
        "fees",
        "PnL",
        "volume",
        "mark",
    ):  # a narrow terminal folds a figure, never cuts it
        inst.add_column(
            col, justify="left" if col in ("symbol", "mark") else "right", overflow="fold"
        )
    for sym, v in r["instruments"].items():
        quote = v["currency"]

        def cash(key: str, v: dict[str, Any] = v, quote: str = quote) -> str:
            return money(Decimal(v[key]), quote, unit=False)

        unpriced = "".join(f" + {money(Decimal(a), c)}" for c, a in v["fees_unpriced"].items())
        inst.add_row(
            sym,
            v["position"],
            v["balance"],
            cash("realized"),
            cash("unrealized"),
            cash("fees") + unpriced,
            cash("pnl"),
            cash("volume"),
            v["mark"].replace("mid of the ", ""),
        )
    console.print(inst)
    if r["not_in_total"]:
        console.print(
            f"not in the {r['currency']} totals (quoted in another currency): "
            + ", ".join(r["not_in_total"])
        )
    if pnl["fees_unpriced"]:
        console.print(
            "fees without a price in "
            + r["currency"]
            + " (left out of PnL): "
            + ", ".join(money(Decimal(a), c) for c, a in pnl["fees_unpriced"].items())
        )
    f = r["fills"]
    fills = Table(title="Fills")
    for col in ("fills", "maker", "taker", "orders", "filled orders", "fill ratio (qty)"):
        fills.add_column(col, justify="right")
    fills.add_row(
        str(f["count"]),
        str(f["maker"]),
        str(f["taker"]),
        str(f["orders_submitted"]),
        str(f["orders_filled"]),
        _num(f["fill_ratio_qty"]),
    )
    console.print(fills)
    marks = Table(title="Markouts (mid after the fill minus fill price, signed by side)")
    for col in ("horizon", "fills", "avg price", "avg bps"):
        marks.add_column(col, justify="right")
    for h, m in f["markouts"].items():
        marks.add_row(h, str(m["fills"]), str(m["avg_price"] or "-"), _num(m["avg_bps"]))
    console.print(marks)
    lat = Table(title="Order latency (ms)")
    for col in ("leg", "orders", "p50", "p90", "max"):
        lat.add_column(col, justify="right")
    for leg, s in r["latency_ms"].items():
        lat.add_row(
            leg.replace("_", " "), str(s["count"]), _num(s["p50"]), _num(s["p90"]), _num(s["max"])
        )
    console.print(lat)
    if charts and len(r["curve"]) > 1:
        import plotext as plt

        chart = _charts(r)
        print(chart if sys.stdout.isatty() else plt.uncolorize(chart))


def _ratio_text(pnl: dict[str, Any], key: str) -> str:
    return "n/a" if pnl.get("ratio_note") else _num(pnl[key])


def _num(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:,.3f}" if isinstance(v, float) else str(v)


def _charts(r: dict[str, Any]) -> str:
    import plotext as plt

    start = r["start_ns"] or 0
    xs = [(ts - start) / 1e9 for ts, _ in r["curve"]]
    ys = [float(v) for _, v in r["curve"]]
    peak, dd = float("-inf"), []
    for y in ys:
        peak = max(peak, y)
        dd.append(y - peak)
    plt.clear_figure()
    plt.subplots(2, 1)
    plt.plotsize(100, 30)
    plt.theme("clear")
    plt.subplot(1, 1)
    plt.title(f"PnL ({r['currency']})")
    plt.plot(xs, ys)
    plt.subplot(2, 1)
    plt.title("Drawdown")
    plt.xlabel("seconds from start")
    plt.plot(xs, dd)
    chart: str = plt.build()
    return chart
