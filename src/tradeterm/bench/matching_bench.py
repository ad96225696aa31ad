"""``matching.mixed_ops``: the full matching engine against a bare price-time book, on the same
seeded operation stream, in the same process."""

from __future__ import annotations

import time

from tradeterm.bench.bare_book import BareBook
from tradeterm.bench.order_flow import ADD, Op, order_flow
from tradeterm.bench.registry import Figure, benchmark
from tradeterm.matching.engine import MatchingEngine
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import EngineOrder
from tradeterm.matching.rules import MatchingRules

FULL_OPS = 1_000_000
QUICK_OPS = 20_000


class CountingListener(MatchListener):
    """Takes every event the engine emits and counts it: the cheapest honest consumer."""

    __slots__ = ("accepted", "rejected", "fills", "canceled")

    def __init__(self) -> None:
        self.accepted = self.rejected = self.fills = self.canceled = 0

    def on_accepted(self, order_id: int, owner: int, price: int | None, qty: int) -> None:
        self.accepted += 1

    def on_rejected(self, order_id: int, owner: int, reason: str, message: str) -> None:
        self.rejected += 1

    def on_fill(
        self,
        maker: EngineOrder,
        taker_id: int,
        taker_owner: int,
        price: int,
        qty: int,
        taker_leaves: int,
        trade_id: int,
    ) -> None:
        self.fills += 1

    def on_canceled(self, order_id: int, owner: int, leaves: int, reason: str) -> None:
        self.canceled += 1


def run_engine(ops: list[Op]) -> tuple[float, MatchingEngine, CountingListener]:
    listener = CountingListener()
    # the default rules: validation, self-trade prevention (owners differ: never triggers)
    engine = MatchingEngine(listener, MatchingRules())
    submit, cancel = engine.submit_limit, engine.cancel
    bid_changes, ask_changes = engine.level_changes
    batches = [ops[i : i + 1000] for i in range(0, len(ops), 1000)]
    start = time.process_time()
    for batch in batches:
        for kind, oid, side, price, qty in batch:
            if kind == ADD:
                submit(oid, oid, side, price, qty)
            else:
                cancel(oid)
        bid_changes.clear()  # the public feed is drained as a venue would after each batch
        ask_changes.clear()
    return time.process_time() - start, engine, listener


def run_bare(ops: list[Op]) -> tuple[float, BareBook]:
    book = BareBook()
    add, cancel = book.add, book.cancel
    start = time.process_time()
    for kind, oid, side, price, qty in ops:
        if kind == ADD:
            add(oid, side, price, qty)
        else:
            cancel(oid)
    return time.process_time() - start, book


def flow_stats(ops: list[Op]) -> dict[str, float]:
    adds = sum(1 for op in ops if op[0] == ADD)
    return {"limit_share": adds / len(ops), "cancel_share": 1 - adds / len(ops)}


@benchmark("matching.mixed_ops")
def mixed_ops(quick: bool) -> Figure:
    n = QUICK_OPS if quick else FULL_OPS
    rounds = 1 if quick else 3
    ops = order_flow(n, seed=1)
    best_engine = best_bare = float("inf")
    engine = listener = book = None
    for _ in range(rounds):  # interleaved, best of each: the machine's load hits both alike
        t_bare, book = run_bare(ops)
        t_engine, engine, listener = run_engine(ops)
        best_bare = min(best_bare, t_bare)
        best_engine = min(best_engine, t_engine)
    assert engine is not None and listener is not None and book is not None
    identical = book.level_sizes() == (engine.level_size[0], engine.level_size[1])
    if not identical:
        raise AssertionError("the engine and the reference book disagree: benchmark invalid")
    stats = flow_stats(ops)
    return Figure(
        name="matching.mixed_ops",
        value=n / best_engine,
        unit="ops/s",
        reference="bare price-time book (dict of deques + heap; no order types, validation, "
        "events or level feed), same process, same operations",
        reference_value=n / best_bare,
        target=">= 1,000,000 ops/s and ratio >= 0.75",
        note=(
            f"{n:,} operations: {stats['limit_share']:.1%} limit orders, "
            f"{stats['cancel_share']:.1%} cancels (a fifth of the limit orders marketable, "
            f"priced at the 2nd/3rd opposite level); {engine.trade_id:,} trades; "
            f"{listener.accepted + listener.canceled + listener.fills:,} events; best of "
            f"{rounds}; both books identical at the end"
        ),
    )
