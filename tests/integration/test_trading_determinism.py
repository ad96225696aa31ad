"""A seeded --fast session with the placeholder quoter is reproducible message for message:
orders, fills, positions and PnL included."""

import asyncio

import msgspec

from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions


def quoting_run(seed: int):
    kernel = Kernel(
        load_settings(sim={"seed": seed}), RunOptions(fast=True, seconds=40, quoter="placeholder")
    )
    encoder = msgspec.msgpack.Encoder()
    stream = []
    kernel.bus.subscribe("*", lambda msg: stream.append(encoder.encode(msg)))
    asyncio.run(kernel.run())
    return stream, kernel.summary()


def test_seeded_quoting_sessions_are_identical():
    a, summary_a = quoting_run(8)
    b, summary_b = quoting_run(8)
    assert a == b and summary_a == summary_b
    trading = summary_a["trading"]
    assert trading["orders_submitted"] > 50 and trading["fills"] > 20
    assert trading["trading_state"] == "ACTIVE" and trading["working_orders"] == 0
    assert set(trading["positions"]) == {"SIM-BTC/USD", "SIM-ETH/USD"}
    _, summary_c = quoting_run(9)
    assert summary_c["trading"] != trading
