"""The real Binance BTCUSDT capture as a stream of domain events, synced the documented way
(buffer diffs, apply the snapshot, drop stale diffs), for the paper-fill tests."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path

from tradeterm.domain.market import BookDelta, BookSnapshot, TopOfBook, Trade
from tradeterm.venues.binance_messages import BinanceDecoder, binance_instrument

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
BTC_CAPTURE = DATA / "binance-spot-btcusdt-20240808.gz"
# Binance strings carry 8 decimals; book sizes aggregate fills finer than the order step
BTCUSDT = binance_instrument("BTC/USDT", "BTC", "USDT", "0.01", "0.00000001")


@lru_cache(maxsize=1)
def btc_events() -> tuple[BookSnapshot | BookDelta | Trade, ...]:
    """Snapshot first (with the buffered diffs after it), then diffs and trades in file order;
    bookTicker messages are left out."""
    dec = BinanceDecoder([BTCUSDT])
    out: list[BookSnapshot | BookDelta | Trade] = []
    buffered: list[BookDelta] = []
    synced = False
    with gzip.open(BTC_CAPTURE, "rt") as fh:
        for line in fh:
            recv, _, payload = line.partition(" ")
            msg = json.loads(payload)
            if "lastUpdateId" in msg:
                snap = dec.snapshot(BTCUSDT, msg, int(recv))
                out.append(snap)
                out.extend(d for d in buffered if d.last_update_id > snap.update_id)
                synced = True
                continue
            event = dec.decode(msg["data"], int(recv))
            if isinstance(event, TopOfBook):
                continue
            if not synced:
                if isinstance(event, BookDelta):
                    buffered.append(event)
                continue
            out.append(event)
    return tuple(out)
