"""``tradeterm status --json`` lists the held orders the store keeps, with parent, children,
kind, side, qty and trigger or offset, whether or not a session is running."""

from __future__ import annotations

import json

from tests.held_harness import MID, oco, place, stop, trail
from tests.integration.sessions import tradeterm
from tests.trading_harness import BTC, Harness
from tradeterm.domain.held import HeldKind, HeldLeg
from tradeterm.domain.market import Side


async def test_status_json_lists_held_orders(tmp_path):
    h = Harness(store_url=f"sqlite:///{tmp_path / 'tradeterm.db'}")
    await h.start()
    h.trade(BTC, MID)
    s = place(h, stop(h, Side.SELL, 1_000, MID - 10))
    t = place(h, trail(h, Side.SELL, 1_000, 15))
    o = place(
        h,
        oco(
            h,
            HeldLeg(Side.SELL, 1_000, HeldKind.LIMIT, MID + 20),
            HeldLeg(Side.SELL, 1_000, HeldKind.STOP, None, MID - 30),
        ),
    )
    h.desk.stop()
    h.store.close()
    out = tradeterm(tmp_path, "status", "--json")
    assert out.returncode == 0, out.stderr
    held = {x["id"]: x for x in json.loads(out.stdout)["held_orders"]}
    assert held[s.held_id] == {
        "id": s.held_id,
        "instrument": "BTC/USD",
        "kind": "STOP",
        "state": "HELD",
        "side": "SELL",
        "qty": "0.1000",
        "filled": held[s.held_id]["filled"],
        "trigger": "59995.0",
        "limit": None,
        "offset": None,
        "parent": None,
        "role": None,
        "children": [],
    }
    assert held[s.held_id]["filled"] in ("0", "0E-4", "0.0000")
    assert held[t.held_id]["offset"] == "15t" and held[t.held_id]["trigger"] == "59992.5"
    parent = held[o.held_id]
    assert parent["kind"] == "OCO" and len(parent["children"]) == 2
    stop_leg = next(held[c] for c in parent["children"] if held.get(c, {}).get("state") == "HELD")
    assert stop_leg["parent"] == o.held_id and stop_leg["trigger"] == "59985.0"
    text = tradeterm(tmp_path, "status").stdout
    assert f"held orders: {len(held)}" in text and s.held_id in text
