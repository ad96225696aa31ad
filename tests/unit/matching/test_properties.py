"""Property tests over random order streams with every order type, several owners (so
self-trade prevention is exercised), modifies, cancels and expiries. After every operation:

* quantity is conserved per order: accepted = filled + resting + canceled + expired;
* the resting book is never crossed and every level's size is the sum of what its orders show;
* price-time priority: no order still resting had priority over a maker that just traded;
* FOK fills all or nothing, IOC/FOK/market orders never rest, post-only orders never take;
* an iceberg shows at most its display size;
* with self-trade prevention on, no trade has the same owner on both sides.
"""

from collections import defaultdict

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tradeterm.matching import MatchingEngine, MatchingRules
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import (
    FOK,
    GTC,
    GTD,
    IOC,
    LIMIT,
    MARKET,
    STOP_LIMIT,
    STOP_MARKET,
    STP_CANCEL_AGGRESSING,
    STP_CANCEL_BOTH,
    STP_CANCEL_RESTING,
)

OWNERS = st.integers(1, 3)
SIDES = st.sampled_from([1, -1])
PRICES = st.integers(98, 102)
QTYS = st.integers(1, 12)

limit_op = st.tuples(
    st.just("limit"),
    OWNERS,
    SIDES,
    PRICES,
    QTYS,
    st.sampled_from([GTC, GTC, GTC, IOC, FOK, GTD]),
    st.booleans(),
    st.integers(0, 4),
    st.sampled_from([False, False, False, True]),
)
market_op = st.tuples(st.just("market"), OWNERS, SIDES, QTYS, st.sampled_from([IOC, FOK]))
stop_op = st.tuples(st.just("stop"), OWNERS, SIDES, PRICES, st.one_of(st.none(), PRICES), QTYS)
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 80))
modify_op = st.tuples(
    st.just("modify"), st.integers(0, 80), st.one_of(st.none(), PRICES), st.one_of(st.none(), QTYS)
)
expire_op = st.tuples(st.just("expire"), st.integers(1, 3))
# half of the operations are limit orders (hypothesis's one_of does not weight by repetition)
_OTHERS = [market_op, stop_op, cancel_op, modify_op, expire_op]
any_op = st.integers(0, 9).flatmap(lambda k: limit_op if k < 5 else _OTHERS[k - 5])
stream = st.lists(any_op, min_size=10, max_size=80)


class Ledger(MatchListener):
    def __init__(self):
        self.accepted: dict[int, int] = {}
        self.filled = defaultdict(int)
        self.ended = defaultdict(int)  # canceled or expired leaves
        self.op_fills: list[tuple] = []

    def on_accepted(self, order_id, owner, price, qty):
        assert order_id not in self.accepted
        self.accepted[order_id] = qty

    def on_fill(self, maker, taker_id, taker_owner, price, qty, taker_leaves, trade_id):
        self.filled[maker.order_id] += qty
        self.filled[taker_id] += qty
        self.op_fills.append(
            (maker.order_id, maker.owner, maker.side, price, taker_id, taker_owner, qty)
        )

    def on_canceled(self, order_id, owner, leaves, reason):
        self.ended[order_id] += leaves

    def on_expired(self, order_id, owner, leaves):
        self.ended[order_id] += leaves

    def on_modified(self, order):
        self.accepted[order.order_id] = order.qty


def _priority_snapshot(eng):
    snap = {}
    for ix, side in ((0, 1), (1, -1)):
        for price, queue in eng.levels[ix].items():
            for pos, order in enumerate(queue):
                snap[order.order_id] = (side, price, pos, order.owner, order.is_iceberg)
    return snap


def _check_priority(eng, before, fills):
    for maker_id, _owner, side, price, _taker, taker_owner, _qty in fills:
        if maker_id not in before or before[maker_id][4]:
            continue
        _, _, maker_pos, _, _ = before[maker_id]
        for oid, (o_side, o_price, o_pos, o_owner, iceberg) in before.items():
            if o_side != side or oid not in eng.orders or iceberg or o_owner == taker_owner:
                continue
            better = (o_price > price) if side > 0 else (o_price < price)
            if better or (o_price == price and o_pos < maker_pos):
                raise AssertionError(
                    f"order {oid} at {o_price} kept priority over maker {maker_id} at {price}"
                )


def _check_book(eng, ledger, kinds):
    bid, ask = eng.best_bid, eng.best_ask
    assert bid is None or ask is None or bid < ask, "crossed book"
    for ix in (0, 1):
        assert set(eng.levels[ix]) == set(eng.level_size[ix])
        for price, queue in eng.levels[ix].items():
            assert queue and eng.level_size[ix][price] == sum(o.visible for o in queue)
            for order in queue:
                assert eng.orders[order.order_id] is order and order.price == price
                assert 0 < order.visible <= order.leaves
                if order.is_iceberg:
                    assert order.visible <= order.ext.display
                else:
                    assert order.visible == order.leaves
    for oid, qty in ledger.accepted.items():
        working = eng.orders.get(oid) or eng.stops.get(oid)
        resting = working.leaves if working is not None else 0
        assert qty == ledger.filled[oid] + resting + ledger.ended[oid], f"order {oid}"
        kind = kinds.get(oid)
        if kind in ("IOC", "FOK", "MARKET"):
            assert oid not in eng.orders, "an immediate order rests"
        if kind == "FOK":
            assert ledger.filled[oid] in (0, qty)


@settings(max_examples=300, deadline=None)
@example(
    [
        ("limit", 1, -1, 100, 5, GTC, False, 0, False),
        ("limit", 2, -1, 100, 5, GTC, False, 0, False),
        ("limit", 3, 1, 100, 2, GTC, False, 0, False),
    ],
    STP_CANCEL_AGGRESSING,
    False,
    False,
)
@given(
    stream,
    st.sampled_from([STP_CANCEL_AGGRESSING, STP_CANCEL_RESTING, STP_CANCEL_BOTH]),
    st.booleans(),
    st.sampled_from([False, False, False, True]),
)
def test_random_streams_keep_every_invariant(ops, stp, slide, pro_rata):
    """(With pro-rata allocation the price-time check does not apply; the rest does.)"""
    ledger = Ledger()
    eng = MatchingEngine(ledger, MatchingRules(stp=stp, post_only_slide=slide, pro_rata=pro_rata))
    for owner in (1, 2, 3):
        eng.track_position(owner)
    kinds: dict[int, str] = {}
    post_only: set[int] = set()
    now = 0
    for n, op in enumerate(ops, start=1):
        before = _priority_snapshot(eng)
        ledger.op_fills = []
        if op[0] == "limit":
            _, owner, side, price, qty, tif, post, display, reduce = op
            post = post and tif in (GTC, GTD)
            display = display if tif in (GTC, GTD) and display < qty else 0
            kinds[n] = {IOC: "IOC", FOK: "FOK"}.get(tif, "LIMIT")
            if post:
                post_only.add(n)
            eng.submit(
                n,
                owner,
                side,
                qty,
                LIMIT,
                price,
                tif,
                post_only=post,
                display=display,
                reduce_only=reduce,
                expire_ns=now + 2 if tif == GTD else None,
            )
        elif op[0] == "market":
            _, owner, side, qty, tif = op
            kinds[n] = "MARKET" if tif == IOC else "FOK"
            eng.submit(n, owner, side, qty, MARKET, None, tif)
        elif op[0] == "stop":
            _, owner, side, trigger, limit, qty = op
            kinds[n] = "STOP"
            eng.submit(
                n, owner, side, qty, STOP_LIMIT if limit else STOP_MARKET, limit, trigger=trigger
            )
        elif op[0] == "cancel":
            eng.cancel(op[1])
        elif op[0] == "modify":
            if op[1] in eng.orders or op[1] in eng.stops:
                eng.modify(op[1], price=op[2], qty=op[3])
        else:
            now += op[1]
            eng.expire_due(now)
        _check_book(eng, ledger, kinds)
        if not pro_rata:
            _check_priority(eng, before, ledger.op_fills)
        for _maker_id, maker_owner, _side, _p, taker_id, taker_owner, _q in ledger.op_fills:
            assert maker_owner != taker_owner, "self-trade"
            assert taker_id not in post_only, "a post-only order took liquidity"
    # the engine's positions are the net of each owner's fills
    assert sum(eng.positions.values()) == 0
