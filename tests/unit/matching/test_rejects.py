"""Every reject reason, with the book left untouched."""

import pytest

from tests.unit.matching.recorder import BUY, SELL, make
from tradeterm.core.clock import SimClock
from tradeterm.matching.orders import (
    FOK,
    GTD,
    IOC,
    LIMIT,
    MARKET,
    REJECT_REASONS,
    STOP_LIMIT,
    STOP_MARKET,
)

RULES = dict(price_step=5, qty_step=10, min_qty=10, max_qty=1000, min_notional=50_000)


def _book():
    eng, rec = make(clock=SimClock(1_000), **RULES)
    eng.submit_limit(1, 1, SELL, 1000, 100)
    eng.submit_limit(2, 2, BUY, 990, 100)
    eng.submit_limit(3, 1, BUY, 995, 100)
    eng.submit_limit(4, 2, SELL, 995, 100)  # a trade: last price 995
    return eng, rec


CASES = [
    ("INVALID_QUANTITY", dict(side=BUY, qty=0, price=900)),
    ("INVALID_QUANTITY", dict(side=BUY, qty=15, price=900)),  # off the lot grid
    ("INVALID_QUANTITY", dict(side=BUY, qty=2000, price=900)),  # above max
    ("INVALID_PRICE", dict(side=BUY, qty=100, price=None)),
    ("INVALID_PRICE", dict(side=BUY, qty=100, price=-5)),
    ("INVALID_PRICE", dict(side=BUY, qty=100, price=903)),  # off the tick grid
    ("INVALID_TRIGGER_PRICE", dict(side=BUY, qty=100, kind=STOP_MARKET, trigger=None)),
    ("INVALID_TRIGGER_PRICE", dict(side=BUY, qty=100, kind=STOP_MARKET, trigger=1002)),
    ("MIN_NOTIONAL", dict(side=BUY, qty=10, price=900)),
    ("MIN_NOTIONAL", dict(side=BUY, qty=10, kind=MARKET)),  # against the best ask
    ("INVALID_DISPLAY_QTY", dict(side=BUY, qty=100, price=900, display=200)),
    ("INVALID_DISPLAY_QTY", dict(side=BUY, qty=100, price=900, display=15)),
    ("UNSUPPORTED_COMBINATION", dict(side=BUY, qty=100, price=900, tif=IOC, display=50)),
    ("UNSUPPORTED_COMBINATION", dict(side=BUY, qty=100, kind=MARKET, post_only=True)),
    ("UNSUPPORTED_COMBINATION", dict(side=BUY, qty=100, price=900, tif=FOK, post_only=True)),
    (
        "UNSUPPORTED_COMBINATION",
        dict(side=BUY, qty=100, kind=STOP_LIMIT, price=1100, trigger=1100, post_only=True),
    ),
    ("INVALID_EXPIRE_TIME", dict(side=BUY, qty=100, price=900, tif=GTD)),
    ("INVALID_EXPIRE_TIME", dict(side=BUY, qty=100, price=900, tif=GTD, expire_ns=999)),
    ("POST_ONLY_WOULD_TAKE", dict(side=BUY, qty=100, price=1000, post_only=True)),
    ("WOULD_TRIGGER_IMMEDIATELY", dict(side=SELL, qty=100, kind=STOP_MARKET, trigger=1000)),
    (
        "WOULD_TRIGGER_IMMEDIATELY",
        dict(side=BUY, qty=100, kind=STOP_LIMIT, price=1000, trigger=990),
    ),
    ("REDUCE_ONLY_WOULD_INCREASE", dict(side=SELL, qty=100, price=1100, reduce_only=True)),
    ("DUPLICATE_ORDER_ID", dict(order_id=2, side=BUY, qty=100, price=900)),
]


@pytest.mark.parametrize(
    ("reason", "args"), CASES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(CASES)]
)
def test_reject_reason(reason, args):
    eng, rec = _book()
    before = (eng.level_size[0].copy(), eng.level_size[1].copy(), set(eng.orders))
    args = dict(args)
    order_id = args.pop("order_id", 50)
    side, qty = args.pop("side"), args.pop("qty")
    kind, price, tif = args.pop("kind", LIMIT), args.pop("price", None), args.pop("tif", 0)
    assert eng.submit(order_id, 7, side, qty, kind, price, tif, **args) == 0
    assert rec.events[-1] == ("rejected", order_id, reason)
    assert (eng.level_size[0], eng.level_size[1], set(eng.orders)) == before


def test_fast_path_rejects_too():
    eng, rec = _book()
    for oid, price, qty in ((60, 903, 100), (61, 900, 15), (62, 900, 10), (63, 0, 100)):
        assert eng.submit_limit(oid, 7, BUY, price, qty) == 0
    assert [e[2] for e in rec.of("rejected")] == [
        "INVALID_PRICE",
        "INVALID_QUANTITY",
        "MIN_NOTIONAL",
        "INVALID_PRICE",
    ]


def test_unknown_order_on_modify_and_cancel():
    eng, rec = _book()
    assert not eng.cancel(999)
    assert not eng.modify(999, qty=10) and rec.events[-1] == (
        "modify_rejected",
        999,
        "UNKNOWN_ORDER",
    )


def test_every_reject_reason_is_covered():
    covered = {r for r, _ in CASES} | {"UNKNOWN_ORDER"}
    assert covered == set(REJECT_REASONS)
