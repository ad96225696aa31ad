"""One ledger: the same fills give the same position and PnL figures live (the portfolio), in
``tradeterm status`` (from the store) and in ``tradeterm report`` (from the journal), with fees
in the quote currency, in the base asset and in a third currency, and with averages that do not
fall on a tick (where two average-cost engines used to round differently)."""

import json
import os
import random
import subprocess
import sys
from decimal import Decimal

from tests.trading_harness import BTC, ETH, MID, Harness
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.record.header import session_header
from tradeterm.record.journal_writer import JournalWriter

BNB = Instrument("fake", "BNB/USD", "BNB", "USD", Decimal("0.01"), Decimal("0.001"))
MIDS = {BTC.id: MID, ETH.id: 60_000}


def cli(data_dir, *args: str) -> dict:
    env = {**os.environ, "TRADETERM_DATA_DIR": str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "tradeterm", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


async def trade_session(data_dir, instruments, seed: int) -> tuple[Harness, list]:
    """Random fills with fees in USD, the base asset and BNB, through the whole desk; every bus
    message recorded as the recorder would."""
    h = Harness(
        f"sqlite:///{data_dir / 'tradeterm.db'}",
        instruments=instruments,
        oms={"synchronous": "NORMAL"},
        portfolio={"starting_cash": "100000"},
        risk={
            "orders_per_second": 1e6,
            "order_burst": 10**6,
            "duplicate_window_ms": 0,
            "max_position_notional": "1e12",
            "max_order_notional": "1e12",
        },
    )
    records: list = []
    h.bus.subscribe("*", lambda m: records.append((h.clock.timestamp_ns(), h.bus.topic, m)))
    if BNB in instruments:
        h.book(BNB, 60_000, 60_003)  # BNB at 600.015
    await h.start()
    rng = random.Random(seed)
    for _ in range(60):
        inst = rng.choice([BTC, ETH])
        side = rng.choice([Side.BUY, Side.SELL])
        price = MIDS[inst.id] + rng.randint(-7, 7)
        order = h.submit(side, rng.randint(2, 30), price, inst=inst)
        assert isinstance(order, Order), order
        left = order.qty
        while left:
            part = rng.randint(1, left)
            currency = rng.choice(["USD", inst.base, "BNB", ""])
            fee = Decimal(rng.randint(-3, 900)).scaleb(-9 if currency == inst.base else -6)
            h.venue.fill(
                order.client_order_id, part, price=price, fee=str(fee), fee_currency=currency
            )
            left -= part
        h.advance(0.3)
        h.book(inst, MIDS[inst.id] + rng.randint(-9, 0), MIDS[inst.id] + rng.randint(1, 9))
    h.desk.portfolio.revalue(h.clock.timestamp_ns())  # what the next revalue timer would do
    h.desk.stop()
    h.store.close()
    return h, records


def write_journal(path, h: Harness, records: list) -> None:
    w = JournalWriter(
        path, session_header("paper", "fake", list(h.instruments.values()), records[0][0])
    )
    w.write_block(
        list(range(1, len(records) + 1)),
        [ts for ts, _, _ in records],
        [topic for _, topic, _ in records],
        [m for _, _, m in records],
    )
    w.close()


async def test_live_status_and_report_give_the_same_figures(tmp_path):
    h, records = await trade_session(tmp_path, (BTC, ETH), seed=5)
    write_journal(tmp_path / "session.ttj", h, records)
    status = {p["instrument_id"]: p for p in cli(tmp_path, "status")["positions"]}
    report = cli(tmp_path, "report", str(tmp_path / "session.ttj"))
    pf = h.desk.portfolio
    kinds = set()
    for iid, inst in h.instruments.items():
        live = pf.figures(iid)
        kinds |= set(live.paid)
        s, r = status[iid], report["instruments"][inst.symbol]
        assert s["qty"] == r["position"] == f"{live.qty:f}"
        assert s["balance"] == r["balance"] == f"{live.balance:f}"
        assert live.balance != live.qty  # base-asset fees moved the balance
        assert s["realized_pnl"] == r["realized"] == f"{live.realized:f}"
        assert s["fees"] == r["fees"] == f"{live.fees:f}"
        assert s["fees_paid"] == r["fees_paid"] == live.paid.as_strings()
        assert s["fees_unpriced"] == r["fees_unpriced"] == live.unpriced.as_strings()
        assert r["unrealized"] == f"{live.unrealized:f}" and r["pnl"] == f"{live.pnl:f}"
        assert s["avg_price"] == f"{h.views.portfolio.positions[iid].avg_price:f}"
    assert kinds == {"USD", "BTC", "ETH", "BNB"}
    view = h.views.portfolio
    assert Decimal(report["pnl"]["total"]) == view.equity - 100_000
    assert report["pnl"]["fees"] == str(view.fees)
    assert report["pnl"]["fees_unpriced"] == {c: f"{a:f}" for c, a in view.unpriced_fees.items()}


async def test_a_bnb_fee_is_priced_alike_live_and_in_the_report(tmp_path):
    h, records = await trade_session(tmp_path, (BTC, ETH, BNB), seed=9)
    write_journal(tmp_path / "session.ttj", h, records)
    report = cli(tmp_path, "report", str(tmp_path / "session.ttj"))
    status = {p["instrument_id"]: p for p in cli(tmp_path, "status")["positions"]}
    view = h.views.portfolio
    assert view.unpriced_fees == {} and report["pnl"]["fees_unpriced"] == {}
    for iid in (BTC.id, ETH.id):
        live = h.desk.portfolio.figures(iid)
        bnb = live.paid["BNB"]
        assert live.fees == h.desk.portfolio.position(iid).fees + bnb * Decimal("600.015")
        assert report["instruments"][h.instruments[iid].symbol]["fees"] == f"{live.fees:f}"
        # the store keeps no market data: status lists the BNB apart, unpriced
        assert status[iid]["fees_unpriced"] == {"BNB": f"{bnb:f}"}
        assert Decimal(status[iid]["fees"]) == live.fees - bnb * Decimal("600.015")
    assert Decimal(report["pnl"]["total"]) == view.equity - 100_000
