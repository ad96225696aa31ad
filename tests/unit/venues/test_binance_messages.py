"""The Binance decoder and the L2 book on the real capture in ../shared/data."""

import gzip
import json
from pathlib import Path

import pytest

from tradeterm.book.l2 import L2Book
from tradeterm.domain.instruments import PrecisionError
from tradeterm.domain.market import BookDelta, Side, TopOfBook, Trade
from tradeterm.venues.binance_messages import (
    BinanceDecoder,
    UnknownMessage,
    binance_instrument,
)

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
# Binance strings carry 8 decimals; book sizes aggregate fills finer than the order step
BTCUSDT = binance_instrument("BTC/USDT", "BTC", "USDT", "0.01", "0.00000001")


def test_parse_exact_strings():
    assert BTCUSDT.parse_price("61685.99000000") == 6168599
    assert BTCUSDT.parse_qty("0.02000000") == 2_000_000
    assert BTCUSDT.parse_qty("0") == 0
    with pytest.raises(PrecisionError):
        BTCUSDT.parse_price("61685.991")
    with pytest.raises(PrecisionError):
        BTCUSDT.parse_price("abc")


def test_decode_each_message_type():
    dec = BinanceDecoder([BTCUSDT])
    trade = dec.decode(
        {
            "e": "trade",
            "E": 1,
            "s": "BTCUSDT",
            "t": 9,
            "p": "61837.63000000",
            "q": "0.02000000",
            "T": 2,
            "m": True,
        },
        5,
    )
    assert trade == Trade(BTCUSDT.id, 6183763, 2_000_000, Side.SELL, 9, 2_000_000, 5)
    delta = dec.decode(
        {
            "e": "depthUpdate",
            "E": 3,
            "s": "BTCUSDT",
            "U": 10,
            "u": 12,
            "pu": 9,
            "b": [["1.00", "0.5"]],
            "a": [],
        },
        6,
    )
    assert isinstance(delta, BookDelta) and delta.prev_update_id == 9
    assert delta.bids == [(100, 50_000_000)]
    tob = dec.decode({"u": 7, "s": "BTCUSDT", "b": "1.00", "B": "1", "a": "1.01", "A": "2"}, 8)
    assert isinstance(tob, TopOfBook) and tob.ts_event == 8
    with pytest.raises(UnknownMessage):
        dec.decode({"e": "kline", "s": "BTCUSDT"}, 0)
    with pytest.raises(UnknownMessage):
        dec.decode({"e": "trade", "s": "DOGEUSDT"}, 0)


ETHUSDT = binance_instrument("ETH/USDT", "ETH", "USDT", "0.01", "0.00000001")


@pytest.mark.skipif(not DATA.exists(), reason="shared market data not present")
@pytest.mark.parametrize(
    ("inst", "name", "coinciding", "final"),
    [
        (BTCUSDT, "binance-spot-btcusdt-20240808.gz", 564, ("61685.99", "61686.00")),
        (ETHUSDT, "binance-spot-ethusdt-20240808.gz", 577, None),
    ],
)
def test_real_capture_rebuilds_binance_top_of_book(inst, name, coinciding, final):
    """bookTicker is sent in real time and depth diffs every 100 ms, so a ticker with update id
    ``u`` may arrive before or after the diff ending at ``u``; compare whenever both are known."""
    dec = BinanceDecoder([inst])
    book = L2Book(inst.id)
    buffered: list[BookDelta] = []
    tickers: dict[int, tuple[int, int]] = {}  # ticker update id -> (bid, ask)
    tops: dict[int, tuple[int | None, int | None]] = {}  # applied diff's last id -> book top

    def apply(delta: BookDelta) -> None:
        if book.apply_delta(delta):
            tops[delta.last_update_id] = (book.best_bid, book.best_ask)
        elif book.last_update_id < delta.last_update_id:
            pytest.fail(f"gap at {delta.first_update_id}")

    with gzip.open(DATA / name, "rt") as fh:
        for line in fh:
            recv, _, payload = line.partition(" ")
            msg = json.loads(payload)
            if "lastUpdateId" in msg:
                book.apply_snapshot(dec.snapshot(inst, msg, int(recv)))
                for delta in buffered:
                    apply(delta)
                continue
            event = dec.decode(msg["data"], int(recv))
            if isinstance(event, BookDelta):
                if book.synced:
                    apply(event)
                else:
                    buffered.append(event)
            elif isinstance(event, TopOfBook):
                tickers[event.update_id] = (event.bid_price, event.ask_price)
    common = tickers.keys() & tops.keys()
    assert len(common) == coinciding
    assert all(tickers[u] == tops[u] for u in common)
    assert not book.is_crossed
    if final:
        assert (inst.format_price(book.best_bid), inst.format_price(book.best_ask)) == final
