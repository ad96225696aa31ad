"""Orders typed fast into a real terminal while the market moves are sent at the prices the book
implied at the moment of sending (issue 13, done-when).

`tradeterm paper --activity busy` runs in a pty (the project's pty harness, a pyte screen); a
trader types bursts of orders: command lines with relative prices (`bid-2t`, `ask+3t`, `mid` on
both sides), `b` / `s` at the touch, and the ticket with a typed price expression. The session's
own journal then says what was sent: it holds every book update and every command in bus
order, so playing its book records up to each SubmitOrder gives the book that order saw, and
each sent price must be what its expression means on that book.

Each entry of a round has its own side and quantity, so every SubmitOrder in the journal is
matched to the keys that sent it.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from tradeterm.bench.pty_harness import PtySession, PtyTimeout
from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.core.bus import MessageBus
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.record.header import instrument_from_dict
from tradeterm.record.journal import JournalReader

DEFAULT_SIZE = "0.07"  # what b / s send (ui.default_size)


@dataclass(frozen=True)
class Entry:
    """What the trader types, and the price it means on a book (bid, ask in ticks)."""

    keys: str
    side: Side
    qty: str
    price: str  # bid-2t | ask+3t | mid | bid | ask | bid-1t
    ticket: bool = False


ROUND = [
    Entry(":b 0.01 @ bid-2t\r", Side.BUY, "0.01", "bid-2t"),
    Entry(":s 0.02 @ ask+3t\r", Side.SELL, "0.02", "ask+3t"),
    Entry(":b 0.03 @ mid\r", Side.BUY, "0.03", "mid"),
    Entry(":s 0.04 @ mid\r", Side.SELL, "0.04", "mid"),
    Entry("b", Side.BUY, DEFAULT_SIZE, "bid"),
    Entry("s", Side.SELL, DEFAULT_SIZE, "ask"),
    Entry("b 0.05 @ bid-1t\r", Side.BUY, "0.05", "bid-1t", ticket=True),
]


def implied(entry: Entry, bid: int, ask: int) -> int:
    """The price ``entry`` means on this book: ``mid`` rounds a buy down and a sell up."""
    if entry.price == "mid":
        return (bid + ask) // 2 if entry.side is Side.BUY else -((-(bid + ask)) // 2)
    base = bid if entry.price.startswith("bid") else ask
    offset = entry.price[3:]
    return base + (int(offset[1:-1]) * (1 if offset[0] == "+" else -1) if offset else 0)


def type_rounds(term: PtySession, rounds: int, gap: float) -> None:
    """Type ``rounds`` rounds of ``ROUND``, ``gap`` seconds between entries; the ticket's line
    straight after ``t`` (ctrl+u first: it opens with a line of its own)."""
    for _ in range(rounds):
        for entry in ROUND:
            term.press(("t\x15" if entry.ticket else "") + entry.keys)
            term.drain(gap)


def sent_orders(journal: Path) -> list[tuple[SubmitOrder, int, int, dict]]:
    """Each manual SubmitOrder in the journal with the best bid and ask the session's books
    showed when it was sent (the journal's book records played up to it), and the instruments."""
    with JournalReader(journal) as reader:
        instruments = {
            d["venue"] + ":" + d["symbol"]: instrument_from_dict(d) for d in reader.instruments
        }
        bus = MessageBus()
        views = EngineViews(StatusView(mode="PAPER", venue="sim"))
        MarketDataKeeper(bus, views, list(instruments.values()))
        out = []
        for _seq, _ts, topic, event in reader.records_iter():
            if topic.startswith(("book.", "trade.", "quote.")):
                bus.publish(topic, event)
            elif type(event) is SubmitOrder and event.source == "manual":
                book = views.books[event.instrument]
                out.append((event, book.best_bid, book.best_ask, instruments))
    return out


def on_screen(lines: list[str]) -> str | None:
    """The symbol in the ladder's title (the instrument order keys act on)."""
    for line in lines:
        if "Ladder" in line:
            return line.split("Ladder", 1)[1].split()[0]
    return None


def run_burst(tmp_path: Path, rounds: int, gap: float, seed: int) -> None:
    data = tmp_path / "data"
    # every typed order must go out: risk's pacing checks (an identical order within 250 ms,
    # 100 open orders, the throttle) are tested on their own, and would deny some here
    env = dict(
        os.environ,
        TRADETERM_DATA_DIR=str(data),
        TRADETERM_UI__DEFAULT_SIZE=DEFAULT_SIZE,
        TRADETERM_RISK__DUPLICATE_WINDOW_MS="0",
        TRADETERM_RISK__MAX_OPEN_ORDERS="5000",
        TRADETERM_RISK__ORDERS_PER_SECOND="5000",
        TRADETERM_RISK__ORDER_BURST="5000",
    )
    argv = [sys.executable, "-m", "tradeterm", "paper", "--activity", "busy", "--seed", str(seed)]
    with PtySession(argv, 120, 40, env=env) as term:
        term.wait_for(
            lambda lines: (
                on_screen(lines) is not None
                and any("CONNECTED" in ln and "ACTIVE" in ln for ln in lines)
            ),
            60,
        )
        term.drain(1.0)  # the market moves
        symbol = on_screen(term.lines())
        started = time.perf_counter()
        type_rounds(term, rounds, gap)
        typed = time.perf_counter() - started
        # the keys are taken in order: once the help typed last is up, every order was sent
        # (each one is written to the store, fsync'd, before it goes: under a busy market on a
        # loaded machine the app may lag the keys by seconds)
        term.press("?")
        lag = 30 + 0.5 * rounds * len(ROUND)
        try:
            term.wait_for(
                lambda lines: any("Remap any binding" in ln for ln in lines), lag, hint=b"Remap"
            )
        except PtyTimeout as exc:  # the ? was typed as text, or went nowhere
            pytest.fail(f"the help typed after the orders did not open: {exc}")
        screen = term.text()
        term.close()  # SIGTERM: a clean stop, the journal closed
    journals = sorted((data / "recordings").glob("*.ttj"))
    assert len(journals) == 1, journals
    orders = sent_orders(journals[0])
    assert orders, f"no order sent; last screen:\n{screen}"
    instruments = orders[0][3]
    inst = next(i for i in instruments.values() if i.symbol == symbol)

    by_key: dict[tuple[Side, int], list] = {}
    for cmd, bid, ask, _ in orders:
        assert cmd.instrument == inst.id, (
            f"{cmd.client_order_id} went to {instruments[cmd.instrument].symbol}, not the "
            f"{symbol} on screen"
        )
        by_key.setdefault((cmd.side, cmd.qty), []).append((cmd, bid, ask))
    moved = set()
    for entry in ROUND:
        got = by_key.get((entry.side, inst.qty_to_lots(Decimal(entry.qty))), [])
        assert len(got) == rounds, (
            f"{entry.keys.strip()!r}: {len(got)} sent of {rounds} typed ({typed:.1f}s to type "
            f"{rounds * len(ROUND)} orders); last screen:\n{screen}"
        )
        for cmd, bid, ask in got:
            assert bid is not None and ask is not None
            want = implied(entry, bid, ask)
            assert cmd.price == want, (
                f"{entry.keys.strip()!r} sent {inst.format_price(cmd.price)} but the book at "
                f"sending (bid {inst.format_price(bid)}, ask {inst.format_price(ask)}) implied "
                f"{inst.format_price(want)} [{cmd.client_order_id}]"
            )
            moved.add((bid, ask))
    assert len(moved) > 1, "the market did not move while the orders were typed"
    assert len(orders) == rounds * len(ROUND), "an order was sent that was not typed"


def test_orders_typed_fast_go_out_at_the_price_the_book_implied(tmp_path):
    run_burst(tmp_path, rounds=8, gap=0.03, seed=11)


@pytest.mark.slow
def test_orders_typed_fast_for_a_minute_go_out_at_the_price_the_book_implied(tmp_path):
    run_burst(tmp_path, rounds=40, gap=0.01, seed=12)
