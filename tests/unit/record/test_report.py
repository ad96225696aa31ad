"""The report and the export on a hand-made journal whose PnL is known to the cent."""

import json
import math
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest

from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import Liquidity, OrderAccepted, OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, Trade
from tradeterm.record.header import session_header
from tradeterm.record.journal import JournalReader
from tradeterm.record.journal_writer import JournalWriter
from tradeterm.record.merged import session_records
from tradeterm.record.report import analyse
from tradeterm.record.tables import instruments_of

INST = Instrument(
    "sim",
    "T/USD",
    "T",
    "USD",
    Decimal("0.5"),
    Decimal("0.0001"),
    Decimal(0),
    Decimal("0.0001"),
    Decimal("0.0004"),
)
IID = INST.id
T0 = 1_767_225_600_000_000_000
S = 1_000_000_000
MS = 1_000_000


def delta(t, bids, asks, u):
    return BookDelta(IID, bids, asks, u, u, T0 + t, T0 + t)


def session():
    """Buy 1.0 at 101 (taker), the market rises, sell 0.5 at 106 (maker), the market falls."""
    return [
        (0, "book.sim.T/USD", BookSnapshot(IID, [(200, 10_000)], [(202, 10_000)], 1, T0, T0)),
        (S // 10, "command", SubmitOrder(T0 + S // 10, "c1", IID, Side.BUY, 10_000, price=202)),
        (150 * MS, "order.sim", OrderAccepted(T0 + 150 * MS, T0 + 150 * MS, "c1", IID, "v1")),
        (
            200 * MS,
            "order.sim",
            OrderFilled(
                T0 + 200 * MS,
                T0 + 200 * MS,
                "c1",
                IID,
                "v1",
                "f1",
                Side.BUY,
                202,
                10_000,
                Liquidity.TAKER,
                Decimal("0.0404"),
                "USD",
                0,
            ),
        ),
        (
            200 * MS,
            "trade.sim.T/USD",
            Trade(IID, 202, 10_000, Side.BUY, 1, T0 + 200 * MS, T0 + 200 * MS),
        ),
        (
            1200 * MS,
            "book.sim.T/USD",
            delta(1200 * MS, [(200, 0), (210, 10_000)], [(202, 0), (212, 10_000)], 2),
        ),
        (2 * S, "command", SubmitOrder(T0 + 2 * S, "c2", IID, Side.SELL, 5_000, price=212)),
        (
            2 * S + 10 * MS,
            "order.sim",
            OrderAccepted(T0 + 2 * S + 10 * MS, T0 + 2 * S + 10 * MS, "c2", IID, "v2"),
        ),
        (
            3 * S,
            "order.sim",
            OrderFilled(
                T0 + 3 * S,
                T0 + 3 * S,
                "c2",
                IID,
                "v2",
                "f2",
                Side.SELL,
                212,
                5_000,
                Liquidity.MAKER,
                Decimal("0.0053"),
                "USD",
                0,
            ),
        ),
        (
            12 * S,
            "book.sim.T/USD",
            delta(12 * S, [(210, 0), (197, 10_000)], [(212, 0), (199, 10_000)], 3),
        ),
        (
            61 * S,
            "book.sim.T/USD",
            delta(61 * S, [(197, 0), (199, 10_000)], [(199, 0), (201, 10_000)], 4),
        ),
    ]


@pytest.fixture
def journal(tmp_path):
    path = tmp_path / "known.ttj"
    rows = session()
    w = JournalWriter(path, session_header("paper", "sim", [INST], T0))
    w.write_block(
        list(range(1, len(rows) + 1)),
        [T0 + t for t, _, _ in rows],
        [topic for _, topic, _ in rows],
        [m for _, _, m in rows],
    )
    w.close()
    return path


def test_report_numbers_match_the_hand_computed_session(journal):
    with JournalReader(journal) as reader:
        r = analyse(session_records(reader), instruments_of(reader))
    inst = r["instruments"]["T/USD"]
    assert Decimal(inst["position"]) == Decimal("0.5")
    assert Decimal(inst["realized"]) == Decimal("2.5")  # (106 - 101) * 0.5
    assert Decimal(inst["unrealized"]) == Decimal("-0.5")  # (100 - 101) * 0.5 at the last mid
    assert Decimal(inst["fees"]) == Decimal("0.0457")
    assert Decimal(r["pnl"]["total"]) == Decimal("1.9543")
    # peak 4.7043 after the sale (mid 105.5), trough 1.4543 when the mid fell to 99
    assert Decimal(r["pnl"]["max_drawdown"]) == Decimal("3.25")
    assert r["currency"] == "USD"
    f = r["fills"]
    assert (f["count"], f["maker"], f["taker"]) == (2, 1, 1)
    assert f["orders_submitted"] == 2 and f["fill_ratio_qty"] == 1.0
    m = f["markouts"]
    assert m["1s"]["fills"] == 2 and Decimal(m["1s"]["avg_price"]) == pytest.approx(
        Decimal("3.1667"), abs=Decimal("0.001")
    )  # (4.5 * 1.0 + 0.5 * 0.5) / 1.5
    assert Decimal(m["10s"]["avg_price"]) == pytest.approx(Decimal("5.3333"), abs=Decimal("0.001"))
    assert m["60s"]["fills"] == 1 and Decimal(m["60s"]["avg_price"]) == Decimal("-2.00")
    assert m["1s"]["avg_bps"] == pytest.approx(
        (4.5 / 101 * 1e4 + 0.5 / 106 * 1e4 * 0.5) / 1.5, rel=1e-6
    )
    lat = r["latency_ms"]
    assert lat["submit_to_ack"]["count"] == 2 and lat["submit_to_ack"]["max"] == 50.0
    assert lat["submit_to_fill"]["max"] == 1000.0 and lat["ack_to_fill"]["max"] == 990.0
    # a minute is no sample for an annualised ratio (issue 13.11: -2,656 for 3 minutes)
    assert r["pnl"]["sharpe"] is None and r["pnl"]["sortino"] is None
    assert r["pnl"]["ratio_note"].startswith("n/a: the session covers 61 s (62 PnL changes)")
    assert "standard error would be about 719" in r["pnl"]["ratio_note"]  # sqrt(365 d / 61 s)


def test_sharpe_and_sortino_over_a_day_and_more():
    """A 26-hour session: the PnL moves every minute; the ratios are the annualised formula."""
    rows = session()[:5]  # long 1.0 from 101
    last, update = 200, 1
    for i in range(1, 26 * 60 + 1):
        bid = 200 + (i * 7919) % 13 - 6  # a deterministic wobble around 100
        if bid == last:
            continue
        update += 1
        rows.append(
            (
                i * 60 * S,
                "book.sim.T/USD",
                delta(
                    i * 60 * S,
                    [(last, 0), (bid, 10_000)],
                    [(last + 2, 0), (bid + 2, 10_000)],
                    update,
                ),
            )
        )
        last = bid
    r = analyse(
        ((n, T0 + t, topic, m) for n, (t, topic, m) in enumerate(rows)),
        {IID: INST},
        sample_ns=60 * S,
    )
    assert r["pnl"]["ratio_note"] == "" and r["pnl"]["interval_s"] == 60.0
    grid = [Decimal(v) for ts, v in r["curve"] if (ts - T0) % (60 * S) == 0]
    diffs = [float(b - a) for a, b in zip(grid, grid[1:])]
    mean = sum(diffs) / len(diffs)
    std = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1))
    assert r["pnl"]["sharpe"] == pytest.approx(mean / std * math.sqrt(365 * 24 * 60))
    assert r["pnl"]["sortino"] is not None


def test_report_command_prints_tables_charts_and_json(journal, tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "tradeterm", "report", str(journal)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "1.95 USD" in out.stdout and "Markouts" in out.stdout and "Drawdown" in out.stdout
    assert "Sharpe       │ n/a" in out.stdout.replace("  ", " ") or "n/a" in out.stdout
    js = subprocess.run(
        [sys.executable, "-m", "tradeterm", "report", str(journal), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Decimal(json.loads(js.stdout)["pnl"]["total"]) == Decimal("1.9543")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_round_trips_through_pandas(journal, tmp_path, fmt):
    from tradeterm.record.export import export_recordings

    out = tmp_path / f"fills.{fmt}"
    with JournalReader(journal) as reader:
        export_recordings([reader], "fills", fmt, out)
    df = pd.read_parquet(out) if fmt == "parquet" else pd.read_csv(out, dtype=str)
    assert list(df["client_order_id"]) == ["c1", "c2"]
    assert [Decimal(str(v)) for v in df["price"]] == [Decimal("101"), Decimal("106")]
    assert [Decimal(str(v)) for v in df["qty"]] == [Decimal("1"), Decimal("0.5")]
    assert [Decimal(str(v)) for v in df["fee"]] == [Decimal("0.0404"), Decimal("0.0053")]
    assert list(df["liquidity"]) == ["TAKER", "MAKER"]


def test_many_recordings_export_to_a_hive_tree(journal, tmp_path):
    from tradeterm.record.export import export_recordings

    other = tmp_path / "other.ttj"
    other.write_bytes(journal.read_bytes())
    tree = tmp_path / "tree"
    with JournalReader(journal) as a, JournalReader(other) as b:
        written = export_recordings([a, b], "book-top", "parquet", tree)
        written += export_recordings([a], "orders", "parquet", tmp_path / "orders")
        written += export_recordings([a], "pnl", "parquet", tmp_path / "pnl")
    assert (tree / "date=2026-01-01" / "instrument=sim.T-USD" / "known.parquet").exists()
    df = pd.read_parquet(tree)  # pyarrow discovers the hive partitions
    assert len(df) == 8 and set(df["date"].astype(str)) == {"2026-01-01"}
    assert set(df["instrument"].astype(str)) == {"sim.T-USD"}
    assert sorted({Decimal(str(v)) for v in df["bid_price"]}) == [
        Decimal(x) for x in ("98.5", "99.5", "100", "105")
    ]
    orders = pd.read_parquet(tmp_path / "orders")
    assert list(orders["kind"]) == [
        "SubmitOrder",
        "OrderAccepted",
        "OrderFilled",
        "SubmitOrder",
        "OrderAccepted",
        "OrderFilled",
    ]
    pnl = pd.read_parquet(tmp_path / "pnl")
    assert Decimal(str(pnl["pnl"].iloc[-1])) == Decimal("1.9543")
