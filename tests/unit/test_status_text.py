"""``tradeterm status`` for a person (issue 13.11): money grouped to the currency's precision,
sizes in the instrument's lot precision (before: ``fees 1.295872500``, ``today's PnL:
-5.266969305``); ``--json`` keeps every digit."""

from __future__ import annotations

import argparse
import json

from tests.trading_harness import MID, Harness
from tradeterm.cli.status import run_status
from tradeterm.domain.market import Side


async def test_status_text_in_trader_units_and_json_exact(tmp_path, monkeypatch, capsys):
    h = Harness(f"sqlite:///{tmp_path / 'tradeterm.db'}")
    await h.start()
    buy = h.submit(Side.BUY, 100, MID - 1)
    h.venue.fill(buy.client_order_id, 60, fee="1.295872500")
    h.venue.fill(buy.client_order_id, 40, fee="0.0000010", fee_currency="BTC")
    h.desk.stop()
    h.store.close()
    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path))
    args = argparse.Namespace(config=None, json=False, fills=True)
    assert run_status(args) == 0
    text = capsys.readouterr().out
    [line] = [ln for ln in text.splitlines() if ln.strip().startswith("BTC/USD")]
    assert "0.0100 BTC" in line and "avg      59999.5" in line
    assert "fees 1.36 USD" in line  # 1.2958725 USD + 0.000001 BTC at 59,999.5
    assert "balance 0.0099990 BTC" in line
    assert "1.295872500" not in text and "fee 1.30 USD" in text and "fee 0.00000100 BTC" in text
    args.json = True
    assert run_status(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["positions"][0]["fees_paid"] == {"BTC": "0.0000010", "USD": "1.295872500"}
    assert report["currency"] == "USD"
